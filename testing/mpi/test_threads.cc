// Multi-rank tests with 4 threads per rank calling ComEx at the same time:
// contiguous, strided and vector puts and gets (blocking, and nb completed
// with wait or test), accumulates of every kind into the same arrays,
// fetch-and-add counters, and lock-protected increments; everything checked
// exactly.  The threads are joined before any collective call (barriers,
// allocation, mutex creation), which one thread makes.
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <complex>
#include <cstdint>
#include <cstring>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "comex.h"
#include "strided_util.h"
#include "test_util.h"

namespace {

using mpitest::AllGather;
using mpitest::BytesEqual;
using mpitest::ElementsEqual;
using mpitest::FillPattern;
using mpitest::MatchesPattern;
using mpitest::PatternVector;
using mpitest::SharedBlock;
using mpitest::WorldComm;
using mpitest::WorldRank;
using mpitest::WorldSize;
using stridedtest::DrawShape;
using stridedtest::DrawVecPlan;
using stridedtest::GiovSet;
using stridedtest::kWorld;
using stridedtest::MakeRng;
using stridedtest::RoundUp;
using stridedtest::Shape;
using stridedtest::ShapeSpec;
using stridedtest::TestUntilDone;
using stridedtest::VecPlan;

constexpr int kThreads = 4;

// Runs fn(k) on kThreads threads at once and joins them.
void RunThreads(const std::function<void(int)> &fn) {
  std::vector<std::thread> th;
  for (int k = 0; k < kThreads; ++k) th.emplace_back(fn, k);
  for (auto &t : th) t.join();
}

// Waits for h with comex_wait or a comex_test loop, chosen by `way`.
void Complete(comex_request_t *h, int way) {
  if (way % 2 == 0) {
    EXPECT_EQ(comex_wait(h), COMEX_SUCCESS);
  } else {
    EXPECT_TRUE(TestUntilDone(h));
  }
}

// ---------------------------------------------------------------------------
// Contiguous
// ---------------------------------------------------------------------------

// Thread k of rank o writes slot o * kThreads + k of every target with a
// size of its own (some eager, some not), blocking or nb; then every thread
// reads another thread's slot back.
TEST(Threads, ContiguousPutGet) {
  const int me = WorldRank(), n = WorldSize();
  const size_t kSlot = 70000;
  const size_t sizes[kThreads] = {8, 1000, 9000, 70000};
  SharedBlock blk(n * kThreads * kSlot);
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0xEE, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  RunThreads([&](int k) {
    const size_t size = sizes[k];
    for (int i = 0; i < n; ++i) {
      const int t = (me + i + k) % n;
      std::vector<uint8_t> src = PatternVector(size, me * kThreads + k, t, 1);
      void *dst = blk.at(t, (me * kThreads + k) * kSlot);
      if ((k + i) % 2 == 0) {
        EXPECT_EQ(comex_put(src.data(), dst, static_cast<int>(size), t, kWorld), COMEX_SUCCESS);
      } else {
        comex_request_t h;
        EXPECT_EQ(comex_nbput(src.data(), dst, static_cast<int>(size), t, kWorld, &h),
                  COMEX_SUCCESS);
        Complete(&h, k / 2);
      }
    }
  });
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (int o = 0; o < n; ++o)
    for (int k = 0; k < kThreads; ++k) {
      const uint8_t *slot = blk.mine() + (o * kThreads + k) * kSlot;
      EXPECT_TRUE(MatchesPattern(slot, sizes[k], o * kThreads + k, me, 1))
          << "slot of rank " << o << " thread " << k;
      std::vector<uint8_t> rest(kSlot - sizes[k], 0xEE);
      EXPECT_TRUE(BytesEqual(slot + sizes[k], rest.data(), rest.size()))
          << "past the slot of rank " << o << " thread " << k;
    }

  RunThreads([&](int k) {
    const int other = (me * kThreads + k + 1) % (n * kThreads);  // a slot written by another
    const size_t size = sizes[other % kThreads];
    for (int t = 0; t < n; ++t) {
      std::vector<uint8_t> dst(size, 0);
      void *src = blk.at(t, other * kSlot);
      if ((k + t) % 2 == 0) {
        EXPECT_EQ(comex_get(src, dst.data(), static_cast<int>(size), t, kWorld), COMEX_SUCCESS);
      } else {
        comex_request_t h;
        EXPECT_EQ(comex_nbget(src, dst.data(), static_cast<int>(size), t, kWorld, &h),
                  COMEX_SUCCESS);
        Complete(&h, k / 2 + 1);
      }
      EXPECT_TRUE(MatchesPattern(dst.data(), size, other, t, 1))
          << "thread " << k << " reading slot " << other << " of " << t;
    }
  });
}

// Many small nb puts in flight per thread (more than the handle pool holds
// across all threads), completed by wait and test, then read back by nb gets.
TEST(Threads, ManyNonBlocking) {
  const int me = WorldRank(), n = WorldSize();
  const int kOps = 100;
  const size_t kChunk = 40;
  // Chunk j of thread k of origin o at ((o * kThreads + k) * kOps + j) * kChunk.
  SharedBlock blk(n * kThreads * kOps * kChunk);
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  auto offset = [&](int o, int k, int j) { return ((o * kThreads + k) * kOps + j) * kChunk; };
  RunThreads([&](int k) {
    std::vector<uint8_t> src(kOps * kChunk);
    std::vector<comex_request_t> h(kOps);
    for (int j = 0; j < kOps; ++j) {
      const int t = (me + j + k) % n;
      FillPattern(&src[j * kChunk], kChunk, me * kThreads + k, t, j);
      EXPECT_EQ(
          comex_nbput(&src[j * kChunk], blk.at(t, offset(me, k, j)), kChunk, t, kWorld, &h[j]),
          COMEX_SUCCESS);
    }
    for (int j = 0; j < kOps; ++j) Complete(&h[j], j);
  });
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  int bad = 0;
  for (int o = 0; o < n; ++o)
    for (int k = 0; k < kThreads; ++k)
      for (int j = 0; j < kOps; ++j) {
        if ((o + j + k) % n != me) continue;
        auto r = MatchesPattern(blk.mine() + offset(o, k, j), kChunk, o * kThreads + k, me, j);
        if (!r && bad++ == 0)
          ADD_FAILURE() << "rank " << o << " thread " << k << " chunk " << j << ": " << r.message();
      }
  EXPECT_EQ(bad, 0);

  RunThreads([&](int k) {
    std::vector<uint8_t> dst(kOps * kChunk, 0);
    std::vector<comex_request_t> h(kOps);
    for (int j = 0; j < kOps; ++j) {
      const int t = (me + j + k) % n;
      EXPECT_EQ(
          comex_nbget(blk.at(t, offset(me, k, j)), &dst[j * kChunk], kChunk, t, kWorld, &h[j]),
          COMEX_SUCCESS);
    }
    for (int j = kOps - 1; j >= 0; --j) Complete(&h[j], j + 1);
    for (int j = 0; j < kOps; ++j)
      EXPECT_TRUE(MatchesPattern(&dst[j * kChunk], kChunk, me * kThreads + k, (me + j + k) % n, j))
          << "thread " << k << " chunk " << j;
  });
}

// ---------------------------------------------------------------------------
// Strided and vector
// ---------------------------------------------------------------------------

// Thread k of every origin puts a strided shape and a vector layout into its
// own region of every target, then gets them back; the target checks its
// whole block against a model.
TEST(Threads, StridedAndVector) {
  const int me = WorldRank(), n = WorldSize();
  auto shape = [&](int o, int k, int t) {
    auto rng = MakeRng({77, o, k, t});
    ShapeSpec s;
    s.levels = 1 + 2 * k;  // 1, 3, 5, 7
    s.row_max = k == 3 ? 40000 : 48;
    s.row_min = k == 3 ? 32768 : 1;
    s.max_count = 3;
    s.max_blocks = k == 3 ? 2 : 150;
    return DrawShape(rng, s, 1, 1);
  };
  auto plan = [&](int o, int k, int t) {
    auto rng = MakeRng({78, o, k, t});
    std::vector<stridedtest::Desc> d = {{8, 200}, {3, 20}, {k == 3 ? 33000 : 100, 2}};
    return DrawVecPlan(rng, d, 1);
  };
  size_t RS = 64, RV = 64;
  for (int o = 0; o < n; ++o)
    for (int k = 0; k < kThreads; ++k)
      for (int t = 0; t < n; ++t) {
        RS = std::max(RS, RoundUp(shape(o, k, t).remote_end() + 1, 64));
        RV = std::max(RV, RoundUp(plan(o, k, t).remote_size + 1, 64));
      }
  const size_t regions = n * kThreads;
  SharedBlock sblk(regions * RS), vblk(regions * RV);
  ASSERT_TRUE(sblk.ok() && vblk.ok());
  FillPattern(sblk.mine(), sblk.bytes(), me, me, 10);
  FillPattern(vblk.mine(), vblk.bytes(), me, me, 11);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  RunThreads([&](int k) {
    const int region = me * kThreads + k;
    for (int i = 0; i < n; ++i) {
      const int t = (me + i + k) % n;
      Shape s = shape(me, k, t);
      std::vector<uint8_t> ssrc = PatternVector(s.local_end() + 8, region, t, 12);
      VecPlan p = plan(me, k, t);
      std::vector<uint8_t> vsrc = PatternVector(p.local_size + 8, region, t, 13);
      GiovSet iov(p, vsrc.data(), vblk.at(t, region * RV), false);
      void *sdst = sblk.at(t, region * RS + s.remote_off);
      if (i % 2 == 0) {
        EXPECT_EQ(comex_puts(ssrc.data() + s.local_off, s.local_stride.data(), sdst,
                             s.remote_stride.data(), s.count.data(), s.levels, t, kWorld),
                  COMEX_SUCCESS);
        EXPECT_EQ(comex_putv(iov.data(), iov.len(), t, kWorld), COMEX_SUCCESS);
      } else {
        comex_request_t h1, h2;
        EXPECT_EQ(comex_nbputs(ssrc.data() + s.local_off, s.local_stride.data(), sdst,
                               s.remote_stride.data(), s.count.data(), s.levels, t, kWorld, &h1),
                  COMEX_SUCCESS);
        EXPECT_EQ(comex_nbputv(iov.data(), iov.len(), t, kWorld, &h2), COMEX_SUCCESS);
        Complete(&h2, k);
        Complete(&h1, k + 1);
      }
    }
  });
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<uint8_t> smodel = PatternVector(sblk.bytes(), me, me, 10);
  std::vector<uint8_t> vmodel = PatternVector(vblk.bytes(), me, me, 11);
  for (int o = 0; o < n; ++o)
    for (int k = 0; k < kThreads; ++k) {
      const int region = o * kThreads + k;
      Shape s = shape(o, k, me);
      std::vector<uint8_t> ssrc = PatternVector(s.local_end() + 8, region, me, 12);
      s.ForEachBlock([&](size_t lo, size_t ro) {
        std::memcpy(&smodel[region * RS + ro], &ssrc[lo], s.count[0]);
      });
      VecPlan p = plan(o, k, me);
      std::vector<uint8_t> vsrc = PatternVector(p.local_size + 8, region, me, 13);
      p.ForEachBlock([&](int bytes, size_t lo, size_t ro) {
        std::memcpy(&vmodel[region * RV + ro], &vsrc[lo], bytes);
      });
    }
  for (size_t r = 0; r < regions; ++r) {
    EXPECT_TRUE(BytesEqual(sblk.mine() + r * RS, smodel.data() + r * RS, RS))
        << "strided region " << r << " (rank " << r / kThreads << " thread " << r % kThreads << ")";
    EXPECT_TRUE(BytesEqual(vblk.mine() + r * RV, vmodel.data() + r * RV, RV))
        << "vector region " << r << " (rank " << r / kThreads << " thread " << r % kThreads << ")";
  }

  // Each thread reads its own regions back from every target (strided with
  // the same shape into a zeroed buffer, vector likewise).
  RunThreads([&](int k) {
    const int region = me * kThreads + k;
    for (int i = 0; i < n; ++i) {
      const int t = (me + n - i + k) % n;
      Shape s = shape(me, k, t);
      std::vector<uint8_t> sexp = PatternVector(s.local_end() + 8, region, t, 12);
      std::vector<uint8_t> sgot(sexp.size(), 0), smask(sexp.size(), 0);
      VecPlan p = plan(me, k, t);
      std::vector<uint8_t> vexp = PatternVector(p.local_size + 8, region, t, 13);
      std::vector<uint8_t> vgot(vexp.size(), 0);
      GiovSet iov(p, vgot.data(), vblk.at(t, region * RV), true);
      void *ssrc = sblk.at(t, region * RS + s.remote_off);
      if (i % 2 == 1) {
        EXPECT_EQ(comex_gets(ssrc, s.remote_stride.data(), sgot.data() + s.local_off,
                             s.local_stride.data(), s.count.data(), s.levels, t, kWorld),
                  COMEX_SUCCESS);
        EXPECT_EQ(comex_getv(iov.data(), iov.len(), t, kWorld), COMEX_SUCCESS);
      } else {
        comex_request_t h1, h2;
        EXPECT_EQ(comex_nbgets(ssrc, s.remote_stride.data(), sgot.data() + s.local_off,
                               s.local_stride.data(), s.count.data(), s.levels, t, kWorld, &h1),
                  COMEX_SUCCESS);
        EXPECT_EQ(comex_nbgetv(iov.data(), iov.len(), t, kWorld, &h2), COMEX_SUCCESS);
        Complete(&h1, k);
        Complete(&h2, k + 1);
      }
      // Only the patch was read: the model is zeros except the rows.
      std::vector<uint8_t> smodel(sexp.size(), 0), vmodel(vexp.size(), 0);
      s.ForEachBlock([&](size_t lo, size_t) { std::memcpy(&smodel[lo], &sexp[lo], s.count[0]); });
      p.ForEachBlock(
          [&](int bytes, size_t lo, size_t) { std::memcpy(&vmodel[lo], &vexp[lo], bytes); });
      EXPECT_TRUE(BytesEqual(sgot.data(), smodel.data(), smodel.size()))
          << "thread " << k << " strided get from " << t << ": " << s.Describe();
      EXPECT_TRUE(BytesEqual(vgot.data(), vmodel.data(), vmodel.size()))
          << "thread " << k << " vector get from " << t;
    }
  });
}

// ---------------------------------------------------------------------------
// Accumulate
// ---------------------------------------------------------------------------

// Every thread of every rank accumulates into the same long and double
// complex arrays on every target kIters times: contiguous, strided (every
// other element), vector (every element, scattered order), blocking and nb.
TEST(Threads, AccumulateExact) {
  const int me = WorldRank(), n = WorldSize();
  const int kElems = 1024, kIters = 8;
  using Z = std::complex<double>;
  SharedBlock lblk(kElems * sizeof(long)), zblk(kElems * sizeof(Z));
  ASSERT_TRUE(lblk.ok() && zblk.ok());
  long *lmine = reinterpret_cast<long *>(lblk.mine());
  Z *zmine = reinterpret_cast<Z *>(zblk.mine());
  for (int i = 0; i < kElems; ++i) {
    lmine[i] = 1000L * i;
    zmine[i] = Z(i, -i);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  // The value thread k of rank o adds to element i (times the scale).
  auto lval = [](int o, int k, int i) { return (o * kThreads + k + 1) * 1000003L + i; };
  auto zval = [](int o, int k, int i) { return Z(o * kThreads + k + 1, i % 7 - 3); };
  const long lscale = 3;
  const Z zscale(1.0, -2.0);

  RunThreads([&](int k) {
    std::vector<long> lsrc(kElems);
    std::vector<Z> zsrc(kElems);
    for (int i = 0; i < kElems; ++i) {
      lsrc[i] = lval(me, k, i);
      zsrc[i] = zval(me, k, i);
    }
    long ls = lscale;
    Z zs = zscale;
    std::mt19937_64 rng(me * 100 + k);
    for (int it = 0; it < kIters; ++it)
      for (int i = 0; i < n; ++i) {
        const int t = (me + i + k + it) % n;
        // Contiguous: every element.
        comex_request_t h[3];
        EXPECT_EQ(comex_acc(COMEX_ACC_LNG, &ls, lsrc.data(), lblk.at(t), kElems * sizeof(long), t,
                            kWorld),
                  COMEX_SUCCESS);
        EXPECT_EQ(comex_nbacc(COMEX_ACC_DCP, &zs, zsrc.data(), zblk.at(t), kElems * sizeof(Z), t,
                              kWorld, &h[0]),
                  COMEX_SUCCESS);
        // Strided: the even elements (2 levels: 8 rows of kElems / 16 pairs).
        int lcount[3] = {sizeof(long), kElems / 16, 8};
        int lstride[2] = {2 * sizeof(long), (kElems / 8) * sizeof(long)};
        EXPECT_EQ(comex_nbaccs(COMEX_ACC_LNG, &ls, lsrc.data(), lstride, lblk.at(t), lstride,
                               lcount, 2, t, kWorld, &h[1]),
                  COMEX_SUCCESS);
        int zcount[3] = {sizeof(Z), kElems / 16, 8};
        int zstride[2] = {2 * sizeof(Z), (kElems / 8) * sizeof(Z)};
        EXPECT_EQ(comex_accs(COMEX_ACC_DCP, &zs, zsrc.data(), zstride, zblk.at(t), zstride, zcount,
                             2, t, kWorld),
                  COMEX_SUCCESS);
        // Vector: every element once, in random order.
        std::vector<int> perm(kElems);
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), rng);
        std::vector<void *> ls_(kElems), ld_(kElems), zs_(kElems), zd_(kElems);
        for (int j = 0; j < kElems; ++j) {
          ls_[j] = &lsrc[perm[j]];
          ld_[j] = lblk.at(t, perm[j] * sizeof(long));
          zs_[j] = &zsrc[perm[j]];
          zd_[j] = zblk.at(t, perm[j] * sizeof(Z));
        }
        comex_giov_t liov = {ls_.data(), ld_.data(), kElems, sizeof(long)};
        comex_giov_t ziov = {zs_.data(), zd_.data(), kElems, sizeof(Z)};
        EXPECT_EQ(comex_accv(COMEX_ACC_LNG, &ls, &liov, 1, t, kWorld), COMEX_SUCCESS);
        EXPECT_EQ(comex_nbaccv(COMEX_ACC_DCP, &zs, &ziov, 1, t, kWorld, &h[2]), COMEX_SUCCESS);
        for (int j = 0; j < 3; ++j) Complete(&h[j], j + k);
      }
  });
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<long> lexp(kElems);
  std::vector<Z> zexp(kElems);
  for (int i = 0; i < kElems; ++i) {
    const int times = kIters * (i % 2 == 0 ? 3 : 2);  // contiguous, vector, strided if even
    long l = 1000L * i;
    Z z(i, -i);
    for (int o = 0; o < n; ++o)
      for (int k = 0; k < kThreads; ++k)
        for (int r = 0; r < times; ++r) {
          l += lscale * lval(o, k, i);
          z = stridedtest::MulAdd(z, zscale, zval(o, k, i));
        }
    lexp[i] = l;
    zexp[i] = z;
  }
  EXPECT_TRUE(ElementsEqual(lmine, lexp.data(), kElems)) << "long";
  EXPECT_TRUE(ElementsEqual(zmine, zexp.data(), kElems)) << "double complex";
}

