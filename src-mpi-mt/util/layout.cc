// util/layout.cc -- strided/vector layouts: checks, iteration, wire form.
#include "util/layout.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "util/alloc_table.h"
#include "util/error.h"

namespace comex {

Layout Layout::contiguous(uint64_t base, uint64_t bytes) {
  Layout l;
  l.kind = Kind::kContig;
  l.base = base;
  l.bytes = bytes;
  return l;
}

Layout Layout::strided(uint64_t base, const int *stride, const int *count, int levels) {
  Layout l;
  l.kind = Kind::kStrided;
  l.base = base;
  l.levels = levels;
  for (int i = 0; i <= levels; ++i) l.count[i] = count[i];
  for (int i = 0; i < levels; ++i) l.stride[i] = stride[i];
  return l;
}

namespace {

/// Does a strided shape (counts >= 1, strides of either sign) move and span
/// at most 2^62 bytes?  Computed in 128 bits, so no product can wrap.
template <class C, class S>
bool fits(const C *count, const S *stride_a, const S *stride_b, int levels) {
  using U = unsigned __int128;
  U total = U(count[0]), span = U(count[0]);
  for (int i = 1; i <= levels; ++i) {
    const int64_t a = std::abs(int64_t(stride_a[i - 1])), b = std::abs(int64_t(stride_b[i - 1]));
    total *= U(count[i]);
    span += U(std::max(a, b)) * U(count[i] - 1);
  }
  constexpr U kLimit = U(1) << 62;
  return total <= kLimit && span <= kLimit;
}

}  // namespace

StridedArgs StridedArgs::check(const int *src_stride, const int *dst_stride, const int *count,
                               int levels) {
  if (levels < 0 || levels > kMaxStrideLevels)
    throw Error(format("stride_levels=%d is outside [0, %d]", levels, kMaxStrideLevels));
  if (!count) throw Error("count is NULL");
  StridedArgs a;
  for (int i = 0; i <= levels; ++i)
    if (count[i] < 0) throw Error(format("count[%d]=%d is negative", i, count[i]));
  for (int i = 0; i <= levels; ++i)
    if (count[i] == 0) return a;  // nothing to move
  a.count[0] = count[0];
  for (int i = 1; i <= levels; ++i) {
    if (count[i] == 1) continue;  // one block: its stride is never used
    if (!src_stride) throw Error("src_stride is NULL");
    if (!dst_stride) throw Error("dst_stride is NULL");
    a.count[a.levels + 1] = count[i];
    a.src_stride[a.levels] = src_stride[i - 1];
    a.dst_stride[a.levels] = dst_stride[i - 1];
    ++a.levels;
  }
  if (!fits(a.count, a.src_stride, a.dst_stride, a.levels))
    throw Error("count and strides describe a region of more than 2^62 bytes");
  return a;
}

uint64_t Layout::total() const {
  switch (kind) {
    case Kind::kContig:
      return bytes;
    case Kind::kStrided: {
      uint64_t t = uint64_t(count[0]);
      for (int i = 1; i <= levels; ++i) t *= uint64_t(count[i]);
      return t;
    }
    case Kind::kVector: {
      uint64_t t = 0;
      for (const Group &g : groups) t += g.bytes * g.addrs.size();
      return t;
    }
  }
  return 0;
}

uint64_t Layout::segments() const {
  switch (kind) {
    case Kind::kContig:
      return bytes ? 1 : 0;
    case Kind::kStrided:
      return total() / uint64_t(count[0]);
    case Kind::kVector: {
      uint64_t n = 0;
      for (const Group &g : groups) n += g.bytes ? g.addrs.size() : 0;
      return n;
    }
  }
  return 0;
}

uint64_t Layout::segment_bytes() const {
  switch (kind) {
    case Kind::kContig:
      return bytes;
    case Kind::kStrided:
      return uint64_t(count[0]);
    case Kind::kVector: {
      uint64_t m = ~uint64_t(0);
      for (const Group &g : groups)
        if (g.bytes && !g.addrs.empty()) m = std::min(m, g.bytes);
      return m == ~uint64_t(0) ? 0 : m;
    }
  }
  return 0;
}

void Layout::simplify() {
  if (kind != Kind::kStrided) return;
  // Drop levels of a single block (their stride does not matter).
  for (int i = levels; i >= 1; --i) {
    if (count[i] != 1) continue;
    for (int j = i; j < levels; ++j) count[j] = count[j + 1];
    for (int j = i - 1; j + 1 < levels; ++j) stride[j] = stride[j + 1];
    count[levels] = 0;
    stride[levels - 1] = 0;
    --levels;
  }
  // Merge leading levels whose blocks touch: stride[0] == count[0].
  while (levels > 0 && stride[0] == count[0]) {
    count[0] *= count[1];
    for (int i = 1; i < levels; ++i) count[i] = count[i + 1];
    for (int i = 0; i + 1 < levels; ++i) stride[i] = stride[i + 1];
    count[levels] = 0;
    stride[levels - 1] = 0;
    --levels;
  }
  if (levels == 0) *this = contiguous(base, uint64_t(count[0]));
}

bool Layout::may_overlap() const {
  if (kind != Kind::kStrided) return false;
  int64_t extent = count[0];  // bytes spanned by one block of the level below
  for (int i = 0; i < levels; ++i) {
    const int64_t s = stride[i] < 0 ? -stride[i] : stride[i];
    if (count[i + 1] > 1 && s < extent) return true;
    extent += s * (count[i + 1] - 1);
  }
  return false;
}

void Layout::bounds(uint64_t *lo, uint64_t *hi) const {
  switch (kind) {
    case Kind::kContig:
      *lo = base;
      *hi = base + bytes;
      return;
    case Kind::kStrided: {
      int64_t down = 0, up = count[0];  // offsets from base
      for (int i = 1; i <= levels; ++i) {
        const int64_t reach = stride[i - 1] * (count[i] - 1);
        (reach < 0 ? down : up) += reach;
      }
      *lo = base + uint64_t(down);
      *hi = base + uint64_t(up);
      return;
    }
    case Kind::kVector: {
      uint64_t l = ~uint64_t(0), h = 0;
      for (const Group &g : groups)
        for (uint64_t a : g.addrs) {
          l = std::min(l, a);
          h = std::max(h, a + g.bytes);
        }
      *lo = l == ~uint64_t(0) ? 0 : l;
      *hi = h;
      return;
    }
  }
}

// Wire form: kind (1 byte), then
//   contig:  base, bytes
//   strided: levels (8 bytes), base, count[0..levels], stride[0..levels-1]
//   vector:  ngroups, then per group: bytes, n, addrs[n]
// all as little-endian 64-bit words.
size_t Layout::encoded_size() const {
  switch (kind) {
    case Kind::kContig:
      return 1 + 16;
    case Kind::kStrided:
      return 1 + 8 * (2 + (levels + 1) + levels);
    case Kind::kVector: {
      size_t n = 1 + 8;
      for (const Group &g : groups) n += 16 + 8 * g.addrs.size();
      return n;
    }
  }
  return 0;
}

namespace {
void put64(std::vector<char> *out, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  out->insert(out->end(), b, b + 8);
}
struct Reader {
  const char *p, *end;
  uint64_t u64() {
    if (end - p < 8) throw Error("layout descriptor is truncated");
    uint64_t v;
    std::memcpy(&v, p, 8);
    p += 8;
    return v;
  }
};
}  // namespace

void Layout::encode(std::vector<char> *out) const {
  out->push_back(char(kind));
  switch (kind) {
    case Kind::kContig:
      put64(out, base);
      put64(out, bytes);
      break;
    case Kind::kStrided:
      put64(out, uint64_t(levels));
      put64(out, base);
      for (int i = 0; i <= levels; ++i) put64(out, uint64_t(count[i]));
      for (int i = 0; i < levels; ++i) put64(out, uint64_t(stride[i]));
      break;
    case Kind::kVector:
      put64(out, groups.size());
      for (const Group &g : groups) {
        put64(out, g.bytes);
        put64(out, g.addrs.size());
        for (uint64_t a : g.addrs) put64(out, a);
      }
      break;
  }
}

Layout Layout::decode(const char *buf, size_t len) {
  if (len < 1) throw Error("layout descriptor is empty");
  Layout l;
  Reader r{buf + 1, buf + len};
  switch (static_cast<Kind>(buf[0])) {
    case Kind::kContig:
      l.kind = Kind::kContig;
      l.base = r.u64();
      l.bytes = r.u64();
      break;
    case Kind::kStrided: {
      l.kind = Kind::kStrided;
      uint64_t levels = r.u64();
      if (levels > uint64_t(kMaxStrideLevels)) throw Error("layout descriptor: bad stride levels");
      l.levels = int(levels);
      l.base = r.u64();
      for (int i = 0; i <= l.levels; ++i) {
        l.count[i] = int64_t(r.u64());
        if (l.count[i] < 1 || l.count[i] > INT32_MAX) throw Error("layout descriptor: bad count");
      }
      for (int i = 0; i < l.levels; ++i) {
        l.stride[i] = int64_t(r.u64());
        if (l.stride[i] < INT32_MIN || l.stride[i] > INT32_MAX)
          throw Error("layout descriptor: bad stride");
      }
      if (!fits(l.count, l.stride, l.stride, l.levels))
        throw Error("layout descriptor: region of more than 2^62 bytes");
      break;
    }
    case Kind::kVector: {
      l.kind = Kind::kVector;
      uint64_t ng = r.u64();
      if (ng > len) throw Error("layout descriptor: bad group count");
      l.groups.resize(ng);
      for (Group &g : l.groups) {
        g.bytes = r.u64();
        uint64_t n = r.u64();
        if (n > len / 8) throw Error("layout descriptor: bad segment count");
        g.addrs.resize(n);
        for (uint64_t &a : g.addrs) a = r.u64();
      }
      break;
    }
    default:
      throw Error("layout descriptor: unknown kind");
  }
  if (r.p != r.end) throw Error("layout descriptor has trailing bytes");
  return l;
}

bool layout_inside(const AllocTable &t, int rank, const Layout &l) {
  if (l.kind == Layout::Kind::kVector) {
    uint64_t lo = 1, hi = 0;  // the block the last segment was in
    return l.for_each_segment([&](uint64_t a, uint64_t len) {
      if (a >= lo && a <= hi && len <= hi - a) return true;
      return t.block_of(rank, a, len, &lo, &hi);
    });
  }
  uint64_t lo, hi;
  l.bounds(&lo, &hi);
  return hi >= lo && t.contains(rank, lo, hi - lo);
}

Cursor::Cursor(const Layout &l) : l_(l), remaining_(l.total()) {}

void Cursor::next_segment() {
  switch (l_.kind) {
    case Layout::Kind::kContig:
      seg_addr_ = l_.base;
      seg_left_ = l_.bytes;
      break;
    case Layout::Kind::kStrided: {
      seg_left_ = uint64_t(l_.count[0]);
      if (!started_) {
        seg_addr_ = row_ = l_.base;
        break;
      }
      // Next block of level 1 in the common case; recompute on a carry.
      if (l_.levels >= 1 && ++idx_[1] < l_.count[1]) {
        row_ += uint64_t(l_.stride[0]);
        seg_addr_ = row_;
        break;
      }
      int i = 1;
      if (l_.levels >= 1) idx_[i++] = 0;
      while (i <= l_.levels && ++idx_[i] == l_.count[i]) idx_[i++] = 0;
      uint64_t a = l_.base;
      for (int j = 2; j <= l_.levels; ++j) a += uint64_t(idx_[j] * l_.stride[j - 1]);
      seg_addr_ = row_ = a;
      break;
    }
    case Layout::Kind::kVector:
      if (started_) ++item_;
      while (group_ < l_.groups.size() &&
             (item_ >= l_.groups[group_].addrs.size() || l_.groups[group_].bytes == 0)) {
        ++group_;
        item_ = 0;
      }
      if (group_ >= l_.groups.size()) throw Error("internal: cursor ran past its layout");
      seg_addr_ = l_.groups[group_].addrs[item_];
      seg_left_ = l_.groups[group_].bytes;
      break;
  }
  started_ = true;
}

void Cursor::pack(char *out, uint64_t n) {
  visit(n, [out](char *seg, size_t len, size_t off) { std::memcpy(out + off, seg, len); });
}

void Cursor::unpack(const char *in, uint64_t n) {
  visit(n, [in](char *seg, size_t len, size_t off) { std::memcpy(seg, in + off, len); });
}

}  // namespace comex
