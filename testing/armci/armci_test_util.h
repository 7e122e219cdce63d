// Helpers shared by the ARMCI GoogleTest suites (testing/armci).
#ifndef COMEX_TESTING_ARMCI_TEST_UTIL_H_
#define COMEX_TESTING_ARMCI_TEST_UTIL_H_

#include <gtest/gtest.h>
#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "armci.h"
#include "message.h"

namespace armcitest {

inline int Me() { return armci_msg_me(); }
inline int Nproc() { return armci_msg_nproc(); }
inline int Right() { return (Me() + 1) % Nproc(); }
inline int Left() { return (Me() + Nproc() - 1) % Nproc(); }

// A value that depends on who wrote it (origin), for whom (target), the phase
// of the test (salt) and the position, so misplaced data is caught.
inline uint8_t Pattern(int origin, int target, int salt, size_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull + uint64_t(origin + 1) * 0xC2B2AE3D27D4EB4Full +
               uint64_t(target + 1) * 0x165667B19E3779F9ull +
               uint64_t(salt + 1) * 0x27D4EB2F165667C5ull;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return uint8_t(x);
}

inline std::vector<uint8_t> PatternVector(size_t n, int origin, int target, int salt) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = Pattern(origin, target, salt, i);
  return v;
}

// Element-by-element comparison naming the first bad element.
template <class T>
::testing::AssertionResult ElementsEqual(const T *got, const T *expected, size_t n) {
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i)
    if (!(got[i] == expected[i]) && bad++ == 0) first = i;
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << n << " elements differ; first at " << first << ": got "
         << ::testing::PrintToString(got[first]) << ", expected "
         << ::testing::PrintToString(expected[first]);
}

template <class T>
::testing::AssertionResult ElementsEqual(const std::vector<T> &got,
                                         const std::vector<T> &expected) {
  if (got.size() != expected.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " != " << expected.size();
  return ElementsEqual(got.data(), expected.data(), got.size());
}

inline ::testing::AssertionResult BytesAre(const void *got, size_t n, uint8_t value) {
  std::vector<uint8_t> e(n, value);
  return ElementsEqual(static_cast<const uint8_t *>(got), e.data(), n);
}

// Reads of memory the progress thread writes while this thread waits
// outside ARMCI (flags): no lock orders them, by design, so ThreadSanitizer
// is told to ignore this thread's reads within the scope.
#if defined(__SANITIZE_THREAD__)
extern "C" void AnnotateIgnoreReadsBegin(const char *file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char *file, int line);
struct UnorderedReads {
  UnorderedReads() { AnnotateIgnoreReadsBegin(__FILE__, __LINE__); }
  ~UnorderedReads() { AnnotateIgnoreReadsEnd(__FILE__, __LINE__); }
};
#else
struct UnorderedReads {};
#endif

// Spin (yielding the core, outside ARMCI) until pred() or `seconds` pass.
template <class Pred>
bool WaitUntil(Pred pred, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    sched_yield();
  }
  return true;
}

// One ARMCI_Malloc allocation (over the default group, or a given group);
// freed collectively after an ARMCI barrier when destroyed.
class GlobalBlock {
 public:
  explicit GlobalBlock(armci_size_t bytes, ARMCI_Group *group = nullptr)
      : group_(group ? *group : ARMCI_GROUP_NULL), bytes_(bytes) {
    int size = Nproc();
    if (group) ARMCI_Group_size(group, &size);
    ptrs_.assign(size, nullptr);
    rc_ =
        group ? ARMCI_Malloc_group(ptrs_.data(), bytes, group) : ARMCI_Malloc(ptrs_.data(), bytes);
    EXPECT_EQ(rc_, 0) << "ARMCI_Malloc(" << bytes << ")";
    int rank = Me();
    if (group) ARMCI_Group_rank(group, &rank);
    mine_ = static_cast<uint8_t *>(ptrs_[rank]);
    if (mine_ && bytes > 0) std::memset(mine_, 0, size_t(bytes));
    Sync();
  }
  ~GlobalBlock() {
    if (rc_ != 0) return;
    Sync();
    if (group_ != ARMCI_GROUP_NULL) {
      EXPECT_EQ(ARMCI_Free_group(mine_, &group_), 0);
    } else {
      EXPECT_EQ(ARMCI_Free(mine_), 0);
    }
  }
  GlobalBlock(const GlobalBlock &) = delete;
  GlobalBlock &operator=(const GlobalBlock &) = delete;

