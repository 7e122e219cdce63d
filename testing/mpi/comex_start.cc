// How the ComEx suites start and end (testing/common/test_main.h): the
// library starts MPI (comex_init_args) and leaves it up at comex_finalize, so
// the program finalises MPI itself, as GA's ComEx programs do.
#include <cstdio>

#include "comex.h"
#include "test_main.h"
#include "test_util.h"

namespace testmain {

int Start(int *argc, char ***argv) {
  // Checks that need the library uninitialised (a test file may provide them).
  mpitest::RunPreInitChecks();
  if (comex_init_args(argc, argv) != COMEX_SUCCESS) {
    std::fprintf(stderr, "comex_init_args failed\n");
    return 1;
  }
  return 0;
}

MPI_Comm World() { return mpitest::WorldComm(); }

void Barrier() { comex_barrier(COMEX_GROUP_WORLD); }

int Finish(int rank) {
  int rc = 0;
  if (comex_finalize() != COMEX_SUCCESS) {
    std::fprintf(stderr, "[rank %d] comex_finalize failed\n", rank);
    rc = 1;
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) {
    std::fprintf(stderr, "[rank %d] comex_finalize finalized MPI\n", rank);
    return 1;
  }
  if (MPI_Finalize() != MPI_SUCCESS) {
    std::fprintf(stderr, "[rank %d] MPI_Finalize after comex_finalize failed\n", rank);
    rc = 1;
  }
  return rc;
}

}  // namespace testmain
