// rma.cc -- contiguous and strided put, get and accumulate (blocking and
// non-blocking), puts with a completion flag, and single-value transfers.
//
// `proc` is a world rank: ComEx's world group uses world ranks directly.
// Every blocking call is the non-blocking ComEx call plus a wait.
#include "armci_impl.h"

using armci::blocking;
using armci::fail;
using armci::nonblocking;

namespace {

constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;

// Set the int at `flag` on `proc` to `val`.  ComEx applies the operations of
// one origin to one target in the order issued, so the flag lands after
// every earlier put of this process to `proc`.
int put_flag(const char *fn, int *flag, int val, int proc) {
  if (!flag) return fail(fn, "flag is NULL");
  return blocking(fn, [&](comex_request_t *r) {
    return comex_nbput(&val, flag, int(sizeof(int)), proc, kWorld, r);
  });
}

// A single value put with a blocking put (the value lives on our stack).
template <class T>
int put_value(const char *fn, T value, void *dst, int proc) {
  return blocking(fn, [&](comex_request_t *r) {
    return comex_nbput(&value, dst, int(sizeof(T)), proc, kWorld, r);
  });
}

// The non-blocking form completes at once: the value cannot outlive the call.
template <class T>
int nb_put_value(const char *fn, T value, void *dst, int proc, armci_hdl_t *h) {
  if (h && h->state == armci::kHandleActive) PARMCI_Wait(h);
  return put_value(fn, value, dst, proc);
}

template <class T>
T get_value(const char *fn, void *src, int proc) {
  T value{};
  if (blocking(fn, [&](comex_request_t *r) {
        return comex_nbget(src, &value, int(sizeof(T)), proc, kWorld, r);
      }) != 0)
    return T{};
  return value;
}

}  // namespace

