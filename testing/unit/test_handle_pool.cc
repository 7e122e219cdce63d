// Unit tests of the handle pool: bounded slots, oldest-first, stale handles.
#include <gtest/gtest.h>

#include <set>

#include "core/handle_pool.h"
#include "util/error.h"

using comex::HandlePool;

TEST(HandlePool, AcquiresEverySlotOnceThenRunsOut) {
  HandlePool p(4);
  std::set<int> got;
  for (int i = 0; i < 4; ++i) got.insert(p.acquire());
  EXPECT_EQ(got, (std::set<int>{0, 1, 2, 3}));
  EXPECT_EQ(p.acquire(), -1);
  EXPECT_EQ(p.in_use(), 4);
}

TEST(HandlePool, OldestIsFirstAcquired) {
  HandlePool p(3);
  int a = p.acquire(), b = p.acquire(), c = p.acquire();
  EXPECT_EQ(p.oldest(), a);
  p.release(a);
  EXPECT_EQ(p.oldest(), b);
  int d = p.acquire();  // reuses a's slot, but is the newest
  EXPECT_EQ(d, a);
  p.release(b);
  EXPECT_EQ(p.oldest(), c);
  p.release(c);
  EXPECT_EQ(p.oldest(), d);
  p.release(d);
  EXPECT_EQ(p.oldest(), -1);
}

TEST(HandlePool, StaleHandlesAreComplete) {
  HandlePool p(2);
  int s = p.acquire();
  int h = p.handle(s);
  int slot = -1;
  EXPECT_EQ(p.lookup(h, &slot), HandlePool::Lookup::kBusy);
  EXPECT_EQ(slot, s);
  p.release(s);
  EXPECT_EQ(p.lookup(h, &slot), HandlePool::Lookup::kComplete);
  int s2 = p.acquire();
  ASSERT_EQ(s2, s);  // same slot, new generation
  EXPECT_NE(p.handle(s2), h);
  EXPECT_EQ(p.lookup(h, &slot), HandlePool::Lookup::kComplete);
  EXPECT_EQ(p.lookup(p.handle(s2), &slot), HandlePool::Lookup::kBusy);
}

TEST(HandlePool, DoneAndInvalidHandles) {
  HandlePool p(8);
  int slot;
  EXPECT_EQ(p.lookup(p.done_handle(), &slot), HandlePool::Lookup::kComplete);
  EXPECT_EQ(p.lookup(-1, &slot), HandlePool::Lookup::kInvalid);
  EXPECT_EQ(p.lookup(9, &slot), HandlePool::Lookup::kInvalid);
  EXPECT_THROW(HandlePool(0), comex::Error);
  EXPECT_THROW(HandlePool(70000), comex::Error);
}

TEST(HandlePool, LongLivedHandleDoesNotGrowBookkeeping) {
  HandlePool p(4);
  int pinned = p.acquire();
  for (int i = 0; i < 100000; ++i) p.release(p.acquire());
  EXPECT_EQ(p.oldest(), pinned);
  EXPECT_EQ(p.in_use(), 1);
}

// Reserved slots (lock requests) are separate: acquire() never hands one out,
// acquire_reserved() only those, oldest() never names one, and both kinds of
// handle are recognised.
TEST(HandlePool, ReservedSlotsAreApart) {
  HandlePool p(2, 3);
  EXPECT_EQ(p.capacity(), 5);
  EXPECT_EQ(p.normal(), 2);
  std::set<int> normal{p.acquire(), p.acquire()};
  EXPECT_EQ(normal, (std::set<int>{0, 1}));
  EXPECT_EQ(p.acquire(), -1);
  std::set<int> reserved{p.acquire_reserved(), p.acquire_reserved(), p.acquire_reserved()};
  EXPECT_EQ(reserved, (std::set<int>{2, 3, 4}));
  EXPECT_EQ(p.acquire_reserved(), -1);
  EXPECT_EQ(p.in_use(), 5);
  const int first = p.oldest();
  EXPECT_TRUE(first == 0 || first == 1);
  int s = -1;
  const int h = p.handle(3);
  EXPECT_EQ(p.lookup(h, &s), HandlePool::Lookup::kBusy);
  EXPECT_EQ(s, 3);
  p.release(3);
  EXPECT_EQ(p.lookup(h, &s), HandlePool::Lookup::kComplete);
  EXPECT_EQ(p.acquire(), -1);  // a freed reserved slot stays reserved
  EXPECT_EQ(p.acquire_reserved(), 3);
  p.release(0);
  p.release(1);
  EXPECT_EQ(p.oldest(), -1);
  EXPECT_THROW(HandlePool(65535, 1), comex::Error);
}
