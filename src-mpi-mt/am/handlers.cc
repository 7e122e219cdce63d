// am/handlers.cc -- what a target does for each request (the handler table).
//
// Every handler checks the target layout against this rank's own
// comex_malloc blocks before touching memory; a refused request still
// consumes its payload and still gets its reply, so the origin never hangs.
#include <algorithm>
#include <new>
#include <string>

#include "am/engine.h"
#include "util/acc.h"
#include "util/layout.h"

namespace comex {

const Engine::Handler Engine::kHandlers[size_t(Op::kCount)] = {
    &Engine::on_put,   &Engine::on_get,       &Engine::on_acc,  &Engine::on_rmw,
    &Engine::on_fence, &Engine::on_terminate, &Engine::on_lock, &Engine::on_unlock,
};

namespace {

/// The target side of a data request: the layout that follows the header,
/// or the contiguous range it names.  The stream offset is already applied
/// for a contiguous range; `skip` is what a cursor over the layout must skip.
/// Returns why the request is malformed, or an empty string; *decoded says
/// whether *l holds the layout (even a malformed request may have one).
std::string target_layout(const Header &h, const char *desc, Layout *l, uint64_t *skip,
                          bool *decoded) {
  *decoded = false;
  if (h.layout_bytes == 0) {
    *skip = 0;
    *l = Layout::contiguous(h.addr + h.offset, h.bytes);
  } else {
    try {
      *l = Layout::decode(desc, h.layout_bytes);
    } catch (const Error &e) {
      return e.what();
    }
    *decoded = true;
    if (h.offset > l->total() || h.bytes > l->total() - h.offset)
      return "its layout descriptor is shorter than the transfer";
    *skip = h.offset;
  }
  *decoded = true;
  const bool blocks = h.flags & kFlagBlocks;
  if (blocks && (h.offset != 0 || h.bytes != l->total()))
    return "a block-by-block transfer must cover its whole layout";
  if (!(h.flags & kFlagEager) && piece_total(*l, blocks, h.bytes, h.piece) > kMaxPieces)
    return "it has more than 2^20 pieces";
  return std::string();
}

}  // namespace

bool Engine::layout_ok(int source, const Layout &l, const char *what) {
  if (layout_inside(allocs_, rank_, l)) return true;
  uint64_t lo, hi;
  l.bounds(&lo, &hi);
  refuse(source, "refused %s from rank %d: [0x%llx, 0x%llx) is not inside comex_malloc memory",
         what, source, (unsigned long long)lo, (unsigned long long)hi);
  return false;
}

char *Engine::scratch(uint64_t n) {
  if (scratch_.size() < n) scratch_.resize(n);
  return scratch_.data();
}

char *Engine::stage(std::vector<char> *buf, uint64_t n, int source, const char *what) {
  if (buf->size() < n) {
    try {
      buf->resize(n);
    } catch (const std::bad_alloc &) {
      std::vector<char>().swap(*buf);
      refuse(source,
             "refused %s from rank %d: cannot allocate %llu bytes to stage it (out of memory)",
             what, source, (unsigned long long)n);
      return nullptr;
    }
  }
  return buf->data();
}

void Engine::send_reply(int source, int tag, const Reply &r) {
  COMEX_MPI(MPI_Send(&r, sizeof r, MPI_BYTE, source, tag, reply_));
}

// Put and accumulate share one receiving path (for accepted requests); each
// run of the payload is copied into place, or accumulated.  A piece that
// does not come as promised ends the request: the rest of its pieces are
// the broken rank's, discarded as they come.
void Engine::receive_into(int source, const Header &h, const char *payload, const Layout &l,
                          uint64_t skip, bool is_acc) {
  const ElemType type = static_cast<ElemType>(h.elem);
  Cursor cur(l);
  cur.skip(skip);
  auto apply = [&](const char *in, uint64_t n) {
    if (!is_acc) {
      cur.unpack(in, n);
      return;
    }
    std::lock_guard<NodeLock> lock(acc_lock_);
    cur.visit(
        n, [&](char *dst, size_t m, size_t off) { accumulate(type, h.scale, dst, in + off, m); });
  };
  if (h.flags & kFlagEager) {
    apply(payload, h.bytes);
    return;
  }
  const bool blocks = h.flags & kFlagBlocks;
  const bool direct = !is_acc && (blocks || l.kind == Layout::Kind::kContig);
  bool alive = true, staged = true;
  for_each_piece(l, blocks, h.bytes, h.piece, [&](uint64_t addr, uint64_t n) {
    if (!alive) return;
    if (direct) {
      alive = recv_piece(source, h.tag, reinterpret_cast<void *>(addr), n);
      return;
    }
    // The staging reserved at start holds every piece of a peer with our
    // settings; a larger one that memory cannot hold refuses the rest of the
    // request (its pieces are still taken in; the origin's next fence fails).
    char *buf = staged ? stage(&scratch_, n, source, is_acc ? "accumulate" : "put") : nullptr;
    if (buf) {
      alive = recv_piece(source, h.tag, buf, n);
      if (alive) apply(buf, n);
      return;
    }
    staged = false;
    MPI_Message msg;
    uint64_t size = 0;
    alive = probe_piece(source, h.tag, &msg, &size);
    if (alive) discard(&msg, size);
  });
  if (!staged) refused_[size_t(source)] = 1;
}

void Engine::on_put(int source, const Header &h, const char *payload) {
  uint64_t skip;
  Layout l;
  bool decoded;
  const std::string why = target_layout(h, payload, &l, &skip, &decoded);
  if (!why.empty()) refuse(source, "refused put from rank %d: %s", source, why.c_str());
  if (!why.empty() || !layout_ok(source, l, "put")) {
    answer_refused(source, h, decoded ? &l : nullptr);
    return;
  }
  receive_into(source, h, payload + h.layout_bytes, l, skip, false);
}

void Engine::on_acc(int source, const Header &h, const char *payload) {
  uint64_t skip;
  Layout l;
  bool decoded;
  std::string why = target_layout(h, payload, &l, &skip, &decoded);
  if (why.empty() && !(h.elem < uint8_t(ElemType::kCount) &&
                       h.bytes % elem_size(static_cast<ElemType>(h.elem)) == 0))
    why = format("bad element type %d", h.elem);
  if (!why.empty()) refuse(source, "refused accumulate from rank %d: %s", source, why.c_str());
  if (!why.empty() || !layout_ok(source, l, "accumulate")) {
    answer_refused(source, h, decoded ? &l : nullptr);
    return;
  }
  receive_into(source, h, payload + h.layout_bytes, l, skip, true);
}

void Engine::on_get(int source, const Header &h, const char *payload) {
  uint64_t skip;
  Layout l;
  bool decoded;
  const std::string why = target_layout(h, payload, &l, &skip, &decoded);
  if (!why.empty()) refuse(source, "refused get from rank %d: %s", source, why.c_str());
  if (!why.empty() || !layout_ok(source, l, "get")) {
    answer_refused(source, h, decoded ? &l : nullptr);
    return;
  }
  const bool blocks = h.flags & kFlagBlocks;
  bool alive = true;
  if (blocks || l.kind == Layout::Kind::kContig) {
    for_each_piece(l, blocks, h.bytes, h.piece, [&](uint64_t addr, uint64_t n) {
      alive = alive && send_piece(source, h.tag, reinterpret_cast<const void *>(addr), n);
    });
    return;
  }
  // Packed: two staging buffers, so packing a piece overlaps sending the last.
  Cursor cur(l);
  cur.skip(skip);
  const uint64_t most = std::min(h.piece, h.bytes);
  if (!stage(&get_stage_[0], most, source, "get") || !stage(&get_stage_[1], most, source, "get")) {
    answer_refused(source, h, &l);  // out of memory for the staging
    return;
  }
  MPI_Request req[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  int k = 0;
  for_each_piece(l, false, h.bytes, h.piece, [&](uint64_t, uint64_t n) {
    alive = alive && settle_send(source, &req[k], &get_stage_[k]);
    if (!alive) return;
    if (get_stage_[k].size() < n) get_stage_[k].resize(n);
    cur.pack(get_stage_[k].data(), n);
    COMEX_MPI(MPI_Isend(get_stage_[k].data(), int(n), MPI_BYTE, source, h.tag, reply_, &req[k]));
    k ^= 1;
  });
  for (int i = 0; i < 2; ++i) alive = alive && settle_send(source, &req[i], &get_stage_[i]);
}

void Engine::refuse_from_broken(int source, const Header &h, const char *payload) {
  refuse(source, "refused %s from rank %d: it broke the protocol earlier", op_name(h.op), source);
  uint64_t skip;
  Layout l;
  bool decoded = false;
  if (h.op == Op::kGet) (void)target_layout(h, payload, &l, &skip, &decoded);
  answer_refused(source, h, decoded ? &l : nullptr);
}

void Engine::on_rmw(int source, const Header &h, const char *) {
  Reply r{};
  RmwKind kind = static_cast<RmwKind>(h.elem);
  const bool shape = h.elem <= uint8_t(RmwKind::kFaddLong) && h.bytes == rmw_width(kind) &&
                     h.addr % rmw_width(kind) == 0;
  if (!shape)
    refuse(source, "refused rmw from rank %d: kind %d, %llu bytes at 0x%llx", source, h.elem,
           (unsigned long long)h.bytes, (unsigned long long)h.addr);
  const bool ok = shape && layout_ok(source, Layout::contiguous(h.addr, h.bytes), "rmw");
  if (ok)
    r.value = rmw_apply(kind, reinterpret_cast<void *>(h.addr), h.operand);
  else
    r.status = 1;
  send_reply(source, h.tag, r);
}

void Engine::on_fence(int source, const Header &h, const char *) {
  // Requests from one origin are served in order, one server at a time, so
  // everything that origin sent before the fence is applied by now, or was
  // refused: then the reply says so, once (a broken rank is not told).
  Reply r{};
  r.status = refused_[size_t(source)] && !is_broken(source);
  refused_[size_t(source)] = 0;
  send_reply(source, h.tag, r);
}

void Engine::grant(const MutexTable::Waiter &w, int status) {
  if (w.flag) {
    w.flag->store(true, std::memory_order_release);
    return;
  }
  Reply r{};
  r.status = status;
  send_reply(w.rank, w.tag, r);
}

void Engine::on_lock(int source, const Header &h, const char *) {
  MutexTable::Waiter w;
  w.rank = source;
  w.tag = h.tag;
  switch (mutexes_.acquire(h.mutex, w)) {
    case MutexTable::Result::kGranted:
      grant(w);
      break;
    case MutexTable::Result::kQueued:
      break;  // granted by a later unlock
    case MutexTable::Result::kInvalid:
      refuse(source, "refused lock of mutex %d from rank %d: no such mutex", h.mutex, source);
      grant(w, 1);
      break;
  }
}

void Engine::on_unlock(int source, const Header &h, const char *) {
  if (h.flags & kFlagKick) {  // released in shared memory by a node peer
    grant_pending();
    return;
  }
  std::optional<MutexTable::Waiter> next;
  if (mutexes_.release(h.mutex, source, &next) == MutexTable::Result::kInvalid) {
    refuse(source, "refused unlock of mutex %d from rank %d: it does not hold it", h.mutex, source);
    return;
  }
  if (next) grant(*next);
}

void Engine::on_terminate(int source, const Header &, const char *) {
  if (source != rank_) {
    refuse(source, "refused a terminate request from rank %d", source);
    return;
  }
  stop_.store(true, std::memory_order_release);
}

}  // namespace comex
