// util/acc.cc -- accumulate dispatch and atomic read-modify-write.
#include "util/acc.h"

#include "comex.h"

namespace comex {

bool acc_elem_type(int op, ElemType *type) {
  if (op < COMEX_ACC_INT || op > COMEX_ACC_LNG) return false;
  *type = static_cast<ElemType>(op - COMEX_ACC_INT);
  return true;
}

size_t elem_size(ElemType type) {
  static const size_t kSizes[] = {sizeof(int),       sizeof(double),     sizeof(float),
                                  2 * sizeof(float), 2 * sizeof(double), sizeof(long)};
  return kSizes[static_cast<int>(type)];
}

void accumulate(ElemType type, const void *scale, void *dst, const void *src, size_t bytes) {
  using Kernel = void (*)(void *, const void *, size_t, const void *);
  static const Kernel kKernels[] = {detail::axpy_real<int>,       detail::axpy_real<double>,
                                    detail::axpy_real<float>,     detail::axpy_complex<float>,
                                    detail::axpy_complex<double>, detail::axpy_real<long>};
  kKernels[static_cast<int>(type)](dst, src, bytes / elem_size(type), scale);
}

bool rmw_kind(int op, RmwKind *kind) {
  switch (op) {
    case COMEX_SWAP:
      *kind = RmwKind::kSwapInt;
      return true;
    case COMEX_SWAP_LONG:
      *kind = RmwKind::kSwapLong;
      return true;
    case COMEX_FETCH_AND_ADD:
      *kind = RmwKind::kFaddInt;
      return true;
    case COMEX_FETCH_AND_ADD_LONG:
      *kind = RmwKind::kFaddLong;
      return true;
    default:
      return false;
  }
}

size_t rmw_width(RmwKind kind) {
  return (kind == RmwKind::kSwapInt || kind == RmwKind::kFaddInt) ? sizeof(int) : sizeof(long);
}

int64_t rmw_apply(RmwKind kind, void *target, int64_t operand) {
  switch (kind) {
    case RmwKind::kSwapInt:
      return __atomic_exchange_n(static_cast<int *>(target), int(operand), __ATOMIC_SEQ_CST);
    case RmwKind::kSwapLong:
      return __atomic_exchange_n(static_cast<long *>(target), long(operand), __ATOMIC_SEQ_CST);
    case RmwKind::kFaddInt:
      return __atomic_fetch_add(static_cast<int *>(target), int(operand), __ATOMIC_SEQ_CST);
    case RmwKind::kFaddLong:
      return __atomic_fetch_add(static_cast<long *>(target), long(operand), __ATOMIC_SEQ_CST);
  }
  return 0;
}

void rmw_store(RmwKind kind, void *dst, int64_t value) {
  if (rmw_width(kind) == sizeof(int)) {
    int v = int(value);
    std::memcpy(dst, &v, sizeof v);
  } else {
    long v = long(value);
    std::memcpy(dst, &v, sizeof v);
  }
}

}  // namespace comex
