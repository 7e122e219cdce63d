// api/sync.cc -- completion and fences.
#include "api/api.h"

using namespace comex;

namespace {
void need_handle(Runtime &rt, comex_request_t *h) {
  need_ptr(h, "nb_handle");
  if (!rt.valid_handle(*h)) throw Error(format("nb_handle=%d is not a ComEx handle", *h));
}
}  // namespace

extern "C" {

int comex_wait(comex_request_t *h) {
  return api_call("comex_wait", [&](Runtime &rt) {
    need_handle(rt, h);
    rt.wait(*h);
  });
}

int comex_test(comex_request_t *h, int *status) {
  return api_call("comex_test", [&](Runtime &rt) {
    need_handle(rt, h);
    need_ptr(status, "status");
    *status = 1;
    *status = rt.test(*h) ? 0 : 1;
  });
}

int comex_wait_all(comex_group_t group) {
  return api_call("comex_wait_all", [&](Runtime &rt) {
    need_group(rt, group);
    rt.wait_all();
  });
}

int comex_wait_proc(int proc, comex_group_t group) {
  return api_call("comex_wait_proc", [&](Runtime &rt) {
    auto g = need_group(rt, group);
    rt.wait_target(need_proc(*g, proc, group));
  });
}

int comex_fence_proc(int proc, comex_group_t group) {
  return api_call("comex_fence_proc", [&](Runtime &rt) {
    auto g = need_group(rt, group);
    rt.fence({need_proc(*g, proc, group)});
  });
}

int comex_fence_all(comex_group_t group) {
  return api_call("comex_fence_all", [&](Runtime &rt) { rt.fence(need_group(rt, group)->world); });
}

int comex_barrier(comex_group_t group) {
  return api_call("comex_barrier", [&](Runtime &rt) { rt.barrier(*need_group(rt, group)); });
}

int comex_wait_until(int (*test)(void *arg), void *arg) {
  return api_call("comex_wait_until", [&](Runtime &rt) {
    if (!test) throw Error("test is NULL");
    rt.wait_until([test, arg] { return test(arg) != 0; });
  });
}

}  // extern "C"
