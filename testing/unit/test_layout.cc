// Unit tests of layouts: strided checks, simplification, cursors, wire form.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "util/error.h"
#include "util/layout.h"

using comex::Cursor;
using comex::Layout;

namespace {
uint64_t addr(const void *p) { return uint64_t(uintptr_t(p)); }

// Reference: byte offsets of a strided layout in segment order.
std::vector<int64_t> offsets(const int *stride, const int *count, int levels) {
  std::vector<int64_t> out;
  int idx[9] = {};
  for (;;) {
    int64_t o = 0;
    for (int l = 1; l <= levels; ++l) o += int64_t(idx[l]) * stride[l - 1];
    for (int b = 0; b < count[0]; ++b) out.push_back(o + b);
    int l = 1;
    while (l <= levels && ++idx[l] == count[l]) idx[l++] = 0;
    if (l > levels) return out;
  }
}
}  // namespace

TEST(Layout, StridedArgsRefuseOnlyWhatCannotRun) {
  using comex::StridedArgs;
  int count[3] = {8, 2, 2}, stride[2] = {8, 16};
  EXPECT_NO_THROW(StridedArgs::check(stride, stride, count, 2));
  EXPECT_THROW(StridedArgs::check(stride, stride, count, -1), comex::Error);
  EXPECT_THROW(StridedArgs::check(stride, stride, count, 9), comex::Error);
  EXPECT_THROW(StridedArgs::check(stride, stride, nullptr, 2), comex::Error);
  EXPECT_NO_THROW(StridedArgs::check(nullptr, nullptr, count, 0));  // no strides needed
  try {
    StridedArgs::check(stride, nullptr, count, 2);
    ADD_FAILURE();
  } catch (const comex::Error &e) {
    EXPECT_NE(std::string(e.what()).find("dst_stride"), std::string::npos) << e.what();
  }
  int negative[3] = {8, -1, 2};
  try {
    StridedArgs::check(stride, stride, negative, 2);
    ADD_FAILURE();
  } catch (const comex::Error &e) {
    EXPECT_NE(std::string(e.what()).find("count[1]=-1"), std::string::npos) << e.what();
  }
  // Strides shorter than the level below, zero or negative: legal.
  int odd[2] = {-3, 0};
  EXPECT_NO_THROW(StridedArgs::check(odd, stride, count, 2));
  // Regions beyond 2^62 bytes cannot exist.
  int big_count[4] = {1 << 30, 1 << 30, 1 << 30, 2}, big_stride[3] = {1 << 30, 1 << 30, 1 << 30};
  EXPECT_THROW(StridedArgs::check(big_stride, big_stride, big_count, 3), comex::Error);
}

// GA's shapes: a level of count 1 is dropped with its stride, whatever it is.
TEST(Layout, StridedArgsDropCountOneLevels) {
  int count[2] = {104, 1}, stride[1] = {8};
  comex::StridedArgs a = comex::StridedArgs::check(stride, stride, count, 1);
  EXPECT_EQ(a.levels, 0);
  EXPECT_EQ(a.count[0], 104);
  int count3[4] = {8, 1, 3, 1}, s[3] = {-7, 40, 12345}, d[3] = {999, 24, -3};
  a = comex::StridedArgs::check(s, d, count3, 3);
  ASSERT_EQ(a.levels, 1);
  EXPECT_EQ(a.count[1], 3);
  EXPECT_EQ(a.src_stride[0], 40);
  EXPECT_EQ(a.dst_stride[0], 24);
  int ones[3] = {16, 1, 1};
  a = comex::StridedArgs::check(nullptr, nullptr, ones, 2);  // strides never read
  EXPECT_EQ(a.levels, 0);
  EXPECT_FALSE(a.empty());
  int zero[3] = {16, 0, 3};
  EXPECT_TRUE(comex::StridedArgs::check(nullptr, nullptr, zero, 2).empty());
}

// Negative strides: bounds reach below the base, and the cursor walks there.
TEST(Layout, NegativeStridesBoundsAndCursor) {
  std::vector<char> mem(256);
  for (size_t i = 0; i < mem.size(); ++i) mem[i] = char(i);
  int count[3] = {8, 3, 2}, stride[2] = {-16, 100};
  char *base = mem.data() + 64;
  Layout l = Layout::strided(addr(base), stride, count, 2);
  uint64_t lo, hi;
  l.bounds(&lo, &hi);
  EXPECT_EQ(lo, addr(base) - 32);
  EXPECT_EQ(hi, addr(base) + 108);
  EXPECT_FALSE(l.may_overlap());
  std::vector<char> packed(l.total());
  Cursor(l).pack(packed.data(), packed.size());
  size_t k = 0;
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 3; ++i)
      for (int b = 0; b < 8; ++b) EXPECT_EQ(packed[k++], base[j * 100 - i * 16 + b]);
  int over[2] = {4, 100};
  EXPECT_TRUE(Layout::strided(0x1000, over, count, 2).may_overlap());
}

TEST(Layout, SimplifyMergesTouchingBlocks) {
  int count[4] = {16, 4, 3, 1}, stride[3] = {16, 64, 999};
  Layout l = Layout::strided(0x1000, stride, count, 3);
  l.simplify();
  EXPECT_EQ(l.kind, Layout::Kind::kContig);
  EXPECT_EQ(l.bytes, 16u * 4 * 3);
  int count2[3] = {16, 4, 3}, stride2[2] = {16, 100};
  Layout m = Layout::strided(0x1000, stride2, count2, 2);
  m.simplify();
  ASSERT_EQ(m.kind, Layout::Kind::kStrided);
  EXPECT_EQ(m.levels, 1);
  EXPECT_EQ(m.count[0], 64);
  EXPECT_EQ(m.count[1], 3);
  EXPECT_EQ(m.stride[0], 100);
}

