// Helpers of the strided, vector, mutex and thread suites (testing/mpi):
// random strided shapes and vector layouts with a local model, accumulate
// element types with exact values, and ways to complete non-blocking handles.
#ifndef COMEX_TESTING_MPI_STRIDED_UTIL_H_
#define COMEX_TESTING_MPI_STRIDED_UTIL_H_

#include <gtest/gtest.h>

#include <algorithm>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "comex.h"
#include "test_util.h"

namespace stridedtest {

constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;
constexpr double kSpinSeconds = 60.0;  // bound on any wait for a condition

// A generator seeded from a few integers, identical on every rank.
inline std::mt19937_64 MakeRng(std::initializer_list<int> keys) {
  std::vector<uint32_t> v;
  for (int k : keys) v.push_back(static_cast<uint32_t>(k) * 2654435761u + 17u);
  std::seed_seq seq(v.begin(), v.end());
  return std::mt19937_64(seq);
}

inline int RandInt(std::mt19937_64 &rng, int lo, int hi) {  // [lo, hi]
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

inline size_t RoundUp(size_t x, size_t unit) { return (x + unit - 1) / unit * unit; }

using mpitest::CompleteVariously;
using mpitest::TestUntilDone;

// ---------------------------------------------------------------------------
// Strided shapes
// ---------------------------------------------------------------------------

// One strided transfer seen from the origin: `local` is the origin's buffer
// (src of a put, dst of a get), `remote` the target's.  Offsets are where the
// patch starts in the local buffer and in the origin's region of the target.
struct Shape {
  int levels = 0;
  std::vector<int> count;          // levels + 1 entries
  std::vector<int> local_stride;   // max(levels, 1) entries
  std::vector<int> remote_stride;  // max(levels, 1) entries
  size_t local_off = 0, remote_off = 0;

  static size_t Extent(const std::vector<int> &count, const std::vector<int> &stride, int levels) {
    size_t ext = static_cast<size_t>(count[0]);
    for (int i = 0; i < levels; ++i)
      ext = static_cast<size_t>(stride[i]) * static_cast<size_t>(count[i + 1] - 1) + ext;
    return ext;
  }
  size_t local_extent() const { return Extent(count, local_stride, levels); }
  size_t remote_extent() const { return Extent(count, remote_stride, levels); }
  size_t local_end() const { return local_off + local_extent(); }
  size_t remote_end() const { return remote_off + remote_extent(); }
  size_t blocks() const {
    size_t b = 1;
    for (int i = 1; i <= levels; ++i) b *= static_cast<size_t>(count[i]);
    return b;
  }
  size_t bytes() const { return blocks() * static_cast<size_t>(count[0]); }

  // Calls fn(local offset, remote offset) of each contiguous block (offsets
  // include local_off / remote_off), in row-major order.
  template <class Fn>
  void ForEachBlock(Fn fn) const {
    std::vector<int> idx(levels + 1, 0);
    for (;;) {
      size_t lo = local_off, ro = remote_off;
      for (int i = 1; i <= levels; ++i) {
        lo += static_cast<size_t>(idx[i]) * static_cast<size_t>(local_stride[i - 1]);
        ro += static_cast<size_t>(idx[i]) * static_cast<size_t>(remote_stride[i - 1]);
      }
      fn(lo, ro);
      int l = 1;
      while (l <= levels && ++idx[l] == count[l]) idx[l++] = 0;
      if (l > levels) return;
    }
  }

  std::string Describe() const {
    std::string s = "levels=" + std::to_string(levels) + " count=[";
    for (int i = 0; i <= levels; ++i) s += (i ? "," : "") + std::to_string(count[i]);
    s += "] local_stride=[";
    for (int i = 0; i < levels; ++i) s += (i ? "," : "") + std::to_string(local_stride[i]);
    s += "] remote_stride=[";
    for (int i = 0; i < levels; ++i) s += (i ? "," : "") + std::to_string(remote_stride[i]);
    s += "] local_off=" + std::to_string(local_off) + " remote_off=" + std::to_string(remote_off);
    return s;
  }
};

// How to draw a shape.
struct ShapeSpec {
  int levels = 0;
  int row_min = 1, row_max = 64;  // count[0] range (rounded to `unit`)
  int max_count = 4;              // count[i] in [1, max_count] for i >= 1
  size_t max_blocks = 256;        // product of count[1..levels]
  int pad_max = 24;               // stride = extent below + [0, pad_max]
  bool touch_local = false;       // local strides = extent below (no gaps)
  bool touch_remote = false;      // remote strides = extent below
  int fixed_count = 0;            // if > 0: count[i] = fixed_count for every i >= 1
};

// Draws a shape; count[0] is a multiple of `unit`, strides and offsets are
// multiples of `align`.
inline Shape DrawShape(std::mt19937_64 &rng, const ShapeSpec &spec, int unit, int align) {
  Shape s;
  s.levels = spec.levels;
  s.count.assign(spec.levels + 1, 1);
  const int rmin = std::max(1, (spec.row_min + unit - 1) / unit);
  const int rmax = std::max(rmin, spec.row_max / unit);
  s.count[0] = unit * RandInt(rng, rmin, rmax);
  // Choose the level counts in random order so that the cap on the number of
  // blocks does not always flatten the highest levels.
  std::vector<int> order;
  for (int i = 1; i <= spec.levels; ++i) order.push_back(i);
  std::shuffle(order.begin(), order.end(), rng);
  size_t blocks = 1;
  for (int i : order) {
    const size_t room = spec.max_blocks / blocks;
    const int hi = static_cast<int>(std::min<size_t>(spec.max_count, std::max<size_t>(room, 1)));
    s.count[i] = spec.fixed_count > 0 ? spec.fixed_count : RandInt(rng, 1, hi);
    blocks *= s.count[i];
  }
  auto strides = [&](bool touch) {
    std::vector<int> st(std::max(spec.levels, 1), 0);
    size_t ext = s.count[0];
    for (int i = 0; i < spec.levels; ++i) {
      size_t pad = touch ? 0 : static_cast<size_t>(RandInt(rng, 0, spec.pad_max));
      st[i] = static_cast<int>(RoundUp(ext + pad, align));
      ext = static_cast<size_t>(st[i]) * (s.count[i + 1] - 1) + ext;
    }
    if (spec.levels == 0) st[0] = RandInt(rng, 1, 1000);  // ignored by the library
    return st;
  };
  s.local_stride = strides(spec.touch_local);
  s.remote_stride = strides(spec.touch_remote);
  s.local_off = RoundUp(RandInt(rng, 0, 15), align);
  s.remote_off = RoundUp(RandInt(rng, 0, 15), align);
  return s;
}

// ---------------------------------------------------------------------------
// Vector layouts
// ---------------------------------------------------------------------------

// The (bytes, count) of each descriptor of one vector call.
struct Desc {
  int bytes;
  int count;
};

// A vector call seen from the origin: for descriptor d and pair j, the block
// of d.bytes at local offset local[d][j] and remote offset remote[d][j].
struct VecPlan {
  std::vector<Desc> descs;
  std::vector<std::vector<size_t>> local, remote;
  size_t local_size = 0, remote_size = 0;  // bytes spanned (from offset 0)

  size_t bytes() const {
    size_t b = 0;
    for (const Desc &d : descs) b += static_cast<size_t>(d.bytes) * d.count;
    return b;
  }
  template <class Fn>  // fn(bytes, local offset, remote offset)
  void ForEachBlock(Fn fn) const {
    for (size_t d = 0; d < descs.size(); ++d)
      for (int j = 0; j < descs[d].count; ++j) fn(descs[d].bytes, local[d][j], remote[d][j]);
  }
};

// Places every block of every descriptor in a buffer in random order with
// random gaps (multiples of `align`); blocks never overlap.
inline size_t PlaceBlocks(std::mt19937_64 &rng, const std::vector<Desc> &descs, int align,
                          int gap_max, std::vector<std::vector<size_t>> *where) {
  std::vector<std::pair<int, int>> all;
  where->assign(descs.size(), {});
  for (size_t d = 0; d < descs.size(); ++d) {
    (*where)[d].assign(descs[d].count, 0);
    for (int j = 0; j < descs[d].count; ++j) all.push_back({static_cast<int>(d), j});
  }
  std::shuffle(all.begin(), all.end(), rng);
  size_t pos = RoundUp(RandInt(rng, 0, gap_max), align);
  for (auto [d, j] : all) {
    (*where)[d][j] = pos;
    pos = RoundUp(pos + descs[d].bytes + RandInt(rng, 0, gap_max), align);
  }
  return pos;
}

inline VecPlan DrawVecPlan(std::mt19937_64 &rng, const std::vector<Desc> &descs, int align,
                           int gap_max = 24) {
  VecPlan p;
  p.descs = descs;
  p.local_size = PlaceBlocks(rng, descs, align, gap_max, &p.local);
  p.remote_size = PlaceBlocks(rng, descs, align, gap_max, &p.remote);
  return p;
}

// The address arrays of one vector call, kept alive as long as the call.
struct GiovSet {
  std::vector<std::vector<void *>> src, dst;
  std::vector<comex_giov_t> iov;

  // put/acc: src local; get: src remote.
  GiovSet(const VecPlan &p, void *local_base, void *remote_base, bool get) {
    const size_t nd = p.descs.size();
    src.resize(nd);
    dst.resize(nd);
    for (size_t d = 0; d < nd; ++d) {
      // At least one entry so that the arrays are never NULL (a count-0
      // descriptor still points at a valid array).
      src[d].assign(std::max(p.descs[d].count, 1), nullptr);
      dst[d].assign(std::max(p.descs[d].count, 1), nullptr);
      for (int j = 0; j < std::max(p.descs[d].count, 1); ++j) {
        const size_t lo = j < p.descs[d].count ? p.local[d][j] : 0;
        const size_t ro = j < p.descs[d].count ? p.remote[d][j] : 0;
        void *l = static_cast<char *>(local_base) + lo;
        void *r = static_cast<char *>(remote_base) + ro;
        src[d][j] = get ? r : l;
        dst[d][j] = get ? l : r;
      }
      iov.push_back({src[d].data(), dst[d].data(), p.descs[d].count, p.descs[d].bytes});
    }
  }
  comex_giov_t *data() { return iov.data(); }
  int len() const { return static_cast<int>(iov.size()); }
};

using testutil::AccAlign;
using testutil::AccType;
using testutil::ElemOf;
using testutil::ForEachAccType;
using testutil::MulAdd;

}  // namespace stridedtest

#endif  // COMEX_TESTING_MPI_STRIDED_UTIL_H_
