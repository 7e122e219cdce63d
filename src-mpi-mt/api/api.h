// api/api.h -- the C edge: argument checks, and the conversion of comex::Error
// into COMEX_FAILURE plus one line naming the function and the argument.
#pragma once

#include <exception>
#include <memory>

#include "comex.h"
#include "core/runtime.h"
#include "util/log.h"

namespace comex {

/// Print "comex-mt[rank] fn: message" on one line.
void report(const char *fn, const char *message);

/// Run `body(Runtime&)` for entry point `fn`; no exception crosses into C.
template <class F>
int api_call(const char *fn, F &&body) {
  Runtime *rt = Runtime::instance();
  if (!rt) {
    report(fn, "called before comex_init (or after comex_finalize)");
    return COMEX_FAILURE;
  }
  try {
    body(*rt);
    return COMEX_SUCCESS;
  } catch (const std::exception &e) {
    report(fn, e.what());
  } catch (...) {
    report(fn, "unknown internal error");
  }
  return COMEX_FAILURE;
}

// Argument checks: each throws comex::Error naming the argument.
std::shared_ptr<Group> need_group(Runtime &rt, comex_group_t group);
/// The group of handle `group`, without reference counting for the world
/// group (the hot path); another group is kept alive in *hold.
const Group &group_of(Runtime &rt, comex_group_t group, std::shared_ptr<Group> *hold);
/// `proc` as a rank of `g` (handle `group`); returns the world rank.
int need_proc(const Group &g, int proc, comex_group_t group);
void need_bytes(long long bytes, const char *name = "bytes");
void need_ptr(const void *p, const char *name);
/// [addr, addr + bytes) must lie in comex_malloc memory of world rank `world`.
void need_remote(Runtime &rt, int world, const void *addr, uint64_t bytes, const char *name);
/// The address check of a contiguous remote range [addr, addr + bytes) of
/// world rank `target` (else an error naming `name`), and the choice of path:
/// where the range is seen in this process when the target is on the local
/// path (Runtime::local_path), else nullptr (a message).
void *check_remote(Runtime &rt, int target, void *addr, uint64_t bytes, const char *name);
/// The address check of a contiguous or strided remote side: inside one
/// comex_malloc block of the target, else an error naming `name`.  Notes in
/// `t` whether that block is mapped here (the node-local path).
void locate(Runtime &rt, Transfer *t, const char *name);
/// Element type of accumulate `op`.
ElemType need_acc_op(int op);
/// Element type of accumulate `op`, whose `scale` must not be NULL.
ElemType need_acc(int op, const void *scale);
/// Start a contiguous put/get/acc after checking every argument; returns a handle.
int start_contig(Runtime &rt, Op op, int acc_op, void *scale, void *src, void *dst, int bytes,
                 int proc, comex_group_t group);

/// The same for strided transfers (comex_puts/gets/accs and nb forms).
int start_strided(Runtime &rt, Op op, int acc_op, void *scale, void *src, int *src_stride,
                  void *dst, int *dst_stride, int *count, int levels, int proc,
                  comex_group_t group);
/// The same for vector transfers (comex_putv/getv/accv and nb forms).
int start_vector(Runtime &rt, Op op, int acc_op, void *scale, comex_giov_t *darr, int len, int proc,
                 comex_group_t group);

/// Blocking form of an operation: start it, then wait.
template <class Start>
int run_blocking(const char *fn, Start start) {
  return api_call(fn, [&](Runtime &rt) { rt.wait(start(rt)); });
}
/// Non-blocking form: start it and hand out the handle (a failed call leaves
/// a handle that waits harmlessly).
template <class Start>
int run_nonblocking(const char *fn, comex_request_t *h, Start start) {
  return api_call(fn, [&](Runtime &rt) {
    need_ptr(h, "nb_handle");
    *h = rt.done_handle();
    *h = start(rt);
  });
}

}  // namespace comex
