/* A plain C program that starts MPI with MPI_Init (MPI_THREAD_SINGLE asked),
 * then ARMCI_Init: libarmci's MPI_Init must have asked for
 * MPI_THREAD_MULTIPLE, or ARMCI_Init would fail. */
#include <mpi.h>
#include <stdio.h>

#include "armci.h"
#include "c_checks.h"

int main(int argc, char **argv) {
  int level = -1, rc;
  if (MPI_Init(&argc, &argv) != MPI_SUCCESS) return 1;
  MPI_Query_thread(&level);
  if (level != MPI_THREAD_MULTIPLE) {
    fprintf(stderr, "MPI_Init gave thread level %d, not MPI_THREAD_MULTIPLE\n", level);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (ARMCI_Init() != 0) {
    fprintf(stderr, "ARMCI_Init failed after MPI_Init\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  rc = run_c_checks();
  ARMCI_Finalize();
  MPI_Finalize();
  return rc;
}
