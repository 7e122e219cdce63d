// core/direct.cc -- the node-local path: an operation whose target memory is
// addressable here (this rank's own, or a node peer's block mapped through
// shared memory) is done by the calling thread, with no message.
#include <atomic>
#include <cstring>

#include "core/runtime.h"

namespace comex {

std::atomic<uint32_t> *Runtime::acc_word(int target) {
  return target == rank_ ? engine_->acc_lock().word() : node_->acc_word(target);
}

bool Runtime::map_remote(Layout *l, int target) const {
  AllocTable::Where w;
  bool have = false;
  for (Layout::Group &g : l->groups)
    for (uint64_t &a : g.addrs) {
      if (!(have && a >= w.lo && a <= w.hi && g.bytes <= w.hi - a)) {
        if (!allocs_.where(target, a, g.bytes, &w) || !w.mapped) return false;
        have = true;
      }
      a += w.mapped - w.lo;
    }
  return true;
}

void Runtime::order_direct(int target) {
  if (fenced_[target].load(std::memory_order_relaxed) < issued_[target].load()) fence({target});
}

void Runtime::direct_contig(Op op, int target, void *local, void *here, uint64_t bytes,
                            ElemType type, const void *scale) {
  if (target != rank_) order_direct(target);
  switch (op) {
    case Op::kPut:
      std::memcpy(here, local, bytes);
      break;
    case Op::kGet:
      std::memcpy(local, here, bytes);
      break;
    default: {
      NodeLockGuard lock(acc_word(target));
      accumulate(type, scale, here, local, bytes);
    }
  }
}

namespace {

bool same_shape(const Layout &a, const Layout &b) {
  if (a.kind != Layout::Kind::kStrided || b.kind != Layout::Kind::kStrided) return false;
  if (a.levels != b.levels) return false;
  for (int l = 0; l <= a.levels; ++l)
    if (a.count[l] != b.count[l]) return false;
  return true;
}

}  // namespace

void Runtime::run_direct(const Transfer &t) {
  if (t.target != rank_) order_direct(t.target);
  char *local = reinterpret_cast<char *>(t.local.base);
  char *remote = reinterpret_cast<char *>(t.remote.base);
  const ElemType type = static_cast<ElemType>(t.elem);
  // Strided with the same counts on both sides (every strided call): straight
  // copies or accumulates, row by row.
  const Layout &l = t.local, &r = t.remote;
  if (same_shape(l, r)) {
    switch (t.op) {
      case Op::kPut:
        for_each_row(remote, r.stride, local, l.stride, r.count, r.levels,
                     [](char *rr, char *ll, size_t n) { copy_row(rr, ll, n); });
        return;
      case Op::kGet:
        for_each_row(local, l.stride, remote, r.stride, r.count, r.levels,
                     [](char *ll, char *rr, size_t n) { copy_row(ll, rr, n); });
        return;
      default: {
        NodeLockGuard lock(acc_word(t.target));
        for_each_row(remote, r.stride, local, l.stride, r.count, r.levels,
                     [&](char *rr, char *ll, size_t n) { accumulate(type, t.scale, rr, ll, n); });
        return;
      }
    }
  }
  // Anything else (vector transfers): walk both sides segment by segment.
  Cursor lc(l), rc(r);
  lc.skip(t.offset);
  rc.skip(t.offset);
  if (t.op == Op::kPut) {
    lc.visit(t.bytes, [&](char *p, size_t n, size_t) { rc.unpack(p, n); });
  } else if (t.op == Op::kGet) {
    lc.visit(t.bytes, [&](char *p, size_t n, size_t) { rc.pack(p, n); });
  } else {
    NodeLockGuard lock(acc_word(t.target));
    lc.visit(t.bytes, [&](char *src, size_t n, size_t) {
      rc.visit(n, [&](char *dst, size_t m, size_t off) {
        accumulate(type, t.scale, dst, src + off, m);
      });
    });
  }
}

}  // namespace comex