extern "C" {

// ---------------------------------------------------------------------------
// Contiguous
// ---------------------------------------------------------------------------

int PARMCI_NbPut(void *src, void *dst, int bytes, int proc, armci_hdl_t *h) {
  return nonblocking("ARMCI_NbPut", h, [&](comex_request_t *r) {
    return comex_nbput(src, dst, bytes, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_NbPut)

int PARMCI_NbGet(void *src, void *dst, int bytes, int proc, armci_hdl_t *h) {
  return nonblocking("ARMCI_NbGet", h, [&](comex_request_t *r) {
    return comex_nbget(src, dst, bytes, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_NbGet)

int PARMCI_NbAcc(int optype, void *scale, void *src, void *dst, int bytes, int proc,
                 armci_hdl_t *h) {
  return nonblocking("ARMCI_NbAcc", h, [&](comex_request_t *r) {
    return comex_nbacc(optype, scale, src, dst, bytes, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_NbAcc)

int PARMCI_Put(void *src, void *dst, int bytes, int proc) {
  return blocking("ARMCI_Put", [&](comex_request_t *r) {
    return comex_nbput(src, dst, bytes, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_Put)

int PARMCI_Get(void *src, void *dst, int bytes, int proc) {
  return blocking("ARMCI_Get", [&](comex_request_t *r) {
    return comex_nbget(src, dst, bytes, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_Get)

int PARMCI_Acc(int optype, void *scale, void *src, void *dst, int bytes, int proc) {
  return blocking("ARMCI_Acc", [&](comex_request_t *r) {
    return comex_nbacc(optype, scale, src, dst, bytes, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_Acc)

int PARMCI_Put_flag(void *src, void *dst, int bytes, int *flag, int val, int proc) {
  const char *fn = "ARMCI_Put_flag";
  if (!flag && armci::ready(fn)) return fail(fn, "flag is NULL");
  if (PARMCI_Put(src, dst, bytes, proc) != 0) return ARMCI_FAIL;
  return put_flag(fn, flag, val, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_Put_flag)

// ---------------------------------------------------------------------------
// Strided
// ---------------------------------------------------------------------------

int PARMCI_NbPutS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],
                  int count[], int stride_levels, int proc, armci_hdl_t *h) {
  return nonblocking("ARMCI_NbPutS", h, [&](comex_request_t *r) {
    return comex_nbputs(src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count, stride_levels,
                        proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_NbPutS)

int PARMCI_NbGetS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],
                  int count[], int stride_levels, int proc, armci_hdl_t *h) {
  return nonblocking("ARMCI_NbGetS", h, [&](comex_request_t *r) {
    return comex_nbgets(src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count, stride_levels,
                        proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_NbGetS)

int PARMCI_NbAccS(int optype, void *scale, void *src_ptr, int src_stride_arr[], void *dst_ptr,
                  int dst_stride_arr[], int count[], int stride_levels, int proc, armci_hdl_t *h) {
  return nonblocking("ARMCI_NbAccS", h, [&](comex_request_t *r) {
    return comex_nbaccs(optype, scale, src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count,
                        stride_levels, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_NbAccS)

int PARMCI_PutS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],
                int count[], int stride_levels, int proc) {
  return blocking("ARMCI_PutS", [&](comex_request_t *r) {
    return comex_nbputs(src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count, stride_levels,
                        proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_PutS)

int PARMCI_GetS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],
                int count[], int stride_levels, int proc) {
  return blocking("ARMCI_GetS", [&](comex_request_t *r) {
    return comex_nbgets(src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count, stride_levels,
                        proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_GetS)

int PARMCI_AccS(int optype, void *scale, void *src_ptr, int src_stride_arr[], void *dst_ptr,
                int dst_stride_arr[], int count[], int stride_levels, int proc) {
  return blocking("ARMCI_AccS", [&](comex_request_t *r) {
    return comex_nbaccs(optype, scale, src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count,
                        stride_levels, proc, kWorld, r);
  });
}
ARMCI_WEAK_ALIAS(ARMCI_AccS)

int PARMCI_PutS_flag(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],
                     int count[], int stride_levels, int *flag, int val, int proc) {
  const char *fn = "ARMCI_PutS_flag";
  if (!flag && armci::ready(fn)) return fail(fn, "flag is NULL");
  if (PARMCI_PutS(src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count, stride_levels, proc) !=
      0)
    return ARMCI_FAIL;
  return put_flag(fn, flag, val, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutS_flag)

// "Direct" was a transport choice of classic ARMCI; here it is the same call.
int PARMCI_PutS_flag_dir(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],
                         int count[], int stride_levels, int *flag, int val, int proc) {
  return PARMCI_PutS_flag(src_ptr, src_stride_arr, dst_ptr, dst_stride_arr, count, stride_levels,
                          flag, val, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutS_flag_dir)

// ---------------------------------------------------------------------------
// Single values
// ---------------------------------------------------------------------------

int PARMCI_PutValueInt(int src, void *dst, int proc) {
  return put_value("ARMCI_PutValueInt", src, dst, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutValueInt)

int PARMCI_PutValueLong(long src, void *dst, int proc) {
  return put_value("ARMCI_PutValueLong", src, dst, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutValueLong)

int PARMCI_PutValueFloat(float src, void *dst, int proc) {
  return put_value("ARMCI_PutValueFloat", src, dst, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutValueFloat)

int PARMCI_PutValueDouble(double src, void *dst, int proc) {
  return put_value("ARMCI_PutValueDouble", src, dst, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_PutValueDouble)

int PARMCI_NbPutValueInt(int src, void *dst, int proc, armci_hdl_t *h) {
  return nb_put_value("ARMCI_NbPutValueInt", src, dst, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbPutValueInt)

int PARMCI_NbPutValueLong(long src, void *dst, int proc, armci_hdl_t *h) {
  return nb_put_value("ARMCI_NbPutValueLong", src, dst, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbPutValueLong)

int PARMCI_NbPutValueFloat(float src, void *dst, int proc, armci_hdl_t *h) {
  return nb_put_value("ARMCI_NbPutValueFloat", src, dst, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbPutValueFloat)

int PARMCI_NbPutValueDouble(double src, void *dst, int proc, armci_hdl_t *h) {
  return nb_put_value("ARMCI_NbPutValueDouble", src, dst, proc, h);
}
ARMCI_WEAK_ALIAS(ARMCI_NbPutValueDouble)

int PARMCI_GetValueInt(void *src, int proc) {
  return get_value<int>("ARMCI_GetValueInt", src, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_GetValueInt)

long PARMCI_GetValueLong(void *src, int proc) {
  return get_value<long>("ARMCI_GetValueLong", src, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_GetValueLong)

float PARMCI_GetValueFloat(void *src, int proc) {
  return get_value<float>("ARMCI_GetValueFloat", src, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_GetValueFloat)

double PARMCI_GetValueDouble(void *src, int proc) {
  return get_value<double>("ARMCI_GetValueDouble", src, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_GetValueDouble)

}  // extern "C"
