// util/acc.h -- accumulate kernels (dst += scale * src) and read-modify-write.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace comex {

/// Element types of accumulate, in COMEX_ACC_* order.
enum class ElemType : uint8_t { kInt = 0, kDbl, kFlt, kCpl, kDcp, kLng, kCount };

/// COMEX_ACC_* -> element type; false for an unknown op.
bool acc_elem_type(int op, ElemType *type);
/// Bytes of one element.
size_t elem_size(ElemType type);

namespace detail {

template <class T>
inline T load(const void *p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
inline void store(void *p, T v) {
  std::memcpy(p, &v, sizeof v);
}

/// Real element types: one templated kernel (unaligned-safe).
template <class T>
void axpy_real(void *dst, const void *src, size_t n, const void *scale) {
  const T s = load<T>(scale);
  char *d = static_cast<char *>(dst);
  const char *x = static_cast<const char *>(src);
  for (size_t i = 0; i < n; ++i, d += sizeof(T), x += sizeof(T))
    store<T>(d, load<T>(d) + s * load<T>(x));
}

/// Complex element types stored as (re, im) pairs of T.
template <class T>
void axpy_complex(void *dst, const void *src, size_t n, const void *scale) {
  const T sr = load<T>(scale), si = load<T>(static_cast<const char *>(scale) + sizeof(T));
  char *d = static_cast<char *>(dst);
  const char *x = static_cast<const char *>(src);
  for (size_t i = 0; i < n; ++i, d += 2 * sizeof(T), x += 2 * sizeof(T)) {
    T xr = load<T>(x), xi = load<T>(x + sizeof(T));
    store<T>(d, load<T>(d) + (sr * xr - si * xi));
    store<T>(d + sizeof(T), load<T>(d + sizeof(T)) + (sr * xi + si * xr));
  }
}

}  // namespace detail

/// dst[i] += scale * src[i] for bytes / elem_size(type) elements.  Not atomic
/// by itself: callers serialise accumulates to the same memory.
void accumulate(ElemType type, const void *scale, void *dst, const void *src, size_t bytes);

/// Read-modify-write ops (COMEX_SWAP[_LONG], COMEX_FETCH_AND_ADD[_LONG]).
enum class RmwKind : uint8_t { kSwapInt, kSwapLong, kFaddInt, kFaddLong };
/// COMEX_* rmw op -> kind; false for an unknown op.
bool rmw_kind(int op, RmwKind *kind);
/// Operand width of a kind (4 or 8 bytes).
size_t rmw_width(RmwKind kind);
/// Apply atomically at `target` (aligned to rmw_width); returns the old value.
/// For a swap `operand` is the new value, for fetch-and-add the increment.
int64_t rmw_apply(RmwKind kind, void *target, int64_t operand);
/// Store an old value returned by rmw_apply at `dst` with the kind's width.
void rmw_store(RmwKind kind, void *dst, int64_t value);

}  // namespace comex
