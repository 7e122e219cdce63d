// api/rma.cc -- contiguous put, get, accumulate (blocking = non-blocking +
// wait) and read-modify-write.
#include "api/api.h"

using namespace comex;

extern "C" {

int comex_put(void *src, void *dst, int bytes, int proc, comex_group_t group) {
  return run_blocking("comex_put", [&](Runtime &rt) {
    return start_contig(rt, Op::kPut, 0, nullptr, src, dst, bytes, proc, group);
  });
}

int comex_get(void *src, void *dst, int bytes, int proc, comex_group_t group) {
  return run_blocking("comex_get", [&](Runtime &rt) {
    return start_contig(rt, Op::kGet, 0, nullptr, src, dst, bytes, proc, group);
  });
}

int comex_acc(int op, void *scale, void *src, void *dst, int bytes, int proc, comex_group_t group) {
  return run_blocking("comex_acc", [&](Runtime &rt) {
    return start_contig(rt, Op::kAcc, op, scale, src, dst, bytes, proc, group);
  });
}

int comex_nbput(void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *h) {
  return run_nonblocking("comex_nbput", h, [&](Runtime &rt) {
    return start_contig(rt, Op::kPut, 0, nullptr, src, dst, bytes, proc, group);
  });
}

int comex_nbget(void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *h) {
  return run_nonblocking("comex_nbget", h, [&](Runtime &rt) {
    return start_contig(rt, Op::kGet, 0, nullptr, src, dst, bytes, proc, group);
  });
}

int comex_nbacc(int op, void *scale, void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *h) {
  return run_nonblocking("comex_nbacc", h, [&](Runtime &rt) {
    return start_contig(rt, Op::kAcc, op, scale, src, dst, bytes, proc, group);
  });
}

int comex_rmw(int op, void *ploc, void *prem, int extra, int proc, comex_group_t group) {
  return api_call("comex_rmw", [&](Runtime &rt) {
    RmwKind kind;
    if (!rmw_kind(op, &kind))
      throw Error(
          format("op=%d is not a read-modify-write op (COMEX_SWAP[_LONG], "
                 "COMEX_FETCH_AND_ADD[_LONG])",
                 op));
    std::shared_ptr<Group> hold;
    const Group &g = group_of(rt, group, &hold);
    const int target = need_proc(g, proc, group);
    need_ptr(ploc, "ploc");
    need_ptr(prem, "prem");
    const size_t width = rmw_width(kind);
    if (uintptr_t(prem) % width != 0)
      throw Error(format("prem=%p is not aligned to %zu bytes", prem, width));
    int64_t operand = extra;
    if (kind == RmwKind::kSwapInt) operand = *static_cast<int *>(ploc);
    if (kind == RmwKind::kSwapLong) operand = *static_cast<long *>(ploc);
    if (void *here = check_remote(rt, target, prem, width, "prem")) {  // an atomic instruction
      if (target != rt.rank()) rt.order_direct(target);
      rmw_store(kind, ploc, rmw_apply(kind, here, operand));
      return;
    }
    Transfer t = Transfer::contiguous(Op::kRmw, target, ploc, uint64_t(uintptr_t(prem)), width);
    t.elem = uint8_t(kind);
    t.result = ploc;
    t.operand = operand;
    rt.wait(rt.submit(t));
  });
}

}  // extern "C"
