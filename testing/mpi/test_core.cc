// Multi-rank tests of the ComEx core: contiguous put/get/acc (blocking and
// non-blocking), read-modify-write, completion and ordering, groups and
// allocation.  Every rank runs every test; each operation goes from every
// rank to every rank (itself included) and is checked element by element.
#include <gtest/gtest.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <cstring>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "comex.h"
#include "test_util.h"

namespace {

using mpitest::AllBytesAre;
using mpitest::AllGather;
using mpitest::BytesEqual;
using mpitest::ElementsEqual;
using mpitest::FillPattern;
using mpitest::MatchesPattern;
using mpitest::Pattern;
using mpitest::PatternVector;
using mpitest::SharedBlock;
using mpitest::TestUntilDone;
using mpitest::WaitUntil;
using mpitest::WorldComm;
using mpitest::WorldRank;
using mpitest::WorldSize;

constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;
constexpr double kSpinSeconds = 60.0;  // bound on any wait for a flag

// ---------------------------------------------------------------------------
// Life cycle
// ---------------------------------------------------------------------------

TEST(Lifecycle, InitializedAndWorldGroup) {
  EXPECT_EQ(comex_initialized(), 1);
  MPI_Comm comm = MPI_COMM_NULL;
  ASSERT_EQ(comex_group_comm(kWorld, &comm), COMEX_SUCCESS);
  ASSERT_NE(comm, MPI_COMM_NULL);
  int mpi_size = 0, mpi_rank = -1, world_size = 0;
  MPI_Comm_size(comm, &mpi_size);
  MPI_Comm_rank(comm, &mpi_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  EXPECT_EQ(mpi_size, WorldSize());
  EXPECT_EQ(mpi_size, world_size);  // comex_init_args uses MPI_COMM_WORLD
  EXPECT_EQ(mpi_rank, WorldRank());
  int translated = -1;
  EXPECT_EQ(comex_group_translate_world(kWorld, WorldRank(), &translated), COMEX_SUCCESS);
  EXPECT_EQ(translated, WorldRank());
}

TEST(Lifecycle, SecondInitIsHarmless) {
  EXPECT_EQ(comex_init(), COMEX_SUCCESS);
  EXPECT_EQ(comex_initialized(), 1);
  // The library still works: a put to the right neighbour.
  const int me = WorldRank(), n = WorldSize();
  SharedBlock blk(64);
  ASSERT_TRUE(blk.ok());
  const int right = (me + 1) % n;
  std::vector<uint8_t> src = PatternVector(64, me, right, 1);
  EXPECT_EQ(comex_put(src.data(), blk.at(right), 64, right, kWorld), COMEX_SUCCESS);
  EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  EXPECT_TRUE(MatchesPattern(blk.mine(), 64, (me + n - 1) % n, me, 1));
}

// ---------------------------------------------------------------------------
// Contiguous put/get, every rank to every rank, several sizes
// ---------------------------------------------------------------------------

// Sizes around the interesting thresholds: one byte, one word, odd, the 8 KiB
// eager limit and past it, and multi-MiB.
const size_t kSizes[] = {1, 8, 1001, 8192, 8193, 65536, (1u << 20) + 3, 4u << 20};

class Contiguous : public ::testing::TestWithParam<size_t> {};

std::string SizeName(const ::testing::TestParamInfo<size_t> &info) {
  return std::to_string(info.param) + "B";
}

// Block layout: n slots of `size` bytes; origin o writes slot o of each target.
TEST_P(Contiguous, BlockingPutGet) {
  const size_t size = GetParam();
  const int me = WorldRank(), n = WorldSize();
  SharedBlock blk(size * n);
  ASSERT_TRUE(blk.ok());

  std::vector<std::vector<uint8_t>> src(n);
  for (int k = 0; k < n; ++k) {
    const int t = (me + k) % n;  // spread the targets
    src[t] = PatternVector(size, me, t, 10);
    EXPECT_EQ(comex_put(src[t].data(), blk.at(t, me * size), static_cast<int>(size), t, kWorld),
              COMEX_SUCCESS);
  }
  // The source may be reused as soon as a blocking put returns.
  for (auto &s : src) std::fill(s.begin(), s.end(), 0);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  for (int o = 0; o < n; ++o)
    EXPECT_TRUE(MatchesPattern(blk.mine() + o * size, size, o, me, 10))
        << "slot of origin " << o << " on target " << me;

  // Read back my own slot and my right neighbour's slot on every target.
  std::vector<uint8_t> dst(size);
  for (int k = 0; k < n; ++k) {
    const int t = (me + n - k) % n;
    for (int o : {me, (me + 1) % n}) {
      std::fill(dst.begin(), dst.end(), 0);
      EXPECT_EQ(comex_get(blk.at(t, o * size), dst.data(), static_cast<int>(size), t, kWorld),
                COMEX_SUCCESS);
      EXPECT_TRUE(MatchesPattern(dst.data(), size, o, t, 10))
          << "get of origin " << o << "'s slot on target " << t;
    }
  }
}

// Completes handle h (to target t) in the way chosen by t.
bool CompleteVariously(comex_request_t *h, int t) { return mpitest::CompleteVariously(h, t, t); }

TEST_P(Contiguous, NonBlockingPutGet) {
  const size_t size = GetParam();
  const int me = WorldRank(), n = WorldSize();
  SharedBlock blk(size * n);
  ASSERT_TRUE(blk.ok());

  std::vector<std::vector<uint8_t>> src(n);
  std::vector<comex_request_t> h(n);
  for (int k = 0; k < n; ++k) {
    const int t = (me + k) % n;
    src[t] = PatternVector(size, me, t, 11);
    EXPECT_EQ(
        comex_nbput(src[t].data(), blk.at(t, me * size), static_cast<int>(size), t, kWorld, &h[t]),
        COMEX_SUCCESS);
  }
  // Once a put is locally complete its source may be overwritten: if the
  // completion call returned early, the target sees the zeros.
  std::vector<bool> done(n);
  for (int t = 0; t < n; ++t) {
    done[t] = CompleteVariously(&h[t], t);
    if (done[t]) std::fill(src[t].begin(), src[t].end(), 0);
  }
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  for (auto &s : src) std::fill(s.begin(), s.end(), 0);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  for (int o = 0; o < n; ++o)
    EXPECT_TRUE(MatchesPattern(blk.mine() + o * size, size, o, me, 11))
        << "slot of origin " << o << " on target " << me;

  // All gets in flight at once, each into its own buffer.
  std::vector<std::vector<uint8_t>> dst(n, std::vector<uint8_t>(size, 0));
  for (int k = 0; k < n; ++k) {
    const int t = (me + n - k) % n;
    const int o = (me + t) % n;  // someone's slot, not always mine
    EXPECT_EQ(
        comex_nbget(blk.at(t, o * size), dst[t].data(), static_cast<int>(size), t, kWorld, &h[t]),
        COMEX_SUCCESS);
  }
  // A get's data must be there as soon as its completion call returns.
  for (int t = 0; t < n; ++t) {
    done[t] = CompleteVariously(&h[t], t);
    if (done[t]) {
      EXPECT_TRUE(MatchesPattern(dst[t].data(), size, (me + t) % n, t, 11))
          << "nbget from target " << t;
    }
  }
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  for (int t = 0; t < n; ++t) {
    if (!done[t]) {
      EXPECT_TRUE(MatchesPattern(dst[t].data(), size, (me + t) % n, t, 11))
          << "nbget from target " << t << " after comex_wait_all";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, Contiguous, ::testing::ValuesIn(kSizes), SizeName);

// comex_barrier completes outstanding non-blocking puts; the handles can still
// be waited on afterwards.
TEST(Completion, BarrierCompletesNonBlockingPuts) {
  const size_t size = 4096;
  const int me = WorldRank(), n = WorldSize();
  SharedBlock blk(size * n);
  ASSERT_TRUE(blk.ok());
  std::vector<std::vector<uint8_t>> src(n);
  std::vector<comex_request_t> h(n);
  for (int t = 0; t < n; ++t) {
    src[t] = PatternVector(size, me, t, 12);
    EXPECT_EQ(
        comex_nbput(src[t].data(), blk.at(t, me * size), static_cast<int>(size), t, kWorld, &h[t]),
        COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (int o = 0; o < n; ++o)
    EXPECT_TRUE(MatchesPattern(blk.mine() + o * size, size, o, me, 12)) << "slot of origin " << o;
  for (int t = 0; t < n; ++t) EXPECT_EQ(comex_wait(&h[t]), COMEX_SUCCESS);
}

// A put, comex_fence_proc, then a plain MPI barrier: the target must see the
// data without any further ComEx call.
TEST(Completion, FenceProcThenMpiBarrier) {
  const size_t size = 65536 + 5;
  const int me = WorldRank(), n = WorldSize();
  SharedBlock blk(size * n);
  ASSERT_TRUE(blk.ok());
  std::vector<std::vector<uint8_t>> src(n);
  for (int t = 0; t < n; ++t) {
    src[t] = PatternVector(size, me, t, 13);
    comex_request_t h;
    // Half the puts non-blocking and only locally completed before the fence.
    if ((t + me) % 2 == 0) {
      EXPECT_EQ(comex_put(src[t].data(), blk.at(t, me * size), static_cast<int>(size), t, kWorld),
                COMEX_SUCCESS);
    } else {
      EXPECT_EQ(
          comex_nbput(src[t].data(), blk.at(t, me * size), static_cast<int>(size), t, kWorld, &h),
          COMEX_SUCCESS);
      EXPECT_EQ(comex_wait(&h), COMEX_SUCCESS);
    }
    EXPECT_EQ(comex_fence_proc(t, kWorld), COMEX_SUCCESS);
  }
  MPI_Barrier(WorldComm());
  for (int o = 0; o < n; ++o)
    EXPECT_TRUE(MatchesPattern(blk.mine() + o * size, size, o, me, 13)) << "slot of origin " << o;

  // Same with comex_fence_all and accumulates.
  std::vector<int> ones(size / sizeof(int), 1);
  const int words = static_cast<int>(size / sizeof(int));
  MPI_Barrier(WorldComm());
  std::memset(blk.mine(), 0, size * n);
  MPI_Barrier(WorldComm());
  int scale = 3;
  for (int t = 0; t < n; ++t)
    EXPECT_EQ(comex_acc(COMEX_ACC_INT, &scale, ones.data(), blk.at(t),
                        words * static_cast<int>(sizeof(int)), t, kWorld),
              COMEX_SUCCESS);
  EXPECT_EQ(comex_fence_all(kWorld), COMEX_SUCCESS);
  MPI_Barrier(WorldComm());
  std::vector<int> expect(words, 3 * n);
  EXPECT_TRUE(ElementsEqual(reinterpret_cast<int *>(blk.mine()), expect.data(), words));
}

// comex_wait_until (an extension): returns once the test says so, having
// called it at least that often, while the data of a put from the left
// neighbour arrives (the waiting thread may serve that put itself); it also
// completes a non-blocking MPI collective, and refuses a NULL test.
struct WaitState {
  const volatile uint64_t *word;
  uint64_t want;
  int calls;
};
int WordArrived(void *arg) {
  WaitState *w = static_cast<WaitState *>(arg);
  ++w->calls;
  return *w->word == w->want;
}
int RequestDone(void *arg) {
  int done = 0;
  return MPI_Test(static_cast<MPI_Request *>(arg), &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done;
}
int DoneOnThirdCall(void *arg) { return ++*static_cast<int *>(arg) >= 3; }

TEST(Completion, WaitUntilExtension) {
  const int me = WorldRank(), n = WorldSize();
  const int right = (me + 1) % n, left = (me + n - 1) % n;
  SharedBlock blk(sizeof(uint64_t));
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, sizeof(uint64_t));
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  uint64_t mark = 0x5eed000000000000ull + static_cast<uint64_t>(me) * 977 + 1;
  ASSERT_EQ(comex_put(&mark, blk.at(right), sizeof mark, right, kWorld), COMEX_SUCCESS);
  WaitState w{reinterpret_cast<volatile uint64_t *>(blk.mine()),
              0x5eed000000000000ull + static_cast<uint64_t>(left) * 977 + 1, 0};
  ASSERT_EQ(comex_wait_until(WordArrived, &w), COMEX_SUCCESS);
  EXPECT_EQ(*w.word, w.want);
  EXPECT_GE(w.calls, 1);

  int calls = 0;
  ASSERT_EQ(comex_wait_until(DoneOnThirdCall, &calls), COMEX_SUCCESS);
  EXPECT_EQ(calls, 3);

  long sum = me + 1;
  MPI_Request req;
  ASSERT_EQ(MPI_Iallreduce(MPI_IN_PLACE, &sum, 1, MPI_LONG, MPI_SUM, WorldComm(), &req),
            MPI_SUCCESS);
  ASSERT_EQ(comex_wait_until(RequestDone, &req), COMEX_SUCCESS);
  EXPECT_EQ(sum, static_cast<long>(n) * (n + 1) / 2);

  EXPECT_EQ(comex_wait_until(nullptr, nullptr), COMEX_FAILURE);
}

// ---------------------------------------------------------------------------
// Accumulate, all six element types, exact values
// ---------------------------------------------------------------------------

using testutil::AccType;
using testutil::MulAdd;
using testutil::SmallValue;

template <class T>
class Accumulate : public ::testing::Test {};
using AccTypes =
    ::testing::Types<int, long, double, float, std::complex<float>, std::complex<double>>;
TYPED_TEST_SUITE(Accumulate, AccTypes);

// Every rank accumulates into every rank's array (itself included) once
// blocking and once non-blocking; the target and every origin (by get) check
// init + sum over origins of scale * (a + b).
TYPED_TEST(Accumulate, AllToAllExact) {
  using T = TypeParam;
  using A = AccType<T>;
  const int me = WorldRank(), n = WorldSize();
  T scale = A::Scale();
  for (size_t count : {size_t{1}, size_t{1001}, size_t{20000}, size_t{(1u << 20) / sizeof(T)}}) {
    SCOPED_TRACE("count " + std::to_string(count));
    const size_t bytes = count * sizeof(T);
    SharedBlock blk(bytes);
    ASSERT_TRUE(blk.ok());
    T *mine = reinterpret_cast<T *>(blk.mine());
    for (size_t i = 0; i < count; ++i) mine[i] = A::Make(100, i, 0);
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

    std::vector<T> a(count), b(count);
    for (size_t i = 0; i < count; ++i) {
      a[i] = A::Make(me, i, 1);
      b[i] = A::Make(me, i, 2);
    }
    std::vector<comex_request_t> h(n);
    for (int k = 0; k < n; ++k) {
      const int t = (me + k) % n;
      EXPECT_EQ(comex_acc(A::kOp, &scale, a.data(), blk.at(t), static_cast<int>(bytes), t, kWorld),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_nbacc(A::kOp, &scale, b.data(), blk.at(t), static_cast<int>(bytes), t, kWorld,
                            &h[t]),
                COMEX_SUCCESS);
    }
    for (int t = 0; t < n; ++t) EXPECT_EQ(comex_wait(&h[t]), COMEX_SUCCESS);
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

    std::vector<T> expect(count);
    for (size_t i = 0; i < count; ++i) {
      T v = A::Make(100, i, 0);
      for (int o = 0; o < n; ++o) {
        v = MulAdd(v, scale, A::Make(o, i, 1));
        v = MulAdd(v, scale, A::Make(o, i, 2));
      }
      expect[i] = v;
    }
    EXPECT_TRUE(ElementsEqual(mine, expect.data(), count)) << "on target";
    std::vector<T> got(count);
    for (int t = 0; t < n; ++t) {
      std::fill(got.begin(), got.end(), T{});
      EXPECT_EQ(comex_get(blk.at(t), got.data(), static_cast<int>(bytes), t, kWorld),
                COMEX_SUCCESS);
      EXPECT_TRUE(ElementsEqual(got.data(), expect.data(), count)) << "got from target " << t;
    }
  }
}

// All ranks accumulate into the same arrays on every target many times,
// blocking and non-blocking mixed; the sums must be exact.
// GA's ComEx accumulates the whole elements of a block and leaves the bytes of
// a last, partial element alone (GA's comex/testing/shift accumulates 2 and 4
// bytes of doubles); so does comex-mt, for contiguous, strided and vector calls.
TEST(Accumulate, PartialElementsLeftAlone) {
  const int me = WorldRank(), n = WorldSize(), right = (me + 1) % n;
  constexpr int kRows = 3, kRow = 20, kStride = 32;  // a row: 2 doubles and 4 bytes
  SharedBlock blk(3 * kRows * kStride);
  std::memset(blk.mine(), 0x5A, 3 * kRows * kStride);
  MPI_Barrier(WorldComm());
  double src[kRows * kStride / sizeof(double)];
  for (size_t i = 0; i < sizeof src / sizeof *src; ++i) src[i] = double(i + 1);
  const double scale = 1.0;
  // contiguous: 20 bytes at offset 0
  EXPECT_EQ(comex_acc(COMEX_ACC_DBL, const_cast<double *>(&scale), src, blk.at(right), kRow, right,
                      COMEX_GROUP_WORLD),
            COMEX_SUCCESS);
  // 4 bytes: less than one element, nothing moves, and it succeeds
  EXPECT_EQ(comex_acc(COMEX_ACC_DBL, const_cast<double *>(&scale), src, blk.at(right, kRow), 4,
                      right, COMEX_GROUP_WORLD),
            COMEX_SUCCESS);
  // strided: kRows rows of 20 bytes, stride 32, in the second third
  int stride[1] = {kStride}, count[2] = {kRow, kRows};
  EXPECT_EQ(comex_accs(COMEX_ACC_DBL, const_cast<double *>(&scale), src, stride,
                       blk.at(right, kRows * kStride), stride, count, 1, right, COMEX_GROUP_WORLD),
            COMEX_SUCCESS);
  // vector: the same rows in the last third
  void *vs[kRows], *vd[kRows];
  for (int r = 0; r < kRows; ++r) {
    vs[r] = reinterpret_cast<char *>(src) + r * kStride;
    vd[r] = blk.at(right, 2 * kRows * kStride + r * kStride);
  }
  comex_giov_t g{vs, vd, kRows, kRow};
  EXPECT_EQ(
      comex_accv(COMEX_ACC_DBL, const_cast<double *>(&scale), &g, 1, right, COMEX_GROUP_WORLD),
      COMEX_SUCCESS);
  EXPECT_EQ(comex_fence_all(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  MPI_Barrier(WorldComm());
  // Every row: its two doubles are 0x5A5A... + src, its last 4 bytes and the
  // gap up to the stride still 0x5A.
  double base;
  std::memset(&base, 0x5A, sizeof base);
  for (int part = 0; part < 3; ++part)
    for (int r = 0; r < (part == 0 ? 1 : kRows); ++r) {
      const uint8_t *row = blk.mine() + part * kRows * kStride + r * kStride;
      for (int e = 0; e < 2; ++e) {
        double got;
        std::memcpy(&got, row + e * sizeof(double), sizeof got);
        const double want = base + src[(part == 0 ? 0 : r * kStride / sizeof(double)) + e];
        EXPECT_EQ(got, want) << "part " << part << " row " << r << " element " << e;
      }
      EXPECT_TRUE(AllBytesAre(row + 16, kStride - 16, 0x5A)) << "part " << part << " row " << r;
    }
  MPI_Barrier(WorldComm());
}

TEST(Accumulate, ConcurrentManyTimes) {
  const int me = WorldRank(), n = WorldSize();
  const int kIters = 200;
  const size_t kCount = 256;
  SharedBlock iblk(kCount * sizeof(int));
  SharedBlock dblk(kCount * sizeof(double));
  ASSERT_TRUE(iblk.ok() && dblk.ok());
  int *imine = reinterpret_cast<int *>(iblk.mine());
  double *dmine = reinterpret_cast<double *>(dblk.mine());
  for (size_t i = 0; i < kCount; ++i) {
    imine[i] = static_cast<int>(i);
    dmine[i] = -static_cast<double>(i);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<int> isrc(kCount);
  std::vector<double> dsrc(kCount);
  for (size_t i = 0; i < kCount; ++i) {
    isrc[i] = static_cast<int>(SmallValue(me, i, 7));
    dsrc[i] = 0.25 * SmallValue(me, i, 8);
  }
  int iscale = 3;
  double dscale = 2.0;
  const int ibytes = static_cast<int>(kCount * sizeof(int));
  const int dbytes = static_cast<int>(kCount * sizeof(double));
  int failures = 0;
  for (int it = 0; it < kIters; ++it) {
    for (int k = 0; k < n; ++k) {
      const int t = (me + k + it) % n;
      comex_request_t h;
      if ((it + k) % 2 == 0) {
        failures += comex_acc(COMEX_ACC_INT, &iscale, isrc.data(), iblk.at(t), ibytes, t, kWorld) !=
                    COMEX_SUCCESS;
        failures += comex_nbacc(COMEX_ACC_DBL, &dscale, dsrc.data(), dblk.at(t), dbytes, t, kWorld,
                                &h) != COMEX_SUCCESS;
      } else {
        failures += comex_nbacc(COMEX_ACC_INT, &iscale, isrc.data(), iblk.at(t), ibytes, t, kWorld,
                                &h) != COMEX_SUCCESS;
        failures += comex_acc(COMEX_ACC_DBL, &dscale, dsrc.data(), dblk.at(t), dbytes, t, kWorld) !=
                    COMEX_SUCCESS;
      }
      // Handles are dropped on purpose; comex_wait_all collects them.
    }
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<int> iexp(kCount);
  std::vector<double> dexp(kCount);
  for (size_t i = 0; i < kCount; ++i) {
    long isum = 0;
    double dsum = 0;
    for (int o = 0; o < n; ++o) {
      isum += SmallValue(o, i, 7);
      dsum += 0.25 * SmallValue(o, i, 8);
    }
    iexp[i] = static_cast<int>(i + kIters * iscale * isum);
    dexp[i] = -static_cast<double>(i) + kIters * dscale * dsum;
  }
  EXPECT_TRUE(ElementsEqual(imine, iexp.data(), kCount)) << "int sums";
  EXPECT_TRUE(ElementsEqual(dmine, dexp.data(), kCount)) << "double sums";
}

// ---------------------------------------------------------------------------
// Read-modify-write
// ---------------------------------------------------------------------------

// The values, sorted, are exactly base, base + step, ..., each once.
::testing::AssertionResult EachOnce(std::vector<long> values, long base, long step, size_t count) {
  if (values.size() != count)
    return ::testing::AssertionFailure() << values.size() << " values, expected " << count;
  std::sort(values.begin(), values.end());
  std::vector<long> expect(count);
  for (size_t v = 0; v < count; ++v) expect[v] = base + step * long(v);
  return ElementsEqual(values.data(), expect.data(), count);
}

// Old values returned to one origin by one target must increase (operations
// from one origin to one target are applied in order).
::testing::AssertionResult Increasing(const std::vector<long> &values) {
  for (size_t k = 1; k < values.size(); ++k)
    if (values[k] <= values[k - 1])
      return ::testing::AssertionFailure()
             << "old value " << values[k] << " after " << values[k - 1];
  return ::testing::AssertionSuccess();
}

constexpr long kLongBase = 1L << 40;  // long counters start beyond 32 bits
constexpr int kLongStep = 3;

// Block of two counters: a long at offset 0, an int at offset 8.
void InitCounters(SharedBlock &blk) {
  long *mine = reinterpret_cast<long *>(blk.mine());
  mine[0] = kLongBase;
  mine[1] = 0;
}
int *IntCounter(const SharedBlock &blk) {
  return reinterpret_cast<int *>(blk.mine() + sizeof(long));
}
long *LongCounter(const SharedBlock &blk) { return reinterpret_cast<long *>(blk.mine()); }

// All ranks (the owner too, locally) add to one int and one long counter on
// rank 0 many times; the old values returned are 0 .. total-1 (times the
// step) each exactly once.
TEST(Rmw, FetchAndAddOneCounterFromAll) {
  const int me = WorldRank(), n = WorldSize();
  const int kOps = 200;
  SharedBlock blk(2 * sizeof(long));
  ASSERT_TRUE(blk.ok());
  InitCounters(blk);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<long> iold(kOps, -1), lold(kOps, -1);
  int failures = 0;
  for (int j = 0; j < kOps; ++j) {
    int iv = -1;
    failures +=
        comex_rmw(COMEX_FETCH_AND_ADD, &iv, blk.at(0, sizeof(long)), 1, 0, kWorld) != COMEX_SUCCESS;
    failures += comex_rmw(COMEX_FETCH_AND_ADD_LONG, &lold[j], blk.at(0), kLongStep, 0, kWorld) !=
                COMEX_SUCCESS;
    iold[j] = iv;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_TRUE(Increasing(iold)) << "int";
  EXPECT_TRUE(Increasing(lold)) << "long";
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  const std::vector<long> iall = AllGather(iold, WorldComm());
  const std::vector<long> lall = AllGather(lold, WorldComm());
  if (me == 0) {
    const size_t total = size_t(n) * kOps;
    EXPECT_TRUE(EachOnce(iall, 0, 1, total)) << "int old values";
    EXPECT_TRUE(EachOnce(lall, kLongBase, kLongStep, total)) << "long old values";
    EXPECT_EQ(*IntCounter(blk), long(total));
    EXPECT_EQ(*LongCounter(blk), kLongBase + kLongStep * long(total));
  }
}

// Every rank adds to the counters of every rank (round robin), so every
// target serves all origins at once; per target the same guarantees hold.
TEST(Rmw, FetchAndAddEveryTarget) {
  const int me = WorldRank(), n = WorldSize();
  const int kOpsPerOrigin = 96;  // a multiple of 1, 2, 3 and 4
  SharedBlock blk(2 * sizeof(long));
  ASSERT_TRUE(blk.ok());
  InitCounters(blk);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // iold[t], lold[t]: this origin's old values from target t.
  std::vector<std::vector<long>> iold(n), lold(n);
  int failures = 0;
  for (int j = 0; j < kOpsPerOrigin; ++j) {
    const int t = (me + j) % n;
    int iv = -1;
    long lv = -1;
    failures +=
        comex_rmw(COMEX_FETCH_AND_ADD, &iv, blk.at(t, sizeof(long)), 1, t, kWorld) != COMEX_SUCCESS;
    failures +=
        comex_rmw(COMEX_FETCH_AND_ADD_LONG, &lv, blk.at(t), kLongStep, t, kWorld) != COMEX_SUCCESS;
    iold[t].push_back(iv);
    lold[t].push_back(lv);
  }
  EXPECT_EQ(failures, 0);
  for (int t = 0; t < n; ++t) {
    EXPECT_TRUE(Increasing(iold[t])) << "int, target " << t;
    EXPECT_TRUE(Increasing(lold[t])) << "long, target " << t;
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Every target sees kOpsPerOrigin / n operations from each origin.
  const size_t total = kOpsPerOrigin;
  EXPECT_EQ(*IntCounter(blk), long(total));
  EXPECT_EQ(*LongCounter(blk), kLongBase + kLongStep * long(total));
  for (int t = 0; t < n; ++t) {
    const std::vector<long> iall = AllGather(iold[t], WorldComm());
    const std::vector<long> lall = AllGather(lold[t], WorldComm());
    if (me == t) {
      EXPECT_TRUE(EachOnce(iall, 0, 1, total)) << "int old values";
      EXPECT_TRUE(EachOnce(lall, kLongBase, kLongStep, total)) << "long old values";
    }
  }
}

// Swap exchanges *ploc and *prem: first each origin with its own slot on
// every target, then everyone on one shared location (nothing lost or
// duplicated).
TEST(Rmw, SwapSemantics) {
  const int me = WorldRank(), n = WorldSize();
  // Layout: n int slots, then n long slots, then one shared int and long.
  const size_t ioff = 0, loff = 8 * n, shared_i = 16 * n, shared_l = 16 * n + 8;
  SharedBlock blk(16 * n + 16);
  ASSERT_TRUE(blk.ok());
  for (int o = 0; o < n; ++o) {
    *reinterpret_cast<int *>(blk.mine() + ioff + 4 * o) = me * 100 + o;
    *reinterpret_cast<long *>(blk.mine() + loff + 8 * o) = (static_cast<long>(me) << 36) + o;
  }
  *reinterpret_cast<int *>(blk.mine() + shared_i) = -1;
  *reinterpret_cast<long *>(blk.mine() + shared_l) = -(1L << 40);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  for (int t = 0; t < n; ++t) {
    int iv = 5000 + me * 10 + t;
    long lv = (7L << 40) + me * 10 + t;
    EXPECT_EQ(comex_rmw(COMEX_SWAP, &iv, blk.at(t, ioff + 4 * me), 0, t, kWorld), COMEX_SUCCESS);
    EXPECT_EQ(comex_rmw(COMEX_SWAP_LONG, &lv, blk.at(t, loff + 8 * me), 0, t, kWorld),
              COMEX_SUCCESS);
    EXPECT_EQ(iv, t * 100 + me) << "old int from target " << t;
    EXPECT_EQ(lv, (static_cast<long>(t) << 36) + me) << "old long from target " << t;
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (int o = 0; o < n; ++o) {
    EXPECT_EQ(*reinterpret_cast<int *>(blk.mine() + ioff + 4 * o), 5000 + o * 10 + me);
    EXPECT_EQ(*reinterpret_cast<long *>(blk.mine() + loff + 8 * o), (7L << 40) + o * 10 + me);
  }

  // Everyone swaps distinct values into rank 0's shared location.
  const int kSwaps = 32;
  std::vector<long> got(2 * kSwaps);
  for (int s = 0; s < kSwaps; ++s) {
    int iv = me * 1000 + s;
    long lv = (static_cast<long>(me) << 40) + s;
    EXPECT_EQ(comex_rmw(COMEX_SWAP, &iv, blk.at(0, shared_i), 0, 0, kWorld), COMEX_SUCCESS);
    EXPECT_EQ(comex_rmw(COMEX_SWAP_LONG, &lv, blk.at(0, shared_l), 0, 0, kWorld), COMEX_SUCCESS);
    got[2 * s] = iv;
    got[2 * s + 1] = lv;
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<long> all = AllGather(got, WorldComm());
  if (me == 0) {
    // Returned values plus the final one = initial value plus every value
    // swapped in, each exactly once.
    std::vector<long> iseen{*reinterpret_cast<int *>(blk.mine() + shared_i)};
    std::vector<long> lseen{*reinterpret_cast<long *>(blk.mine() + shared_l)};
    for (size_t k = 0; k < all.size(); k += 2) {
      iseen.push_back(all[k]);
      lseen.push_back(all[k + 1]);
    }
    std::vector<long> iexp{-1}, lexp{-(1L << 40)};
    for (int o = 0; o < n; ++o)
      for (int s = 0; s < kSwaps; ++s) {
        iexp.push_back(o * 1000 + s);
        lexp.push_back((static_cast<long>(o) << 40) + s);
      }
    std::sort(iseen.begin(), iseen.end());
    std::sort(lseen.begin(), lseen.end());
    std::sort(iexp.begin(), iexp.end());
    std::sort(lexp.begin(), lexp.end());
    ASSERT_EQ(iseen.size(), iexp.size());
    EXPECT_TRUE(ElementsEqual(iseen.data(), iexp.data(), iexp.size())) << "int swap values";
    EXPECT_TRUE(ElementsEqual(lseen.data(), lexp.data(), lexp.size())) << "long swap values";
  }
}

// ---------------------------------------------------------------------------
// Non-blocking: more operations in flight than the handle pool holds
// ---------------------------------------------------------------------------

TEST(NonBlocking, MoreInFlightThanPool) {
  const int me = WorldRank(), n = WorldSize();
  const int kOps = 1000;  // COMEX_MAX_NB_OUTSTANDING defaults to 256
  const size_t kChunk = 24;
  // Target block: chunk (o, j) at (o * kOps + j) * kChunk.
  SharedBlock blk(n * kOps * kChunk);
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<uint8_t> src(kOps * kChunk);
  for (int j = 0; j < kOps; ++j) FillPattern(&src[j * kChunk], kChunk, me, (me + j) % n, j);
  std::vector<comex_request_t> h(kOps);
  int failures = 0;
  for (int j = 0; j < kOps; ++j) {
    const int t = (me + j) % n;
    failures += comex_nbput(&src[j * kChunk], blk.at(t, (me * kOps + j) * kChunk), kChunk, t,
                            kWorld, &h[j]) != COMEX_SUCCESS;
  }
  EXPECT_EQ(failures, 0);
  // Most of these were completed internally to free pool slots; waiting on
  // them must still succeed.
  for (int j = 0; j < kOps; ++j) failures += comex_wait(&h[j]) != COMEX_SUCCESS;
  EXPECT_EQ(failures, 0) << "comex_wait on put handles";
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  int bad_chunks = 0;
  for (int o = 0; o < n; ++o)
    for (int j = 0; j < kOps; ++j) {
      if ((o + j) % n != me) continue;
      ::testing::AssertionResult r =
          MatchesPattern(blk.mine() + (o * kOps + j) * kChunk, kChunk, o, me, j);
      if (!r && bad_chunks++ == 0)
        ADD_FAILURE() << "chunk " << j << " from origin " << o << ": " << r.message();
    }
  EXPECT_EQ(bad_chunks, 0);

  std::vector<uint8_t> dst(kOps * kChunk, 0);
  failures = 0;
  for (int j = 0; j < kOps; ++j) {
    const int t = (me + j) % n;
    failures += comex_nbget(blk.at(t, (me * kOps + j) * kChunk), &dst[j * kChunk], kChunk, t,
                            kWorld, &h[j]) != COMEX_SUCCESS;
  }
  EXPECT_EQ(failures, 0);
  for (int j = 0; j < kOps; ++j) failures += comex_wait(&h[j]) != COMEX_SUCCESS;
  EXPECT_EQ(failures, 0) << "comex_wait on get handles";
  EXPECT_TRUE(BytesEqual(dst.data(), src.data(), dst.size()));
}

// comex_test alone (no wait) must drive an nbget to completion.
TEST(NonBlocking, TestLoopCompletesGet) {
  const int me = WorldRank(), n = WorldSize();
  for (size_t size : {size_t{8}, size_t{65536}, size_t{1u << 20}}) {
    SharedBlock blk(size);
    ASSERT_TRUE(blk.ok());
    FillPattern(blk.mine(), size, me, me, 20);
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    const int t = (me + 1) % n;
    std::vector<uint8_t> dst(size, 0);
    comex_request_t h;
    if (comex_nbget(blk.at(t), dst.data(), static_cast<int>(size), t, kWorld, &h) !=
        COMEX_SUCCESS) {
      ADD_FAILURE() << "comex_nbget of " << size << " bytes failed";
      continue;  // not return: the next round is collective
    }
    EXPECT_TRUE(TestUntilDone(&h)) << size << " bytes";
    EXPECT_TRUE(MatchesPattern(dst.data(), size, t, t, 20)) << size << " bytes";
  }
}

// ---------------------------------------------------------------------------
// Ordering and fences
// ---------------------------------------------------------------------------

// From one origin to one target, operations apply in issue order: a large put
// then a small put over its start, repeated, then a get sees the last ones;
// puts of increasing values then a get sees the last; put then acc then get.
TEST(Ordering, SameOriginSameTarget) {
  const int me = WorldRank(), n = WorldSize();
  const int t = (me + 1) % n;
  const size_t kBig = 65536;
  const int kRounds = 16;
  SharedBlock blk(n * kBig);
  ASSERT_TRUE(blk.ok());
  void *slot = blk.at(t, me * kBig);

  std::vector<std::vector<uint8_t>> big(kRounds, std::vector<uint8_t>(kBig));
  std::vector<long> small(kRounds);
  std::vector<comex_request_t> h(2 * kRounds);
  for (int r = 0; r < kRounds; ++r) {
    std::fill(big[r].begin(), big[r].end(), static_cast<uint8_t>(r + 1));
    small[r] = 1000 + r;
    EXPECT_EQ(comex_nbput(big[r].data(), slot, kBig, t, kWorld, &h[2 * r]), COMEX_SUCCESS);
    EXPECT_EQ(comex_nbput(&small[r], slot, sizeof(long), t, kWorld, &h[2 * r + 1]), COMEX_SUCCESS);
  }
  std::vector<uint8_t> got(kBig, 0);
  EXPECT_EQ(comex_get(slot, got.data(), kBig, t, kWorld), COMEX_SUCCESS);
  long first = 0;
  std::memcpy(&first, got.data(), sizeof(long));
  EXPECT_EQ(first, 1000 + kRounds - 1) << "small put overtaken by a large one";
  EXPECT_TRUE(
      AllBytesAre(got.data() + sizeof(long), kBig - sizeof(long), static_cast<uint8_t>(kRounds)));
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);

  // Blocking puts of increasing values to one location.
  std::vector<int> values(200);
  std::iota(values.begin(), values.end(), 1);
  for (int &v : values) EXPECT_EQ(comex_put(&v, slot, sizeof(int), t, kWorld), COMEX_SUCCESS);
  int last = 0;
  EXPECT_EQ(comex_get(slot, &last, sizeof(int), t, kWorld), COMEX_SUCCESS);
  EXPECT_EQ(last, 200);

  // put, accumulate, get (mixed kinds, non-blocking).
  int scale = 1;
  for (int r = 0; r < 10; ++r) {
    int base = 100 * r, add = r + 1, seen = -1;
    comex_request_t hp, ha;
    EXPECT_EQ(comex_nbput(&base, slot, sizeof(int), t, kWorld, &hp), COMEX_SUCCESS);
    EXPECT_EQ(comex_nbacc(COMEX_ACC_INT, &scale, &add, slot, sizeof(int), t, kWorld, &ha),
              COMEX_SUCCESS);
    EXPECT_EQ(comex_get(slot, &seen, sizeof(int), t, kWorld), COMEX_SUCCESS);
    EXPECT_EQ(seen, 100 * r + r + 1) << "round " << r;
    EXPECT_EQ(comex_wait(&hp), COMEX_SUCCESS);
    EXPECT_EQ(comex_wait(&ha), COMEX_SUCCESS);
  }
}

// Rank 0 writes data to rank 1, fences, then sets a flag on rank 2. When rank 2
// sees the flag, the data on rank 1 must be complete.  Each round uses its
// own data slot so rank 0 never waits.
void FenceSeenByThirdRank(bool fence_all) {
  const int me = WorldRank(), n = WorldSize();
  const int kRounds = 20;
  const size_t kData = 65536 + 8;  // past the eager limit
  const size_t kFlagOff = kRounds * kData, kCounterOff = kFlagOff + 8;
  SharedBlock blk(kRounds * kData + 16);
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  // The fence_all variant also writes to rank 3 when there is one.
  const int extra = (fence_all && n >= 4) ? 3 : -1;

  if (me == 0) {
    std::vector<std::vector<uint8_t>> data(kRounds);
    int one = 1, scale = 1;
    for (int r = 0; r < kRounds; ++r) {
      data[r] = PatternVector(kData, 0, 1, 30 + r);
      comex_request_t h;
      EXPECT_EQ(comex_nbput(data[r].data(), blk.at(1, r * kData), kData, 1, kWorld, &h),
                COMEX_SUCCESS);
      EXPECT_EQ(
          comex_acc(COMEX_ACC_INT, &scale, &one, blk.at(1, kCounterOff), sizeof(int), 1, kWorld),
          COMEX_SUCCESS);
      if (extra >= 0) {
        EXPECT_EQ(comex_put(data[r].data(), blk.at(extra, r * kData), kData, extra, kWorld),
                  COMEX_SUCCESS);
      }
      if (fence_all) {
        EXPECT_EQ(comex_fence_all(kWorld), COMEX_SUCCESS);
      } else {
        EXPECT_EQ(comex_fence_proc(1, kWorld), COMEX_SUCCESS);
      }
      int flag = r + 1;
      EXPECT_EQ(comex_put(&flag, blk.at(2, kFlagOff), sizeof(int), 2, kWorld), COMEX_SUCCESS);
    }
    EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  } else if (me == 2) {
    volatile int *flag = reinterpret_cast<volatile int *>(blk.mine() + kFlagOff);
    std::vector<uint8_t> got(kData);
    for (int r = 0; r < kRounds; ++r) {
      int seen = 0;
      bool ok = WaitUntil(
          [&] {
            if (fence_all) {  // read my own memory through ComEx
              EXPECT_EQ(comex_get(blk.at(2, kFlagOff), &seen, sizeof(int), 2, kWorld),
                        COMEX_SUCCESS);
            } else {
              seen = *flag;
            }
            return seen > r;
          },
          kSpinSeconds);
      if (!ok) {  // no early return: the barrier below is collective
        ADD_FAILURE() << "flag for round " << r << " never arrived";
        break;
      }
      std::fill(got.begin(), got.end(), 0);
      EXPECT_EQ(comex_get(blk.at(1, r * kData), got.data(), kData, 1, kWorld), COMEX_SUCCESS);
      EXPECT_TRUE(MatchesPattern(got.data(), kData, 0, 1, 30 + r))
          << "round " << r << ": data on rank 1 incomplete after the flag";
      int counter = -1;
      EXPECT_EQ(comex_get(blk.at(1, kCounterOff), &counter, sizeof(int), 1, kWorld), COMEX_SUCCESS);
      EXPECT_GE(counter, r + 1) << "round " << r << ": accumulate not fenced";
      if (extra >= 0) {
        std::fill(got.begin(), got.end(), 0);
        EXPECT_EQ(comex_get(blk.at(extra, r * kData), got.data(), kData, extra, kWorld),
                  COMEX_SUCCESS);
        EXPECT_TRUE(MatchesPattern(got.data(), kData, 0, 1, 30 + r))
            << "round " << r << ": data on rank " << extra << " incomplete";
      }
    }
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  if (me == 1) {
    EXPECT_EQ(*reinterpret_cast<int *>(blk.mine() + kCounterOff), kRounds);
  }
}

TEST(Fence, ProcOrderingSeenByThirdRank) {
  if (WorldSize() < 3) GTEST_SKIP() << "needs 3 ranks";
  FenceSeenByThirdRank(false);
}

TEST(Fence, AllOrderingSeenByThirdRank) {
  if (WorldSize() < 3) GTEST_SKIP() << "needs 3 ranks";
  FenceSeenByThirdRank(true);
}

// ---------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------

// Checks a group whose member i is world rank world[i], then moves data
// between all its members addressed by group rank.  Collective over the
// group's members only.
void ExerciseGroup(comex_group_t g, const std::vector<int> &world) {
  const int me_world = WorldRank(), n_world = WorldSize();
  const int m = static_cast<int>(world.size());
  const int me = static_cast<int>(std::find(world.begin(), world.end(), me_world) - world.begin());
  ASSERT_LT(me, m) << "not a member";

  int rank = -1, size = -1;
  EXPECT_EQ(comex_group_rank(g, &rank), COMEX_SUCCESS);
  EXPECT_EQ(comex_group_size(g, &size), COMEX_SUCCESS);
  EXPECT_EQ(rank, me);
  EXPECT_EQ(size, m);
  MPI_Comm comm = MPI_COMM_NULL;
  ASSERT_EQ(comex_group_comm(g, &comm), COMEX_SUCCESS);
  ASSERT_NE(comm, MPI_COMM_NULL);
  int crank = -1, csize = -1;
  MPI_Comm_rank(comm, &crank);
  MPI_Comm_size(comm, &csize);
  EXPECT_EQ(crank, me);
  EXPECT_EQ(csize, m);

  for (int i = 0; i < m; ++i) {
    int w = -1;
    EXPECT_EQ(comex_group_translate_world(g, i, &w), COMEX_SUCCESS);
    EXPECT_EQ(w, world[i]) << "group rank " << i;
  }
  std::vector<int> gr(m), out(m, -7);
  std::iota(gr.begin(), gr.end(), 0);
  EXPECT_EQ(comex_group_translate_ranks(m, g, gr.data(), COMEX_GROUP_WORLD, out.data()),
            COMEX_SUCCESS);
  EXPECT_EQ(out, world);
  std::vector<int> wr(n_world), back(n_world, -7), expect(n_world, MPI_UNDEFINED);
  std::iota(wr.begin(), wr.end(), 0);
  for (int i = 0; i < m; ++i) expect[world[i]] = i;
  EXPECT_EQ(comex_group_translate_ranks(n_world, COMEX_GROUP_WORLD, wr.data(), g, back.data()),
            COMEX_SUCCESS);
  EXPECT_EQ(back, expect);

  // Data: member p's block has a slot per member; the pattern names world
  // ranks, so a wrong group-to-world translation is caught.
  const size_t kSlot = 10000 + 1;
  const size_t kCounters = (m * kSlot + 7) & ~size_t{7};  // aligned ints
  SharedBlock blk(kCounters + m * sizeof(int), g);
  ASSERT_TRUE(blk.ok());
  int *counters = reinterpret_cast<int *>(blk.mine() + kCounters);
  for (int i = 0; i < m; ++i) counters[i] = 0;
  EXPECT_EQ(comex_barrier(g), COMEX_SUCCESS);
  std::vector<std::vector<uint8_t>> src(m);
  int scale = 2;
  for (int k = 0; k < m; ++k) {
    const int p = (me + k) % m;
    src[p] = PatternVector(kSlot, me_world, world[p], 40);
    EXPECT_EQ(comex_put(src[p].data(), blk.at(p, me * kSlot), kSlot, p, g), COMEX_SUCCESS);
    // Everyone adds its world rank + 1 (times 2) to counter p on member p.
    int val = me_world + 1;
    for (int q = 0; q < m; ++q) {
      EXPECT_EQ(comex_acc(COMEX_ACC_INT, &scale, &val, blk.at(p, kCounters + q * sizeof(int)),
                          sizeof(int), p, g),
                COMEX_SUCCESS);
    }
  }
  EXPECT_EQ(comex_barrier(g), COMEX_SUCCESS);
  int sum = 0;
  for (int w : world) sum += 2 * (w + 1);
  for (int q = 0; q < m; ++q) {
    EXPECT_TRUE(MatchesPattern(blk.mine() + q * kSlot, kSlot, world[q], me_world, 40))
        << "slot of group rank " << q;
    EXPECT_EQ(counters[q], sum) << "counter " << q;
  }
  std::vector<uint8_t> got(kSlot);
  for (int p = 0; p < m; ++p) {
    std::fill(got.begin(), got.end(), 0);
    EXPECT_EQ(comex_get(blk.at(p, me * kSlot), got.data(), kSlot, p, g), COMEX_SUCCESS);
    EXPECT_TRUE(MatchesPattern(got.data(), kSlot, me_world, world[p], 40))
        << "get from group rank " << p;
  }
}

TEST(Groups, EvenRanks) {
  const int me = WorldRank(), n = WorldSize();
  std::vector<int> evens;
  for (int w = 0; w < n; w += 2) evens.push_back(w);
  if (me % 2 == 0) {
    comex_group_t g = COMEX_GROUP_NULL;
    std::vector<int> list = evens;
    ASSERT_EQ(comex_group_create(static_cast<int>(list.size()), list.data(), COMEX_GROUP_WORLD, &g),
              COMEX_SUCCESS);
    EXPECT_EQ(list, evens) << "comex_group_create changed pid_list";
    EXPECT_NE(g, COMEX_GROUP_WORLD);
    EXPECT_NE(g, COMEX_GROUP_NULL);
    ExerciseGroup(g, evens);
    EXPECT_EQ(comex_barrier(g), COMEX_SUCCESS);
    EXPECT_EQ(comex_group_free(g), COMEX_SUCCESS);
  }
  EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
}

// GA creates a group from every rank of the parent: a rank outside pid_list
// succeeds, takes no part, and gets COMEX_GROUP_NULL; the members' group works.
TEST(Groups, NonMembersCallToo) {
  const int me = WorldRank(), n = WorldSize();
  std::vector<int> evens;
  for (int w = 0; w < n; w += 2) evens.push_back(w);
  comex_group_t g = 12345;
  ASSERT_EQ(comex_group_create(static_cast<int>(evens.size()), evens.data(), COMEX_GROUP_WORLD, &g),
            COMEX_SUCCESS);
  if (me % 2 == 0) {
    ASSERT_NE(g, COMEX_GROUP_NULL);
    ExerciseGroup(g, evens);
    EXPECT_EQ(comex_barrier(g), COMEX_SUCCESS);
    EXPECT_EQ(comex_group_free(g), COMEX_SUCCESS);
  } else {
    EXPECT_EQ(g, COMEX_GROUP_NULL);
  }
  EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
}

// Group ranks follow the order of pid_list; a subgroup is named by ranks of
// its parent group.
TEST(Groups, ReversedOrderAndSubgroup) {
  const int me = WorldRank(), n = WorldSize();
  std::vector<int> rev(n);
  for (int i = 0; i < n; ++i) rev[i] = n - 1 - i;
  comex_group_t g = COMEX_GROUP_NULL;
  std::vector<int> list = rev;
  ASSERT_EQ(comex_group_create(n, list.data(), COMEX_GROUP_WORLD, &g), COMEX_SUCCESS);
  EXPECT_EQ(list, rev) << "comex_group_create changed pid_list";
  ExerciseGroup(g, rev);

  // Members 2 and 0 of the reversed group, in that order (member 0 alone
  // with fewer than 3 ranks).
  std::vector<int> parent_ranks{0};
  if (n >= 3) parent_ranks.insert(parent_ranks.begin(), 2);
  std::vector<int> sub_world;
  for (int r : parent_ranks) sub_world.push_back(rev[r]);
  int grank = -1;
  comex_group_rank(g, &grank);
  if (std::find(parent_ranks.begin(), parent_ranks.end(), grank) != parent_ranks.end()) {
    comex_group_t sub = COMEX_GROUP_NULL;
    std::vector<int> sub_list = parent_ranks;
    ASSERT_EQ(comex_group_create(static_cast<int>(sub_list.size()), sub_list.data(), g, &sub),
              COMEX_SUCCESS);
    ExerciseGroup(sub, sub_world);
    // Translation between the two groups.
    std::vector<int> subr(sub_world.size()), out(sub_world.size(), -7);
    std::iota(subr.begin(), subr.end(), 0);
    EXPECT_EQ(
        comex_group_translate_ranks(static_cast<int>(subr.size()), sub, subr.data(), g, out.data()),
        COMEX_SUCCESS);
    EXPECT_EQ(out, parent_ranks);
    EXPECT_EQ(comex_group_free(sub), COMEX_SUCCESS);
  }
  EXPECT_EQ(comex_barrier(g), COMEX_SUCCESS);
  EXPECT_EQ(comex_group_free(g), COMEX_SUCCESS);
  EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  (void)me;
}

// Every rank creates its own one-member group at the same time.
TEST(Groups, SingletonPerRank) {
  int me = WorldRank();
  comex_group_t g = COMEX_GROUP_NULL;
  ASSERT_EQ(comex_group_create(1, &me, COMEX_GROUP_WORLD, &g), COMEX_SUCCESS);
  ExerciseGroup(g, {me});
  EXPECT_EQ(comex_group_free(g), COMEX_SUCCESS);
}

// ---------------------------------------------------------------------------
// Allocation
// ---------------------------------------------------------------------------

// Rank r allocates (r+1)*1000 bytes, except the last rank (when there are
// several) which allocates nothing.
size_t UnevenBytes(int r, int n) {
  return (n > 1 && r == n - 1) ? 0 : static_cast<size_t>(r + 1) * 1000;
}

// Everyone's ptr_arr agrees with what each owner reports, and NULL exactly
// for zero-size blocks.
void ExpectPointersAgree(const SharedBlock &blk, const std::vector<size_t> &bytes) {
  const int me = WorldRank(), n = WorldSize();
  std::vector<uintptr_t> own{reinterpret_cast<uintptr_t>(blk.ptrs()[me])};
  std::vector<uintptr_t> all = AllGather(own, WorldComm());
  for (int r = 0; r < n; ++r) {
    EXPECT_EQ(reinterpret_cast<uintptr_t>(blk.ptrs()[r]), all[r])
        << "ptr_arr[" << r << "] differs from what rank " << r << " holds";
    EXPECT_EQ(blk.ptrs()[r] == nullptr, bytes[r] == 0) << "rank " << r;
  }
}

TEST(Allocation, UnevenWithZeroAndEdges) {
  const int me = WorldRank(), n = WorldSize();
  std::vector<size_t> bytes(n);
  for (int r = 0; r < n; ++r) bytes[r] = UnevenBytes(r, n);
  SharedBlock blk(bytes[me]);
  ASSERT_TRUE(blk.ok());
  ExpectPointersAgree(blk, bytes);
  if (bytes[me] > 0) std::memset(blk.mine(), 0xEE, bytes[me]);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Origin o writes byte o and byte len-1-o of every non-empty block (origin
  // 0 the very first and last byte).
  for (int k = 0; k < n; ++k) {
    const int t = (me + k) % n;
    if (bytes[t] == 0) continue;
    uint8_t head = Pattern(me, t, 50, 0), tail = Pattern(me, t, 51, 0);
    EXPECT_EQ(comex_put(&head, blk.at(t, me), 1, t, kWorld), COMEX_SUCCESS);
    EXPECT_EQ(comex_put(&tail, blk.at(t, bytes[t] - 1 - me), 1, t, kWorld), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  if (bytes[me] > 0) {
    std::vector<uint8_t> expect(bytes[me], 0xEE);
    for (int o = 0; o < n; ++o) {
      expect[o] = Pattern(o, me, 50, 0);
      expect[bytes[me] - 1 - o] = Pattern(o, me, 51, 0);
    }
    EXPECT_TRUE(BytesEqual(blk.mine(), expect.data(), bytes[me]));
  }
  // Every origin reads every non-empty block whole, and its edge bytes alone.
  for (int t = 0; t < n; ++t) {
    if (bytes[t] == 0) continue;
    std::vector<uint8_t> expect(bytes[t], 0xEE), got(bytes[t], 0);
    for (int o = 0; o < n; ++o) {
      expect[o] = Pattern(o, t, 50, 0);
      expect[bytes[t] - 1 - o] = Pattern(o, t, 51, 0);
    }
    EXPECT_EQ(comex_get(blk.at(t), got.data(), static_cast<int>(bytes[t]), t, kWorld),
              COMEX_SUCCESS);
    EXPECT_TRUE(BytesEqual(got.data(), expect.data(), bytes[t])) << "block of rank " << t;
    uint8_t first = 0, last = 0;
    EXPECT_EQ(comex_get(blk.at(t), &first, 1, t, kWorld), COMEX_SUCCESS);
    EXPECT_EQ(comex_get(blk.at(t, bytes[t] - 1), &last, 1, t, kWorld), COMEX_SUCCESS);
    EXPECT_EQ(first, expect.front()) << "first byte of rank " << t;
    EXPECT_EQ(last, expect.back()) << "last byte of rank " << t;
  }
}

TEST(Allocation, AllZeroSize) {
  const int n = WorldSize();
  SharedBlock blk(0);
  ASSERT_TRUE(blk.ok());
  ExpectPointersAgree(blk, std::vector<size_t>(n, 0));
}

// Three allocations live at once, each written by everyone, then freed out
// of order; the survivors keep working.
TEST(Allocation, SeveralLiveAtOnce) {
  const int me = WorldRank(), n = WorldSize();
  // Per origin slot sizes; the middle one differs between ranks.
  const std::vector<size_t> sizes{100, 1000 * static_cast<size_t>(me + 1), 65536};
  std::vector<std::unique_ptr<SharedBlock>> blocks;
  for (size_t s : sizes) blocks.emplace_back(new SharedBlock(s * n));
  for (auto &b : blocks) ASSERT_TRUE(b->ok());

  // Different ranks may allocate different sizes; use the smallest per block
  // as the slot size for every origin.
  auto slot_size = [&](int k) {
    std::vector<size_t> own{sizes[k]};
    std::vector<size_t> all = AllGather(own, WorldComm());
    return *std::min_element(all.begin(), all.end());
  };
  std::vector<size_t> slot(3);
  for (int k = 0; k < 3; ++k) slot[k] = slot_size(k);

  auto write_all = [&](const std::vector<int> &which, int salt) {
    for (int k : which)
      for (int t = 0; t < n; ++t) {
        std::vector<uint8_t> src = PatternVector(slot[k], me, t, salt + k);
        EXPECT_EQ(comex_put(src.data(), blocks[k]->at(t, me * slot[k]), static_cast<int>(slot[k]),
                            t, kWorld),
                  COMEX_SUCCESS);
      }
    EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    for (int k : which)
      for (int o = 0; o < n; ++o)
        EXPECT_TRUE(MatchesPattern(blocks[k]->mine() + o * slot[k], slot[k], o, me, salt + k))
            << "block " << k << " slot " << o;
  };
  write_all({0, 1, 2}, 60);
  blocks[1].reset();  // free the middle one first
  write_all({0, 2}, 70);
  blocks[0].reset();
  write_all({2}, 80);
  blocks[2].reset();
}

TEST(Allocation, MemDevAndLocalBuffers) {
  const int me = WorldRank(), n = WorldSize();
  const size_t kSize = 65536 + 7;
  std::vector<void *> ptrs(n, nullptr);
  ASSERT_EQ(comex_malloc_mem_dev(ptrs.data(), kSize * n, kWorld, "host"), COMEX_SUCCESS);
  for (int r = 0; r < n; ++r) EXPECT_NE(ptrs[r], nullptr);
  uint8_t *mine = static_cast<uint8_t *>(ptrs[me]);

  uint8_t *src = static_cast<uint8_t *>(comex_malloc_local(kSize));
  uint8_t *dst = static_cast<uint8_t *>(comex_malloc_local(kSize));
  // No early return below: the barriers and comex_free_dev are collective.
  const bool buffers = src != nullptr && dst != nullptr;
  EXPECT_TRUE(buffers) << "comex_malloc_local returned NULL";
  for (int t = 0; buffers && t < n; ++t) {
    FillPattern(src, kSize, me, t, 90);
    comex_request_t h;
    EXPECT_EQ(comex_nbput(src, static_cast<uint8_t *>(ptrs[t]) + me * kSize, kSize, t, kWorld, &h),
              COMEX_SUCCESS);
    EXPECT_EQ(comex_wait(&h), COMEX_SUCCESS);
  }
  EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (int o = 0; o < n; ++o)
    EXPECT_TRUE(MatchesPattern(mine + o * kSize, kSize, o, me, 90)) << "slot " << o;
  for (int t = 0; buffers && t < n; ++t) {
    std::memset(dst, 0, kSize);
    EXPECT_EQ(comex_get(static_cast<uint8_t *>(ptrs[t]) + me * kSize, dst, kSize, t, kWorld),
              COMEX_SUCCESS);
    EXPECT_TRUE(MatchesPattern(dst, kSize, me, t, 90)) << "from " << t;
  }
  EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  for (uint8_t *p : {src, dst}) {
    if (p) {
      EXPECT_EQ(comex_free_local(p), COMEX_SUCCESS);
    }
  }
  EXPECT_EQ(comex_free_dev(mine, kWorld), COMEX_SUCCESS);
}

}  // namespace
