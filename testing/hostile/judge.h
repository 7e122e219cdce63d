// judge.h -- what a target must do with a request, from the rules of
// doc/protocol.md ("A bad request"): served (and then how the window
// changes) or refused, which pieces the sender must send, which answers
// come back.  The fuzzer sends a request, its pieces, checks the answers and
// applies a served request to its copy of the window.
#ifndef COMEX_TESTING_HOSTILE_JUDGE_H_
#define COMEX_TESTING_HOSTILE_JUDGE_H_

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

#include "am/engine.h"
#include "raw.h"
#include "util/acc.h"

namespace hostile {

struct Verdict {
  Header h{};           ///< as the target reads it (piece clamped)
  bool served = false;  ///< put/acc applied, get answered with data, rmw applied
  bool has_layout = false;
  Layout layout;  ///< the target side (a contiguous range when no descriptor)
  uint64_t skip = 0;
  const char *payload = nullptr;                      ///< eager payload inside the message
  std::vector<std::pair<uint64_t, uint64_t>> pieces;  ///< to send: (stream offset, length)
  uint64_t answers = 0;       ///< reply messages: get pieces (empty when refused), or one Reply
  int status = -1;            ///< rmw, fence, lock: 0 served, 1 refused
  bool refused_data = false;  ///< a refused put or accumulate: the next fence says so
  uint64_t npieces = 0;       ///< pieces.size(), also when too many to list
  uint64_t cost() const { return std::max<uint64_t>(npieces, answers); }
  /// List the pieces to send, unless there are too many for a test.
  void plan(const Layout *l, bool blocks, uint64_t bytes, uint64_t piece) {
    npieces = comex::piece_total(l ? *l : Layout::contiguous(0, bytes), l && blocks, bytes, piece);
    if (npieces <= 4096) pieces = piece_plan(l, blocks, bytes, piece);
  }
};

/// Is every byte of `l` inside [lo, lo + n) (the target's only allocation)?
inline bool Inside(const Layout &l, uint64_t lo, uint64_t n) {
  auto in = [&](uint64_t a, uint64_t len) { return a >= lo && a - lo <= n && len <= n - (a - lo); };
  if (l.kind == Layout::Kind::kVector) return l.for_each_segment(in);
  uint64_t a, b;
  l.bounds(&a, &b);
  return b >= a && in(a, b - a);
}

inline Verdict Judge(const std::vector<char> &msg, uint64_t win, uint64_t win_bytes, int tag_ub) {
  Verdict v;
  if (msg.size() < sizeof(Header)) return v;
  Header &h = v.h;
  std::memcpy(&h, msg.data(), sizeof h);
  if (uint8_t(h.op) >= uint8_t(Op::kCount)) return v;
  h.piece = std::clamp<uint64_t>(h.piece, 1, uint64_t(1) << 30);
  const size_t body = msg.size() - sizeof h;
  const bool data = h.op == Op::kPut || h.op == Op::kAcc;
  const bool eager = data && (h.flags & comex::kFlagEager);
  const bool blocks = h.flags & comex::kFlagBlocks;
  const bool tagged = (data && !eager) || h.op == Op::kGet || h.op == Op::kRmw ||
                      h.op == Op::kFence || h.op == Op::kLock;
  const bool bad_tag = h.tag < 0 || h.tag > tag_ub;
  auto refuse = [&](const Layout *l) {  // the target's answer_refused
    if (bad_tag) return;
    v.refused_data = data;
    if (data && !eager) v.plan(nullptr, false, h.bytes, h.piece);  // drained
    if (h.op == Op::kGet)
      v.answers =
          l ? comex::piece_total(*l, blocks, h.bytes, h.piece) : (h.bytes + h.piece - 1) / h.piece;
    if (h.op == Op::kRmw || h.op == Op::kFence || h.op == Op::kLock) v.answers = 1, v.status = 1;
  };
  if (h.layout_bytes > body || (eager && body - h.layout_bytes < h.bytes) || (tagged && bad_tag)) {
    refuse(nullptr);
    return v;
  }
  const char *desc = msg.data() + sizeof h;
  switch (h.op) {
    case Op::kPut:
    case Op::kAcc:
    case Op::kGet: {
      std::string why;
      if (h.layout_bytes == 0) {
        v.layout = Layout::contiguous(h.addr + h.offset, h.bytes);
        v.has_layout = true;
      } else {
        try {
          v.layout = Layout::decode(desc, h.layout_bytes);
          v.has_layout = true;
          v.skip = h.offset;
          if (h.offset > v.layout.total() || h.bytes > v.layout.total() - h.offset) why = "short";
        } catch (const comex::Error &) {
          why = "malformed";
        }
      }
      const Layout *l = v.has_layout ? &v.layout : nullptr;
      if (why.empty() && blocks && (h.offset != 0 || h.bytes != v.layout.total())) why = "blocks";
      if (why.empty() && !eager &&
          comex::piece_total(v.layout, blocks, h.bytes, h.piece) > comex::kMaxPieces)
        why = "pieces";
      if (why.empty() && h.op == Op::kAcc &&
          !(h.elem < uint8_t(comex::ElemType::kCount) &&
            h.bytes % comex::elem_size(comex::ElemType(h.elem)) == 0))
        why = "elem";
      if (!why.empty() || !Inside(v.layout, win, win_bytes)) {
        refuse(l);
        return v;
      }
      v.served = true;
      v.payload = desc + h.layout_bytes;
      if (h.op == Op::kGet)
        v.answers = comex::piece_total(v.layout, blocks, h.bytes, h.piece);
      else if (!eager)
        v.plan(&v.layout, blocks, h.bytes, h.piece);
      return v;
    }
    case Op::kRmw: {
      const auto kind = comex::RmwKind(h.elem);
      v.served = h.elem <= uint8_t(comex::RmwKind::kFaddLong) &&
                 h.bytes == comex::rmw_width(kind) && h.addr % comex::rmw_width(kind) == 0 &&
                 Inside(Layout::contiguous(h.addr, h.bytes), win, win_bytes);
      v.answers = 1;
      v.status = v.served ? 0 : 1;
      return v;
    }
    case Op::kFence:  // status: 1 if a put or accumulate was refused since the last (the caller's)
      v.answers = 1;
      v.status = 0;
      return v;
    case Op::kLock:  // the target has no mutexes: every lock is refused
      v.answers = 1;
      v.status = 1;
      return v;
    default:  // unlock (of nothing held), terminate (not from self): refused, no answer
      return v;
  }
}

/// Apply a served put or accumulate to `shadow`, the window's copy at
/// `win`, piece by piece as the target does (an accumulate piece that cuts
/// an element leaves its partial element alone).
inline void Apply(const Verdict &v, const std::vector<char> &stream, uint64_t win,
                  std::vector<uint8_t> *shadow) {
  const Layout l = moved(v.layout, int64_t(uintptr_t(shadow->data())) - int64_t(win));
  comex::Cursor cur(l);
  cur.skip(v.skip);
  auto run = [&](const char *in, uint64_t n) {
    if (v.h.op == Op::kPut) {
      cur.unpack(in, n);
      return;
    }
    cur.visit(n, [&](char *dst, size_t m, size_t off) {
      comex::accumulate(comex::ElemType(v.h.elem), v.h.scale, dst, in + off, m);
    });
  };
  if (v.h.flags & comex::kFlagEager) {
    run(v.payload, v.h.bytes);
    return;
  }
  for (const auto &[off, n] : v.pieces) run(stream.data() + off, n);
}

/// What a served get returns: the window's bytes along the layout.
inline std::vector<char> Expected(const Verdict &v, uint64_t win,
                                  const std::vector<uint8_t> &shadow) {
  const Layout l = moved(v.layout, int64_t(uintptr_t(shadow.data())) - int64_t(win));
  comex::Cursor cur(l);
  cur.skip(v.skip);
  std::vector<char> out(v.h.bytes);
  cur.pack(out.data(), v.h.bytes);
  return out;
}

}  // namespace hostile

#endif  // COMEX_TESTING_HOSTILE_JUDGE_H_
