// api_rma.cc -- contiguous put, get, accumulate (blocking = non-blocking + wait)
// and read-modify-write.
#include "api.h"

using namespace comex;

namespace {

/// Blocking form: start, then wait.
int blocking(const char *fn, Op op, int acc_op, void *scale, void *src, void *dst, int bytes,
             int proc, comex_group_t group) {
  return api_call(fn, [&](Runtime &rt) {
    rt.wait(start_contig(rt, op, acc_op, scale, src, dst, bytes, proc, group));
  });
}

/// Non-blocking form: start, hand out the handle.
int nonblocking(const char *fn, Op op, int acc_op, void *scale, void *src, void *dst, int bytes,
                int proc, comex_group_t group, comex_request_t *h) {
  return api_call(fn, [&](Runtime &rt) {
    need_ptr(h, "nb_handle");
    *h = rt.done_handle();  // a failed call leaves a handle that waits harmlessly
    *h = start_contig(rt, op, acc_op, scale, src, dst, bytes, proc, group);
  });
}

}  // namespace

extern "C" {

int comex_put(void *src, void *dst, int bytes, int proc, comex_group_t group) {
  return blocking("comex_put", Op::kPut, 0, nullptr, src, dst, bytes, proc, group);
}

int comex_get(void *src, void *dst, int bytes, int proc, comex_group_t group) {
  return blocking("comex_get", Op::kGet, 0, nullptr, src, dst, bytes, proc, group);
}

int comex_acc(int op, void *scale, void *src, void *dst, int bytes, int proc,
              comex_group_t group) {
  return blocking("comex_acc", Op::kAcc, op, scale, src, dst, bytes, proc, group);
}

int comex_nbput(void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *h) {
  return nonblocking("comex_nbput", Op::kPut, 0, nullptr, src, dst, bytes, proc, group, h);
}

int comex_nbget(void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *h) {
  return nonblocking("comex_nbget", Op::kGet, 0, nullptr, src, dst, bytes, proc, group, h);
}

int comex_nbacc(int op, void *scale, void *src, void *dst, int bytes, int proc,
                comex_group_t group, comex_request_t *h) {
  return nonblocking("comex_nbacc", Op::kAcc, op, scale, src, dst, bytes, proc, group, h);
}

int comex_rmw(int op, void *ploc, void *prem, int extra, int proc, comex_group_t group) {
  return api_call("comex_rmw", [&](Runtime &rt) {
    RmwKind kind;
    if (!rmw_kind(op, &kind))
      throw Error(format("op=%d is not a read-modify-write op (COMEX_SWAP[_LONG], "
                         "COMEX_FETCH_AND_ADD[_LONG])",
                         op));
    auto g = need_group(rt, group);
    Transfer t;
    t.op = Op::kRmw;
    t.target = need_proc(*g, proc, group);
    need_ptr(ploc, "ploc");
    need_ptr(prem, "prem");
    const size_t width = rmw_width(kind);
    if (uintptr_t(prem) % width != 0)
      throw Error(format("prem=%p is not aligned to %zu bytes", prem, width));
    need_remote(rt, t.target, prem, width, "prem");
    t.elem = uint8_t(kind);
    t.bytes = width;
    t.remote = uintptr_t(prem);
    t.result = ploc;
    if (kind == RmwKind::kFaddInt || kind == RmwKind::kFaddLong)
      t.operand = extra;
    else if (kind == RmwKind::kSwapInt)
      t.operand = *static_cast<int *>(ploc);
    else
      t.operand = *static_cast<long *>(ploc);
    rt.wait(rt.submit(t));
  });
}

}  // extern "C"
