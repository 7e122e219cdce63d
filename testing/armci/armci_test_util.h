// Helpers of the ARMCI GoogleTest suites (testing/armci): neighbours, an
// ARMCI_Malloc block, the node structure.  The checks themselves (patterns,
// comparisons, waits) are in testing/common/checks.h.
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
#include "checks.h"
#include "message.h"

namespace armcitest {

inline int Me() { return armci_msg_me(); }
inline int Nproc() { return armci_msg_nproc(); }
inline int Right() { return (Me() + 1) % Nproc(); }
inline int Left() { return (Me() + Nproc() - 1) % Nproc(); }

using namespace testutil;  // the checks shared with the ComEx suites

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

inline MPI_Comm World() {
  ARMCI_Group g;
  ARMCI_Group_get_world(&g);
  return armci_group_comm(&g);
}

// Everyone's `mine` (same length everywhere), in world-rank order.
template <class T>
std::vector<T> AllGather(const std::vector<T> &mine) {
  return testutil::AllGather(mine, World());
}

// The node structure as the tests expect it, computed with MPI directly:
// MPI_COMM_TYPE_SHARED, split further by ARMCI_TEST_NODE_SIZE if set.
struct Nodes {
  std::vector<int> node_of;               // world rank -> node
  std::vector<std::vector<int>> members;  // node -> world ranks
};

inline Nodes ExpectedNodes() {
  MPI_Comm world = World();
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
