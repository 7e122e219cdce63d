// util/layout.h -- where the bytes of one side of a transfer live.
//
// A Layout is a sequence of (address, length) segments, described compactly:
// contiguous, strided (COMEX_MAX_STRIDE_LEVEL levels), or vector (groups of
// equal-length segments).  Contiguous, strided and vector transfers all go
// through one submit path; only the Layout differs.  A Cursor walks a
// Layout so that data can be packed or scattered piece by piece.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace comex {

constexpr int kMaxStrideLevels = 8;

struct Layout {
  enum class Kind : uint8_t { kContig = 0, kStrided = 1, kVector = 2 };
  struct Group {  // vector: `addrs.size()` segments of `bytes` each
    uint64_t bytes = 0;
    std::vector<uint64_t> addrs;
  };

  Kind kind = Kind::kContig;
  uint64_t base = 0;   // contiguous and strided
  uint64_t bytes = 0;  // contiguous
  int levels = 0;      // strided
  // Strided only, entries 0..levels (count) and 0..levels-1 (stride); the
  // rest are unset, so that a contiguous layout costs nothing to make.
  int64_t count[kMaxStrideLevels + 1];  // strided: count[0] bytes, then blocks
  int64_t stride[kMaxStrideLevels];     // strided: byte strides
  std::vector<Group> groups;            // vector

  static Layout contiguous(uint64_t base, uint64_t bytes);
  /// Strided layout of reduced arguments (StridedArgs: every count above
  /// level 0 is at least 2, strides of any sign).
  static Layout strided(uint64_t base, const int *stride, const int *count, int levels);

  uint64_t total() const;          ///< bytes in all segments
  uint64_t segments() const;       ///< number of segments
  uint64_t segment_bytes() const;  ///< length of the smallest segment
  /// A strided layout whose blocks touch is really contiguous: simplify it.
  void simplify();
  /// Lowest address and one past the highest address touched.
  void bounds(uint64_t *lo, uint64_t *hi) const;
  /// True when two segments of a strided layout may share bytes (a stride
  /// shorter than the span of the level below); such a side is packed, never
  /// received block by block.
  bool may_overlap() const;
  /// Call fn(addr, len) for every segment in order; stops early if fn returns false.
  template <class F>
  bool for_each_segment(F fn) const;

  /// Compact wire form and back (decode throws comex::Error when malformed).
  void encode(std::vector<char> *out) const;
  size_t encoded_size() const;
  static Layout decode(const char *buf, size_t len);
};

class AllocTable;
/// True when every byte of `l` lies in comex_malloc memory of `rank` (a
/// strided layout within one block).
bool layout_inside(const AllocTable &t, int rank, const Layout &l);

/// The strided arguments of one call, checked and reduced to the levels that
/// repeat: a level whose count is 1 is dropped with its stride, which is never
/// used and may hold anything (GA passes count = {104, 1} with stride 8).
/// Strides may be of any sign and may make blocks overlap.  A count of 0
/// anywhere means nothing moves (count[0] == 0, levels == 0).
struct StridedArgs {
  int levels = 0;
  int count[kMaxStrideLevels + 1] = {};
  int src_stride[kMaxStrideLevels] = {};
  int dst_stride[kMaxStrideLevels] = {};

  bool empty() const { return count[0] == 0; }
  /// Check a user call's arguments; throws comex::Error naming the argument
  /// only for what cannot be executed: levels outside [0, kMaxStrideLevels],
  /// count NULL, a negative count, a NULL stride array that a repeating level
  /// needs, a region of more than 2^62 bytes.
  static StridedArgs check(const int *src_stride, const int *dst_stride, const int *count,
                           int levels);
};

/// Call f(row_a, row_b, count[0]) for every row of two strided regions with
/// the same counts (reduced by StridedArgs::check), in order.  Inline: the
/// node-local path copies 64-byte rows at memory speed through it.
template <class S, class C, class F>
inline void for_each_row(char *a, const S *a_stride, char *b, const S *b_stride, const C *count,
                         int levels, F &&f) {
  const size_t n = size_t(count[0]);
  if (levels == 0) {
    f(a, b, n);
    return;
  }
  int idx[kMaxStrideLevels + 1] = {};
  const int64_t a0 = a_stride[0], b0 = b_stride[0];
  for (;;) {
    int64_t ao = 0, bo = 0;
    for (int l = 2; l <= levels; ++l) {
      ao += int64_t(idx[l]) * a_stride[l - 1];
      bo += int64_t(idx[l]) * b_stride[l - 1];
    }
    char *pa = a + ao, *pb = b + bo;
    for (int j = 0; j < count[1]; ++j, pa += a0, pb += b0) f(pa, pb, n);
    int l = 2;
    while (l <= levels && ++idx[l] == count[l]) idx[l++] = 0;
    if (l > levels) return;
  }
}

