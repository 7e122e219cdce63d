// Unit tests of the allocation table: the address checks of every transfer.
#include <gtest/gtest.h>

#include "util/alloc_table.h"

using comex::AllocTable;

TEST(AllocTable, RangesInsideBlocksOnly) {
  AllocTable t(3);
  t.add({0, 1, 2}, {0x1000, 0x2000, 0}, {256, 100, 0});
  EXPECT_TRUE(t.contains(0, 0x1000, 256));
  EXPECT_TRUE(t.contains(0, 0x10ff, 1));
  EXPECT_FALSE(t.contains(0, 0x10ff, 2));  // runs past the end
  EXPECT_FALSE(t.contains(0, 0x1100, 1));  // one past the end
  EXPECT_FALSE(t.contains(0, 0x0fff, 1));  // just before
  EXPECT_FALSE(t.contains(0, 0x2000, 1));  // rank 1's address, asked of rank 0
  EXPECT_TRUE(t.contains(1, 0x2000, 100));
  EXPECT_FALSE(t.contains(2, 0, 1));       // zero-size block: nothing inside
  EXPECT_FALSE(t.contains(3, 0x1000, 1));  // no such rank
  EXPECT_FALSE(t.contains(-1, 0x1000, 1));
  EXPECT_FALSE(t.contains(0, 0x1000, ~uint64_t(0)));  // overflow
}

TEST(AllocTable, FindAndRemove) {
  AllocTable t(2);
  uint64_t a = t.add({0, 1}, {0x1000, 0x5000}, {64, 64});
  uint64_t b = t.add({0, 1}, {0x2000, 0}, {64, 0});
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.find({0, 1}, {0x1000, 0x5000}), a);
  EXPECT_EQ(t.find({0, 1}, {0x2000, 0}), b);
  EXPECT_FALSE(t.find({0, 1}, {0x1000, 0}).has_value());       // mixed allocations
  EXPECT_FALSE(t.find({1, 0}, {0x1000, 0x5000}).has_value());  // other group
  t.remove(a);
  EXPECT_FALSE(t.contains(0, 0x1000, 1));
  EXPECT_FALSE(t.contains(1, 0x5000, 1));
  EXPECT_TRUE(t.contains(0, 0x2000, 64));
  t.remove(a);  // twice: harmless
  EXPECT_EQ(t.size(), 1u);
}

TEST(AllocTable, ManyBlocksPerRank) {
  AllocTable t(1);
  for (uintptr_t i = 0; i < 1000; ++i) t.add({0}, {0x100000 + i * 0x100}, {0x80});
  for (uintptr_t i = 0; i < 1000; ++i) {
    EXPECT_TRUE(t.contains(0, 0x100000 + i * 0x100 + 0x7f, 1));
    EXPECT_FALSE(t.contains(0, 0x100000 + i * 0x100 + 0x80, 1));
  }
}
