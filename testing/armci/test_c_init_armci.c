/* A plain C program that only calls ARMCI_Init (which starts MPI) and
 * ARMCI_Finalize (which finalizes it).  Before ARMCI_Init, ARMCI calls fail
 * cleanly. */
#include <mpi.h>
#include <stdio.h>

#include "armci.h"
#include "c_checks.h"
#include "message.h"

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

  if (ARMCI_Init() != 0) return 6;
  MPI_Query_thread(&level);
  if (level != MPI_THREAD_MULTIPLE) {
    fprintf(stderr, "ARMCI_Init started MPI at level %d\n", level);
    return 7;
  }
  rc = run_c_checks();
  ARMCI_Finalize();
  MPI_Finalized(&finalized);
  if (!finalized) {
    fprintf(stderr, "ARMCI_Finalize did not finalize MPI\n");
    return 8;
  }
  return rc;
}
