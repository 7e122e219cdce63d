// Multi-rank tests of strided transfers: comex_puts/gets/accs and their nb
// forms on random shapes of 0 to 8 stride levels (random counts, padded
// strides, different layouts at origin and target), from every rank to every
// rank (itself included), checked against a local model element by element
// over the whole target block (bytes outside the patch must keep their
// sentinel).  Each origin writes only its own region of each target.  Also
// touching blocks, rows of 32 KiB and more (the block-by-block path), rows of
// 1 to 8 bytes, a transfer beyond INT_MAX bytes (COMEX_TEST_BIG=1 only), and
// every bad-input case (each fails and writes nothing).
//
// The same binary runs in a job with tiny split sizes (COMEX_MAX_MSG_BYTES,
// COMEX_PACK_CHUNK, COMEX_PACK_BUFFER, ...) so that every transfer is cut into
// many pieces and rounds: the 64-bit paths of transfers beyond 2 GiB, scaled
// down.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <complex>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "comex.h"
#include "strided_util.h"
#include "test_util.h"

namespace {

using mpitest::AllBytesAre;
using mpitest::BytesEqual;
using mpitest::ElementsEqual;
using mpitest::FillPattern;
using mpitest::MatchesPattern;
using mpitest::PatternVector;
using mpitest::SharedBlock;
using mpitest::WorldComm;
using mpitest::WorldRank;
using mpitest::WorldSize;
using stridedtest::AccType;
using stridedtest::CompleteVariously;
using stridedtest::DrawShape;
using stridedtest::kWorld;
using stridedtest::MakeRng;
using stridedtest::MulAdd;
using stridedtest::RoundUp;
using stridedtest::Shape;
using stridedtest::ShapeSpec;

// ---------------------------------------------------------------------------
// The shape families
// ---------------------------------------------------------------------------

struct Case {
  int id;
  std::string name;
  ShapeSpec spec;
};

// Printed by GoogleTest for a failing parameterized test.
void PrintTo(const Case &c, std::ostream *os) { *os << c.name; }

std::vector<Case> AllCases() {
  std::vector<Case> cases;
  int id = 0;
  auto add = [&](const std::string &name, ShapeSpec s) { cases.push_back({id++, name, s}); };
  // Random shapes at every level: rows of 1 to 64 bytes, up to 200 (400)
  // blocks.
  for (int l = 0; l <= COMEX_MAX_STRIDE_LEVEL; ++l) {
    ShapeSpec s;
    s.levels = l;
    s.row_min = 1;
    s.row_max = 64;
    s.max_count = l >= 6 ? 3 : 4;
    s.max_blocks = l >= 6 ? 400 : 200;
    s.pad_max = 24;
    add("Random_L" + std::to_string(l), s);
  }
  // Blocks that touch on one side or both (then the whole request is
  // contiguous on that side).
  for (int l : {1, 2, 5, 8}) {
    ShapeSpec s;
    s.levels = l;
    s.row_max = 48;
    s.max_count = 3;
    s.max_blocks = 200;
    s.touch_remote = true;
    add("TouchRemote_L" + std::to_string(l), s);
  }
  {
    ShapeSpec s;
    s.levels = 3;
    s.row_max = 48;
    s.max_count = 4;
    s.touch_local = true;
    add("TouchLocal_L3", s);
    s.levels = 4;
    s.touch_remote = true;
    add("TouchBoth_L4", s);
    s.levels = 8;
    s.max_count = 2;
    add("TouchBoth_L8", s);
  }
  // Rows of at least 32 KiB: moved block by block.
  {
    ShapeSpec s;
    s.levels = 1;
    s.row_min = 32768;
    s.row_max = 40000;
    s.max_count = 3;
    s.max_blocks = 3;
    s.pad_max = 100;
    add("LargeRows_L1", s);
    s.levels = 2;
    s.max_count = 2;
    s.max_blocks = 4;
    add("LargeRows_L2", s);
  }
  // Sizes at the thresholds: a request of exactly 8 KiB (the eager limit)
  // and one byte more; rows of exactly 32 KiB (block by block) and one byte
  // less (packed); rows around 2 KiB (the threshold of the split job).
  {
    ShapeSpec s;
    s.levels = 1;
    s.row_min = s.row_max = 64;
    s.fixed_count = 128;
    add("Exact8K_L1", s);
    s.levels = 0;
    s.row_min = s.row_max = 8193;
    s.fixed_count = 0;
    add("Exact8KPlus1_L0", s);
    s.levels = 1;
    s.row_min = s.row_max = 32768;
    s.fixed_count = 2;
    add("Rows32K_L1", s);
    s.row_min = s.row_max = 32767;
    add("Rows32KMinus1_L1", s);
    s.levels = 2;
    s.row_min = 1500;
    s.row_max = 2600;
    s.fixed_count = 0;
    s.max_count = 3;
    s.max_blocks = 6;
    add("MediumRows_L2", s);
  }
  // Every count 1 (the request is one contiguous row), and sparse rows far
  // apart.
  {
    ShapeSpec s;
    s.levels = 8;
    s.row_min = 50;
    s.row_max = 300;
    s.fixed_count = 1;
    add("AllCountsOne_L8", s);
    s.levels = 2;
    s.row_max = 16;
    s.row_min = 1;
    s.fixed_count = 0;
    s.max_count = 2;
    s.pad_max = 30000;
    add("Sparse_L2", s);
  }
  // Rows of 1 to 8 bytes, many of them.
  {
    ShapeSpec s;
    s.row_min = 1;
    s.row_max = 8;
    s.pad_max = 8;
    s.levels = 1;
    s.max_count = 500;
    s.max_blocks = 500;
    add("TinyRows_L1", s);
    s.levels = 3;
    s.max_count = 12;
    s.max_blocks = 600;
    add("TinyRows_L3", s);
    s.levels = 8;
    s.max_count = 3;
    s.max_blocks = 1000;
    add("TinyRows_L8", s);
  }
  return cases;
}

class Strided : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    me_ = WorldRank();
    n_ = WorldSize();
  }

  // The shape origin o uses towards target t (identical on every rank).
  Shape ShapeFor(int o, int t, int salt, int unit, int align) const {
    auto rng = MakeRng({GetParam().id, o, t, salt, unit});
    return DrawShape(rng, GetParam().spec, unit, align);
  }

  // shapes[o][t] for every pair, and the region size that holds each.
  std::vector<std::vector<Shape>> AllShapes(int salt, int unit, int align, size_t *region) const {
    std::vector<std::vector<Shape>> sh(n_, std::vector<Shape>(n_));
    size_t r = 0;
    for (int o = 0; o < n_; ++o)
      for (int t = 0; t < n_; ++t) {
        sh[o][t] = ShapeFor(o, t, salt, unit, align);
        r = std::max(r, sh[o][t].remote_end());
      }
    *region = std::max(*region, RoundUp(r + 1, 64));
    return sh;
  }

  void RunPut(bool nb);
  void RunGet(bool nb);
  template <class T>
  void RunAcc(int type_index);

  int me_ = -1, n_ = 0;
};

