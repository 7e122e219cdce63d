// GoogleTest main for the ARMCI suites.  `--init=MODE` chooses how MPI and
// ARMCI start, as programs do:
//   mpi     MPI_Init (libarmci's, which asks for MPI_THREAD_MULTIPLE), ARMCI_Init
//   thread  MPI_Init_thread(MPI_THREAD_MULTIPLE), ARMCI_Init_args
//   armci   ARMCI_Init_args only (ComEx starts and finalizes MPI)
//   comm    MPI_Init, ARMCI_Init_mpi_comm(MPI_COMM_WORLD)
//   armci-thread  ARMCI_Init_thread(MPI_THREAD_MULTIPLE) only (ARMCI-MPI's call)
//   thread-comm   MPI_Init, ARMCI_Init_thread_comm(MPI_THREAD_SINGLE, MPI_COMM_WORLD)
// Rank 0 prints the GoogleTest output, the other ranks their failures tagged
// with the rank; the exit code is non-zero on every rank if any rank failed.
#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "armci.h"
#include "message.h"

namespace {

class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestStart(const ::testing::TestInfo &info) override {
    test_ = std::string(info.test_suite_name()) + "." + info.name();
  }
  void OnTestPartResult(const ::testing::TestPartResult &r) override {
    if (!r.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure in %s\n%s\n", rank_,
                 r.file_name() ? r.file_name() : "?", r.line_number(), test_.c_str(), r.message());
  }

 private:
  int rank_;
  std::string test_;
};

// Tests are collective: all ranks start and end each one together.
class SyncTests : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo &) override { ARMCI_Barrier(); }
  void OnTestEnd(const ::testing::TestInfo &) override { ARMCI_Barrier(); }
};

int Fail(const char *what) {
  std::fprintf(stderr, "armci test main: %s\n", what);
  return 1;
}

}  // namespace

int main(int argc, char **argv) {
  std::string mode = "mpi";
  for (int i = 1; i < argc; ++i)
    if (std::strncmp(argv[i], "--init=", 7) == 0) mode = argv[i] + 7;

  if (ARMCI_Initialized()) return Fail("ARMCI_Initialized() is 1 before ARMCI_Init");
  bool we_own_mpi = true;
  if (mode == "mpi" || mode == "comm" || mode == "thread-comm") {
    if (MPI_Init(&argc, &argv) != MPI_SUCCESS) return Fail("MPI_Init failed");
  } else if (mode == "thread") {
    int provided = 0;
    if (MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
      return Fail("MPI_Init_thread failed");
  } else if (mode == "armci" || mode == "armci-thread") {
    we_own_mpi = false;
  } else {
    return Fail("unknown --init mode (mpi, thread, armci, comm, armci-thread, thread-comm)");
  }
  if (we_own_mpi) {
    // libarmci's MPI_Init/MPI_Init_thread always ask for MPI_THREAD_MULTIPLE.
    int level = -1;
    MPI_Query_thread(&level);
    if (level != MPI_THREAD_MULTIPLE) return Fail("MPI did not start with MPI_THREAD_MULTIPLE");
  }
  int rc = 0;
  if (mode == "mpi") rc = ARMCI_Init();
  if (mode == "thread" || mode == "armci") rc = ARMCI_Init_args(&argc, &argv);
  if (mode == "comm") rc = ARMCI_Init_mpi_comm(MPI_COMM_WORLD) == 1 ? 0 : 1;
  if (mode == "armci-thread") rc = ARMCI_Init_thread(MPI_THREAD_MULTIPLE);
  if (mode == "thread-comm") rc = ARMCI_Init_thread_comm(MPI_THREAD_SINGLE, MPI_COMM_WORLD);
  if (rc != 0) return Fail("ARMCI initialisation failed");
  if (ARMCI_Initialized() != 1) return Fail("ARMCI_Initialized() is not 1 after ARMCI_Init");

  ::testing::InitGoogleTest(&argc, argv);
  const int rank = armci_msg_me();
  auto &listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(rank));
  }
  listeners.Append(new SyncTests);
  if (rank == 0) std::printf("[armci] init mode: %s, %d ranks\n", mode.c_str(), armci_msg_nproc());

  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any = failed;
  armci_msg_igop(&any, 1, "max");
  if (rank == 0 && any && !failed) std::fprintf(stderr, "[rank 0] tests failed on other ranks\n");

  if (ARMCI_Finalize() != 0) any = Fail("ARMCI_Finalize did not return 0");
  if (ARMCI_Finalize() != 0) any = Fail("a second ARMCI_Finalize did not return 0");
  if (ARMCI_Initialized() != 0) any = Fail("ARMCI_Initialized() is not 0 after ARMCI_Finalize");
  // ARMCI_Finalize leaves MPI up, whoever started it: the program finalises
  // it (or, when ARMCI started it, the library does at exit).
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized)
    return Fail(we_own_mpi ? "ARMCI_Finalize finalized MPI, which the program started"
                           : "ARMCI_Finalize finalized MPI; programs call MPI_Finalize after it");
  if (MPI_Finalize() != MPI_SUCCESS) any = Fail("MPI_Finalize after ARMCI_Finalize failed");
  return any;
}
