// Where the progress thread runs (COMEX_PROGRESS_BIND, which the job file
// sets; this test reads the same variable).  The thread named
// "comex-progress" is found through /proc/self/task/*/comm, and its actual
// affinity is compared with what the mode asks for, worked out here from
// hwloc's cores and every node rank's own affinity.  Then data operations
// that only the target's progress thread can serve (target busy outside
// ComEx; the jobs set COMEX_SHM=0) are checked element by element.
#include <dirent.h>
#include <gtest/gtest.h>
#include <hwloc.h>
#include <sched.h>
#include <strings.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "comex.h"
#include "node/topology.h"
#include "test_util.h"

namespace {

using mpitest::MatchesPattern;
using mpitest::SharedBlock;
using mpitest::WorldComm;
using mpitest::WorldRank;
using mpitest::WorldSize;
using CpuSet = std::set<int>;

constexpr int kMaxCpus = 1024;

// OS CPU indices of every core, in hwloc's logical order.
std::vector<CpuSet> Cores() {
  std::vector<CpuSet> cores;
  hwloc_topology_t topo;
  if (hwloc_topology_init(&topo) != 0) return cores;
  if (hwloc_topology_load(topo) == 0) {
    const int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
    for (int c = 0; c < n; ++c) {
      hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, unsigned(c));
      CpuSet s;
      for (int i = hwloc_bitmap_first(core->cpuset); i >= 0; i = hwloc_bitmap_next(core->cpuset, i))
        s.insert(i);
      cores.push_back(s);
    }
  }
  hwloc_topology_destroy(topo);
  return cores;
}

CpuSet Affinity(pid_t tid) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CpuSet out;
  if (sched_getaffinity(tid, sizeof set, &set) != 0) return out;
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &set)) out.insert(i);
  return out;
}

// Thread ids of this process whose name is "comex-progress".
std::vector<pid_t> ProgressThreads() {
  std::vector<pid_t> out;
  DIR *d = opendir("/proc/self/task");
  if (!d) return out;
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    std::ifstream f(std::string("/proc/self/task/") + e->d_name + "/comm");
    std::string name;
    std::getline(f, name);
    if (name == "comex-progress") out.push_back(pid_t(std::atoi(e->d_name)));
  }
  closedir(d);
  return out;
}

comex::BindMode Requested() {
  const char *v = std::getenv("COMEX_PROGRESS_BIND");
  if (!v) return comex::kBindAuto;
  for (int i = 0; i < 4; ++i)
    if (!strcasecmp(v, comex::kBindNames[i])) return comex::BindMode(i);
  ADD_FAILURE() << "unexpected COMEX_PROGRESS_BIND=" << v;
  return comex::kBindAuto;
}

std::string Str(const CpuSet &s) {
  std::string out;
  for (int c : s) out += (out.empty() ? "" : ",") + std::to_string(c);
  return "{" + out + "}";
}

// Every node rank's CpuSet (gathered as kMaxCpus flags each).
std::vector<CpuSet> NodeAllGather(const CpuSet &mine, MPI_Comm node) {
  std::vector<uint8_t> flags(kMaxCpus, 0);
  for (int c : mine)
    if (c < kMaxCpus) flags[size_t(c)] = 1;
  std::vector<uint8_t> all = mpitest::AllGather(flags, node);
  std::vector<CpuSet> out(all.size() / kMaxCpus);
  for (size_t r = 0; r < out.size(); ++r)
    for (int c = 0; c < kMaxCpus; ++c)
      if (all[r * kMaxCpus + size_t(c)]) out[r].insert(c);
  return out;
}