std::string CaseName(const ::testing::TestParamInfo<Case> &info) { return info.param.name; }

// Every origin puts its shape into its region of every target; the target
// compares its whole block with the model (sentinel + every origin's rows).
void Strided::RunPut(bool nb) {
  const int salt = nb ? 2 : 1;
  size_t R = 0;
  auto sh = AllShapes(salt, 1, 1, &R);
  SharedBlock blk(n_ * R);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), n_ * R, me_, me_, 100 + salt);  // the sentinel
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<std::vector<uint8_t>> src(n_);
  std::vector<comex_request_t> h(n_);
  for (int k = 0; k < n_; ++k) {
    const int t = (me_ + k) % n_;
    Shape &s = sh[me_][t];
    src[t] = PatternVector(s.local_end() + 16, me_, t, salt);
    void *from = src[t].data() + s.local_off;
    void *to = blk.at(t, me_ * R + s.remote_off);
    int rc = nb ? comex_nbputs(from, s.local_stride.data(), to, s.remote_stride.data(),
                               s.count.data(), s.levels, t, kWorld, &h[t])
                : comex_puts(from, s.local_stride.data(), to, s.remote_stride.data(),
                             s.count.data(), s.levels, t, kWorld);
    EXPECT_EQ(rc, COMEX_SUCCESS) << "to " << t << ": " << s.Describe();
    // A blocking put has finished with its source.
    if (!nb) std::fill(src[t].begin(), src[t].end(), 0);
  }
  if (nb) {
    for (int t = 0; t < n_; ++t)
      if (CompleteVariously(&h[t], t, t + me_)) std::fill(src[t].begin(), src[t].end(), 0);
    EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<uint8_t> model = PatternVector(n_ * R, me_, me_, 100 + salt);
  for (int o = 0; o < n_; ++o) {
    const Shape &s = sh[o][me_];
    std::vector<uint8_t> from = PatternVector(s.local_end() + 16, o, me_, salt);
    s.ForEachBlock(
        [&](size_t lo, size_t ro) { std::memcpy(&model[o * R + ro], &from[lo], s.count[0]); });
  }
  for (int o = 0; o < n_; ++o)
    EXPECT_TRUE(BytesEqual(blk.mine() + o * R, model.data() + o * R, R))
        << "region of origin " << o << " on target " << me_ << ": " << sh[o][me_].Describe();
}

// Every origin gets its shape from its region of every target into a
// patterned local buffer; the whole local buffer is compared with the model.
void Strided::RunGet(bool nb) {
  const int salt = nb ? 4 : 3;
  size_t R = 0;
  auto sh = AllShapes(salt, 1, 1, &R);
  SharedBlock blk(n_ * R);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), n_ * R, me_, me_, 200 + salt);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<std::vector<uint8_t>> dst(n_);
  std::vector<comex_request_t> h(n_);
  for (int k = 0; k < n_; ++k) {
    const int t = (me_ + n_ - k) % n_;
    Shape &s = sh[me_][t];
    dst[t] = PatternVector(s.local_end() + 16, me_, t, 300 + salt);
    void *from = blk.at(t, me_ * R + s.remote_off);
    void *to = dst[t].data() + s.local_off;
    int rc = nb ? comex_nbgets(from, s.remote_stride.data(), to, s.local_stride.data(),
                               s.count.data(), s.levels, t, kWorld, &h[t])
                : comex_gets(from, s.remote_stride.data(), to, s.local_stride.data(),
                             s.count.data(), s.levels, t, kWorld);
    EXPECT_EQ(rc, COMEX_SUCCESS) << "from " << t << ": " << s.Describe();
  }
  if (nb) {
    for (int t = 0; t < n_; ++t) CompleteVariously(&h[t], t, t + me_ + 1);
    EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  }
  for (int t = 0; t < n_; ++t) {
    const Shape &s = sh[me_][t];
    std::vector<uint8_t> model = PatternVector(s.local_end() + 16, me_, t, 300 + salt);
    std::vector<uint8_t> remote = PatternVector(n_ * R, t, t, 200 + salt);
    s.ForEachBlock(
        [&](size_t lo, size_t ro) { std::memcpy(&model[lo], &remote[me_ * R + ro], s.count[0]); });
    EXPECT_TRUE(BytesEqual(dst[t].data(), model.data(), model.size()))
        << "get from " << t << ": " << s.Describe();
  }
}

