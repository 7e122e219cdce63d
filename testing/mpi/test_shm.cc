// The node-local (shared-memory) path: which memory is mapped, that nothing
// is left in /dev/shm, that descriptors and names do not run out, that
// atomicity holds whichever path an operation takes, and the fallback when
// /dev/shm is full.  Runs with COMEX_SHM=1, =0 and mixed per rank; every test
// derives what it expects from the mode of each rank.
#include <dirent.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "core/runtime.h"
#include "test_util.h"

using namespace mpitest;

namespace {

/// This rank's own COMEX_SHM (default 1).
bool MyShm() {
  const char *v = std::getenv("COMEX_SHM");
  return !(v && std::string(v) == "0");
}

struct NodeView {
  std::vector<int> ranks;  // world ranks on my node, in node order
  std::vector<long> pids;
  std::vector<int> shm;  // COMEX_SHM of each
  bool any_shm() const { return std::count(shm.begin(), shm.end(), 1) > 0; }
};

NodeView Node() {
  MPI_Comm node;
  MPI_Comm_split_type(WorldComm(), MPI_COMM_TYPE_SHARED, WorldRank(), MPI_INFO_NULL, &node);
  int n = 0;
  MPI_Comm_size(node, &n);
  NodeView v;
  v.ranks.resize(size_t(n));
  v.pids.resize(size_t(n));
  v.shm.resize(size_t(n));
  int me = WorldRank(), shm = MyShm() ? 1 : 0;
  long pid = long(getpid());
  MPI_Allgather(&me, 1, MPI_INT, v.ranks.data(), 1, MPI_INT, node);
  MPI_Allgather(&pid, 1, MPI_LONG, v.pids.data(), 1, MPI_LONG, node);
  MPI_Allgather(&shm, 1, MPI_INT, v.shm.data(), 1, MPI_INT, node);
  MPI_Comm_free(&node);
  return v;
}

/// Lines of /proc/self/maps naming a data segment of process `pid` (not
/// the node's control segment, sequence number 0, which every rank maps).
int MappedSegmentsOf(long pid) {
  std::ifstream f("/proc/self/maps");
  const std::string needle = "/cxmt." + std::to_string(pid) + ".";
  int n = 0;
  for (std::string line; std::getline(f, line);)
    if (line.find(needle) != std::string::npos && line.find(".0 (deleted)") == std::string::npos &&
        line.find(".1 (deleted)") == std::string::npos)  // not the control segment or arenas
      ++n;
  return n;
}

/// Names in /dev/shm of process `pid`.
std::vector<std::string> NamesOf(long pid) {
  std::vector<std::string> out;
  const std::string prefix = "cxmt." + std::to_string(pid) + ".";
  if (DIR *d = opendir("/dev/shm")) {
    while (struct dirent *e = readdir(d))
      if (std::string(e->d_name).rfind(prefix, 0) == 0) out.push_back(e->d_name);
    closedir(d);
  }
  return out;
}

int OpenDescriptors() {
  int n = 0;
  if (DIR *d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

// A stale segment name of a process that no longer exists, planted before
// comex_init: the node's first rank must sweep it away.
std::string g_stale;
void PlantStale() {
  pid_t child = fork();
  if (child == 0) _exit(0);
  if (child < 0) return;
  waitpid(child, nullptr, 0);  // now a pid that no process has
  char name[128];
  std::snprintf(name, sizeof name, "/dev/shm/cxmt.%ld.00000000deadbeef.%d.1", long(child),
                int(getpid() % 100000));
  if (FILE *f = std::fopen(name, "w")) {
    std::fclose(f);
    g_stale = name;
  }
}
PreInitCheck plant_stale(PlantStale);

}  // namespace

TEST(ShmNode, PeersBlocksAreMappedExactlyWhenThisRankGoesDirect) {
  NodeView node = Node();
  SharedBlock b(1 << 20);  // above COMEX_SHM_ARENA_BLOCK: a segment of its own
  ASSERT_TRUE(b.ok());
  for (size_t i = 0; i < node.ranks.size(); ++i) {
    if (node.ranks[i] == WorldRank()) continue;
    const int mapped = MappedSegmentsOf(node.pids[i]);
    if (MyShm())
      EXPECT_GE(mapped, 1) << "block of node peer " << node.ranks[i] << " not mapped";
    else
      EXPECT_EQ(mapped, 0) << "COMEX_SHM=0 but a block of rank " << node.ranks[i] << " is mapped";
  }
  // Ranks of other nodes (several hosts on one machine share /dev/shm, but
  // not a node): never mapped, the node structure is MPI's.
  long pid = long(getpid());
  std::vector<long> pids = AllGather(std::vector<long>{pid}, WorldComm());
  for (int r = 0; r < WorldSize(); ++r) {
    if (std::find(node.ranks.begin(), node.ranks.end(), r) != node.ranks.end()) continue;
    EXPECT_EQ(MappedSegmentsOf(pids[size_t(r)]), 0)
        << "block of rank " << r << " of another node is mapped";
  }
}

TEST(ShmNode, NoNamesLeftInDevShm) {
  NodeView node = Node();
  {
    SharedBlock a(4096), b(1 << 20), c(0);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    ASSERT_EQ(comex_create_mutexes(3), COMEX_SUCCESS);
    EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    for (long pid : node.pids)
      EXPECT_TRUE(NamesOf(pid).empty()) << "names of pid " << pid << " left";
    ASSERT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
  }
  for (long pid : node.pids) EXPECT_TRUE(NamesOf(pid).empty());
}

TEST(ShmNode, StaleNamesOfDeadRanksAreSwept) {
  NodeView node = Node();
  if (g_stale.empty()) GTEST_SKIP() << "could not plant a stale name in /dev/shm";
  const bool swept = access(g_stale.c_str(), F_OK) != 0;
  if (node.ranks.size() > 1 && node.any_shm()) {
    EXPECT_TRUE(swept) << g_stale << " of a dead pid survived comex_init";
  }
  ::unlink(g_stale.c_str());
}

TEST(ShmNode, DescriptorsDoNotGrowWithAllocations) {
  { SharedBlock warm(4096); }  // any lazily opened MPI connections
  comex_barrier(COMEX_GROUP_WORLD);
  const int before = OpenDescriptors();
  {
    std::vector<std::unique_ptr<SharedBlock>> live;
    for (int i = 0; i < 40; ++i) live.push_back(std::make_unique<SharedBlock>(8192));
    ASSERT_EQ(comex_create_mutexes(4), COMEX_SUCCESS);
    EXPECT_EQ(OpenDescriptors(), before) << "descriptors grew with 40 live allocations";
    ASSERT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
  }
  EXPECT_EQ(OpenDescriptors(), before);
}

TEST(ShmNode, ThousandsOfAllocationsAndHundredsLive) {
  const int me = WorldRank(), n = WorldSize(), right = (me + 1) % n;
  for (int i = 0; i < 1500; ++i) {
    SharedBlock b(256);
    ASSERT_TRUE(b.ok()) << "allocation " << i;
    if (i % 100 != 0) continue;
    std::vector<uint8_t> out = PatternVector(256, me, right, i), in(256);
    ASSERT_EQ(comex_put(out.data(), b.at(right), 256, right, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    ASSERT_TRUE(MatchesPattern(b.mine(), 256, (me + n - 1) % n, me, i));
  }
  std::vector<std::unique_ptr<SharedBlock>> live;
  for (int i = 0; i < 300; ++i) live.push_back(std::make_unique<SharedBlock>(128));
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> out = PatternVector(128, me, right, i);
    ASSERT_EQ(comex_put(out.data(), live[i]->at(right), 128, right, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> in(128);
    ASSERT_EQ(comex_get(live[i]->at(right), in.data(), 128, right, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    ASSERT_TRUE(MatchesPattern(in.data(), 128, me, right, i)) << "block " << i;
  }
}

/// Mappings of comex-mt segments in this process.
int AllMappedSegments() {
  std::ifstream f("/proc/self/maps");
  int n = 0;
  for (std::string line; std::getline(f, line);)
    if (line.find("/cxmt.") != std::string::npos) ++n;
  return n;
}

// Small blocks come out of the arenas made at comex_init: holding and
// freeing hundreds maps nothing more; every new block reads zero, also where
// a freed one was; peers reach each one (reused ranges too) with the right
// bytes.  With COMEX_SHM_ARENA=0 (a job sets it) every block is a segment.
TEST(ShmNode, SmallBlocksComeFromTheArenas) {
  const int me = WorldRank(), n = WorldSize(), right = (me + 1) % n;
  NodeView node = Node();
  comex::Runtime &rt = *comex::Runtime::instance();
  const bool arenas = rt.node().arena_bytes() > 0;
  // As the registry read COMEX_SHM_ARENA and COMEX_SHM_ARENA_BLOCK.
  const bool off = rt.config().SHM_ARENA == 0 || rt.config().SHM_ARENA_BLOCK == 0;
  if (off || node.ranks.size() < 2 || !node.any_shm()) {
    EXPECT_FALSE(arenas) << "arenas without a node sharing memory, or with COMEX_SHM_ARENA=0";
  } else {
    // With room in /dev/shm (an eighth of its free space per node) they exist.
    struct statvfs sv {};
    if (statvfs("/dev/shm", &sv) == 0 &&
        uint64_t(sv.f_bavail) * sv.f_frsize >= (uint64_t(64) << 20) * node.ranks.size()) {
      EXPECT_TRUE(arenas) << "no arenas although /dev/shm has room";
    }
  }
  { SharedBlock warm(64); }
  const int before = AllMappedSegments();
  for (int round = 0; round < 3; ++round) {
    std::vector<std::unique_ptr<SharedBlock>> live;
    for (int i = 0; i < 200; ++i) {
      const size_t bytes = size_t(8) << (i % 13);  // 8 B .. 32 KiB
      live.push_back(std::make_unique<SharedBlock>(bytes));
      ASSERT_TRUE(live.back()->ok());
      const uint8_t *p = static_cast<const uint8_t *>(live.back()->mine());
      for (size_t k = 0; arenas && k < bytes; ++k)  // (heap blocks are not cleared)
        ASSERT_EQ(p[k], 0) << "block " << i << " byte " << k;
    }
    if (arenas) {
      EXPECT_EQ(AllMappedSegments(), before) << "small blocks were mapped one by one";
    }
    // Free every other one, then allocate again into the holes.
    for (int i = 0; i < 200; i += 2) live[size_t(i)].reset();
    for (int i = 0; i < 200; i += 2) {
      live[size_t(i)] = std::make_unique<SharedBlock>(size_t(8) << (i % 13));
      ASSERT_TRUE(live[size_t(i)]->ok());
    }
    for (int i = 0; i < 200; ++i) {
      const int bytes = int(size_t(8) << (i % 13));
      std::vector<uint8_t> out = PatternVector(size_t(bytes), me, right, round * 1000 + i);
      ASSERT_EQ(comex_put(out.data(), live[size_t(i)]->at(right), bytes, right, COMEX_GROUP_WORLD),
                COMEX_SUCCESS);
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    for (int i = 0; i < 200; ++i) {
      const int bytes = int(size_t(8) << (i % 13));
      ASSERT_TRUE(MatchesPattern(live[size_t(i)]->mine(), size_t(bytes), (me + n - 1) % n, me,
                                 round * 1000 + i))
          << "block " << i << " round " << round;
      std::vector<uint8_t> in(static_cast<size_t>(bytes));
      ASSERT_EQ(comex_get(live[size_t(i)]->at(right), in.data(), bytes, right, COMEX_GROUP_WORLD),
                COMEX_SUCCESS);
      ASSERT_TRUE(MatchesPattern(in.data(), size_t(bytes), me, right, round * 1000 + i))
          << "block " << i << " of rank " << right;
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  }
  EXPECT_EQ(AllMappedSegments(), before);
}

// Every rank (the owner too) accumulates into every rank, blocking and
// non-blocking, contiguous and strided: whichever path each takes, no update
// is lost.
TEST(ShmNode, AccumulatesFromAllPathsAreAtomic) {
  const int n = WorldSize(), kElems = 512, kRounds = 60;
  SharedBlock b(kElems * sizeof(double));
  ASSERT_TRUE(b.ok());
  std::fill_n(reinterpret_cast<double *>(b.mine()), kElems, 0.0);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  std::vector<double> ones(kElems, 1.0);
  double scale = 1.0;
  for (int r = 0; r < kRounds; ++r)
    for (int t = 0; t < n; ++t) {
      if (r % 3 == 0) {
        ASSERT_EQ(comex_acc(COMEX_ACC_DBL, &scale, ones.data(), b.at(t), kElems * 8, t,
                            COMEX_GROUP_WORLD),
                  COMEX_SUCCESS);
      } else if (r % 3 == 1) {
        comex_request_t h;
        ASSERT_EQ(comex_nbacc(COMEX_ACC_DBL, &scale, ones.data(), b.at(t), kElems * 8, t,
                              COMEX_GROUP_WORLD, &h),
                  COMEX_SUCCESS);
        ASSERT_EQ(comex_wait(&h), COMEX_SUCCESS);
      } else {
        int stride = 16 * 8, count[2] = {16 * 8, kElems / 16};
        ASSERT_EQ(comex_accs(COMEX_ACC_DBL, &scale, ones.data(), &stride, b.at(t), &stride, count,
                             1, t, COMEX_GROUP_WORLD),
                  COMEX_SUCCESS);
      }
    }
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  const double *d = reinterpret_cast<const double *>(b.mine());
  for (int i = 0; i < kElems; ++i) ASSERT_EQ(d[i], double(n * kRounds)) << "element " << i;
}

TEST(ShmNode, FetchAndAddValuesAreUniqueAcrossPaths) {
  const int n = WorldSize(), me = WorldRank(), kPer = 400;
  SharedBlock b(sizeof(long));
  ASSERT_TRUE(b.ok());
  *reinterpret_cast<long *>(b.mine()) = 0;
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  std::vector<long> got(kPer);
  for (int i = 0; i < kPer; ++i)
    ASSERT_EQ(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &got[i], b.at(0), 1, 0, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
  std::vector<long> all = AllGather(got, WorldComm());
  std::set<long> uniq(all.begin(), all.end());
  EXPECT_EQ(uniq.size(), size_t(n) * kPer);
  EXPECT_EQ(*uniq.begin(), 0);
  EXPECT_EQ(*uniq.rbegin(), long(n) * kPer - 1);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  if (me == 0) {
    EXPECT_EQ(*reinterpret_cast<long *>(b.mine()), long(n) * kPer);
  }
}

// Run by testing/mpi/shm-full.sh with a tiny tmpfs over /dev/shm: a block
// that does not fit is reached by message, one that fits is shared, and both
// hold exactly what was written.
TEST(ShmFull, BlocksThatDoNotFitAreReachedByMessage) {
  if (!std::getenv("COMEX_TEST_SHM_FULL")) GTEST_SKIP() << "run by testing/mpi/shm-full.sh";
  struct statvfs sv {};
  ASSERT_EQ(statvfs("/dev/shm", &sv), 0);
  const size_t avail = size_t(sv.f_bavail) * sv.f_frsize, big = 8u << 20;
  ASSERT_LT(avail, big) << "/dev/shm is not small enough for this test";
  const int me = WorldRank(), n = WorldSize(), right = (me + 1) % n;
  SharedBlock large(big), small(4096);
  ASSERT_TRUE(large.ok() && small.ok());
  for (SharedBlock *b : {&large, &small}) {
    const size_t bytes = b->bytes();
    std::memset(b->mine(), 0, bytes);
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    std::vector<uint8_t> out = PatternVector(bytes, me, right, 7), in(bytes);
    ASSERT_EQ(comex_put(out.data(), b->at(right), int(bytes), right, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    ASSERT_TRUE(MatchesPattern(b->mine(), bytes, (me + n - 1) % n, me, 7));
    ASSERT_EQ(comex_get(b->at(right), in.data(), int(bytes), right, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    ASSERT_TRUE(MatchesPattern(in.data(), bytes, me, right, 7));
  }
}

// Run by testing/mpi/shm-abort.sh: with blocks and mutexes live, rank 1
// aborts the job; the script then checks that /dev/shm holds nothing of it.
// COMEX_TEST_SHM_ABORT names a file rank 1 creates right before aborting
// (a launcher may drop the output of a rank that aborts).
TEST(ShmAbort, AbortLeavesNothingInDevShm) {
  const char *mark = std::getenv("COMEX_TEST_SHM_ABORT");
  if (!mark) GTEST_SKIP() << "run by testing/mpi/shm-abort.sh";
  SharedBlock a(1 << 20), b(4096);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(comex_create_mutexes(2), COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  if (WorldRank() == 1) {
    if (FILE *f = std::fopen(mark, "w")) std::fclose(f);
    comex_error("deliberate abort of the shm-abort test", 3);
  }
  for (;;) comex_barrier(COMEX_GROUP_WORLD);  // the other ranks are killed here
}
