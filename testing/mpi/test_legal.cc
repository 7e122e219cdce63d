// Strided shapes that are legal although they look odd, as Global Arrays and
// its applications pass them: the stride of a level whose count is 1 (never
// used: GA passes count = {104, 1} with stride 8), NULL strides where every
// level above 0 has count 1, negative and zero strides, strides that make
// blocks overlap (order of application unspecified, so the data checks use
// shapes whose result does not depend on it, and accumulates, whose sum never
// does), and zero counts (nothing moves, nothing is written).
//
// Each case runs put, get and accumulate (int, exact) from every rank to every
// rank, blocking and non-blocking, and checks the whole target block and the
// local buffer element by element against a model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "comex.h"
#include "test_util.h"

namespace {

using mpitest::BytesEqual;
using mpitest::ElementsEqual;
using mpitest::PatternVector;
using mpitest::SharedBlock;
using mpitest::WorldRank;
using mpitest::WorldSize;

constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;

struct LegalCase {
  const char *name;
  std::vector<int> count;  // count[0..levels]
  std::vector<int> lstride, rstride;
  bool null_strides = false;  // pass NULL for both stride arrays
  int levels() const { return int(count.size()) - 1; }
};

// Offsets of the rows of one side in segment order (a level of count 1 never
// reads its stride, as the library must not).
std::vector<long> RowOffsets(const LegalCase &c, const std::vector<int> &stride) {
  std::vector<long> rows;
  std::vector<int> idx(c.count.size(), 0);
  for (;;) {
    long off = 0;
    for (int l = 1; l <= c.levels(); ++l)
      if (c.count[l] > 1) off += long(idx[l]) * stride[l - 1];
    rows.push_back(off);
    int l = 1;
    while (l <= c.levels() && ++idx[l] == c.count[l]) idx[l++] = 0;
    if (l > c.levels()) return rows;
  }
}

// Where one side's rows start relative to its lowest byte, and its span.
struct Side {
  std::vector<long> rows;  // offsets from the lowest byte touched
  size_t span = 0;
};

Side SideOf(const LegalCase &c, const std::vector<int> &stride) {
  Side s;
  s.rows = RowOffsets(c, stride);
  const long lo = *std::min_element(s.rows.begin(), s.rows.end());
  const long hi = *std::max_element(s.rows.begin(), s.rows.end()) + c.count[0];
  for (long &r : s.rows) r -= lo;
  s.span = size_t(hi - lo);
  return s;
}

// Copy rows from `from` (rows `fr`) to `to` (rows `tr`), forwards or backwards.
void CopyRows(uint8_t *to, const Side &tr, const uint8_t *from, const Side &fr, size_t row,
              bool backwards) {
  const size_t n = tr.rows.size();
  for (size_t k = 0; k < n; ++k) {
    const size_t i = backwards ? n - 1 - k : k;
    std::memmove(to + tr.rows[i], from + fr.rows[i], row);
  }
}

std::vector<LegalCase> Cases() {
  return {
      {"ga_count1_level", {104, 1}, {8}, {8}},
      {"count1_levels_any_stride", {8, 1, 3, 1}, {-7, 24, 12345}, {999, 40, -3}},
      {"count1_levels_null_strides", {16, 1, 1}, {}, {}, true},
      {"negative_remote_stride", {16, 4}, {16}, {-32}},
      {"negative_both_two_levels", {8, 3, 2}, {-8, 48}, {-104, -400}},
      {"sliding_window_overlap", {24, 5}, {8}, {8}},
      {"remote_rows_overlap", {32, 4}, {32}, {8}},
      {"zero_remote_stride", {16, 3}, {16}, {0}},
      {"touching_and_short_strides", {16, 2, 3, 2}, {16, 48, 240}, {8, 40, 200}},
      {"big_rows_overlap", {40000, 3}, {20000}, {20000}},
  };
}

class Legal : public ::testing::TestWithParam<LegalCase> {
 protected:
  void SetUp() override {
    me_ = WorldRank();
    n_ = WorldSize();
    const LegalCase &c = GetParam();
    std::vector<int> none(c.levels(), 0);
    l_ = SideOf(c, c.null_strides ? none : c.lstride);
    r_ = SideOf(c, c.null_strides ? none : c.rstride);
    region_ = (r_.span + 63) / 64 * 64 + 64;  // each origin's region of a target
  }
  int *ls() {
    return GetParam().null_strides ? nullptr : const_cast<int *>(GetParam().lstride.data());
  }
  int *rs() {
    return GetParam().null_strides ? nullptr : const_cast<int *>(GetParam().rstride.data());
  }
  int *count() { return const_cast<int *>(GetParam().count.data()); }
  // The origin's patch in target t starts 32 bytes into its region.
  size_t remote_off(int origin) const { return size_t(origin) * region_ + 32; }

