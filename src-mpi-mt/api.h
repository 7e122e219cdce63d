// api.h -- the C edge: argument checks, and the conversion of comex::Error
// into COMEX_FAILURE plus one line naming the function and the argument.
#pragma once

#include <exception>
#include <memory>

#include "comex.h"
#include "log.h"
#include "runtime.h"

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
/// `proc` as a rank of `g` (handle `group`); returns the world rank.
int need_proc(const Group &g, int proc, comex_group_t group);
void need_bytes(long long bytes, const char *name = "bytes");
void need_ptr(const void *p, const char *name);
/// [addr, addr + bytes) must lie in comex_malloc memory of world rank `world`.
void need_remote(Runtime &rt, int world, const void *addr, uint64_t bytes, const char *name);
/// Element type of accumulate `op`.
ElemType need_acc_op(int op);
/// Start a contiguous put/get/acc after checking every argument; returns a handle.
int start_contig(Runtime &rt, Op op, int acc_op, void *scale, void *src, void *dst, int bytes,
                 int proc, comex_group_t group);

}  // namespace comex
