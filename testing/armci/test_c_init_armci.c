/* A plain C program that only calls ARMCI_Init (which starts MPI) and
 * ARMCI_Finalize (which leaves MPI up, as every ARMCI does), then returns
 * without MPI_Finalize: the library finalises MPI at exit.  Before
 * ARMCI_Init, ARMCI calls fail cleanly. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "armci.h"
#include "c_checks.h"
#include "message.h"

/* Registered before ARMCI_Init, so it runs after the library's own exit
 * handler: by then MPI must be finalised. */
static void check_finalized_at_exit(void) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) {
    fprintf(stderr, "MPI, started by ARMCI_Init, was not finalised at exit\n");
    _exit(9);
  }
}

int main(void) {
  int x = 0, level = -1, finalized = 0, rc;
  void *ptrs[1];
  armci_hdl_t h;
  /* Before init: error returns, one line each, no crash. */
  if (ARMCI_Initialized() != 0) return 1;
  if (ARMCI_Put(&x, &x, sizeof x, 0) == 0) return 2;
  if (ARMCI_Malloc(ptrs, 8) == 0) return 3;
  ARMCI_INIT_HANDLE(&h);
  if (ARMCI_Wait(&h) == 0) return 4;
  if (armci_domain_count(ARMCI_DOMAIN_SMP) != -1) return 5;

  if (atexit(check_finalized_at_exit) != 0) return 10;
  if (ARMCI_Init() != 0) return 6;
  MPI_Query_thread(&level);
  if (level != MPI_THREAD_MULTIPLE) {
    fprintf(stderr, "ARMCI_Init started MPI at level %d\n", level);
    return 7;
  }
  rc = run_c_checks();
  ARMCI_Finalize();
  MPI_Finalized(&finalized);
  if (finalized || MPI_Barrier(MPI_COMM_WORLD) != MPI_SUCCESS) {
    fprintf(stderr, "MPI is not usable after ARMCI_Finalize\n");
    return 8;
  }
  return rc; /* no MPI_Finalize: check_finalized_at_exit checks the library's */
}