/// memcpy for rows, without a library call for the short ones (the rows of
/// a strided transfer are often 8 to 256 bytes).
inline void copy_row(char *dst, const char *src, size_t n) {
  using V = char __attribute__((vector_size(16), aligned(1), may_alias));
  if (n > 256) {
    std::memcpy(dst, src, n);
    return;
  }
  switch (n) {  // common row lengths: straight-line moves
    case 8:
      __builtin_memcpy(dst, src, 8);
      return;
    case 16:
      __builtin_memcpy(dst, src, 16);
      return;
    case 32:
      __builtin_memcpy(dst, src, 32);
      return;
    case 64:
      __builtin_memcpy(dst, src, 64);
      return;
    case 128:
      __builtin_memcpy(dst, src, 128);
      return;
    default:
      break;
  }
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    V v = *reinterpret_cast<const V *>(src + i);
    *reinterpret_cast<V *>(dst + i) = v;
  }
  if (i + 8 <= n) {
    __builtin_memcpy(dst + i, src + i, 8);
    i += 8;
  }
  for (; i < n; ++i) dst[i] = src[i];
}

/// Walks a Layout byte by byte, in segment order.
class Cursor {
 public:
  explicit Cursor(const Layout &l);
  /// Visit the next `n` bytes as segments: fn(char *addr, size_t len, size_t consumed_before).
  template <class F>
  void visit(uint64_t n, F fn);
  /// Copy the next n bytes of the layout into `out`.
  void pack(char *out, uint64_t n);
  /// Scatter n bytes from `in` into the next bytes of the layout.
  void unpack(const char *in, uint64_t n);
  /// Move past the next n bytes.
  void skip(uint64_t n) {
    visit(n, [](char *, size_t, size_t) {});
  }
  uint64_t remaining() const { return remaining_; }

 private:
  void next_segment();
  const Layout &l_;
  uint64_t remaining_;
  // current segment
  uint64_t seg_addr_ = 0, seg_left_ = 0;
  // strided position: block indices and the address of the current block
  int64_t idx_[kMaxStrideLevels + 1] = {};
  uint64_t row_ = 0;
  // vector position
  size_t group_ = 0, item_ = 0;
  bool started_ = false;
};

// ---------------------------------------------------------------------------

template <class F>
bool Layout::for_each_segment(F fn) const {
  switch (kind) {
    case Kind::kContig:
      return bytes == 0 || fn(base, bytes);
    case Kind::kStrided: {
      int64_t idx[kMaxStrideLevels + 1] = {};
      for (;;) {
        uint64_t addr = base;
        for (int i = 1; i <= levels; ++i) addr += uint64_t(idx[i] * stride[i - 1]);
        if (!fn(addr, uint64_t(count[0]))) return false;
        int i = 1;
        while (i <= levels && ++idx[i] == count[i]) idx[i++] = 0;
        if (i > levels) return true;
      }
    }
    case Kind::kVector:
      for (const Group &g : groups)
        for (uint64_t a : g.addrs)
          if (g.bytes && !fn(a, g.bytes)) return false;
      return true;
  }
  return true;
}

template <class F>
void Cursor::visit(uint64_t n, F fn) {
  uint64_t done = 0;
  while (done < n) {
    if (seg_left_ == 0) next_segment();
    uint64_t take = seg_left_ < n - done ? seg_left_ : n - done;
    fn(reinterpret_cast<char *>(seg_addr_), size_t(take), size_t(done));
    seg_addr_ += take;
    seg_left_ -= take;
    done += take;
    remaining_ -= take;
  }
}

/// The payload pieces of a transfer, identical at origin and target: in
/// blocks mode (and for a contiguous layout) each segment split at `piece`,
/// fn(segment address + offset, length); otherwise `piece`-sized runs of the
/// packed stream of `bytes` bytes, fn(0, length).
template <class F>
void for_each_piece(const Layout &l, bool blocks, uint64_t bytes, uint64_t piece, F fn) {
  if (blocks || l.kind == Layout::Kind::kContig) {
    l.for_each_segment([&](uint64_t a, uint64_t len) {
      for (uint64_t off = 0; off < len; off += piece)
        fn(a + off, len - off < piece ? len - off : piece);
      return true;
    });
  } else {
    for (uint64_t off = 0; off < bytes; off += piece)
      fn(uint64_t(0), bytes - off < piece ? bytes - off : piece);
  }
}

}  // namespace comex
