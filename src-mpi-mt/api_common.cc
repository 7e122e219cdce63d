// api_common.cc -- shared argument checks of the C entry points.
#include "api.h"

namespace comex {

void report(const char *fn, const char *message) { log_line("%s: %s", fn, message); }

std::shared_ptr<Group> need_group(Runtime &rt, comex_group_t group) {
  auto g = rt.groups().get(group);
  if (!g) throw Error(format("group=%d is not a valid group", group));
  return g;
}

int need_proc(const Group &g, int proc, comex_group_t group) {
  if (proc < 0 || proc >= g.size())
    throw Error(format("proc=%d is out of range [0, %d) of group %d", proc, g.size(), group));
  return g.world[proc];
}

void need_bytes(long long bytes, const char *name) {
  if (bytes < 0) throw Error(format("%s=%lld is negative", name, bytes));
}

void need_ptr(const void *p, const char *name) {
  if (!p) throw Error(format("%s is NULL", name));
}

void need_remote(Runtime &rt, int world, const void *addr, uint64_t bytes, const char *name) {
  if (!rt.allocs().contains(world, uintptr_t(addr), bytes))
    throw Error(format("%s=%p (+%llu bytes) is not inside comex_malloc memory of rank %d", name,
                       addr, (unsigned long long)bytes, world));
}

ElemType need_acc_op(int op) {
  ElemType t;
  if (!acc_elem_type(op, &t))
    throw Error(format("op=%d is not an accumulate type (COMEX_ACC_INT..COMEX_ACC_LNG)", op));
  return t;
}

int start_contig(Runtime &rt, Op op, int acc_op, void *scale, void *src, void *dst, int bytes,
                 int proc, comex_group_t group) {
  auto g = need_group(rt, group);
  const int target = need_proc(*g, proc, group);
  need_bytes(bytes);
  Transfer t;
  t.op = op;
  t.target = target;
  t.bytes = uint64_t(bytes);
  if (op == Op::kAcc) {
    ElemType type = need_acc_op(acc_op);
    need_ptr(scale, "scale");
    if (t.bytes % elem_size(type) != 0)
      throw Error(format("bytes=%d is not a multiple of the element size %zu", bytes,
                         elem_size(type)));
    t.elem = uint8_t(type);
    std::memcpy(t.scale, scale, elem_size(type));  // one element: (re, im) for complex
  }
  if (bytes == 0) return rt.done_handle();
  need_ptr(src, "src");
  need_ptr(dst, "dst");
  if (op == Op::kGet) {
    need_remote(rt, target, src, t.bytes, "src");
    t.local = static_cast<char *>(dst);
    t.remote = uintptr_t(src);
  } else {
    need_remote(rt, target, dst, t.bytes, "dst");
    t.local = static_cast<char *>(src);
    t.remote = uintptr_t(dst);
  }
  return rt.submit(t);
}

}  // namespace comex
