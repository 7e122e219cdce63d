// Helpers of the multi-rank ComEx GoogleTest suites (testing/mpi): the
// world, a comex_malloc block, the fixture of the error suites.  The checks
// themselves (patterns, comparisons, waits) are in testing/common/checks.h.
#ifndef COMEX_TESTING_MPI_TEST_UTIL_H_
#define COMEX_TESTING_MPI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "checks.h"
#include "comex.h"

namespace mpitest {

using namespace testutil;  // the checks shared with the ARMCI suites

inline int WorldRank() {
  int rank = -1;
  comex_group_rank(COMEX_GROUP_WORLD, &rank);
  return rank;
}

inline int WorldSize() {
  int size = 0;
  comex_group_size(COMEX_GROUP_WORLD, &size);
  return size;
}

inline MPI_Comm WorldComm() {
  MPI_Comm comm = MPI_COMM_NULL;
  comex_group_comm(COMEX_GROUP_WORLD, &comm);
  return comm;
}

// Functions main() runs before comex_init_args (registered by test files
// through a static PreInitCheck object).
using PreInitFn = void (*)();
inline std::vector<PreInitFn> &PreInitChecks() {
  static std::vector<PreInitFn> checks;
  return checks;
}
struct PreInitCheck {
  explicit PreInitCheck(PreInitFn fn) { PreInitChecks().push_back(fn); }
};
inline void RunPreInitChecks() {
  for (PreInitFn fn : PreInitChecks()) fn();
}

// One comex_malloc allocation over a group; freed collectively (after a
// barrier, so no rank frees while others still read it) when destroyed.
class SharedBlock {
 public:
  explicit SharedBlock(size_t bytes, comex_group_t group = COMEX_GROUP_WORLD)
      : group_(group), bytes_(bytes) {
    int size = 0;
    comex_group_size(group, &size);
    comex_group_rank(group, &rank_);
    ptrs_.assign(size, nullptr);
    rc_ = comex_malloc(ptrs_.data(), bytes, group);
    EXPECT_EQ(rc_, COMEX_SUCCESS) << "comex_malloc(" << bytes << ")";
  }
  ~SharedBlock() {
    if (rc_ != COMEX_SUCCESS) return;
    EXPECT_EQ(comex_barrier(group_), COMEX_SUCCESS);
    EXPECT_EQ(comex_free(mine(), group_), COMEX_SUCCESS);
  }
  SharedBlock(const SharedBlock &) = delete;
  SharedBlock &operator=(const SharedBlock &) = delete;

  bool ok() const { return rc_ == COMEX_SUCCESS; }
  size_t bytes() const { return bytes_; }
  const std::vector<void *> &ptrs() const { return ptrs_; }
  // Address of byte `offset` of member `proc`'s block (in proc's space).
  void *at(int proc, size_t offset = 0) const { return static_cast<char *>(ptrs_[proc]) + offset; }
  uint8_t *mine() const { return static_cast<uint8_t *>(ptrs_[rank_]); }

 private:
  comex_group_t group_;
  size_t bytes_;
  int rank_ = -1;
  int rc_ = COMEX_FAILURE;
  std::vector<void *> ptrs_;
};

// ---------------------------------------------------------------------------
// Completion of non-blocking handles
// ---------------------------------------------------------------------------

// Completes a handle by polling comex_test (which must make progress itself).
inline ::testing::AssertionResult TestUntilDone(comex_request_t *handle) {
  int status = -1;
  bool done = WaitUntil(
      [&] {
        if (comex_test(handle, &status) != COMEX_SUCCESS) status = -2;
        return status != 1;
      },
      60.0);
  if (!done) return ::testing::AssertionFailure() << "comex_test never gave 0";
  if (status != 0) return ::testing::AssertionFailure() << "comex_test status " << status;
  return ::testing::AssertionSuccess();
}

// Completes handle h (to target t) in one of three ways chosen by `way`, or
// leaves it to a later comex_wait_all (returns false then).
inline bool CompleteVariously(comex_request_t *h, int t, int way) {
  switch (way % 4) {
    case 0:
      EXPECT_EQ(comex_wait(h), COMEX_SUCCESS);
      return true;
    case 1:
      EXPECT_TRUE(TestUntilDone(h));
      return true;
    case 2:
      EXPECT_EQ(comex_wait_proc(t, COMEX_GROUP_WORLD), COMEX_SUCCESS);
      return true;
    default:
      return false;
  }
}

// The fixture of the error suites: a comex_malloc block per rank filled with
// a pattern and local buffers (twice the block, so a bad call that reads or
// writes a whole out-of-range patch stays inside them) of one known byte.
// Tests aim bad calls at `targets_` (the right neighbour and the rank
// itself); TearDown checks that no byte of any of them changed.
class BadCallTest : public ::testing::Test {
 protected:
  static constexpr size_t kBytes = 4096;
  static constexpr uint8_t kLocalByte = 0x5A;

  explicit BadCallTest(int salt) : salt_(salt) {}

  void SetUp() override {
    me_ = WorldRank();
    n_ = WorldSize();
    right_ = (me_ + 1) % n_;
    targets_ = {right_};
    if (right_ != me_) targets_.push_back(me_);
    blk_.reset(new SharedBlock(kBytes));
    ASSERT_TRUE(blk_->ok());
    FillPattern(blk_->mine(), kBytes, me_, me_, salt_);
    src_.assign(2 * kBytes, kLocalByte);
    dst_.assign(2 * kBytes, kLocalByte);
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  }

  void TearDown() override {
    if (!blk_ || !blk_->ok()) return;
    EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_TRUE(MatchesPattern(blk_->mine(), kBytes, me_, me_, salt_))
        << "a failed call wrote into rank " << me_ << "'s block";
    EXPECT_TRUE(AllBytesAre(dst_.data(), dst_.size(), kLocalByte))
        << "a failed call wrote into the local destination";
    EXPECT_TRUE(AllBytesAre(src_.data(), src_.size(), kLocalByte))
        << "a failed call wrote into the local source";
    blk_.reset();
  }

  // Address of byte `offset` of rank t's block (may be made to point outside).
  char *remote(int t, ptrdiff_t offset = 0) const {
    return static_cast<char *>(blk_->at(t)) + offset;
  }

  const int salt_;
  int me_ = -1, n_ = 0, right_ = -1;
  std::vector<int> targets_;
  std::unique_ptr<SharedBlock> blk_;
  std::vector<uint8_t> src_, dst_;
};

}  // namespace mpitest

#endif  // COMEX_TESTING_MPI_TEST_UTIL_H_
