// api/common.cc -- shared argument checks of the C entry points.
#include "api/api.h"

namespace comex {

void report(const char *fn, const char *message) { log_line("%s: %s", fn, message); }

std::shared_ptr<Group> need_group(Runtime &rt, comex_group_t group) {
  auto g = rt.groups().get(group);
  if (!g) throw Error(format("group=%d is not a valid group", group));
  return g;
}

const Group &group_of(Runtime &rt, comex_group_t group, std::shared_ptr<Group> *hold) {
  if (group == COMEX_GROUP_WORLD) return rt.groups().world();
  *hold = need_group(rt, group);
  return **hold;
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

void *check_remote(Runtime &rt, int target, void *addr, uint64_t bytes, const char *name) {
  AllocTable::Where w;
  if (!rt.allocs().where(target, uintptr_t(addr), bytes, &w))
    need_remote(rt, target, addr, bytes, name);  // throws
  if (!rt.local_path(target, w.mapped != 0)) return nullptr;
  return w.mapped ? w.here(uintptr_t(addr)) : addr;
}

void locate(Runtime &rt, Transfer *t, const char *name) {
  uint64_t lo = t->remote.base, hi = lo + t->remote.bytes;
  if (t->remote.kind != Layout::Kind::kContig) t->remote.bounds(&lo, &hi);
  AllocTable::Where w;
  if (hi < lo || !rt.allocs().where(t->target, lo, hi - lo, &w)) {
    if (t->remote.kind == Layout::Kind::kContig)
      need_remote(rt, t->target, reinterpret_cast<void *>(lo), hi - lo, name);  // throws
    throw Error(
        format("%s: remote range [0x%llx, 0x%llx) is not inside comex_malloc memory of "
               "rank %d",
               name, (unsigned long long)lo, (unsigned long long)hi, t->target));
  }
  t->mapped = w.mapped != 0;
  t->map_shift = w.mapped - w.lo;
}

ElemType need_acc(int op, const void *scale) {
  const ElemType type = need_acc_op(op);
  need_ptr(scale, "scale");
  return type;
}

ElemType need_acc_op(int op) {
  ElemType t;
  if (!acc_elem_type(op, &t))
    throw Error(format("op=%d is not an accumulate type (COMEX_ACC_INT..COMEX_ACC_LNG)", op));
  return t;
}

namespace {

/// Fill in the accumulate fields of `t` (type and scale already checked);
/// returns the element size.
size_t fill_acc(Transfer *t, ElemType type, const void *scale) {
  t->elem = uint8_t(type);
  std::memcpy(t->scale, scale, elem_size(type));  // one element: (re, im) for complex
  return elem_size(type);
}

/// Check the user's accumulate op and scale, then fill them into `t`.
size_t set_acc(Transfer *t, int acc_op, const void *scale) {
  return fill_acc(t, need_acc(acc_op, scale), scale);
}

/// An accumulate moves whole elements: of a block of `block` bytes, as GA's
/// ComEx does, the whole elements are accumulated and the bytes of a last,
/// partial element are left alone.
uint64_t whole_elements(uint64_t block, size_t elem) { return block - block % elem; }

/// The same for a vector remote side (segments may lie in different blocks).
void need_remote_layout(Runtime &rt, const Transfer &t, const char *name) {
  if (layout_inside(rt.allocs(), t.target, t.remote)) return;
  uint64_t lo, hi;
  t.remote.bounds(&lo, &hi);
  throw Error(
      format("%s: remote range [0x%llx, 0x%llx) is not inside comex_malloc memory of "
             "rank %d",
             name, (unsigned long long)lo, (unsigned long long)hi, t.target));
}

/// A transfer of `op` to rank `proc` of `group` (checked; as a world rank).
Transfer begin_transfer(Runtime &rt, Op op, int proc, comex_group_t group) {
  std::shared_ptr<Group> hold;
  Transfer t;
  t.op = op;
  t.target = need_proc(group_of(rt, group, &hold), proc, group);
  return t;
}

}  // namespace

int start_contig(Runtime &rt, Op op, int acc_op, void *scale, void *src, void *dst, int bytes,
                 int proc, comex_group_t group) {
  std::shared_ptr<Group> hold;
  const Group &g = group_of(rt, group, &hold);
  const int target = need_proc(g, proc, group);
  need_bytes(bytes);
  ElemType type = ElemType::kInt;
  if (op == Op::kAcc) {
    type = need_acc(acc_op, scale);
    bytes = int(whole_elements(uint64_t(bytes), elem_size(type)));
  }
  if (bytes == 0) return rt.done_handle();
  need_ptr(src, "src");
  need_ptr(dst, "dst");
  const bool get = op == Op::kGet;
  void *remote = get ? src : dst;
  void *local = get ? dst : src;
  // The most frequent call of all: checked and done without a Transfer when
  // the target is on the local path.
  if (void *here = check_remote(rt, target, remote, uint64_t(bytes), get ? "src" : "dst")) {
    rt.direct_contig(op, target, local, here, uint64_t(bytes), type, scale);
    return rt.done_handle();
  }
  Transfer t =
      Transfer::contiguous(op, target, local, uint64_t(uintptr_t(remote)), uint64_t(bytes));
  if (op == Op::kAcc) fill_acc(&t, type, scale);
  return rt.submit(t);
}

int start_strided(Runtime &rt, Op op, int acc_op, void *scale, void *src, int *src_stride,
                  void *dst, int *dst_stride, int *count, int levels, int proc,
                  comex_group_t group) {
  Transfer t = begin_transfer(rt, op, proc, group);
  StridedArgs a = StridedArgs::check(src_stride, dst_stride, count, levels);
  if (op == Op::kAcc)
    a.count[0] = int(whole_elements(uint64_t(a.count[0]), set_acc(&t, acc_op, scale)));
  if (a.empty()) return rt.done_handle();
  need_ptr(src, "src");
  need_ptr(dst, "dst");
  Layout ls = Layout::strided(uint64_t(uintptr_t(src)), a.src_stride, a.count, a.levels);
  Layout ld = Layout::strided(uint64_t(uintptr_t(dst)), a.dst_stride, a.count, a.levels);
  const bool get = op == Op::kGet;
  t.local = get ? ld : ls;
  t.remote = get ? ls : ld;
  t.bytes = t.local.total();
  locate(rt, &t, get ? "src" : "dst");
  return rt.start(t);
}

int start_vector(Runtime &rt, Op op, int acc_op, void *scale, comex_giov_t *darr, int len, int proc,
                 comex_group_t group) {
  Transfer t = begin_transfer(rt, op, proc, group);
  need_bytes(len, "len");
  if (len > 0) need_ptr(darr, "darr");
  const bool get = op == Op::kGet;
  t.local.kind = t.remote.kind = Layout::Kind::kVector;
  const size_t elem = op == Op::kAcc ? set_acc(&t, acc_op, scale) : 1;
  for (int i = 0; i < len; ++i) {
    const comex_giov_t &d = darr[i];
    if (d.count < 0) throw Error(format("darr[%d].count=%d is negative", i, d.count));
    if (d.bytes < 0) throw Error(format("darr[%d].bytes=%d is negative", i, d.bytes));
    const uint64_t bytes = whole_elements(uint64_t(d.bytes), elem);
    if (d.count == 0 || bytes == 0) continue;
    if (!d.src) throw Error(format("darr[%d].src is NULL", i));
    if (!d.dst) throw Error(format("darr[%d].dst is NULL", i));
    Layout::Group lg, rg;
    lg.bytes = rg.bytes = bytes;
    lg.addrs.reserve(size_t(d.count));
    rg.addrs.reserve(size_t(d.count));
    for (int j = 0; j < d.count; ++j) {
      if (!d.src[j]) throw Error(format("darr[%d].src[%d] is NULL", i, j));
      if (!d.dst[j]) throw Error(format("darr[%d].dst[%d] is NULL", i, j));
      lg.addrs.push_back(uint64_t(uintptr_t(get ? d.dst[j] : d.src[j])));
      rg.addrs.push_back(uint64_t(uintptr_t(get ? d.src[j] : d.dst[j])));
    }
    t.local.groups.push_back(std::move(lg));
    t.remote.groups.push_back(std::move(rg));
  }
  t.bytes = t.local.total();
  if (t.bytes == 0) return rt.done_handle();
  need_remote_layout(rt, t, get ? "darr[].src" : "darr[].dst");
  return rt.start(t);
}

}  // namespace comex