TEST(Layout, CursorMatchesReferenceForRandomShapes) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 300; ++iter) {
    int levels = int(rng() % 9);
    int count[9], stride[8];
    count[0] = 1 + int(rng() % 9);
    int64_t extent = count[0];
    for (int l = 0; l < levels; ++l) {
      count[l + 1] = 1 + int(rng() % 3);
      stride[l] = int(extent + rng() % 5);
      extent = int64_t(stride[l]) * (count[l + 1] - 1) + extent;
    }
    std::vector<char> mem(static_cast<size_t>(extent));
    for (size_t i = 0; i < mem.size(); ++i) mem[i] = char(rng());
    Layout l = Layout::strided(addr(mem.data()), stride, count, levels);
    Layout s = l;
    s.simplify();
    auto ref = offsets(stride, count, levels);
    ASSERT_EQ(l.total(), ref.size());
    ASSERT_EQ(s.total(), ref.size());
    // Pack in random piece sizes, through the plain and the simplified layout.
    for (const Layout *lay : {&l, &s}) {
      std::vector<char> packed(ref.size());
      Cursor c(*lay);
      size_t done = 0;
      while (done < ref.size()) {
        size_t n = std::min<size_t>(1 + rng() % 13, ref.size() - done);
        c.pack(packed.data() + done, n);
        done += n;
      }
      for (size_t i = 0; i < ref.size(); ++i) ASSERT_EQ(packed[i], mem[ref[i]]) << iter << " " << i;
    }
    // Unpack with an offset (skip) into a fresh buffer.
    std::vector<char> out(mem.size(), 0), in(ref.size());
    for (size_t i = 0; i < in.size(); ++i) in[i] = char(i * 7 + 1);
    Layout o = Layout::strided(addr(out.data()), stride, count, levels);
    uint64_t skip = ref.size() / 3;
    Cursor c(o);
    c.skip(skip);
    c.unpack(in.data() + skip, ref.size() - skip);
    for (size_t i = skip; i < ref.size(); ++i) ASSERT_EQ(out[ref[i]], in[i]);
    for (size_t i = 0; i < skip; ++i) ASSERT_EQ(out[ref[i]], 0);
  }
}

TEST(Layout, VectorCursorAndBounds) {
  std::vector<char> mem(100);
  Layout v;
  v.kind = Layout::Kind::kVector;
  v.groups.push_back({4, {addr(&mem[50]), addr(&mem[10])}});
  v.groups.push_back({0, {addr(&mem[0])}});  // empty: skipped
  v.groups.push_back({2, {addr(&mem[90])}});
  EXPECT_EQ(v.total(), 10u);
  EXPECT_EQ(v.segments(), 3u);
  EXPECT_EQ(v.segment_bytes(), 2u);
  const char in[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Cursor c(v);
  c.unpack(in, 10);
  EXPECT_EQ(mem[50], 1);
  EXPECT_EQ(mem[53], 4);
  EXPECT_EQ(mem[10], 5);
  EXPECT_EQ(mem[13], 8);
  EXPECT_EQ(mem[90], 9);
  EXPECT_EQ(mem[91], 10);
  uint64_t lo, hi;
  v.bounds(&lo, &hi);
  EXPECT_EQ(lo, addr(&mem[0]));
  EXPECT_EQ(hi, addr(&mem[92]));
}

TEST(Layout, WireFormRoundTripsAndRejectsGarbage) {
  int count[3] = {8, 3, 2}, stride[2] = {10, 40};
  Layout s = Layout::strided(0x1234, stride, count, 2);
  Layout v;
  v.kind = Layout::Kind::kVector;
  v.groups.push_back({8, {1, 2, 3}});
  for (const Layout &l : {s, v, Layout::contiguous(5, 6)}) {
    std::vector<char> w;
    l.encode(&w);
    EXPECT_EQ(w.size(), l.encoded_size());
    Layout d = Layout::decode(w.data(), w.size());
    EXPECT_EQ(d.kind, l.kind);
    EXPECT_EQ(d.total(), l.total());
    std::vector<char> w2;
    d.encode(&w2);
    EXPECT_EQ(w, w2);
    EXPECT_THROW(Layout::decode(w.data(), w.size() - 1), comex::Error);
  }
  std::vector<char> w;
  s.encode(&w);
  w[1] = 9;  // 9 levels
  EXPECT_THROW(Layout::decode(w.data(), w.size()), comex::Error);
  char junk = 7;
  EXPECT_THROW(Layout::decode(&junk, 1), comex::Error);
}

TEST(Layout, PieceSequencesAgree) {
  int count[2] = {100, 5}, sa[1] = {100}, sb[1] = {300};
  Layout a = Layout::strided(0, sa, count, 1), b = Layout::strided(0, sb, count, 1);
  for (bool blocks : {false, true}) {
    std::vector<uint64_t> pa, pb;
    comex::for_each_piece(a, blocks, a.total(), 64, [&](uint64_t, uint64_t n) { pa.push_back(n); });
    comex::for_each_piece(b, blocks, b.total(), 64, [&](uint64_t, uint64_t n) { pb.push_back(n); });
    EXPECT_EQ(pa, pb);
    uint64_t sum = 0;
    for (uint64_t n : pa) sum += n;
    EXPECT_EQ(sum, 500u);
  }
}
