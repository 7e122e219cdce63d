// generate.cc -- drawing each stream's operations and their shapes, and
// naming operations in messages.
#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "model.h"

namespace stress {

namespace {

// Strides of a level whose count is 1 are never used and may hold anything.
int junk_stride(std::mt19937_64 &rng) {
  static const int kJunk[] = {0, 1, 8, 12345, 1 << 24};
  return kJunk[rng() % 5];
}

}  // namespace

void Program::gen_stream(std::mt19937_64 &rng, int rank, int thread, int e) {
  const int st = rank * threads_ + thread;
  std::vector<Op> &ops = streams_[size_t(st)];
  for (int t = 0; t < ranks_; ++t) {  // rewrite slots whose values grew large
    for (size_t s = 0; s < slots_.size(); ++s) {
      const SlotPlan &p = plan_[size_t(t)][s];
      if (p.role != Role::kOwned || p.owner != st || !p.reset) continue;
      Op op;
      op.kind = OpKind::kPut;
      op.target = t;
      op.slot = int(s);
      op.nb = rng() % 2;
      shape_op(rng, slots_[s], true, &op);
      op.data.resize(op.buf_bytes);
      fill_values(rng, slots_[s].ty, &op.data);
      apply(op);
      ops.push_back(std::move(op));
    }
  }
  // Weights: put 22, get 20, acc 20, rmw 10, locked 5, fences 6, waits 17.
  static const struct {
    OpKind kind;
    int weight;
  } kMix[] = {{OpKind::kPut, 22},     {OpKind::kGet, 20},      {OpKind::kAcc, 20},
              {OpKind::kRmw, 10},     {OpKind::kLockedAdd, 5}, {OpKind::kFenceProc, 4},
              {OpKind::kFenceAll, 2}, {OpKind::kWaitOne, 6},   {OpKind::kTestOne, 4},
              {OpKind::kWaitProc, 4}, {OpKind::kWaitAll, 3}};
  for (int i = 0; i < ops_; ++i) {
    int w = int(rng() % 100);
    OpKind kind = OpKind::kFenceAll;
    for (const auto &m : kMix) {
      if (w < m.weight) {
        kind = m.kind;
        break;
      }
      w -= m.weight;
    }
    Op op;
    op.kind = kind;
    op.target = int(rng() % uint64_t(ranks_));
    op.pick = uint32_t(rng());
    if (kind <= OpKind::kLockedAdd) {
      bool found = false;
      for (int tries = 0; tries < 4 && !found; ++tries) {
        found = gen_data_op(rng, kind, st, op.target, &op);
        if (!found) op.target = int(rng() % uint64_t(ranks_));
      }
      if (!found) op.kind = OpKind::kFenceProc;
    }
    if (op.kind == OpKind::kRmw && op.swap)  // a token unique in the epoch
      op.operand = int64_t(st + 1) * 100000 + i * 10 + e % 10;
    apply(op);
    ops.push_back(std::move(op));
  }
}

bool Program::gen_data_op(std::mt19937_64 &rng, OpKind kind, int st, int target, Op *op) {
  std::vector<int> eligible;
  for (size_t s = 0; s < slots_.size(); ++s) {
    const SlotPlan &p = plan_[size_t(target)][s];
    const bool mine = p.role == Role::kOwned && p.owner == st;
    const bool typed = slots_[s].ty != Ty::kByte;
    bool ok = false;
    switch (kind) {
      case OpKind::kPut:
        ok = mine;
        break;
      case OpKind::kGet:
        ok = mine || p.role == Role::kReadOnly;
        break;
      case OpKind::kAcc:
        ok = (mine && typed) || p.role == Role::kSharedAcc;
        break;
      case OpKind::kRmw:
        ok = p.role == Role::kFadd || p.role == Role::kSwap;
        break;
      case OpKind::kLockedAdd:
        ok = p.role == Role::kLocked;
        break;
      default:
        break;
    }
    if (ok) eligible.push_back(int(s));
  }
  if (eligible.empty()) return false;
  op->slot = eligible[rng() % eligible.size()];
  const Slot &s = slots_[size_t(op->slot)];
  switch (kind) {
    case OpKind::kPut:
    case OpKind::kAcc:
      op->nb = rng() % 2;
      shape_op(rng, s, false, op);
      op->data.resize(op->buf_bytes);
      fill_values(rng, s.ty, &op->data);
      if (kind == OpKind::kAcc) {
        std::vector<uint8_t> sc(ty_size(s.ty));
        fill_values(rng, s.ty, &sc);
        std::memcpy(op->scale, sc.data(), sc.size());
      }
      break;
    case OpKind::kGet:
      op->nb = rng() % 2;
      shape_op(rng, s, false, op);
      break;
    case OpKind::kRmw:
      op->swap = plan_[size_t(target)][size_t(op->slot)].role == Role::kSwap;
      op->operand = 1 + int64_t(rng() % 100);
      break;
    case OpKind::kLockedAdd:
      op->operand = 1 + int64_t(rng() % 50);
      op->fence_before_unlock = rng() % 2;
      break;
    default:
      break;
  }
  return true;
}

void Program::shape_op(std::mt19937_64 &rng, const Slot &s, bool whole, Op *op) {
  const size_t es = ty_size(s.ty), n = s.bytes / es;
  op->runs.clear();
  const int pick = whole ? 0 : int(rng() % 100);
  if (pick < 40) {  // contiguous
    op->shape = Shape::kContig;
    size_t len = whole ? n : 1 + rng() % (rng() % 4 == 0 ? n : std::min<size_t>(n, 32));
    size_t off = whole ? 0 : rng() % (n - len + 1);
    op->runs.push_back({off * es, 0, len * es});
    op->buf_bytes = len * es;
  } else if (pick < 75) {  // strided, one or two levels (a count-1 level may be extra)
    op->shape = Shape::kStrided;
    size_t c0 = 1 + rng() % std::min<size_t>(16, n), rows = 1 + rng() % 4;
    size_t planes = rng() % 3 == 0 ? 1 + rng() % 3 : 1;
    size_t rs1 = c0 + rng() % 3, rs2 = rows * rs1 + rng() % 3;  // in elements
    auto extent = [&] { return (planes - 1) * rs2 + (rows - 1) * rs1 + c0; };
    while (extent() > n) {
      if (planes > 1)
        --planes;
      else if (rows > 1)
        --rows;
      else
        c0 = n;
    }
    const size_t off = rng() % (n - extent() + 1);
    const size_t ls1 = c0 + rng() % 3, ls2 = rows * ls1 + rng() % 2;
    op->levels = (planes > 1 || rng() % 4 == 0) ? 2 : 1;
    op->count[0] = int(c0 * es);
    op->count[1] = int(rows);
    op->count[2] = int(planes);
    op->rstride[0] = rows == 1 && rng() % 2 ? junk_stride(rng) : int(rs1 * es);
    op->lstride[0] = rows == 1 && rng() % 2 ? junk_stride(rng) : int(ls1 * es);
    op->rstride[1] = planes == 1 && rng() % 2 ? junk_stride(rng) : int(rs2 * es);
    op->lstride[1] = planes == 1 && rng() % 2 ? junk_stride(rng) : int(ls2 * es);
    for (size_t p = 0; p < planes; ++p)
      for (size_t r = 0; r < rows; ++r)
        op->runs.push_back({(off + p * rs2 + r * rs1) * es, (p * ls2 + r * ls1) * es, c0 * es});
    op->buf_bytes = ((planes - 1) * ls2 + (rows - 1) * ls1 + c0) * es;
  } else {  // vector: distinct cells of the slot, in random order
    op->shape = Shape::kVector;
    const size_t b = 1 + rng() % std::min<size_t>(8, n), cells = n / b;
    const size_t m = 1 + rng() % std::min<size_t>(6, cells);
    const size_t gap = rng() % 2;
    std::set<size_t> used;
    size_t local = 0;
    while (used.size() < m) {
      size_t c = rng() % cells;
      if (!used.insert(c).second) continue;
      op->runs.push_back({c * b * es, local * es, b * es});
      local += b + gap;
    }
    op->buf_bytes = local * es;
    op->vec_split = (m > 1 && rng() % 2) ? int(1 + rng() % (m - 1)) : int(m);
  }
}

std::string Op::describe(const std::vector<Slot> &slots) const {
  static const char *kKinds[] = {"put",        "get",      "acc",       "rmw",
                                 "locked-add", "fence",    "fence-all", "wait",
                                 "wait-proc",  "wait-all", "test"};
  static const char *kShapes[] = {"contig", "strided", "vector"};
  std::ostringstream o;
  o << kKinds[size_t(kind)] << " target " << target;
  if (slot < 0) return o.str();
  const Slot &s = slots[size_t(slot)];
  o << " slot " << slot << " (" << ty_name(s.ty) << ", " << s.bytes << " B)";
  if (kind == OpKind::kPut || kind == OpKind::kGet || kind == OpKind::kAcc) {
    o << " " << kShapes[size_t(shape)] << (nb ? " nb" : "") << " runs";
    for (size_t i = 0; i < runs.size() && i < 6; ++i)
      o << " [" << runs[i].remote << "+" << runs[i].len << "]";
    if (shape == Shape::kStrided)
      o << " levels " << levels << " count {" << count[0] << "," << count[1] << "," << count[2]
        << "} stride {" << rstride[0] << "," << rstride[1] << "}";
  } else if (kind == OpKind::kRmw) {
    o << (swap ? " swap " : " fetch-add ") << operand;
  } else if (kind == OpKind::kLockedAdd) {
    o << " +" << operand << (fence_before_unlock ? " fenced" : "");
  }
  return o.str();
}

std::string Program::ops_on(int rank, int slot) const {
  std::ostringstream o;
  int shown = 0;
  for (size_t st = 0; st < streams_.size(); ++st) {
    for (size_t i = 0; i < streams_[st].size(); ++i) {
      const Op &op = streams_[st][i];
      if (op.target != rank || op.slot != slot) continue;
      if (shown++ < 12)
        o << "\n    rank " << st / size_t(threads_) << " thread " << st % size_t(threads_) << " op "
          << i << ": " << op.describe(slots_);
    }
  }
  if (shown > 12) o << "\n    ... " << shown - 12 << " more";
  return o.str();
}

}  // namespace stress
