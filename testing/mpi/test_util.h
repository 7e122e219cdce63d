// Helpers shared by the multi-rank GoogleTest suites (testing/mpi).
#ifndef COMEX_TESTING_MPI_TEST_UTIL_H_
#define COMEX_TESTING_MPI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <sched.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "comex.h"

namespace mpitest {

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

// A byte that depends on who sent it (origin), where it went (target), which
// phase of a test it belongs to (salt) and its position, so that data that
// lands in the wrong place or from the wrong rank is caught.
inline uint8_t Pattern(int origin, int target, int salt, size_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull +
               static_cast<uint64_t>(origin + 1) * 0xC2B2AE3D27D4EB4Full +
               static_cast<uint64_t>(target + 1) * 0x165667B19E3779F9ull +
               static_cast<uint64_t>(salt + 1) * 0x27D4EB2F165667C5ull;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<uint8_t>(x);
}

inline void FillPattern(void *p, size_t n, int origin, int target, int salt) {
  uint8_t *b = static_cast<uint8_t *>(p);
  for (size_t i = 0; i < n; ++i) b[i] = Pattern(origin, target, salt, i);
}

inline std::vector<uint8_t> PatternVector(size_t n, int origin, int target,
                                          int salt) {
  std::vector<uint8_t> v(n);
  FillPattern(v.data(), n, origin, target, salt);
  return v;
}

// Compares n bytes element by element; on a mismatch names the first bad
// index and how many bytes differ.
inline ::testing::AssertionResult BytesEqual(const void *got,
                                             const void *expected, size_t n) {
  const uint8_t *g = static_cast<const uint8_t *>(got);
  const uint8_t *e = static_cast<const uint8_t *>(expected);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    if (g[i] != e[i]) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << n << " bytes differ; first at byte " << first
         << ": got " << static_cast<int>(g[first]) << ", expected "
         << static_cast<int>(e[first]);
}

inline ::testing::AssertionResult MatchesPattern(const void *got, size_t n,
                                                 int origin, int target,
                                                 int salt) {
  std::vector<uint8_t> e = PatternVector(n, origin, target, salt);
  return BytesEqual(got, e.data(), n) << " (pattern origin=" << origin
                                      << " target=" << target
                                      << " salt=" << salt << ")";
}

inline ::testing::AssertionResult AllBytesAre(const void *got, size_t n,
                                              uint8_t value) {
  std::vector<uint8_t> e(n, value);
  return BytesEqual(got, e.data(), n);
}

// Element-wise comparison for typed arrays (exact, also for floating point).
template <class T>
::testing::AssertionResult ElementsEqual(const T *got, const T *expected,
                                         size_t n) {
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!(got[i] == expected[i])) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << n << " elements differ; first at element "
         << first << ": got " << ::testing::PrintToString(got[first])
         << ", expected " << ::testing::PrintToString(expected[first]);
}

// Spins (yielding the core) until pred() holds or `seconds` pass.
template <class Pred>
bool WaitUntil(Pred pred, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    sched_yield();
  }
  return true;
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
  void *at(int proc, size_t offset = 0) const {
    return static_cast<char *>(ptrs_[proc]) + offset;
  }
  uint8_t *mine() const { return static_cast<uint8_t *>(ptrs_[rank_]); }

 private:
  comex_group_t group_;
  size_t bytes_;
  int rank_ = -1;
  int rc_ = COMEX_FAILURE;
  std::vector<void *> ptrs_;
};

// Every rank contributes `mine` (same length everywhere); returns the
// concatenation in rank order.
template <class T>
std::vector<T> AllGather(const std::vector<T> &mine, MPI_Comm comm) {
  int size = 0;
  MPI_Comm_size(comm, &size);
  std::vector<T> all(mine.size() * size);
  MPI_Allgather(mine.data(), static_cast<int>(mine.size() * sizeof(T)),
                MPI_BYTE, all.data(), static_cast<int>(mine.size() * sizeof(T)),
                MPI_BYTE, comm);
  return all;
}

}  // namespace mpitest

#endif  // COMEX_TESTING_MPI_TEST_UTIL_H_
