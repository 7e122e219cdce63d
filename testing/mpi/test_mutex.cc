// Multi-rank tests of ComEx mutexes: different numbers of mutexes per rank
// (including none), lock-protected read-modify-write of counters from every
// rank summing exactly, fairness (every rank hammering one mutex completes
// all its acquisitions; waiters queued behind a held lock each get it exactly
// once, in the order they asked), locks of a rank's own mutexes, destroy and
// re-create, and every bad-input case.
#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "comex.h"
#include "strided_util.h"
#include "test_util.h"

namespace {

using mpitest::ElementsEqual;
using mpitest::SharedBlock;
using mpitest::WaitUntil;
using mpitest::WorldRank;
using mpitest::WorldSize;
using stridedtest::kSpinSeconds;
using stridedtest::kWorld;

#define EXPECT_FAIL(call) EXPECT_EQ((call), COMEX_FAILURE) << #call

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

long GetLong(void *addr, int proc) {
  long v = LONG_MIN;
  EXPECT_EQ(comex_get(addr, &v, sizeof v, proc, kWorld), COMEX_SUCCESS);
  return v;
}

void PutLong(long v, void *addr, int proc) {
  EXPECT_EQ(comex_put(&v, addr, sizeof v, proc, kWorld), COMEX_SUCCESS);
}

long FetchAdd(void *addr, int extra, int proc) {
  long old = LONG_MIN;
  EXPECT_EQ(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &old, addr, extra, proc, kWorld), COMEX_SUCCESS);
  return old;
}

// A long on rank 0, read at most once a millisecond (for polling loops).
long Polled(void *addr) {
  SleepMs(1);
  return GetLong(addr, 0);
}

// Mutexes for the length of one test: created on construction, destroyed
// (collectively) on destruction.
class Mutexes {
 public:
  explicit Mutexes(int num) { rc_ = comex_create_mutexes(num); }
  ~Mutexes() {
    if (rc_ == COMEX_SUCCESS) {
      EXPECT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
    }
  }
  bool ok() const { return rc_ == COMEX_SUCCESS; }

 private:
  int rc_;
};

// ---------------------------------------------------------------------------
// Before any mutex exists (first in the file)
// ---------------------------------------------------------------------------

TEST(MutexErrors, LockBeforeCreate) {
  const int me = WorldRank(), n = WorldSize();
  const int right = (me + 1) % n;
  EXPECT_FAIL(comex_lock(0, me));
  EXPECT_FAIL(comex_lock(0, right));
  EXPECT_FAIL(comex_unlock(0, me));
  EXPECT_FAIL(comex_unlock(0, right));
  EXPECT_FAIL(comex_destroy_mutexes());  // every rank: no hang
}

// A negative count fails on every rank (all pass it; or only one rank does:
// the call is collective, so every rank must fail and none keep mutexes).
TEST(MutexErrors, NegativeCreateFailsEverywhere) {
  const int me = WorldRank(), n = WorldSize();
  EXPECT_FAIL(comex_create_mutexes(-1));
  EXPECT_FAIL(comex_create_mutexes(INT_MIN));
  EXPECT_FAIL(comex_create_mutexes(me == n - 1 ? -3 : 2));
  EXPECT_FAIL(comex_lock(0, me));  // nothing was created
  // A good create still works afterwards.
  Mutexes mx(1);
  ASSERT_TRUE(mx.ok());
  for (int p = 0; p < n; ++p) {
    EXPECT_EQ(comex_lock(0, p), COMEX_SUCCESS) << "rank " << p;
    EXPECT_EQ(comex_unlock(0, p), COMEX_SUCCESS) << "rank " << p;
  }
}

// ---------------------------------------------------------------------------
// Counts per rank and bad mutex/rank numbers
// ---------------------------------------------------------------------------

// Rank r owns Count(r) mutexes: 0 on ranks 1, 4, 7, ...
int Count(int r) { return r % 3 == 1 ? 0 : r + 2; }

