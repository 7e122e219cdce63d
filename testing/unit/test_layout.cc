// Unit tests of layouts: strided checks, simplification, cursors, wire form.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "error.h"
#include "layout.h"

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

TEST(Layout, StridedChecksNameTheArgument) {
  int count[3] = {8, 2, 2}, stride[2] = {8, 16};
  EXPECT_NO_THROW(comex::check_strided(stride, count, 2, "src"));
  EXPECT_THROW(comex::check_strided(stride, count, -1, "src"), comex::Error);
  EXPECT_THROW(comex::check_strided(stride, count, 9, "src"), comex::Error);
  EXPECT_THROW(comex::check_strided(nullptr, count, 2, "src"), comex::Error);
  EXPECT_THROW(comex::check_strided(stride, nullptr, 2, "src"), comex::Error);
  EXPECT_NO_THROW(comex::check_strided(nullptr, count, 0, "src"));  // no strides needed
  int bad_count[3] = {8, 0, 2};
  EXPECT_THROW(comex::check_strided(stride, bad_count, 2, "src"), comex::Error);
  int small[2] = {4, 16};  // stride below the 8-byte block
  try {
    comex::check_strided(small, count, 2, "dst");
    ADD_FAILURE();
  } catch (const comex::Error &e) {
    EXPECT_NE(std::string(e.what()).find("dst_stride[0]"), std::string::npos) << e.what();
  }
  int small2[2] = {8, 15};  // level 2 stride below the 16 bytes of level 1
  EXPECT_THROW(comex::check_strided(small2, count, 2, "src"), comex::Error);
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
