// The network doorbell (am/netbell.h) and what rides on it.
//
// NetBell itself: every rank rings every other one and must hear each ring;
// a rank with the bell off is reached by nobody and reaches nobody.  The
// shared-memory doorbell's hand-over to it (Doorbell::arm/disarm, state 2).
// Then ComEx with the targets' progress threads asleep between requests
// (COMEX_SHM=0, the jobs set it; some ranks with COMEX_NET_BELL=0): a target
// busy outside ComEx is woken for fetch-and-adds, gets, puts and accumulates,
// whose values are checked element by element; streams of requests to such a
// target are marked (kFlagStream) exactly while the origin's last operation
// with it ended under COMEX_PROGRESS_STREAK_US ago, and are served right.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "am/engine.h"
#include "am/netbell.h"
#include "comex.h"
#include "core/runtime.h"
#include "node/shm.h"
#include "node/topology.h"
#include "test_util.h"
#include "util/log.h"

namespace {

using mpitest::WorldComm;
using mpitest::WorldRank;
using mpitest::WorldSize;

std::vector<char> SameHost() {
  MPI_Comm node;
  MPI_Comm_split_type(WorldComm(), MPI_COMM_TYPE_SHARED, WorldRank(), MPI_INFO_NULL, &node);
  int n = 0;
  MPI_Comm_size(node, &n);
  std::vector<int> mine(size_t(n), -1);
  const int me = WorldRank();
  MPI_Allgather(&me, 1, MPI_INT, mine.data(), 1, MPI_INT, node);
  MPI_Comm_free(&node);
  std::vector<char> same(size_t(WorldSize()), 0);
  for (int r : mine) same[size_t(r)] = 1;
  return same;
}

// Sleep on `bell` until every rank in `from` has been heard (at most ~20 s).
bool HearAll(comex::NetBell &bell, const std::vector<int> &from) {
  for (int round = 0; round < 200; ++round) {
    bool all = true;
    for (int r : from) all = all && bell.heard_from(r);
    if (all) return true;
    bell.sleep(100000000);  // 100 ms
  }
  return false;
}

TEST(NetBell, EveryRankHearsEveryOther) {
  comex::NetBell bell(WorldComm(), true, SameHost(), 0);
  ASSERT_TRUE(bell.usable()) << bell.describe();
  std::vector<int> others;
  for (int r = 0; r < WorldSize(); ++r) {
    EXPECT_TRUE(bell.reaches(r)) << "rank " << r;
    if (r != WorldRank()) others.push_back(r);
  }
  MPI_Barrier(WorldComm());
  for (int r : others) bell.ring(r, true);
  EXPECT_TRUE(HearAll(bell, others));
  for (int r : others) EXPECT_TRUE(bell.heard_from(r)) << "no ring from rank " << r;
  EXPECT_FALSE(bell.heard_from(WorldRank()));  // nobody rang with our rank
  MPI_Barrier(WorldComm());
}

TEST(NetBell, RingsWithinTheGapAreLeftOut) {
  // A gap of an hour: the first unforced ring goes out, the next is left
  // out; a forced one always goes.
  comex::NetBell bell(WorldComm(), true, SameHost(), uint64_t(3600) * 1000000000);
  const int right = (WorldRank() + 1) % WorldSize(), left = (WorldRank() + WorldSize() - 1) % WorldSize();
  MPI_Barrier(WorldComm());
  if (WorldSize() > 1) {
    bell.ring(right, false);
    EXPECT_TRUE(HearAll(bell, {left}));
  }
  MPI_Barrier(WorldComm());
  // Drained; now an unforced ring inside the gap must not arrive.
  while (bell.sleep(1000000)) {
  }
  MPI_Barrier(WorldComm());
  if (WorldSize() > 1) bell.ring(right, false);
  MPI_Barrier(WorldComm());
  EXPECT_FALSE(bell.sleep(200000000)) << "a ring inside the gap arrived";
  MPI_Barrier(WorldComm());
  if (WorldSize() > 1) bell.ring(right, true);
  if (WorldSize() > 1) {
    EXPECT_TRUE(bell.sleep(5000000000ull)) << "a forced ring did not arrive";
  }
  MPI_Barrier(WorldComm());
}

TEST(NetBell, OffOnOneRankReachesNobodyThere) {
  const bool on = WorldRank() != 0;
  comex::NetBell bell(WorldComm(), on, SameHost(), 0);
  EXPECT_EQ(bell.usable(), on);
  for (int r = 0; r < WorldSize(); ++r) {
    EXPECT_EQ(bell.reaches(r), on && r != 0) << "rank " << r;
  }
  if (on) {
    // Ringing rank 0 (unreachable) is a no-op; the others still hear each other.
    bell.ring(0, true);
    std::vector<int> others;
    for (int r = 1; r < WorldSize(); ++r)
      if (r != WorldRank()) others.push_back(r);
    MPI_Barrier(WorldComm());
    for (int r : others) bell.ring(r, true);
    EXPECT_TRUE(HearAll(bell, others));
  } else {
    MPI_Barrier(WorldComm());
  }
  MPI_Barrier(WorldComm());
}

TEST(Doorbell, HandsOverToTheNetworkBell) {
  comex::Doorbell d{};
  uint32_t seen = 0;
  ASSERT_TRUE(d.arm(&seen));                          // asleep on the socket
  EXPECT_EQ(d.sleeping.load(), 2u);
  EXPECT_TRUE(d.ring());                              // the ringer must send a datagram
  EXPECT_TRUE(d.disarm(seen));                        // and the owner sees the ring
  EXPECT_EQ(d.sleeping.load(), 0u);
  EXPECT_FALSE(d.ring());                             // awake: the atomic add is enough
  ASSERT_TRUE(d.arm(&seen));
  EXPECT_FALSE(d.disarm(seen));                       // not rung
  d.ring();                                           // rung between two sleeps ...
  uint32_t before = d.rings.load();
  EXPECT_TRUE(d.arm(&seen));
  EXPECT_EQ(seen, before);
  EXPECT_FALSE(d.disarm(seen));
}

// ComEx with sleeping targets.  Each rank in turn computes outside ComEx for
// a while (its progress thread asleep, rung when needed) while every other
// rank works on it; values checked afterwards and on the way.
void Busy(double ms) {
  timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  volatile double x = 1;
  do {
    for (int i = 0; i < 1000; ++i) x = x * 1.0000001 + 1e-9;
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1e3 + (t.tv_nsec - t0.tv_nsec) / 1e6 < ms);
}

TEST(NetBell, SleepingTargetsServeCorrectly) {
  const int n = WorldSize(), me = WorldRank();
  constexpr int kOps = 40;
  constexpr int kLongs = 64;
  std::vector<void *> seg(static_cast<size_t>(n));
  ASSERT_EQ(comex_malloc(seg.data(), sizeof(long) * (kLongs + 1), COMEX_GROUP_WORLD), COMEX_SUCCESS);
  long *mine = static_cast<long *>(seg[size_t(me)]);
  for (int i = 0; i <= kLongs; ++i) mine[i] = 0;
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  for (int target = 0; target < n; ++target) {
    if (me == target) {
      Busy(300);  // outside ComEx: only the progress thread serves
    } else {
      long *counter = static_cast<long *>(seg[size_t(target)]);
      for (int k = 0; k < kOps; ++k) {
        long old = -1;
        ASSERT_EQ(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &old, counter, 1, target, COMEX_GROUP_WORLD),
                  COMEX_SUCCESS);
        EXPECT_GE(old, 0);
        EXPECT_LT(old, long(kOps) * (n - 1));
        // my own slot of the target: put, accumulate, get back
        long v = long(me) * 1000 + k, scale = 2, got = -1;
        long *slot = static_cast<long *>(seg[size_t(target)]) + 1 + me;
        ASSERT_EQ(comex_put(&v, slot, sizeof v, target, COMEX_GROUP_WORLD), COMEX_SUCCESS);
        ASSERT_EQ(comex_acc(COMEX_ACC_LNG, &scale, &v, slot, sizeof v, target, COMEX_GROUP_WORLD),
                  COMEX_SUCCESS);
        ASSERT_EQ(comex_get(slot, &got, sizeof got, target, COMEX_GROUP_WORLD), COMEX_SUCCESS);
        EXPECT_EQ(got, 3 * v) << "target " << target << " op " << k;
        if (k % 8 == 7) usleep(2000);  // let the target fall asleep again
      }
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    if (me == target) {
      EXPECT_EQ(mine[0], long(kOps) * (n - 1));
      for (int r = 0; r < n && r < kLongs; ++r) {
        if (r != me) {
          EXPECT_EQ(mine[1 + r], 3 * (long(r) * 1000 + kOps - 1)) << "slot of rank " << r;
        }
      }
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_free(mine, COMEX_GROUP_WORLD), COMEX_SUCCESS);
}

// A stream: back-to-back gets, puts and gets again to a target busy outside
// ComEx, then the same with pauses longer than the stream window.  Every
// value is checked; the origin marks its requests as a stream exactly when
// the target is rung by network and its last operation ended moments ago.
TEST(NetBell, StreamsToABusyTargetAreMarkedAndServed) {
  comex::Runtime *rt = comex::Runtime::instance();
  ASSERT_NE(rt, nullptr);
  comex::Engine &engine = rt->engine();
  const uint64_t window_us = uint64_t(rt->config().PROGRESS_STREAK_US);
  const int n = WorldSize(), me = WorldRank();
  constexpr int kLongs = 256;
  std::vector<void *> seg(static_cast<size_t>(n));
  ASSERT_EQ(comex_malloc(seg.data(), sizeof(long) * kLongs * n, COMEX_GROUP_WORLD), COMEX_SUCCESS);
  long *mine = static_cast<long *>(seg[size_t(me)]);
  for (int i = 0; i < kLongs * n; ++i) mine[i] = long(me) * 1000000 + i;
  ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  for (int target = 0; target < n; ++target) {
    if (me == target) {
      Busy(400);  // outside ComEx: only the progress thread serves
    } else {
      const bool net_rung = engine.rings(target, rt->node()) && !rt->node().on_node(target);
      long *base = static_cast<long *>(seg[size_t(target)]);
      long *slots = base + kLongs * me;  // this origin's part of the target
      const uint64_t window_ns = window_us * 1000;
      int marked = 0;  // checks that had to find a stream
      for (int pass = 0; pass < 2; ++pass) {
        const bool paused = pass == 1;
        uint64_t began = 0, ended = 0;  // around the last operation with the target
        for (int k = 0; k < kLongs; ++k) {
          if (paused && k % 16 != 0) continue;  // fewer, since each one waits
          if (paused) usleep(useconds_t(2 * window_us + 500));
          // The engine noted the last operation's end between `began` and
          // `ended`: under the window since `began`, a stream; past it since
          // `ended`, none; in between (this thread was descheduled) either.
          // The first op may follow the barrier's fence: not checked.
          const uint64_t now = comex::now_ns();
          if (k > 0 || paused) {
            if (!net_rung || window_ns == 0 || now - ended >= window_ns) {
              EXPECT_FALSE(engine.streaming(target, now))
                  << "target " << target << " op " << k << (paused ? " after a pause" : "");
            } else if (now - began < window_ns) {
              ++marked;
              EXPECT_TRUE(engine.streaming(target, now)) << "target " << target << " op " << k;
            }
          }
          long got = -1;
          began = comex::now_ns();
          ASSERT_EQ(comex_get(base + kLongs * me + k, &got, sizeof got, target, COMEX_GROUP_WORLD),
                    COMEX_SUCCESS);
          ended = comex::now_ns();
          const long want = pass == 0 ? long(target) * 1000000 + kLongs * me + k
                                      : long(me) * 7919 + k;  // what pass 0 put there
          EXPECT_EQ(got, want) << "target " << target << " element " << k;
          if (pass == 0) {
            long v = long(me) * 7919 + k;
            began = comex::now_ns();
            ASSERT_EQ(comex_put(&v, slots + k, sizeof v, target, COMEX_GROUP_WORLD), COMEX_SUCCESS);
            ended = comex::now_ns();
          }
        }
      }
      // Of 255 back-to-back operations some are checked as a stream.
      if (net_rung && window_ns > 0) {
        EXPECT_GT(marked, 0) << "no operation to target " << target << " was checked as a stream";
      }
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
    if (me == target) {
      for (int r = 0; r < n; ++r)
        for (int k = 0; k < kLongs; ++k)
          ASSERT_EQ(mine[kLongs * r + k], r == me ? long(me) * 1000000 + kLongs * r + k
                                                  : long(r) * 7919 + k)
              << "slot " << k << " of rank " << r;
    }
    ASSERT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_free(mine, COMEX_GROUP_WORLD), COMEX_SUCCESS);
}

}  // namespace