// Every origin accumulates two shapes (one blocking, one nb) into its region
// of every target; values are small so every sum is exact in any order.
template <class T>
void Strided::RunAcc(int type_index) {
  using A = AccType<T>;
  SCOPED_TRACE(std::string("COMEX_ACC_") + A::kName);
  const int esz = sizeof(T);
  const int salt = 10 + 2 * type_index;
  size_t R = 0;
  auto sh1 = AllShapes(salt, esz, esz, &R);
  auto sh2 = AllShapes(salt + 1, esz, esz, &R);
  const size_t nelem = n_ * R / esz;
  SharedBlock blk(n_ * R);
  ASSERT_TRUE(blk.ok());
  T *mine = reinterpret_cast<T *>(blk.mine());
  for (size_t i = 0; i < nelem; ++i) mine[i] = A::Make(100 + me_, i, salt);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  T scale = A::Scale();
  auto src_values = [&](int o, int t, int which, const Shape &s) {
    std::vector<T> v(s.local_end() / esz + 1);
    for (size_t i = 0; i < v.size(); ++i) v[i] = A::Make(o * 64 + t, i, salt + 1 + which);
    return v;
  };
  std::vector<std::vector<T>> a(n_), b(n_);
  std::vector<comex_request_t> h(n_);
  for (int k = 0; k < n_; ++k) {
    const int t = (me_ + k) % n_;
    const Shape &s1 = sh1[me_][t], &s2 = sh2[me_][t];
    a[t] = src_values(me_, t, 0, s1);
    b[t] = src_values(me_, t, 1, s2);
    EXPECT_EQ(
        comex_accs(A::kOp, &scale, reinterpret_cast<char *>(a[t].data()) + s1.local_off,
                   const_cast<int *>(s1.local_stride.data()), blk.at(t, me_ * R + s1.remote_off),
                   const_cast<int *>(s1.remote_stride.data()), const_cast<int *>(s1.count.data()),
                   s1.levels, t, kWorld),
        COMEX_SUCCESS)
        << "to " << t << ": " << s1.Describe();
    std::fill(a[t].begin(), a[t].end(), T{});  // blocking: source free again
    EXPECT_EQ(
        comex_nbaccs(A::kOp, &scale, reinterpret_cast<char *>(b[t].data()) + s2.local_off,
                     const_cast<int *>(s2.local_stride.data()), blk.at(t, me_ * R + s2.remote_off),
                     const_cast<int *>(s2.remote_stride.data()), const_cast<int *>(s2.count.data()),
                     s2.levels, t, kWorld, &h[t]),
        COMEX_SUCCESS)
        << "nb to " << t << ": " << s2.Describe();
  }
  for (int t = 0; t < n_; ++t)
    if (CompleteVariously(&h[t], t, t + type_index)) std::fill(b[t].begin(), b[t].end(), T{});
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<T> model(nelem);
  for (size_t i = 0; i < nelem; ++i) model[i] = A::Make(100 + me_, i, salt);
  for (int o = 0; o < n_; ++o) {
    for (int which = 0; which < 2; ++which) {
      const Shape &s = which == 0 ? sh1[o][me_] : sh2[o][me_];
      std::vector<T> from = src_values(o, me_, which, s);
      s.ForEachBlock([&](size_t lo, size_t ro) {
        for (int k = 0; k < s.count[0] / esz; ++k) {
          T &d = model[(o * R + ro) / esz + k];
          d = MulAdd(d, scale, from[lo / esz + k]);
        }
      });
    }
  }
  for (int o = 0; o < n_; ++o)
    EXPECT_TRUE(ElementsEqual(mine + o * R / esz, model.data() + o * R / esz, R / esz))
        << "region of origin " << o << " on target " << me_ << ": blocking "
        << sh1[o][me_].Describe() << "; nb " << sh2[o][me_].Describe();
}

TEST_P(Strided, Put) { RunPut(false); }
TEST_P(Strided, NbPut) { RunPut(true); }
TEST_P(Strided, Get) { RunGet(false); }
TEST_P(Strided, NbGet) { RunGet(true); }
TEST_P(Strided, AccAllTypes) {
  RunAcc<int>(0);
  RunAcc<long>(1);
  RunAcc<double>(2);
  RunAcc<float>(3);
  RunAcc<std::complex<float>>(4);
  RunAcc<std::complex<double>>(5);
}

INSTANTIATE_TEST_SUITE_P(Shapes, Strided, ::testing::ValuesIn(AllCases()), CaseName);

// ---------------------------------------------------------------------------
// Special shapes
// ---------------------------------------------------------------------------

