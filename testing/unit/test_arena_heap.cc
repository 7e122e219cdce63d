// Unit tests of ArenaHeap, the allocator of offsets in a rank's arena.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "node/shm.h"

using comex::ArenaHeap;

TEST(ArenaHeap, RangesAreGranulesAndDisjoint) {
  ArenaHeap h(4096);
  uint64_t a = 1, b = 1, c = 1;
  ASSERT_TRUE(h.take(1, &a));
  ASSERT_TRUE(h.take(65, &b));
  ASSERT_TRUE(h.take(64, &c));
  EXPECT_EQ(a, 0u);
  EXPECT_EQ(b, 64u);    // 1 byte took a whole granule
  EXPECT_EQ(c, 192u);   // 65 bytes took two
  EXPECT_EQ(h.free_bytes(), 4096u - 256u);
  uint64_t z = 0;
  EXPECT_FALSE(h.take(0, &z));
}

TEST(ArenaHeap, FullArenaRefusesAndFreedSpaceMerges) {
  ArenaHeap h(1024);
  std::vector<uint64_t> at(16);
  for (uint64_t &o : at) ASSERT_TRUE(h.take(64, &o));
  uint64_t o = 0;
  EXPECT_FALSE(h.take(1, &o)) << "a full arena gave a range";
  // Free 4 neighbours in a scattered order: one 256-byte hole.
  for (int i : {5, 3, 4, 6}) ASSERT_TRUE(h.give(at[size_t(i)]));
  EXPECT_TRUE(h.take(256, &o));
  EXPECT_EQ(o, at[3]);
  EXPECT_FALSE(h.take(64, &o));
  for (int i = 0; i < 16; ++i)
    if (i < 3 || i > 6) {
      ASSERT_TRUE(h.give(at[size_t(i)]));
    }
  ASSERT_TRUE(h.give(at[3]));
  EXPECT_EQ(h.free_bytes(), 1024u);
  EXPECT_TRUE(h.take(1024, &o)) << "freed ranges did not merge into one";
  EXPECT_EQ(o, 0u);
}

TEST(ArenaHeap, GivingWhatWasNotTakenIsRefused) {
  ArenaHeap h(1024);
  uint64_t a = 0;
  ASSERT_TRUE(h.take(128, &a));
  EXPECT_FALSE(h.give(a + 64));  // inside a range, not its start
  EXPECT_FALSE(h.give(512));     // free space
  EXPECT_TRUE(h.give(a));
  EXPECT_FALSE(h.give(a));  // twice
  EXPECT_EQ(h.free_bytes(), 1024u);
}

TEST(ArenaHeap, RandomTakesAndGivesNeverOverlap) {
  constexpr uint64_t kBytes = 1 << 20;
  ArenaHeap h(kBytes);
  std::mt19937 rng(7);
  std::map<uint64_t, uint64_t> live;  // offset -> bytes asked
  for (int step = 0; step < 20000; ++step) {
    if (!live.empty() && (rng() % 3 == 0 || live.size() > 400)) {
      auto it = live.begin();
      std::advance(it, long(rng() % live.size()));
      ASSERT_TRUE(h.give(it->first));
      live.erase(it);
      continue;
    }
    const uint64_t n = 1 + rng() % 8192;
    uint64_t o = 0;
    if (!h.take(n, &o)) continue;
    ASSERT_EQ(o % 64, 0u);
    ASSERT_LE(o + n, kBytes);
    auto next = live.lower_bound(o);
    if (next != live.end()) {
      ASSERT_LE(o + n, next->first) << "overlaps the next range";
    }
    if (next != live.begin()) {
      auto prev = std::prev(next);
      ASSERT_LE(prev->first + prev->second, o) << "overlaps the previous range";
    }
    live[o] = n;
  }
  for (const auto &l : live) ASSERT_TRUE(h.give(l.first));
  EXPECT_EQ(h.free_bytes(), kBytes);
}