TEST(Topology, ProgressThreadPlacedAsRequested) {
  const std::vector<pid_t> threads = ProgressThreads();
  ASSERT_EQ(threads.size(), 1u) << "threads named comex-progress";
  const CpuSet progress = Affinity(threads[0]);
  const CpuSet main_set = Affinity(0);  // gtest runs on the main thread
  ASSERT_FALSE(progress.empty());
  const std::vector<CpuSet> cores = Cores();
  ASSERT_FALSE(cores.empty()) << "hwloc found no cores";
  CpuSet machine;
  for (const CpuSet &c : cores) machine.insert(c.begin(), c.end());

  MPI_Comm node;
  ASSERT_EQ(MPI_Comm_split_type(WorldComm(), MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node),
            MPI_SUCCESS);
  int node_rank = 0, node_size = 1;
  MPI_Comm_rank(node, &node_rank);
  MPI_Comm_size(node, &node_size);
  const std::vector<CpuSet> mains = NodeAllGather(main_set, node);

  // Where each rank's main thread lives: a bound rank on the first CPU of its
  // binding not taken yet, an unbound one on the first free CPU of core
  // (node rank % cores).
  CpuSet homes;
  std::vector<int> home(size_t(node_size), -1);
  for (int r = 0; r < node_size; ++r) {
    const bool bound = mains[size_t(r)] != machine;
    const CpuSet &where = bound ? mains[size_t(r)] : cores[size_t(r) % cores.size()];
    for (int c : where)
      if (!homes.count(c)) {
        home[size_t(r)] = c;
        break;
      }
    if (home[size_t(r)] < 0) home[size_t(r)] = *where.begin();
    homes.insert(home[size_t(r)]);
  }
  CpuSet spare;
  for (int c : machine)
    if (!homes.count(c)) spare.insert(c);
  const bool bound = main_set != machine;

  comex::BindMode mode = Requested();
  if (mode == comex::kBindAuto) mode = spare.empty() ? comex::kAutoFallback : comex::kBindSpare;
  if (mode == comex::kBindSpare && spare.empty()) mode = comex::kBindNone;  // fallback
  if (node_rank == 0)
    std::printf("node of %d ranks, %zu cores, spare CPUs %s; checking mode %s\n", node_size,
                cores.size(), Str(spare).c_str(), comex::kBindNames[mode]);
  switch (mode) {
    case comex::kBindNone:
      EXPECT_EQ(progress, main_set) << "none: the thread keeps the rank's affinity";
      break;
    case comex::kBindCore:
      EXPECT_EQ(progress, bound ? main_set : cores[size_t(node_rank) % cores.size()])
          << "core: the rank's own core";
      break;
    case comex::kBindSpare: {
      ASSERT_EQ(progress.size(), 1u) << Str(progress);
      const int cpu = *progress.begin();
      EXPECT_TRUE(spare.count(cpu)) << "CPU " << cpu << " is not spare: " << Str(spare);
      // A sibling on the rank's own core comes first when there is one.
      for (const CpuSet &core : cores)
        if (core.count(home[size_t(node_rank)])) {
          bool sibling = false;
          for (int c : core) sibling = sibling || spare.count(c);
          if (sibling && node_size <= int(cores.size())) {
            EXPECT_TRUE(core.count(cpu)) << "spare CPU " << cpu << " is not on the own core";
          }
        }
      // Distinct CPUs for the node's ranks while there are enough.
      const std::vector<CpuSet> all = NodeAllGather(progress, node);
      CpuSet used;
      for (const CpuSet &s : all) used.insert(s.begin(), s.end());
      EXPECT_EQ(used.size(), std::min(spare.size(), size_t(node_size))) << Str(used);
      break;
    }
    default:
      FAIL() << "unexpected mode";
  }
  MPI_Comm_free(&node);
}