// ---------------------------------------------------------------------------
// Read-modify-write
// ---------------------------------------------------------------------------

// Every thread fetch-and-adds a long and an int counter on every target
// kIters times; the totals are exact and the fetched values of each counter,
// over all threads of all ranks, are exactly 0, 1, ..., total - 1.
TEST(Threads, FetchAndAddCounters) {
  const int me = WorldRank(), n = WorldSize();
  const int kIters = 60;
  SharedBlock blk(2 * sizeof(long));  // [0] long counter, [1] int counter (+ padding)
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  // fetched[t][k * kIters + i]: value thread k fetched at iteration i from t.
  std::vector<std::vector<long>> lfetched(n, std::vector<long>(kThreads * kIters, -1));
  std::vector<std::vector<long>> ifetched(n, std::vector<long>(kThreads * kIters, -1));
  RunThreads([&](int k) {
    for (int i = 0; i < kIters; ++i)
      for (int j = 0; j < n; ++j) {
        const int t = (me + j + k) % n;
        long lold = -1;
        int iold = -1;
        EXPECT_EQ(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &lold, blk.at(t, 0), 1, t, kWorld),
                  COMEX_SUCCESS);
        EXPECT_EQ(comex_rmw(COMEX_FETCH_AND_ADD, &iold, blk.at(t, 8), 1, t, kWorld), COMEX_SUCCESS);
        lfetched[t][k * kIters + i] = lold;
        ifetched[t][k * kIters + i] = iold;
      }
  });
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  const long total = long(n) * kThreads * kIters;
  EXPECT_EQ(*reinterpret_cast<long *>(blk.mine()), total);
  EXPECT_EQ(*reinterpret_cast<int *>(blk.mine() + 8), total);
  std::vector<long> lflat, iflat;
  for (int t = 0; t < n; ++t) {
    lflat.insert(lflat.end(), lfetched[t].begin(), lfetched[t].end());
    iflat.insert(iflat.end(), ifetched[t].begin(), ifetched[t].end());
  }
  // all[o]: rank o's flat vector; counter t's values are its slice t.
  std::vector<long> lall = AllGather(lflat, WorldComm()), iall = AllGather(iflat, WorldComm());
  const size_t slice = kThreads * kIters;
  std::vector<long> lmine, imine, expect(total);
  std::iota(expect.begin(), expect.end(), 0);
  for (int o = 0; o < n; ++o) {
    const size_t base = (size_t(o) * n + me) * slice;
    lmine.insert(lmine.end(), lall.begin() + base, lall.begin() + base + slice);
    imine.insert(imine.end(), iall.begin() + base, iall.begin() + base + slice);
  }
  std::sort(lmine.begin(), lmine.end());
  std::sort(imine.begin(), imine.end());
  EXPECT_TRUE(ElementsEqual(lmine.data(), expect.data(), total)) << "long values fetched";
  EXPECT_TRUE(ElementsEqual(imine.data(), expect.data(), total)) << "int values fetched";
}

