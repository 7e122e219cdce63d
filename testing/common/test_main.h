// test_main.h -- what a multi-rank GoogleTest suite gives the one main
// (testing/common/test_main.cc): how its processes start and end.
//
// Every rank runs every test in the same order (tests are collective); rank 0
// prints GoogleTest's output, the other ranks only their failures, each line
// tagged with the rank; the exit code is non-zero on every rank if any test
// failed on any rank or the suite did not end cleanly.
#ifndef COMEX_TESTING_COMMON_TEST_MAIN_H_
#define COMEX_TESTING_COMMON_TEST_MAIN_H_

#include <mpi.h>

namespace testmain {

/// Start MPI and the library under test (before GoogleTest sees argv, so a
/// suite may read options of its own from it).  0 on success; otherwise the
/// suite has printed why.
int Start(int *argc, char ***argv);
/// The communicator of every rank of the job.
MPI_Comm World();
/// Meet every rank (before and after each test, keeping one test's traffic
/// out of the next).
void Barrier();
/// End the library and MPI, checking that both end as the suite expects.  0
/// on success; otherwise the suite has printed why.
int Finish(int rank);

}  // namespace testmain

#endif  // COMEX_TESTING_COMMON_TEST_MAIN_H_
