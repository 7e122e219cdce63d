// api/vector.cc -- vector (I/O vector) put, get, accumulate: all descriptors
// of one call travel in one request and are applied in one pass.
#include "api/api.h"

using namespace comex;

extern "C" {

int comex_putv(comex_giov_t *darr, int len, int proc, comex_group_t group) {
  return run_blocking("comex_putv", [&](Runtime &rt) {
    return start_vector(rt, Op::kPut, 0, nullptr, darr, len, proc, group);
  });
}

int comex_getv(comex_giov_t *darr, int len, int proc, comex_group_t group) {
  return run_blocking("comex_getv", [&](Runtime &rt) {
    return start_vector(rt, Op::kGet, 0, nullptr, darr, len, proc, group);
  });
}

int comex_accv(int op, void *scale, comex_giov_t *darr, int len, int proc, comex_group_t group) {
  return run_blocking("comex_accv", [&](Runtime &rt) {
    return start_vector(rt, Op::kAcc, op, scale, darr, len, proc, group);
  });
}

int comex_nbputv(comex_giov_t *darr, int len, int proc, comex_group_t group, comex_request_t *h) {
  return run_nonblocking("comex_nbputv", h, [&](Runtime &rt) {
    return start_vector(rt, Op::kPut, 0, nullptr, darr, len, proc, group);
  });
}

int comex_nbgetv(comex_giov_t *darr, int len, int proc, comex_group_t group, comex_request_t *h) {
  return run_nonblocking("comex_nbgetv", h, [&](Runtime &rt) {
    return start_vector(rt, Op::kGet, 0, nullptr, darr, len, proc, group);
  });
}

int comex_nbaccv(int op, void *scale, comex_giov_t *darr, int len, int proc, comex_group_t group,
                 comex_request_t *h) {
  return run_nonblocking("comex_nbaccv", h, [&](Runtime &rt) {
    return start_vector(rt, Op::kAcc, op, scale, darr, len, proc, group);
  });
}

}  // extern "C"