TEST(Mutex, DifferentCountsPerRank) {
  const int me = WorldRank(), n = WorldSize();
  Mutexes mx(Count(me));
  ASSERT_TRUE(mx.ok());
  for (int k = 0; k < n; ++k) {
    const int p = (me + k) % n;
    SCOPED_TRACE("owner " + std::to_string(p));
    for (int m = 0; m < Count(p); ++m) {
      EXPECT_EQ(comex_lock(m, p), COMEX_SUCCESS) << "mutex " << m;
      EXPECT_EQ(comex_unlock(m, p), COMEX_SUCCESS) << "mutex " << m;
    }
    // Out of range on this owner (on a rank without mutexes: every one).
    EXPECT_FAIL(comex_lock(Count(p), p));
    EXPECT_FAIL(comex_lock(Count(p) + 100, p));
    EXPECT_FAIL(comex_lock(-1, p));
    EXPECT_FAIL(comex_lock(INT_MIN, p));
    EXPECT_FAIL(comex_unlock(Count(p), p));
    EXPECT_FAIL(comex_unlock(-1, p));
  }
  // Ranks that do not exist.
  for (int p : {-1, n, n + 7, INT_MIN}) {
    EXPECT_FAIL(comex_lock(0, p)) << "rank " << p;
    EXPECT_FAIL(comex_unlock(0, p)) << "rank " << p;
  }
}