// stride_levels 0 never reads the stride arrays: NULL is accepted.
TEST(StridedSpecial, ZeroLevelsNullStrides) {
  const int me = WorldRank(), n = WorldSize();
  const int kRow = 333;
  SharedBlock blk(n * 512);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), n * 512, me, me, 40);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  int count[1] = {kRow};
  for (int t = 0; t < n; ++t) {
    std::vector<uint8_t> src = PatternVector(kRow, me, t, 41);
    EXPECT_EQ(
        comex_puts(src.data(), nullptr, blk.at(t, me * 512 + 7), nullptr, count, 0, t, kWorld),
        COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<uint8_t> model = PatternVector(n * 512, me, me, 40);
  for (int o = 0; o < n; ++o) {
    std::vector<uint8_t> src = PatternVector(kRow, o, me, 41);
    std::memcpy(&model[o * 512 + 7], src.data(), kRow);
  }
  EXPECT_TRUE(BytesEqual(blk.mine(), model.data(), model.size()));
  for (int t = 0; t < n; ++t) {
    std::vector<uint8_t> dst(kRow, 0);
    EXPECT_EQ(
        comex_gets(blk.at(t, me * 512 + 7), nullptr, dst.data(), nullptr, count, 0, t, kWorld),
        COMEX_SUCCESS);
    EXPECT_TRUE(MatchesPattern(dst.data(), kRow, me, t, 41)) << "from " << t;
  }
}

// A patch whose last byte is the last byte of the block is inside it.
TEST(StridedSpecial, PatchEndingAtBlockEnd) {
  const int me = WorldRank(), n = WorldSize();
  const size_t kBytes = 4096;
  SharedBlock blk(kBytes);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), kBytes, me, me, 42);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  const int t = (me + 1) % n, from = (me + n - 1) % n;
  // 3 x 5 rows of 40 bytes, strides 48 and 260: extent 260 * 4 + 48 * 2 + 40.
  int count[3] = {40, 3, 5}, stride[2] = {48, 260};
  const size_t extent = 260 * 4 + 48 * 2 + 40;
  std::vector<uint8_t> src = PatternVector(extent, me, t, 43);
  EXPECT_EQ(comex_puts(src.data(), stride, blk.at(t, kBytes - extent), stride, count, 2, t, kWorld),
            COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<uint8_t> model = PatternVector(kBytes, me, me, 42);
  std::vector<uint8_t> in = PatternVector(extent, from, me, 43);
  for (int j = 0; j < 5; ++j)
    for (int i = 0; i < 3; ++i) {
      const size_t off = j * 260 + i * 48;
      std::memcpy(&model[kBytes - extent + off], &in[off], 40);
    }
  EXPECT_TRUE(BytesEqual(blk.mine(), model.data(), kBytes));
  std::vector<uint8_t> dst(extent, 0xEE), dmodel(extent, 0xEE);
  EXPECT_EQ(comex_gets(blk.at(t, kBytes - extent), stride, dst.data(), stride, count, 2, t, kWorld),
            COMEX_SUCCESS);
  for (int j = 0; j < 5; ++j)
    for (int i = 0; i < 3; ++i) {
      const size_t off = j * 260 + i * 48;
      std::memcpy(&dmodel[off], &src[off], 40);
    }
  EXPECT_TRUE(BytesEqual(dst.data(), dmodel.data(), extent));
}

// Puts, gets and accumulates of several shapes to one target in flight at
// once, in one epoch, ordered: a later put over an earlier one wins, an
// accumulate after a put adds to it.
TEST(StridedSpecial, OrderedMixInOneEpoch) {
  const int me = WorldRank(), n = WorldSize();
  const int kRows = 64, kRow = 24, kPad = 40;  // 64 rows of 24 bytes, stride 40
  const size_t kRegion = kRows * kPad;
  SharedBlock blk(n * kRegion);
  ASSERT_TRUE(blk.ok());
  std::memset(blk.mine(), 0, blk.bytes());
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Per target: put A (rows of longs), put B over the even rows (stride 2*kPad),
  // accumulate C (long) over all rows; then a get of everything.
  const int kLongs = kRow / 8;
  std::vector<std::vector<long>> a(n), b(n), c(n), got(n);
  std::vector<comex_request_t> h;
  long one = 1;
  for (int t = 0; t < n; ++t) {
    a[t].resize(kRows * kLongs);
    b[t].resize(kRows * kLongs);
    c[t].resize(kRows * kLongs);
    got[t].assign(kRows * kLongs, -1);
    for (int i = 0; i < kRows * kLongs; ++i) {
      a[t][i] = 1000000L * (me + 1) + 1000 * t + i;
      b[t][i] = -a[t][i];
      c[t][i] = 7 + i;
    }
    char *region = static_cast<char *>(blk.at(t, me * kRegion));
    int cnt_all[2] = {kRow, kRows}, cnt_even[2] = {kRow, kRows / 2};
    int dense[1] = {kRow}, pad[1] = {kPad}, pad2[1] = {2 * kPad}, dense2[1] = {2 * kRow};
    comex_request_t x;
    EXPECT_EQ(comex_nbputs(a[t].data(), dense, region, pad, cnt_all, 1, t, kWorld, &x),
              COMEX_SUCCESS);
    h.push_back(x);
    EXPECT_EQ(comex_nbputs(b[t].data(), dense2, region, pad2, cnt_even, 1, t, kWorld, &x),
              COMEX_SUCCESS);
    h.push_back(x);
    EXPECT_EQ(comex_nbaccs(COMEX_ACC_LNG, &one, c[t].data(), dense, region, pad, cnt_all, 1, t,
                           kWorld, &x),
              COMEX_SUCCESS);
    h.push_back(x);
    EXPECT_EQ(comex_nbgets(region, pad, got[t].data(), dense, cnt_all, 1, t, kWorld, &x),
              COMEX_SUCCESS);
    h.push_back(x);
  }
  for (auto &x : h) EXPECT_EQ(comex_wait(&x), COMEX_SUCCESS);
  for (int t = 0; t < n; ++t) {
    std::vector<long> expect(kRows * kLongs);
    for (int r = 0; r < kRows; ++r)
      for (int k = 0; k < kLongs; ++k) {
        const int i = r * kLongs + k;
        // Even rows were put again from B (its rows 0, 2, 4, ...).
        const long v = r % 2 == 0 ? b[t][i] : a[t][i];
        expect[i] = v + c[t][i];
      }
    EXPECT_TRUE(ElementsEqual(got[t].data(), expect.data(), expect.size())) << "target " << t;
  }
}