// Pairs (0,1), (2,3), ...: the first of a pair moves data while its partner
// computes outside ComEx until a flag arrives; then the roles swap.  Only
// the partner's progress thread can serve (COMEX_SHM=0 in the jobs).
TEST(Topology, ProgressThreadServesWhileTargetComputes) {
  const int rank = WorldRank(), size = WorldSize();
  const std::vector<pid_t> before = ProgressThreads();
  ASSERT_EQ(before.size(), 1u);
  const CpuSet placed = Affinity(before[0]);
  constexpr size_t kBytes = 1 << 16;
  constexpr size_t kFlag = 3 * kBytes, kCounter = kFlag + 64;
  SharedBlock block(kCounter + 64);
  ASSERT_TRUE(block.ok());
  // Region [0, kBytes): get source; [kBytes, 2*kBytes): put target;
  // [2*kBytes, 3*kBytes): accumulate target (ints).
  mpitest::FillPattern(block.mine(), kBytes, rank, rank, 7);
  std::memset(block.mine() + kBytes, 0, 2 * kBytes + 128);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  const int partner = (rank % 2 == 0) ? rank + 1 : rank - 1;
  for (int round = 0; round < 2; ++round) {
    const bool mover = (rank % 2) == round;
    if (partner >= size) {
      // no partner
    } else if (mover) {
      std::vector<uint8_t> buf(kBytes);
      ASSERT_EQ(comex_get(block.at(partner), buf.data(), int(kBytes), partner, COMEX_GROUP_WORLD),
                COMEX_SUCCESS);
      EXPECT_TRUE(MatchesPattern(buf.data(), kBytes, partner, partner, 7));
      mpitest::FillPattern(buf.data(), kBytes, rank, partner, 8);
      ASSERT_EQ(
          comex_put(buf.data(), block.at(partner, kBytes), int(kBytes), partner, COMEX_GROUP_WORLD),
          COMEX_SUCCESS);
      std::vector<int> ones(kBytes / sizeof(int), 1);
      int two = 2;
      for (int k = 0; k < 3; ++k)
        ASSERT_EQ(comex_acc(COMEX_ACC_INT, &two, ones.data(), block.at(partner, 2 * kBytes),
                            int(kBytes), partner, COMEX_GROUP_WORLD),
                  COMEX_SUCCESS);
      int old = -1;
      for (int k = 0; k < 5; ++k) {
        ASSERT_EQ(comex_rmw(COMEX_FETCH_AND_ADD, &old, block.at(partner, kCounter), 10, partner,
                            COMEX_GROUP_WORLD),
                  COMEX_SUCCESS);
        EXPECT_EQ(old, 10 * k);
      }
      ASSERT_EQ(comex_fence_proc(partner, COMEX_GROUP_WORLD), COMEX_SUCCESS);
      int one = 1;
      ASSERT_EQ(comex_put(&one, block.at(partner, kFlag), sizeof one, partner, COMEX_GROUP_WORLD),
                COMEX_SUCCESS);
    } else {
      // Compute (no ComEx call) until the mover's flag lands.
      volatile int *flag = reinterpret_cast<volatile int *>(block.mine() + kFlag);
      double x = 1;
      ASSERT_TRUE(mpitest::WaitUntil(
          [&] {
            for (int i = 0; i < 1000; ++i) x = x * 1.0000001 + 1e-9;
            return *flag == 1;
          },
          60))
          << "the progress thread never served the partner's requests";
      std::atomic_thread_fence(std::memory_order_acquire);
      EXPECT_TRUE(MatchesPattern(block.mine() + kBytes, kBytes, partner, rank, 8));
      const int *acc = reinterpret_cast<const int *>(block.mine() + 2 * kBytes);
      std::vector<int> expect(kBytes / sizeof(int), 6);
      EXPECT_TRUE(mpitest::ElementsEqual(acc, expect.data(), expect.size()));
      EXPECT_EQ(*reinterpret_cast<const int *>(block.mine() + kCounter), 50);
      *flag = 0;
      std::memset(block.mine() + kBytes, 0, 2 * kBytes);
      *reinterpret_cast<int *>(block.mine() + kCounter) = 0;
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  }
  // The placement holds after the traffic (nothing rebinds the thread).
  const std::vector<pid_t> after = ProgressThreads();
  ASSERT_EQ(after, before);
  EXPECT_EQ(Affinity(after[0]), placed);
}

}  // namespace