// Unlock of a mutex not held: never locked, unlocked twice, or held by
// another rank (whose hold must survive).
TEST(MutexErrors, UnlockNotHeld) {
  const int me = WorldRank(), n = WorldSize();
  const int right = (me + 1) % n;
  Mutexes mx(2);
  ASSERT_TRUE(mx.ok());
  EXPECT_FAIL(comex_unlock(0, me));
  EXPECT_FAIL(comex_unlock(0, right));
  EXPECT_EQ(comex_lock(0, right), COMEX_SUCCESS);
  EXPECT_EQ(comex_unlock(0, right), COMEX_SUCCESS);
  EXPECT_FAIL(comex_unlock(0, right));
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Rank 0 holds mutex 1 of the last rank; the others try to release it.
  SharedBlock flag(sizeof(long));
  ASSERT_TRUE(flag.ok());
  *reinterpret_cast<long *>(flag.mine()) = 0;
  const int owner = n - 1;
  if (me == 0) {
    EXPECT_EQ(comex_lock(1, owner), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  if (me != 0) {
    EXPECT_FAIL(comex_unlock(1, owner));
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  // Still held by rank 0: a rank that asks now gets it only after rank 0
  // lets go, which it does after the flag is set.
  if (me == 0) {
    SleepMs(50);
    PutLong(1, flag.at(0), 0);
    EXPECT_EQ(comex_unlock(1, owner), COMEX_SUCCESS);
  } else {
    EXPECT_EQ(comex_lock(1, owner), COMEX_SUCCESS);
    EXPECT_EQ(GetLong(flag.at(0), 0), 1) << "got the mutex while rank 0 held it";
    EXPECT_EQ(comex_unlock(1, owner), COMEX_SUCCESS);
  }
}

// ---------------------------------------------------------------------------
// Lock-protected read-modify-write
// ---------------------------------------------------------------------------

// Every rank owns 2 mutexes.  The counter guarded by mutex m of rank p lives
// on rank (p + m) % n, so for m = 1 it is on another rank than the mutex
// (the unlock must fence it there).  Every rank increments every counter
// kIters times with get, add, put.
TEST(Mutex, CounterReadModifyWrite) {
  const int me = WorldRank(), n = WorldSize();
  const int kMutexes = 2, kIters = 30;
  Mutexes mx(kMutexes);
  ASSERT_TRUE(mx.ok());
  SharedBlock blk(n * kMutexes * sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  for (int it = 0; it < kIters; ++it)
    for (int k = 0; k < n; ++k) {
      const int p = (me + k + it) % n;
      for (int m = 0; m < kMutexes; ++m) {
        const int q = (p + m) % n;
        void *counter = blk.at(q, (p * kMutexes + m) * sizeof(long));
        ASSERT_EQ(comex_lock(m, p), COMEX_SUCCESS);
        long v = GetLong(counter, q);
        PutLong(v + 1, counter, q);
        ASSERT_EQ(comex_unlock(m, p), COMEX_SUCCESS);
      }
    }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Counters held by me: those (p, m) with (p + m) % n == me.
  const long *mine = reinterpret_cast<const long *>(blk.mine());
  for (int p = 0; p < n; ++p)
    for (int m = 0; m < kMutexes; ++m)
      if ((p + m) % n == me) {
        EXPECT_EQ(mine[p * kMutexes + m], long(n) * kIters) << "mutex " << m << " of rank " << p;
      }
}

// A rank's own mutexes: several held at once, released in another order,
// while other ranks contend for them too.
TEST(Mutex, OwnMutexes) {
  const int me = WorldRank(), n = WorldSize();
  const int kIters = 20;
  Mutexes mx(3);
  ASSERT_TRUE(mx.ok());
  SharedBlock blk(3 * sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  const int left = (me + n - 1) % n;
  for (int it = 0; it < kIters; ++it) {
    // All three of mine at once: the counters on my rank.
    for (int m = 0; m < 3; ++m) ASSERT_EQ(comex_lock(m, me), COMEX_SUCCESS);
    for (int m = 0; m < 3; ++m) {
      void *c = blk.at(me, m * sizeof(long));
      PutLong(GetLong(c, me) + 1, c, me);
    }
    for (int m : {1, 0, 2}) ASSERT_EQ(comex_unlock(m, me), COMEX_SUCCESS);
    // One of my left neighbour's (contending with its owner).
    const int m = it % 3;
    void *c = blk.at(left, m * sizeof(long));
    ASSERT_EQ(comex_lock(m, left), COMEX_SUCCESS);
    PutLong(GetLong(c, left) + 1, c, left);
    ASSERT_EQ(comex_unlock(m, left), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  // Each of my counters: kIters by me, plus (from my right neighbour) the
  // iterations with it % 3 == m (or by me again when n == 1).
  const long *mine = reinterpret_cast<const long *>(blk.mine());
  for (int m = 0; m < 3; ++m) {
    long from_right = 0;
    for (int it = 0; it < kIters; ++it) from_right += it % 3 == m;
    EXPECT_EQ(mine[m], kIters + from_right) << "counter " << m;
  }
}

// ---------------------------------------------------------------------------
// Fairness
// ---------------------------------------------------------------------------

// Every rank takes one mutex kIters times; on its owner each critical
// section increments the rank's own count and the total (get, add, put);
// every rank completes all its acquisitions.
void Hammer(int owner) {
  const int me = WorldRank(), n = WorldSize();
  const int kIters = 100;
  Mutexes mx(me == owner ? 1 : 0);
  ASSERT_TRUE(mx.ok());
  // Longs on the owner: [0] total, [1 + r] count of rank r.
  SharedBlock blk((1 + n) * sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (int i = 0; i < kIters; ++i) {
    ASSERT_EQ(comex_lock(0, owner), COMEX_SUCCESS);
    void *total = blk.at(owner, 0), *count = blk.at(owner, (1 + me) * sizeof(long));
    PutLong(GetLong(total, owner) + 1, total, owner);
    PutLong(GetLong(count, owner) + 1, count, owner);
    ASSERT_EQ(comex_unlock(0, owner), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  if (me == owner) {
    const long *v = reinterpret_cast<const long *>(blk.mine());
    EXPECT_EQ(v[0], long(n) * kIters) << "total";
    std::vector<long> expect(n, kIters);
    EXPECT_TRUE(ElementsEqual(v + 1, expect.data(), n)) << "acquisitions per rank";
  }
}

TEST(MutexFairness, AllRanksHammerOneMutexOnRank0) { Hammer(0); }
TEST(MutexFairness, AllRanksHammerOneMutexOnLastRank) { Hammer(WorldSize() - 1); }

// Rank 0 holds the lock while every other rank asks for it, one after the
// other (spaced out in time); when rank 0 lets go, each waiter gets it
// exactly once, one at a time, and in the order it asked.
void Queue(int owner) {
  const int me = WorldRank(), n = WorldSize();
  const int kGapMs = 100;  // generous: 4 ranks share 2 loaded cores
  Mutexes mx(me == owner ? 1 : 0);
  ASSERT_TRUE(mx.ok());
  // Longs on rank 0: [0] requests made, [1] acquisitions, [2] inside the
  // critical section, [3 + r] acquisitions of rank r, [3 + n + i] the rank
  // of the i-th acquisition.
  SharedBlock blk((3 + 2 * n) * sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  if (me == 0) {
    ASSERT_EQ(comex_lock(0, owner), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  void *requests = blk.at(0, 0), *acquired = blk.at(0, 8), *inside = blk.at(0, 16);
  if (me == 0) {
    EXPECT_TRUE(WaitUntil([&] { return Polled(requests) == n - 1; }, kSpinSeconds))
        << "not every waiter asked";
    SleepMs(2 * kGapMs);  // let the last request reach the owner
    EXPECT_EQ(GetLong(acquired, 0), 0) << "a waiter got the mutex while rank 0 held it";
    ASSERT_EQ(comex_unlock(0, owner), COMEX_SUCCESS);
  } else {
    // Ask in rank order: after rank me-1 has asked, and a gap.
    EXPECT_TRUE(WaitUntil([&] { return Polled(requests) == me - 1; }, kSpinSeconds));
    SleepMs(kGapMs);
    FetchAdd(requests, 1, 0);
    ASSERT_EQ(comex_lock(0, owner), COMEX_SUCCESS);
    EXPECT_EQ(FetchAdd(inside, 1, 0), 0) << "two ranks inside at once";
    const long pos = FetchAdd(acquired, 1, 0);
    FetchAdd(blk.at(0, (3 + me) * sizeof(long)), 1, 0);
    if (pos >= 0 && pos < n) PutLong(me, blk.at(0, (3 + n + pos) * sizeof(long)), 0);
    SleepMs(2);
    EXPECT_EQ(FetchAdd(inside, -1, 0), 1) << "two ranks inside at once";
    ASSERT_EQ(comex_unlock(0, owner), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  if (me == 0) {
    const long *v = reinterpret_cast<const long *>(blk.mine());
    EXPECT_EQ(v[1], n - 1) << "acquisitions";
    std::vector<long> once(n, 1);
    once[0] = 0;
    EXPECT_TRUE(ElementsEqual(v + 3, once.data(), n)) << "acquisitions per rank";
    std::vector<long> order(n, 0);
    for (int i = 0; i + 1 < n; ++i) order[i] = i + 1;
    EXPECT_TRUE(ElementsEqual(v + 3 + n, order.data(), n)) << "order of acquisition (FIFO)";
  }
}

TEST(MutexFairness, QueueBehindHeldLockOwnerHolds) { Queue(0); }
TEST(MutexFairness, QueueBehindHeldLockOwnerIsLastRank) { Queue(WorldSize() - 1); }

// ---------------------------------------------------------------------------
// Destroy and re-create
// ---------------------------------------------------------------------------

TEST(MutexLifecycle, DestroyAndRecreate) {
  const int me = WorldRank(), n = WorldSize();
  // Longs on rank 0: [p] counts the critical sections under rank p's mutex.
  SharedBlock blk(n * sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<long> expect(n, 0);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    // Round r: rank p owns (p + r) % 3 + 1 mutexes (1 to 3), except round 2
    // where odd ranks own none.
    auto count = [&](int p) { return round == 2 && p % 2 ? 0 : (p + round) % 3 + 1; };
    ASSERT_EQ(comex_create_mutexes(count(me)), COMEX_SUCCESS);
    for (int k = 0; k < n; ++k) {
      const int p = (me + k) % n;
      const int m = count(p) - 1;  // the highest mutex of p
      EXPECT_FAIL(comex_lock(count(p), p));
      if (m < 0) continue;
      ASSERT_EQ(comex_lock(m, p), COMEX_SUCCESS) << "mutex " << m << " of " << p;
      void *c = blk.at(0, p * sizeof(long));
      PutLong(GetLong(c, 0) + 1, c, 0);
      ASSERT_EQ(comex_unlock(m, p), COMEX_SUCCESS);
    }
    for (int p = 0; p < n; ++p) expect[p] += count(p) > 0 ? n : 0;
    ASSERT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
    // Gone: every lock fails, a second destroy fails.
    EXPECT_FAIL(comex_lock(0, me));
    EXPECT_FAIL(comex_unlock(0, me));
    EXPECT_FAIL(comex_destroy_mutexes());
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  if (me == 0) {
    EXPECT_TRUE(ElementsEqual(reinterpret_cast<const long *>(blk.mine()), expect.data(), n));
  }
}

}  // namespace

// Unlock is a one-way message when the owner is reached by message: it must
// be applied before comex_destroy_mutexes (or a barrier) completes, or a late
// unlock would be refused by, or release a mutex of, the next set.  Each
// round every rank takes the next rank's mutex, bumps a counter the lock
// protects and unlocks right before the collective destroy.
TEST(Mutex, UnlockRightBeforeDestroyIsApplied) {
  const int me = WorldRank(), n = WorldSize(), next = (me + 1) % n, kRounds = 100;
  SharedBlock blk(sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, sizeof(long));
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (int r = 0; r < kRounds; ++r) {
    ASSERT_EQ(comex_create_mutexes(1), COMEX_SUCCESS);
    for (int k = 0; k < n; ++k) {  // everybody contends for every mutex once
      const int p = (next + k) % n;
      ASSERT_EQ(comex_lock(0, p), COMEX_SUCCESS) << "round " << r;
      long v = GetLong(blk.at(p), p);
      PutLong(v + 1, blk.at(p), p);
      ASSERT_EQ(comex_unlock(0, p), COMEX_SUCCESS) << "round " << r;
    }
    ASSERT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS) << "round " << r;
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  EXPECT_EQ(*reinterpret_cast<long *>(blk.mine()), long(n) * kRounds);
}