// ---------------------------------------------------------------------------
// Mutexes
// ---------------------------------------------------------------------------

// Every rank owns 2 mutexes; thread k uses mutex k % 2 (so two threads of a
// rank compete for each) of every rank to guard a counter on the next rank,
// incremented by get, add, put.
TEST(Threads, LockProtectedIncrements) {
  const int me = WorldRank(), n = WorldSize();
  const int kIters = 15;
  ASSERT_EQ(comex_create_mutexes(2), COMEX_SUCCESS);
  // Longs on rank q: [2 * p + m] guarded by mutex m of rank p, q = (p + 1) % n.
  SharedBlock blk(2 * n * sizeof(long));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  RunThreads([&](int k) {
    const int m = k % 2;
    for (int i = 0; i < kIters; ++i)
      for (int j = 0; j < n; ++j) {
        const int p = (me + j + k) % n, q = (p + 1) % n;
        void *c = blk.at(q, (2 * p + m) * sizeof(long));
        EXPECT_EQ(comex_lock(m, p), COMEX_SUCCESS);
        long v = -1;
        EXPECT_EQ(comex_get(c, &v, sizeof v, q, kWorld), COMEX_SUCCESS);
        ++v;
        EXPECT_EQ(comex_put(&v, c, sizeof v, q, kWorld), COMEX_SUCCESS);
        EXPECT_EQ(comex_unlock(m, p), COMEX_SUCCESS);
      }
  });
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  const int p = (me + n - 1) % n;  // my counters are guarded by my left neighbour
  const long *mine = reinterpret_cast<const long *>(blk.mine());
  for (int m = 0; m < 2; ++m)
    EXPECT_EQ(mine[2 * p + m], long(n) * (kThreads / 2) * kIters)
        << "counter of mutex " << m << " of rank " << p;
  EXPECT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
}

}  // namespace
