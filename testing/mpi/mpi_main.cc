// GoogleTest main for the multi-rank suites (test_core, test_errors).
//
// Every rank runs every test in the same order; tests are collective and keep
// their phases apart with comex_barrier.  Rank 0 prints the usual GoogleTest
// output; the other ranks print only their failures, each line tagged with the
// rank.  The exit code is non-zero on every rank if any test failed on any
// rank.
#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>

#include "comex.h"
#include "test_util.h"

namespace {

// Prints each failed assertion as "[rank R] file:line: Failure in Suite.Test"
// followed by the message, so failures on ranks other than 0 are visible.
// (The test name is remembered at its start: OnTestPartResult runs under
// GoogleTest's lock, where UnitTest::current_test_info() would deadlock.)
class RankFailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}

  void OnTestStart(const ::testing::TestInfo &info) override {
    test_ = std::string(info.test_suite_name()) + "." + info.name();
  }
  void OnTestEnd(const ::testing::TestInfo &info) override {
    if (info.result()->Failed()) {
      std::fprintf(stderr, "[rank %d] FAILED %s\n", rank_, test_.c_str());
      std::fflush(stderr);
    }
    test_ = "(none)";
  }

  void OnTestPartResult(const ::testing::TestPartResult &result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure in %s\n%s\n", rank_,
                 result.file_name() ? result.file_name() : "?",
                 result.line_number(), test_.c_str(), result.message());
    std::fflush(stderr);
  }

 private:
  int rank_;
  std::string test_ = "(none)";
};

// Starts every test together and keeps one test's traffic out of the next.
class BarrierBetweenTests : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo &) override {
    comex_barrier(COMEX_GROUP_WORLD);
  }
  void OnTestEnd(const ::testing::TestInfo &) override {
    comex_barrier(COMEX_GROUP_WORLD);
  }
};

}  // namespace

int main(int argc, char **argv) {
  // Checks that need the library uninitialised (a test file may provide them).
  mpitest::RunPreInitChecks();

  if (comex_init_args(&argc, &argv) != COMEX_SUCCESS) {
    std::fprintf(stderr, "comex_init_args failed\n");
    return 1;
  }
  ::testing::InitGoogleTest(&argc, argv);

  const int rank = mpitest::WorldRank();
  // Tests are collective, so every rank runs them in the same order, also
  // with --gtest_shuffle: rank 0 picks the seed.
  int seed = GTEST_FLAG_GET(random_seed);
  if (seed == 0) seed = static_cast<int>(std::time(nullptr) % 99999) + 1;
  MPI_Bcast(&seed, 1, MPI_INT, 0, MPI_COMM_WORLD);
  GTEST_FLAG_SET(random_seed, seed);
  ::testing::TestEventListeners &listeners =
      ::testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(rank));
  }
  listeners.Append(new BarrierBetweenTests);

  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any_failed = failed;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && any_failed && !failed) {
    std::fprintf(stderr, "[rank 0] tests failed on other ranks (see the [rank N] lines)\n");
  }

  int rc = any_failed;
  if (comex_finalize() != COMEX_SUCCESS) {
    std::fprintf(stderr, "[rank %d] comex_finalize failed\n", rank);
    rc = 1;
  }
  // comex_finalize leaves MPI up although comex_init_args started it: the
  // program finalises it, as GA's ComEx programs do.
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
