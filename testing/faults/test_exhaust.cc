// Exhausted resources: memory at the origin and at the target, mappings
// (vm.max_map_count) and descriptors (ulimit -n).  Each case either works
// by another path or fails the call with COMEX_FAILURE and a line; the data
// is checked byte for byte afterwards, and the job goes on.
//
// Memory and mappings fail through testing/faults/fault_shim.c (LD_PRELOAD);
// without it those tests skip.  Jobs: testing/faults/*.mpi, exhaust-fds.sh.
#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "test_util.h"

using namespace mpitest;

namespace {

using AllocsOver = void (*)(size_t);
using MapsAfter = void (*)(long);

AllocsOver fail_allocs_over() {
  return reinterpret_cast<AllocsOver>(dlsym(RTLD_DEFAULT, "comex_fault_fail_allocs_over"));
}
MapsAfter fail_maps_after() {
  return reinterpret_cast<MapsAfter>(dlsym(RTLD_DEFAULT, "comex_fault_fail_maps_after"));
}

constexpr int kBytes = 4 << 20;  // per rank
constexpr int kBig = 2 << 20;    // one transfer: more than the shim lets through

char pattern(int rank, size_t i) { return char(rank * 37 + int(i % 251)); }

void fill_own(SharedBlock &b) {
  char *p = reinterpret_cast<char *>(b.mine());
  for (size_t i = 0; i < size_t(kBytes); ++i) p[i] = pattern(WorldRank(), i);
}

/// Every byte of this rank's block is still its pattern.
void expect_own_intact(SharedBlock &b) {
  const char *p = reinterpret_cast<const char *>(b.mine());
  size_t bad = 0;
  for (size_t i = 0; i < size_t(kBytes); ++i) bad += p[i] != pattern(WorldRank(), i);
  EXPECT_EQ(bad, 0u) << "bytes changed in the block of rank " << WorldRank();
}

}  // namespace

