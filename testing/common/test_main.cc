// The GoogleTest main of every multi-rank suite (ComEx, ARMCI, hosts); each
// suite links the Start/World/Barrier/Finish of test_main.h it needs.
#include "test_main.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>
#include <string>

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
                 result.file_name() ? result.file_name() : "?", result.line_number(), test_.c_str(),
                 result.message());
    std::fflush(stderr);
  }

 private:
  int rank_;
  std::string test_ = "(none)";
};

// Starts every test together and keeps one test's traffic out of the next.
class BarrierBetweenTests : public ::testing::EmptyTestEventListener {
 public:
  void OnTestStart(const ::testing::TestInfo &) override { testmain::Barrier(); }
  void OnTestEnd(const ::testing::TestInfo &) override { testmain::Barrier(); }
};

}  // namespace

int main(int argc, char **argv) {
  if (testmain::Start(&argc, &argv) != 0) return 1;
  ::testing::InitGoogleTest(&argc, argv);

  MPI_Comm world = testmain::World();
  int rank = -1;
  MPI_Comm_rank(world, &rank);
  // Tests are collective, so every rank runs them in the same order, also
  // with --gtest_shuffle: rank 0 picks the seed.
  int seed = GTEST_FLAG_GET(random_seed);
  if (seed == 0) seed = static_cast<int>(std::time(nullptr) % 99999) + 1;
  MPI_Bcast(&seed, 1, MPI_INT, 0, world);
  GTEST_FLAG_SET(random_seed, seed);

  ::testing::TestEventListeners &listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(rank));
  }
  listeners.Append(new BarrierBetweenTests);

  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0;
  int any_failed = failed;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, world);
  if (rank == 0 && any_failed && !failed)
    std::fprintf(stderr, "[rank 0] tests failed on other ranks (see the [rank N] lines)\n");
  return testmain::Finish(rank) != 0 ? 1 : any_failed;
}