  int me_ = 0, n_ = 0;
  Side l_, r_;
  size_t region_ = 0;
};

TEST_P(Legal, PutThenGet) {
  const LegalCase &c = GetParam();
  const size_t row = size_t(c.count[0]);
  const size_t block = region_ * n_;
  // Put: is the result independent of the order of the rows?
  std::vector<uint8_t> fwd(r_.span, 0), bwd(r_.span, 0);
  std::vector<uint8_t> probe = PatternVector(l_.span, 0, 0, 1);
  CopyRows(fwd.data(), r_, probe.data(), l_, row, false);
  CopyRows(bwd.data(), r_, probe.data(), l_, row, true);
  const bool put_defined = fwd == bwd;
  for (int nb = 0; nb < 2; ++nb) {
    SCOPED_TRACE(nb ? "non-blocking" : "blocking");
    SharedBlock blk(block);
    ASSERT_TRUE(blk.ok());
    std::vector<uint8_t> init = PatternVector(block, me_, me_, 10 + nb);
    std::memcpy(blk.mine(), init.data(), block);
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    if (put_defined) {
      for (int t = 0; t < n_; ++t) {
        std::vector<uint8_t> buf = PatternVector(l_.span, me_, t, 20 + nb);
        uint8_t *src = buf.data() + l_.rows[0];
        char *dst = static_cast<char *>(blk.at(t, remote_off(me_) + size_t(r_.rows[0])));
        comex_request_t h;
        if (nb) {
          ASSERT_EQ(comex_nbputs(src, ls(), dst, rs(), count(), c.levels(), t, kWorld, &h),
                    COMEX_SUCCESS);
          ASSERT_EQ(comex_wait(&h), COMEX_SUCCESS);
        } else {
          ASSERT_EQ(comex_puts(src, ls(), dst, rs(), count(), c.levels(), t, kWorld),
                    COMEX_SUCCESS);
        }
      }
      ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
      std::vector<uint8_t> model = init;
      for (int o = 0; o < n_; ++o) {
        std::vector<uint8_t> src = PatternVector(l_.span, o, me_, 20 + nb);
        CopyRows(model.data() + remote_off(o), r_, src.data(), l_, row, false);
      }
      EXPECT_TRUE(BytesEqual(blk.mine(), model.data(), block)) << c.name << ": put";
    }
    // Get: the whole block is known to every rank now.
    std::vector<uint8_t> local_fwd(l_.span, 0), local_bwd(l_.span, 0);
    CopyRows(local_fwd.data(), l_, fwd.data(), r_, row, false);
    CopyRows(local_bwd.data(), l_, fwd.data(), r_, row, true);
    if (local_fwd != local_bwd) continue;  // overlapping local rows of different data
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    std::vector<uint8_t> fresh = PatternVector(block, me_, me_, 30 + nb);
    std::memcpy(blk.mine(), fresh.data(), block);
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    for (int t = 0; t < n_; ++t) {
      std::vector<uint8_t> got(l_.span + 16, 0xC3), expect(l_.span + 16, 0xC3);
      std::vector<uint8_t> theirs = PatternVector(block, t, t, 30 + nb);
      CopyRows(expect.data() + 8, l_, theirs.data() + remote_off(me_), r_, row, false);
      char *src = static_cast<char *>(blk.at(t, remote_off(me_) + size_t(r_.rows[0])));
      uint8_t *dst = got.data() + 8 + l_.rows[0];
      comex_request_t h;
      if (nb) {
        ASSERT_EQ(comex_nbgets(src, rs(), dst, ls(), count(), c.levels(), t, kWorld, &h),
                  COMEX_SUCCESS);
        ASSERT_EQ(comex_wait(&h), COMEX_SUCCESS);
      } else {
        ASSERT_EQ(comex_gets(src, rs(), dst, ls(), count(), c.levels(), t, kWorld), COMEX_SUCCESS);
      }
      EXPECT_TRUE(BytesEqual(got.data(), expect.data(), got.size()))
          << c.name << ": get from " << t;
    }
  }
}

// Accumulates add up whatever the order, overlapping rows included.
TEST_P(Legal, AccInt) {
  const LegalCase &c = GetParam();
  ASSERT_EQ(c.count[0] % 4, 0);
  const size_t words = region_ * n_ / 4;
  const int scale = 3;
  for (int nb = 0; nb < 2; ++nb) {
    SCOPED_TRACE(nb ? "non-blocking" : "blocking");
    SharedBlock blk(words * 4);
    ASSERT_TRUE(blk.ok());
    int *mine = reinterpret_cast<int *>(blk.mine());
    for (size_t i = 0; i < words; ++i) mine[i] = int(i) * 7 + me_;
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    auto src_of = [&](int o, int t) {
      std::vector<int> v(l_.span / 4 + 1);
      for (size_t i = 0; i < v.size(); ++i) v[i] = int(i % 97) + 1000 * o + 100 * t + nb;
      return v;
    };
    for (int t = 0; t < n_; ++t) {
      std::vector<int> buf = src_of(me_, t);
      char *src = reinterpret_cast<char *>(buf.data()) + l_.rows[0];
      char *dst = static_cast<char *>(blk.at(t, remote_off(me_) + size_t(r_.rows[0])));
      int s = scale;
      comex_request_t h;
      if (nb) {
        ASSERT_EQ(comex_nbaccs(COMEX_ACC_INT, &s, src, ls(), dst, rs(), count(), c.levels(), t,
                               kWorld, &h),
                  COMEX_SUCCESS);
        ASSERT_EQ(comex_wait(&h), COMEX_SUCCESS);
      } else {
        ASSERT_EQ(
            comex_accs(COMEX_ACC_INT, &s, src, ls(), dst, rs(), count(), c.levels(), t, kWorld),
            COMEX_SUCCESS);
      }
    }
    ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
    std::vector<int> model(words);
    for (size_t i = 0; i < words; ++i) model[i] = int(i) * 7 + me_;
    for (int o = 0; o < n_; ++o) {
      std::vector<int> src = src_of(o, me_);
      for (size_t k = 0; k < r_.rows.size(); ++k)
        for (int e = 0; e < c.count[0] / 4; ++e)
          model[(remote_off(o) + size_t(r_.rows[k])) / 4 + e] +=
              scale * src[size_t(l_.rows[k]) / 4 + e];
    }
    EXPECT_TRUE(ElementsEqual(mine, model.data(), words)) << c.name << ": acc";
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, Legal, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<LegalCase> &i) {
                           return std::string(i.param.name);
                         });

// A count of 0 at any level moves nothing: every call succeeds, NULL buffers
// included, and no byte changes anywhere.
TEST(LegalZero, ZeroCountsMoveNothing) {
  const int me = WorldRank(), n = WorldSize();
  const size_t kBytes = 1024;
  SharedBlock blk(kBytes);
  ASSERT_TRUE(blk.ok());
  std::vector<uint8_t> init = PatternVector(kBytes, me, me, 50);
  std::memcpy(blk.mine(), init.data(), kBytes);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<uint8_t> local(kBytes, 0x77), local0 = local;
  int stride[2] = {64, 256};
  const std::vector<std::vector<int>> counts = {{0, 2, 2}, {16, 0, 2}, {16, 2, 0}};
  int iscale = 5;
  for (int t = 0; t < n; ++t)
    for (const auto &cv : counts) {
      int count[3] = {cv[0], cv[1], cv[2]};
      void *remote = blk.at(t, 64);
      comex_request_t h;
      SCOPED_TRACE("count {" + std::to_string(count[0]) + "," + std::to_string(count[1]) + "," +
                   std::to_string(count[2]) + "} to " + std::to_string(t));
      EXPECT_EQ(comex_puts(local.data(), stride, remote, stride, count, 2, t, kWorld),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_gets(remote, stride, local.data(), stride, count, 2, t, kWorld),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_accs(COMEX_ACC_INT, &iscale, local.data(), stride, remote, stride, count, 2,
                           t, kWorld),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_nbputs(nullptr, stride, nullptr, stride, count, 2, t, kWorld, &h),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_wait(&h), COMEX_SUCCESS);
      EXPECT_EQ(comex_nbgets(remote, stride, local.data(), stride, count, 2, t, kWorld, &h),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_wait(&h), COMEX_SUCCESS);
    }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  EXPECT_TRUE(BytesEqual(blk.mine(), init.data(), kBytes));
  EXPECT_TRUE(BytesEqual(local.data(), local0.data(), kBytes));
}

}  // namespace
