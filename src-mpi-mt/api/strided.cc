// api/strided.cc -- strided put, get, accumulate (blocking = non-blocking + wait).
#include "api/api.h"

using namespace comex;

extern "C" {

int comex_puts(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
               int stride_levels, int proc, comex_group_t group) {
  return run_blocking("comex_puts", [&](Runtime &rt) {
    return start_strided(rt, Op::kPut, 0, nullptr, src, src_stride, dst, dst_stride, count,
                         stride_levels, proc, group);
  });
}

int comex_gets(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
               int stride_levels, int proc, comex_group_t group) {
  return run_blocking("comex_gets", [&](Runtime &rt) {
    return start_strided(rt, Op::kGet, 0, nullptr, src, src_stride, dst, dst_stride, count,
                         stride_levels, proc, group);
  });
}

int comex_accs(int op, void *scale, void *src, int *src_stride, void *dst, int *dst_stride,
               int *count, int stride_levels, int proc, comex_group_t group) {
  return run_blocking("comex_accs", [&](Runtime &rt) {
    return start_strided(rt, Op::kAcc, op, scale, src, src_stride, dst, dst_stride, count,
                         stride_levels, proc, group);
  });
}

int comex_nbputs(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
                 int stride_levels, int proc, comex_group_t group, comex_request_t *h) {
  return run_nonblocking("comex_nbputs", h, [&](Runtime &rt) {
    return start_strided(rt, Op::kPut, 0, nullptr, src, src_stride, dst, dst_stride, count,
                         stride_levels, proc, group);
  });
}

int comex_nbgets(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
                 int stride_levels, int proc, comex_group_t group, comex_request_t *h) {
  return run_nonblocking("comex_nbgets", h, [&](Runtime &rt) {
    return start_strided(rt, Op::kGet, 0, nullptr, src, src_stride, dst, dst_stride, count,
                         stride_levels, proc, group);
  });
}

int comex_nbaccs(int op, void *scale, void *src, int *src_stride, void *dst, int *dst_stride,
                 int *count, int stride_levels, int proc, comex_group_t group, comex_request_t *h) {
  return run_nonblocking("comex_nbaccs", h, [&](Runtime &rt) {
    return start_strided(rt, Op::kAcc, op, scale, src, src_stride, dst, dst_stride, count,
                         stride_levels, proc, group);
  });
}

}  // extern "C"