// More strided operations in flight than the handle pool holds (256 by
// default): the oldest are completed to free slots, and a packed get so
// completed must still land in the user's buffer.  Slot j of origin o on
// each target holds 2 x 3 rows of 12 bytes (remote strides 20 and 64; local
// rows touch).
TEST(StridedSpecial, MoreNbThanPool) {
  const int me = WorldRank(), n = WorldSize();
  const int kOps = 600, kSlot = 128, kLocal = 72;
  int count[3] = {12, 3, 2}, rstride[2] = {20, 64}, lstride[2] = {12, 36};
  // Row r (level-1 index r % 3, level-2 index r / 3) within a slot.
  auto remote_off = [](int r, int i) { return (r % 3) * 20 + (r / 3) * 64 + i; };
  SharedBlock blk(n * kOps * kSlot);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), blk.bytes(), me, me, 60);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Gets: op j reads slot j of my region on target (me + j) % n.
  std::vector<uint8_t> got(kOps * kLocal, 0);
  std::vector<comex_request_t> h(kOps);
  int failures = 0;
  for (int j = 0; j < kOps; ++j) {
    const int t = (me + j) % n;
    failures += comex_nbgets(blk.at(t, (me * kOps + j) * kSlot), rstride, &got[j * kLocal], lstride,
                             count, 2, t, kWorld, &h[j]) != COMEX_SUCCESS;
  }
  EXPECT_EQ(failures, 0);
  for (int j = kOps - 1; j >= 0; --j) failures += comex_wait(&h[j]) != COMEX_SUCCESS;
  EXPECT_EQ(failures, 0) << "comex_wait";
  int bad = 0;
  {
    std::vector<std::vector<uint8_t>> remote(n);
    for (int t = 0; t < n; ++t) remote[t] = PatternVector(blk.bytes(), t, t, 60);
    for (int j = 0; j < kOps; ++j) {
      const int t = (me + j) % n;
      std::vector<uint8_t> expect(kLocal);
      for (int r = 0; r < 6; ++r)
        std::memcpy(&expect[r * 12], &remote[t][(me * kOps + j) * kSlot + remote_off(r, 0)], 12);
      auto res = BytesEqual(&got[j * kLocal], expect.data(), kLocal);
      if (!res && bad++ == 0)
        ADD_FAILURE() << "get " << j << " from " << t << ": " << res.message();
    }
  }
  EXPECT_EQ(bad, 0);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  // Puts: op j writes slot j of my region on target (me + j) % n; completed
  // by comex_wait_all.
  std::vector<uint8_t> src(kOps * kLocal);
  for (int j = 0; j < kOps; ++j) FillPattern(&src[j * kLocal], kLocal, me, j, 61);
  for (int j = 0; j < kOps; ++j) {
    const int t = (me + j) % n;
    failures += comex_nbputs(&src[j * kLocal], lstride, blk.at(t, (me * kOps + j) * kSlot), rstride,
                             count, 2, t, kWorld, &h[j]) != COMEX_SUCCESS;
  }
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<uint8_t> model = PatternVector(blk.bytes(), me, me, 60);
  for (int o = 0; o < n; ++o)
    for (int j = 0; j < kOps; ++j) {
      if ((o + j) % n != me) continue;
      std::vector<uint8_t> from = PatternVector(kLocal, o, j, 61);
      for (int r = 0; r < 6; ++r)
        std::memcpy(&model[(o * kOps + j) * kSlot + remote_off(r, 0)], &from[r * 12], 12);
    }
  EXPECT_TRUE(BytesEqual(blk.mine(), model.data(), model.size()));
}

