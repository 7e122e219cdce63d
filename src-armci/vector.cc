// vector.cc -- vector (I/O vector) put, get and accumulate, blocking and
// non-blocking.  An armci_giov_t is converted into ComEx's comex_giov_t.
#include <vector>

#include "armci_impl.h"

using armci::fail;

namespace {

constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;

// The descriptors in ComEx's form; false (with a message) on bad input.
bool convert(const char *fn, const armci_giov_t *darr, int len, std::vector<comex_giov_t> *out) {
  if (len < 0) {
    fail(fn, "len=%d is negative", len);
    return false;
  }
  if (len > 0 && !darr) {
    fail(fn, "darr is NULL");
    return false;
  }
  out->resize(len);
  for (int i = 0; i < len; ++i) {
    (*out)[i].src = darr[i].src_ptr_array;
    (*out)[i].dst = darr[i].dst_ptr_array;
    (*out)[i].count = darr[i].ptr_array_len;
    (*out)[i].bytes = darr[i].bytes;
  }
  return true;
}

// Kinds of vector transfer, and the ComEx call of each.
enum class Kind { kPut, kGet, kAcc };

int start(Kind kind, int op, void *scale, std::vector<comex_giov_t> &v, int proc,
          comex_request_t *r) {
  const int len = int(v.size());
  switch (kind) {
    case Kind::kPut:
      return comex_nbputv(v.data(), len, proc, kWorld, r);
    case Kind::kGet:
      return comex_nbgetv(v.data(), len, proc, kWorld, r);
    default:
      return comex_nbaccv(op, scale, v.data(), len, proc, kWorld, r);
  }
}

int vector_blocking(const char *fn, Kind kind, int op, void *scale, armci_giov_t *darr, int len,
                    int proc) {
  if (!armci::ready(fn)) return ARMCI_FAIL;
  std::vector<comex_giov_t> v;
  if (!convert(fn, darr, len, &v)) return ARMCI_FAIL;
  return armci::blocking(fn,
                         [&](comex_request_t *r) { return start(kind, op, scale, v, proc, r); });
}

int vector_nonblocking(const char *fn, Kind kind, int op, void *scale, armci_giov_t *darr, int len,
                       int proc, armci_hdl_t *h) {
  if (!armci::ready(fn)) return ARMCI_FAIL;
  std::vector<comex_giov_t> v;
  if (!convert(fn, darr, len, &v)) return ARMCI_FAIL;
  return armci::nonblocking(fn, h,
                            [&](comex_request_t *r) { return start(kind, op, scale, v, proc, r); });
}

}  // namespace

extern "C" {

int PARMCI_PutV(armci_giov_t darr[], int len, int proc) {
  return vector_blocking("ARMCI_PutV", Kind::kPut, 0, nullptr, darr, len, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutV)

int PARMCI_GetV(armci_giov_t darr[], int len, int proc) {
  return vector_blocking("ARMCI_GetV", Kind::kGet, 0, nullptr, darr, len, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_GetV)

int PARMCI_AccV(int optype, void *scale, armci_giov_t darr[], int len, int proc) {
  return vector_blocking("ARMCI_AccV", Kind::kAcc, optype, scale, darr, len, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_AccV)

int PARMCI_NbPutV(armci_giov_t darr[], int len, int proc, armci_hdl_t *h) {
  return vector_nonblocking("ARMCI_NbPutV", Kind::kPut, 0, nullptr, darr, len, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbPutV)

int PARMCI_NbGetV(armci_giov_t darr[], int len, int proc, armci_hdl_t *h) {
  return vector_nonblocking("ARMCI_NbGetV", Kind::kGet, 0, nullptr, darr, len, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbGetV)

int PARMCI_NbAccV(int optype, void *scale, armci_giov_t darr[], int len, int proc, armci_hdl_t *h) {
  return vector_nonblocking("ARMCI_NbAccV", Kind::kAcc, optype, scale, darr, len, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbAccV)

}  // extern "C"
