/* A plain C program that starts MPI with MPI_Init_thread, then
 * ARMCI_Init_args.  With the argument "single" it asks for
 * MPI_THREAD_SINGLE and must still be given MPI_THREAD_MULTIPLE. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "armci.h"
#include "c_checks.h"

int main(int argc, char **argv) {
  int single = argc > 1 && strcmp(argv[1], "single") == 0;
  int provided = -1, level = -1, rc;
  if (MPI_Init_thread(&argc, &argv, single ? MPI_THREAD_SINGLE : MPI_THREAD_MULTIPLE, &provided) !=
      MPI_SUCCESS)
    return 1;
  MPI_Query_thread(&level);
  if (provided != MPI_THREAD_MULTIPLE || level != MPI_THREAD_MULTIPLE) {
    fprintf(stderr, "MPI_Init_thread gave %d (query %d), not MPI_THREAD_MULTIPLE\n", provided,
            level);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  if (ARMCI_Init_args(&argc, &argv) != 0) {
    fprintf(stderr, "ARMCI_Init_args failed after MPI_Init_thread\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  rc = run_c_checks();
  ARMCI_Finalize();
  MPI_Finalize();
  return rc;
}