  // Every put and accumulate to the members is complete, then the members meet.
  void Sync() {
    if (group_ == ARMCI_GROUP_NULL) {
      ARMCI_Barrier();
    } else {
      ARMCI_GroupFence(&group_);
      armci_msg_group_barrier(&group_);
    }
  }

  bool ok() const { return rc_ == 0; }
  // Address of byte `offset` of member `rank`'s block, in that member's space.
  template <class T = uint8_t>
  T *at(int rank, size_t offset = 0) const {
    return reinterpret_cast<T *>(static_cast<char *>(ptrs_[rank]) + offset);
  }
  uint8_t *mine() const { return mine_; }
  const std::vector<void *> &ptrs() const { return ptrs_; }

 private:
  ARMCI_Group group_;
  armci_size_t bytes_;
  int rc_ = ARMCI_FAIL;
  std::vector<void *> ptrs_;
  uint8_t *mine_ = nullptr;
};

// Everyone's `mine` (same length everywhere), in world-rank order.
template <class T>
std::vector<T> AllGather(const std::vector<T> &mine) {
  std::vector<T> all(mine.size() * size_t(Nproc()));
  MPI_Comm world = MPI_COMM_NULL;
  ARMCI_Group g;
  ARMCI_Group_get_world(&g);
  world = armci_group_comm(&g);
  MPI_Allgather(mine.data(), int(mine.size() * sizeof(T)), MPI_BYTE, all.data(),
                int(mine.size() * sizeof(T)), MPI_BYTE, world);
  return all;
}

// The node structure as the tests expect it, computed with MPI directly:
// MPI_COMM_TYPE_SHARED, split further by ARMCI_TEST_NODE_SIZE if set.
struct Nodes {
  std::vector<int> node_of;               // world rank -> node
  std::vector<std::vector<int>> members;  // node -> world ranks
};

inline Nodes ExpectedNodes() {
  ARMCI_Group g;
  ARMCI_Group_get_world(&g);
  MPI_Comm world = armci_group_comm(&g);
  MPI_Comm shm;
  MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, Me(), MPI_INFO_NULL, &shm);
  int local = 0;
  MPI_Comm_rank(shm, &local);
  const char *k = std::getenv("ARMCI_TEST_NODE_SIZE");
  int color_local = k && std::atoi(k) > 0 ? local / std::atoi(k) : 0;
  // Color = (lowest world rank of my shared-memory node, sub-node index).
  int lowest = Me();
  MPI_Allreduce(MPI_IN_PLACE, &lowest, 1, MPI_INT, MPI_MIN, shm);
  MPI_Comm_free(&shm);
  std::vector<int> key = {lowest, color_local};
  std::vector<int> all = AllGather(key);
  Nodes n;
  std::vector<std::pair<int, int>> keys;
  for (int r = 0; r < Nproc(); ++r) keys.push_back({all[2 * r], all[2 * r + 1]});
  std::vector<std::pair<int, int>> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  n.members.resize(sorted.size());
  for (int r = 0; r < Nproc(); ++r) {
    int id = int(std::lower_bound(sorted.begin(), sorted.end(), keys[r]) - sorted.begin());
    n.node_of.push_back(id);
    n.members[id].push_back(r);
  }
  // Nodes are numbered by their lowest world rank.
  std::vector<int> order(n.members.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = int(i);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return n.members[a][0] < n.members[b][0]; });
  Nodes out;
  out.node_of.resize(n.node_of.size());
  for (size_t i = 0; i < order.size(); ++i) {
    out.members.push_back(n.members[order[i]]);
    for (int r : n.members[order[i]]) out.node_of[r] = int(i);
  }
  return out;
}

}  // namespace armcitest

#endif  // COMEX_TESTING_ARMCI_TEST_UTIL_H_