// Accumulate rows longer than the 1 MiB staging piece of the target (2 rows
// of 1.1 MiB of longs, strided on both sides), to the right neighbour, plus
// a double accumulate of the same shape from the left neighbour's view.
TEST(StridedSpecial, AccRowsBeyondOneMiB) {
  const int me = WorldRank(), n = WorldSize();
  const int right = (me + 1) % n, left = (me + n - 1) % n;
  const int kRow = (1 << 20) + (100 << 10);  // bytes, a multiple of 8
  const int kGap = 4096;
  const size_t kElems = size_t(2) * (kRow + kGap) / 8;
  SharedBlock blk(kElems * 8);
  ASSERT_TRUE(blk.ok());
  long *mine = reinterpret_cast<long *>(blk.mine());
  for (size_t i = 0; i < kElems; ++i) mine[i] = long(i) * 3 - 7;
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  int count[2] = {kRow, 2}, rstride[1] = {kRow + kGap}, lstride[1] = {kRow + 8};
  std::vector<long> src((kRow + 8 + kRow) / 8);
  auto val = [](int o, size_t i) { return long(o + 1) * 1000000007L + long(i); };
  for (size_t i = 0; i < src.size(); ++i) src[i] = val(me, i);
  long scale = -2;
  EXPECT_EQ(comex_accs(COMEX_ACC_LNG, &scale, src.data(), lstride, blk.at(right, 0), rstride, count,
                       1, right, kWorld),
            COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<long> expect(kElems);
  for (size_t i = 0; i < kElems; ++i) expect[i] = long(i) * 3 - 7;
  for (int r = 0; r < 2; ++r)
    for (int k = 0; k < kRow / 8; ++k)
      expect[size_t(r) * (kRow + kGap) / 8 + k] +=
          scale * val(left, size_t(r) * (kRow + 8) / 8 + k);
  EXPECT_TRUE(ElementsEqual(mine, expect.data(), kElems));
}

// ---------------------------------------------------------------------------
// A real transfer beyond INT_MAX bytes (COMEX_TEST_BIG=1 only)
// ---------------------------------------------------------------------------

uint64_t BigWord(uint64_t k, uint64_t salt) {
  uint64_t x = (k + 1) * 0x9E3779B97F4A7C15ull ^ salt;
  x ^= x >> 31;
  return x;
}

// Rank 0 puts a strided patch of more than INT_MAX bytes into the last
// rank's block and gets it back, three times: rows of 768 MiB (block by
// block), rows of 16 KiB (packed, in many staging rounds), and touching rows
// of 768 MiB (simplified to one contiguous transfer).  Rows, strides and offsets
// are multiples of 8 so both sides compare whole words.
TEST(StridedBig, BeyondIntMax) {
  const char *env = std::getenv("COMEX_TEST_BIG");
  const bool wanted = env && std::string(env) == "1";
  const int me = WorldRank(), n = WorldSize();
  const int origin = 0, target = n - 1;
  const size_t kBuf = (size_t{2450} << 20);  // each of origin buffer and target block
  int ok = 0;
  if (me == 0 && wanted) {
    const long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    ok = pages > 0 && page > 0 && size_t(pages) * size_t(page) > 2 * kBuf + (size_t{1} << 30);
  }
  MPI_Bcast(&ok, 1, MPI_INT, 0, WorldComm());
  if (!wanted) GTEST_SKIP() << "set COMEX_TEST_BIG=1 to run (needs about 6 GB of memory)";
  if (!ok) GTEST_SKIP() << "not enough free memory for a transfer beyond INT_MAX bytes";

  SharedBlock blk(me == target ? kBuf : 0);
  ASSERT_TRUE(blk.ok());
  const std::vector<void *> &ptrs = blk.ptrs();
  std::unique_ptr<uint64_t[]> local;
  if (me == origin) local.reset(new uint64_t[kBuf / 8]);

  struct BigShape {
    int count[2];
    int lstride[1], rstride[1];
    size_t loff, roff;
  };
  const BigShape shapes[3] = {
      {{768 << 20, 3}, {(768 << 20) + 64}, {(768 << 20) + 128}, 8, 16},
      {{16 << 10, 147457}, {(16 << 10) + 8}, {(16 << 10) + 16}, 0, 24},
      // Rows that touch on both sides: one contiguous transfer of 2.25 GiB.
      {{768 << 20, 3}, {768 << 20}, {768 << 20}, 16, 8},
  };
  for (int si = 0; si < 3; ++si) {
    const BigShape &s = shapes[si];
    const size_t row = s.count[0], rows = s.count[1];
    SCOPED_TRACE("rows of " + std::to_string(row) + " bytes");
    ASSERT_GT(row * rows, size_t(INT_MAX));
    ASSERT_LE(s.roff + size_t(s.rstride[0]) * (rows - 1) + row, kBuf);
    ASSERT_LE(s.loff + size_t(s.lstride[0]) * (rows - 1) + row, kBuf);
    const uint64_t salt = 1000 + si;
    if (me == target) std::memset(ptrs[target], 0xAB, kBuf);
    if (me == origin)
      for (size_t k = 0; k < kBuf / 8; ++k) local[k] = BigWord(k, salt);
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    if (me == origin) {
      char *l = reinterpret_cast<char *>(local.get()) + s.loff;
      char *r = static_cast<char *>(ptrs[target]) + s.roff;
      EXPECT_EQ(comex_puts(l, const_cast<int *>(s.lstride), r, const_cast<int *>(s.rstride),
                           const_cast<int *>(s.count), 1, target, kWorld),
                COMEX_SUCCESS);
    }
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    if (me == target) {
      // Rows hold the origin's words; every other byte keeps 0xAB.
      const uint64_t *w = static_cast<const uint64_t *>(ptrs[target]);
      uint64_t fill;
      std::memset(&fill, 0xAB, 8);
      size_t bad = 0, first = 0, next = 0;  // next: first word not yet checked
      for (size_t j = 0; j < rows; ++j) {
        const size_t rw = (s.roff + j * s.rstride[0]) / 8, lw = (s.loff + j * s.lstride[0]) / 8;
        for (; next < rw; ++next)
          if (w[next] != fill && bad++ == 0) first = next;
        for (size_t k = 0; k < row / 8; ++k)
          if (w[rw + k] != BigWord(lw + k, salt) && bad++ == 0) first = rw + k;
        next = rw + row / 8;
      }
      for (; next < kBuf / 8; ++next)
        if (w[next] != fill && bad++ == 0) first = next;
      EXPECT_EQ(bad, 0u) << "words wrong on the target; first at word " << first;
    }
    if (me == origin) {
      std::memset(local.get(), 0, kBuf);
      char *l = reinterpret_cast<char *>(local.get()) + s.loff;
      char *r = static_cast<char *>(ptrs[target]) + s.roff;
      EXPECT_EQ(comex_gets(r, const_cast<int *>(s.rstride), l, const_cast<int *>(s.lstride),
                           const_cast<int *>(s.count), 1, target, kWorld),
                COMEX_SUCCESS);
      size_t bad = 0, first = 0, next = 0;
      for (size_t j = 0; j < rows; ++j) {
        const size_t lw = (s.loff + j * s.lstride[0]) / 8;
        for (; next < lw; ++next)
          if (local[next] != 0 && bad++ == 0) first = next;
        for (size_t k = 0; k < row / 8; ++k)
          if (local[lw + k] != BigWord(lw + k, salt) && bad++ == 0) first = lw + k;
        next = lw + row / 8;
      }
      for (; next < kBuf / 8; ++next)
        if (local[next] != 0 && bad++ == 0) first = next;
      EXPECT_EQ(bad, 0u) << "words wrong after the get; first at word " << first;
    }
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  }
}

// ---------------------------------------------------------------------------
// Bad input: each call returns COMEX_FAILURE and writes nothing
// ---------------------------------------------------------------------------

#define EXPECT_FAIL(call) EXPECT_EQ((call), COMEX_FAILURE) << #call

class StridedErrors : public mpitest::BadCallTest {
 protected:
  StridedErrors() : BadCallTest(78) {}

  // Every strided call (puts, gets, accs of two types, and the nb forms)
  // moving `count`/`levels` between local offset 0 and `remote_addr` on proc;
  // `lstride` is the local side's strides, `rstride` the remote side's.
  // Each must fail.
  void ExpectAllFail(void *remote_addr, int *lstride, int *rstride, int *count, int levels,
                     int proc, const std::string &what) {
    SCOPED_TRACE(what);
    int iscale = 1;
    std::complex<double> zscale(1.0, 0.0);
    comex_request_t h;
    void *l_src = src_.data(), *l_dst = dst_.data();
    // An accumulate moves the whole elements of each row (the bytes of a
    // partial one are left alone): rows rounded up to whole ints and whole
    // double-complex values, so that the accumulates have as much to refuse.
    // (Only when `levels` can be read: a call with bad levels fails anyway.)
    std::vector<int> c4, c16;
    int *n4 = count, *n16 = count;
    if (count && levels >= 0 && levels <= COMEX_MAX_STRIDE_LEVEL) {
      c4.assign(count, count + levels + 1);
      c16 = c4;
      if (c4[0] > 0) c4[0] = (c4[0] + 3) / 4 * 4;
      if (c16[0] > 0) c16[0] = (c16[0] + 15) / 16 * 16;
      n4 = c4.data();
      n16 = c16.data();
    }
    EXPECT_FAIL(comex_puts(l_src, lstride, remote_addr, rstride, count, levels, proc, kWorld));
    EXPECT_FAIL(comex_gets(remote_addr, rstride, l_dst, lstride, count, levels, proc, kWorld));
    EXPECT_FAIL(comex_accs(COMEX_ACC_INT, &iscale, l_src, lstride, remote_addr, rstride, n4, levels,
                           proc, kWorld));
    EXPECT_FAIL(comex_accs(COMEX_ACC_DCP, &zscale, l_src, lstride, remote_addr, rstride, n16,
                           levels, proc, kWorld));
    EXPECT_FAIL(
        comex_nbputs(l_src, lstride, remote_addr, rstride, count, levels, proc, kWorld, &h));
    EXPECT_FAIL(
        comex_nbgets(remote_addr, rstride, l_dst, lstride, count, levels, proc, kWorld, &h));
    EXPECT_FAIL(comex_nbaccs(COMEX_ACC_INT, &iscale, l_src, lstride, remote_addr, rstride, n4,
                             levels, proc, kWorld, &h));
    EXPECT_FAIL(comex_nbaccs(COMEX_ACC_DCP, &zscale, l_src, lstride, remote_addr, rstride, n16,
                             levels, proc, kWorld, &h));
  }
};

TEST_F(StridedErrors, StrideLevelsOutOfRange) {
  int count[16], stride[16];
  for (int i = 0; i < 16; ++i) count[i] = 1, stride[i] = 32;
  count[0] = 16;
  for (int t : targets_)
    for (int levels : {-1, -100, INT_MIN, COMEX_MAX_STRIDE_LEVEL + 1, 15, INT_MAX})
      ExpectAllFail(remote(t), stride, stride, count, levels, t,
                    "stride_levels " + std::to_string(levels) + " to " + std::to_string(t));
}

TEST_F(StridedErrors, NullCountOrStrides) {
  int count[3] = {16, 2, 2}, stride[2] = {32, 64};
  for (int t : targets_) {
    const std::string to = " to " + std::to_string(t);
    for (int levels : {0, 2})
      ExpectAllFail(remote(t), stride, stride, nullptr, levels, t,
                    "count NULL, levels " + std::to_string(levels) + to);
    ExpectAllFail(remote(t), nullptr, stride, count, 2, t, "local strides NULL" + to);
    ExpectAllFail(remote(t), stride, nullptr, count, 2, t, "remote strides NULL" + to);
    ExpectAllFail(remote(t), nullptr, nullptr, count, 1, t, "both strides NULL" + to);
  }
}

// A negative count cannot be executed.  (A zero count is legal and moves
// nothing: test_legal.cc.)
TEST_F(StridedErrors, NegativeCount) {
  int stride[3] = {32, 96, 300};
  for (int t : targets_)
    for (int i = 0; i <= 3; ++i)
      for (int bad : {-1, INT_MIN}) {
        int count[4] = {16, 2, 3, 2};
        count[i] = bad;
        ExpectAllFail(
            remote(t), stride, stride, count, 3, t,
            "count[" + std::to_string(i) + "]=" + std::to_string(bad) + " to " + std::to_string(t));
      }
}

// Strides whose region reaches past the block, whatever their sign: refused
// (strides shorter than a row, zero or negative are legal: test_legal.cc).
TEST_F(StridedErrors, StridesReachingOutsideTheBlock) {
  int count[3] = {16, 2, 3};
  int good[2] = {32, 96};
  for (int t : targets_) {
    const std::string to = " to " + std::to_string(t);
    int back[2] = {32, -96};  // from offset 0, level 2 goes below the block
    ExpectAllFail(remote(t), good, back, count, 2, t, "remote stride[1]=-96 from offset 0" + to);
    int far[2] = {32, int(kBytes)};  // level 2 goes past the end
    ExpectAllFail(remote(t), good, far, count, 2, t, "remote stride[1]=kBytes" + to);
    int huge[2] = {INT_MAX, INT_MAX};  // beyond any block
    ExpectAllFail(remote(t), good, huge, count, 2, t, "remote strides INT_MAX" + to);
  }
}

TEST_F(StridedErrors, RemotePatchOutsideMemory) {
  // 4 rows of 32 bytes with stride 200: extent 632.
  int count[2] = {32, 4}, stride[1] = {200};
  const ptrdiff_t extent = 632;
  uint8_t stack_buf[1024];
  for (int t : targets_) {
    const std::string to = " to " + std::to_string(t);
    ExpectAllFail(remote(t, -16), stride, stride, count, 1, t, "starts before the block" + to);
    ExpectAllFail(remote(t, -1), stride, stride, count, 1, t, "starts 1 byte before" + to);
    ExpectAllFail(remote(t, kBytes - extent + 1), stride, stride, count, 1, t,
                  "last row 1 byte past the end" + to);
    ExpectAllFail(remote(t, kBytes - 100), stride, stride, count, 1, t, "rows past the end" + to);
    ExpectAllFail(remote(t, kBytes), stride, stride, count, 1, t, "starts at the end" + to);
    int huge[1] = {INT_MAX / 2};
    ExpectAllFail(remote(t), stride, huge, count, 1, t, "huge remote stride" + to);
    ExpectAllFail(stack_buf, stride, stride, count, 1, t, "not comex_malloc memory" + to);
    int c0[1] = {static_cast<int>(kBytes) + 8};
    ExpectAllFail(remote(t), nullptr, nullptr, c0, 0, t, "level 0 longer than the block" + to);
    // Another rank's block (where it does not happen to sit at the same
    // addresses as t's).
    for (int u = 0; u < n_; ++u) {
      const uintptr_t a = reinterpret_cast<uintptr_t>(blk_->at(u));
      const uintptr_t b = reinterpret_cast<uintptr_t>(blk_->at(t));
      if (u == t || (a + kBytes > b && a < b + kBytes)) continue;
      ExpectAllFail(remote(u), stride, stride, count, 1, t,
                    "rank " + std::to_string(u) + "'s block" + to);
    }
  }
}

// A block that was freed is no longer a valid remote range.
TEST_F(StridedErrors, RemotePatchInFreedBlock) {
  std::vector<void *> gone;
  {
    SharedBlock tmp(kBytes);
    ASSERT_TRUE(tmp.ok());
    gone = tmp.ptrs();
  }
  int count[2] = {32, 4}, stride[1] = {200};
  for (int t : targets_) {
    // Only where the freed block does not overlap the live one.
    const uintptr_t a = reinterpret_cast<uintptr_t>(gone[t]);
    const uintptr_t b = reinterpret_cast<uintptr_t>(blk_->at(t));
    if (a + kBytes > b && a < b + kBytes) continue;
    ExpectAllFail(gone[t], stride, stride, count, 1, t, "freed block of " + std::to_string(t));
  }
}

TEST_F(StridedErrors, NullBuffersBadProcAndAccArguments) {
  int count[2] = {16, 4}, stride[1] = {32};
  int iscale = 1;
  comex_request_t h;
  for (int t : targets_) {
    SCOPED_TRACE("to " + std::to_string(t));
    EXPECT_FAIL(comex_puts(nullptr, stride, remote(t), stride, count, 1, t, kWorld));
    EXPECT_FAIL(comex_puts(src_.data(), stride, nullptr, stride, count, 1, t, kWorld));
    EXPECT_FAIL(comex_gets(nullptr, stride, dst_.data(), stride, count, 1, t, kWorld));
    EXPECT_FAIL(comex_gets(remote(t), stride, nullptr, stride, count, 1, t, kWorld));
    EXPECT_FAIL(comex_accs(COMEX_ACC_INT, &iscale, nullptr, stride, remote(t), stride, count, 1, t,
                           kWorld));
    EXPECT_FAIL(comex_accs(COMEX_ACC_INT, &iscale, src_.data(), stride, nullptr, stride, count, 1,
                           t, kWorld));
    EXPECT_FAIL(comex_nbputs(src_.data(), stride, remote(t), stride, count, 1, t, kWorld, nullptr));
    EXPECT_FAIL(comex_nbgets(remote(t), stride, dst_.data(), stride, count, 1, t, kWorld, nullptr));
    EXPECT_FAIL(comex_nbaccs(COMEX_ACC_INT, &iscale, src_.data(), stride, remote(t), stride, count,
                             1, t, kWorld, nullptr));
    // Accumulate: unknown op, NULL scale.
    for (int op : {0, COMEX_ACC_OFF, COMEX_ACC_OFF + 7, COMEX_FETCH_AND_ADD, -1})
      EXPECT_FAIL(
          comex_accs(op, &iscale, src_.data(), stride, remote(t), stride, count, 1, t, kWorld))
          << "op " << op;
    EXPECT_FAIL(comex_accs(COMEX_ACC_INT, nullptr, src_.data(), stride, remote(t), stride, count, 1,
                           t, kWorld));
    EXPECT_FAIL(comex_nbaccs(COMEX_ACC_DBL, nullptr, src_.data(), stride, remote(t), stride, count,
                             1, t, kWorld, &h));
    // (Rows that are not whole elements are accepted as in GA's ComEx:
    // Accumulate.PartialElementsLeftAlone in test_core.cc.)
  }
  for (int p : {-1, n_, n_ + 5}) {
    ExpectAllFail(remote(right_), stride, stride, count, 1, p, "proc " + std::to_string(p));
  }
  for (comex_group_t g : {12345, COMEX_GROUP_NULL}) {
    SCOPED_TRACE("group " + std::to_string(g));
    EXPECT_FAIL(comex_puts(src_.data(), stride, remote(right_), stride, count, 1, right_, g));
    EXPECT_FAIL(comex_gets(remote(right_), stride, dst_.data(), stride, count, 1, right_, g));
    EXPECT_FAIL(comex_accs(COMEX_ACC_INT, &iscale, src_.data(), stride, remote(right_), stride,
                           count, 1, right_, g));
  }
}

}  // namespace