// The origin cannot allocate the buffer that packs a strided put (or
// unpacks a strided get): the call fails with a line, nothing is sent, the
// target's memory is untouched; with memory back the same call works.
TEST(Exhaust, OriginStagingFails) {
  if (!fail_allocs_over()) GTEST_SKIP() << "needs testing/faults/fault_shim (LD_PRELOAD)";
  if (WorldSize() < 2) GTEST_SKIP() << "needs 2 ranks";
  SharedBlock b(kBytes);
  ASSERT_TRUE(b.ok());
  fill_own(b);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  const int peer = (WorldRank() + 1) % WorldSize();
  // 8-byte blocks, every other 8 bytes: packed into one staging buffer.
  int stride[1] = {16}, count[2] = {8, kBig / 8};
  std::vector<char> src(size_t(2 * kBig), 'x'), dst(size_t(2 * kBig), 'y');
  if (WorldRank() == 0) {
    fail_allocs_over()(1 << 20);
    EXPECT_EQ(
        comex_puts(src.data(), stride, b.at(peer, 0), stride, count, 1, peer, COMEX_GROUP_WORLD),
        COMEX_FAILURE);
    EXPECT_EQ(
        comex_gets(b.at(peer, 0), stride, dst.data(), stride, count, 1, peer, COMEX_GROUP_WORLD),
        COMEX_FAILURE);
    fail_allocs_over()(0);
    for (char c : dst) ASSERT_EQ(c, 'y');
  }
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  expect_own_intact(b);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  if (WorldRank() == 0) {  // memory is back: the same calls work
    ASSERT_EQ(
        comex_gets(b.at(peer, 0), stride, dst.data(), stride, count, 1, peer, COMEX_GROUP_WORLD),
        COMEX_SUCCESS);
    for (size_t i = 0; i < size_t(2 * kBig); ++i)
      ASSERT_EQ(dst[i], i % 16 < 8 ? pattern(peer, i) : 'y') << "byte " << i;
    ASSERT_EQ(
        comex_puts(src.data(), stride, b.at(peer, 0), stride, count, 1, peer, COMEX_GROUP_WORLD),
        COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  if (WorldRank() == 1 % WorldSize()) {
    const char *p = reinterpret_cast<const char *>(b.mine());
    for (size_t i = 0; i < size_t(kBytes); ++i)
      ASSERT_EQ(p[i], i < size_t(2 * kBig) && i % 16 < 8 ? 'x' : pattern(WorldRank(), i))
          << "byte " << i;
  }
}

// The target is out of memory: the staging of served accumulates and
// packed gets was reserved at start, so it still serves them, byte for
// byte.  Run with COMEX_SHM=0, so the target's engine serves every request,
// and COMEX_PACK_CHUNK=1M (get pieces of 1 MiB).
TEST(Exhaust, TargetOutOfMemoryServes) {
  if (!fail_allocs_over()) GTEST_SKIP() << "needs testing/faults/fault_shim (LD_PRELOAD)";
  if (WorldSize() < 2) GTEST_SKIP() << "needs 2 ranks";
  SharedBlock b(kBytes);
  ASSERT_TRUE(b.ok());
  fill_own(b);
  const int target = 1;
  std::vector<double> ones(size_t(kBig) / sizeof(double), 1.0);
  std::vector<char> dst(size_t(2 * kBig), 'y');
  int stride[1] = {16}, count[2] = {8, kBig / 8}, packed[1] = {8};
  double scale = 1.0;
  if (WorldRank() == target) fail_allocs_over()(512 << 10);
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  if (WorldRank() == 0) {
    ASSERT_EQ(comex_gets(b.at(target, 0), stride, dst.data(), packed, count, 1, target,
                         COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    for (size_t i = 0; i < size_t(kBig); ++i)
      ASSERT_EQ(dst[i], pattern(target, (i / 8) * 16 + i % 8)) << "byte " << i;
    ASSERT_EQ(comex_acc(COMEX_ACC_DBL, &scale, ones.data(), b.at(target, 0), kBig, target,
                        COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    EXPECT_EQ(comex_fence_proc(target, COMEX_GROUP_WORLD), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  if (WorldRank() == target) {
    fail_allocs_over()(0);
    const char *p = reinterpret_cast<const char *>(b.mine());
    for (size_t i = 0; i < size_t(kBytes); i += sizeof(double)) {
      double before, after;
      char tmp[sizeof(double)];
      for (size_t k = 0; k < sizeof tmp; ++k) tmp[k] = pattern(target, i + k);
      std::memcpy(&before, tmp, sizeof before);
      std::memcpy(&after, p + i, sizeof after);
      const double want = i < size_t(kBig) ? before + 1.0 : before;
      if (before == before) {  // not a NaN
        ASSERT_EQ(after, want) << "element at byte " << i;
      }
    }
  }
}

// Mappings run out on one rank (vm.max_map_count): its blocks and mutexes,
// and the peers' blocks it cannot map, are reached by message; every
// operation still moves the right bytes.
TEST(Exhaust, MappingsRunOut) {
  if (!fail_maps_after()) GTEST_SKIP() << "needs testing/faults/fault_shim (LD_PRELOAD)";
  if (WorldRank() == 1 % WorldSize()) fail_maps_after()(0);
  {
    SharedBlock b(kBytes);
    ASSERT_TRUE(b.ok());
    fill_own(b);
    ASSERT_EQ(comex_create_mutexes(1), COMEX_SUCCESS);
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    const int n = WorldSize(), me = WorldRank();
    for (int p = 0; p < n; ++p) {  // read every block
      std::vector<char> got(65536);
      ASSERT_EQ(comex_get(b.at(p, 4096), got.data(), int(got.size()), p, COMEX_GROUP_WORLD),
                COMEX_SUCCESS);
      for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], pattern(p, 4096 + i));
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    // Every rank adds its rank + 1 to a counter of rank 0 under mutex 0 of
    // the last rank, 20 times.
    for (int k = 0; k < 20; ++k) {
      ASSERT_EQ(comex_lock(0, n - 1), COMEX_SUCCESS);
      long v = 0;
      ASSERT_EQ(comex_get(b.at(0, 0), &v, sizeof v, 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
      v += me + 1;
      ASSERT_EQ(comex_put(&v, b.at(0, 0), sizeof v, 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
      ASSERT_EQ(comex_unlock(0, n - 1), COMEX_SUCCESS);
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    long first;
    char tmp[sizeof first];
    for (size_t k = 0; k < sizeof tmp; ++k) tmp[k] = pattern(0, k);
    std::memcpy(&first, tmp, sizeof first);
    if (me == 0) {
      EXPECT_EQ(*reinterpret_cast<long *>(b.mine()), first + 20L * n * (n + 1) / 2);
    }
    ASSERT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
  }
  if (WorldRank() == 1 % WorldSize()) fail_maps_after()(-1);
}

// No descriptor left (ulimit -n reached): shm_open fails, so blocks and
// mutexes are reached by message; every operation still moves the right
// bytes.  testing/faults/exhaust-fds.sh runs this under a small ulimit -n.
TEST(Exhaust, DescriptorsRunOut) {
  std::vector<int> fds;
  for (;;) {  // take every descriptor left
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0) break;
    fds.push_back(fd);
  }
  {
    SharedBlock b(kBytes);
    EXPECT_TRUE(b.ok());
    EXPECT_EQ(comex_create_mutexes(1), COMEX_SUCCESS);
    if (b.ok()) {
      fill_own(b);
      ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
      const int peer = (WorldRank() + 1) % WorldSize();
      std::vector<char> got(65536);
      ASSERT_EQ(comex_lock(0, peer), COMEX_SUCCESS);
      ASSERT_EQ(comex_get(b.at(peer, 100), got.data(), int(got.size()), peer, COMEX_GROUP_WORLD),
                COMEX_SUCCESS);
      ASSERT_EQ(comex_unlock(0, peer), COMEX_SUCCESS);
      for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], pattern(peer, 100 + i));
    }
    EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
    for (int fd : fds) close(fd);
  }
}
