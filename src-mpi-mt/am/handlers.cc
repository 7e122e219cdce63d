// am/handlers.cc -- what a target does for each request (the handler table).
//
// Every handler checks the target layout against this rank's own
// comex_malloc blocks before touching memory; a refused request still
// consumes its payload and still gets its reply, so the origin never hangs.
#include <algorithm>
#include <new>

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
Layout target_layout(const Header &h, const char *desc, uint64_t *skip) {
  if (h.layout_bytes == 0) {
    *skip = 0;
    return Layout::contiguous(h.addr + h.offset, h.bytes);
  }
  Layout l = Layout::decode(desc, h.layout_bytes);
  if (h.offset > l.total() || h.bytes > l.total() - h.offset)
    throw Error("layout descriptor is shorter than the transfer");
  *skip = h.offset;
  return l;
}

}  // namespace

bool Engine::layout_ok(int source, const Layout &l, const char *what) {
  if (layout_inside(allocs_, rank_, l)) return true;
  uint64_t lo, hi;
  l.bounds(&lo, &hi);
  log_line("refused %s from rank %d: [0x%llx, 0x%llx) is not inside comex_malloc memory", what,
           source, (unsigned long long)lo, (unsigned long long)hi);
  return false;
}

void Engine::finish(MPI_Request *req) {
  // MPI_Wait, but a server must not wait for ever on an origin that died
  // in the middle of a transfer: look at the node peers now and then.
  for (unsigned n = 1;; ++n) {
    int flag = 0;
    COMEX_MPI(MPI_Test(req, &flag, MPI_STATUS_IGNORE));
    if (flag) return;
    if (n % 256 == 0) peer_watch().check(now_ns());
  }
}

void Engine::recv_piece(int source, int tag, void *buf, uint64_t n) {
  MPI_Request req;
  COMEX_MPI(MPI_Irecv(buf, int(n), MPI_BYTE, source, tag, data_, &req));
  finish(&req);
}

char *Engine::stage(std::vector<char> *buf, uint64_t n, int source, const char *what) {
  if (buf->size() < n) {
    try {
      buf->resize(n);
    } catch (const std::bad_alloc &) {
      std::vector<char>().swap(*buf);
      log_line("refused %s from rank %d: cannot allocate %llu bytes to stage it (out of memory)",
               what, source, (unsigned long long)n);
      return nullptr;
    }
  }
  return buf->data();
}

void Engine::drain_piece(int source, int tag) {
  // The last resort, for a piece larger than the staging reserved at start
  // (a peer with larger pieces) when memory is out: receive it into nothing.
  // MPICH reports the truncation and the message is gone; Open MPI's
  // shared-memory transport writes past the buffer instead.  Probed first, so the
  // receive does not wait (errors of MPI_Recv go to our communicator, which
  // returns them; those of MPI_Test would go to MPI_COMM_WORLD's handler).
  for (unsigned n = 1;; ++n) {
    int flag = 0;
    COMEX_MPI(MPI_Iprobe(source, tag, data_, &flag, MPI_STATUS_IGNORE));
    if (flag) break;
    if (n % 256 == 0) peer_watch().check(now_ns());
  }
  char none;
  const int rc = MPI_Recv(&none, 0, MPI_BYTE, source, tag, data_, MPI_STATUS_IGNORE);
  int cls = MPI_SUCCESS;
  if (rc != MPI_SUCCESS) MPI_Error_class(rc, &cls);
  if (cls != MPI_ERR_TRUNCATE) mpi_check(rc, "MPI_Recv (draining a refused piece)");
}

void Engine::send_reply(int source, int tag, const Reply &r) {
  COMEX_MPI(MPI_Send(&r, sizeof r, MPI_BYTE, source, tag, reply_));
}

// Put and accumulate share one receiving path; `apply` writes one run of
// the payload at the cursor (copy, or accumulate).
void Engine::receive_into(int source, const Header &h, const char *payload, const Layout &l,
                          uint64_t skip, bool ok, bool is_acc) {
  const ElemType type = static_cast<ElemType>(h.elem);
  Cursor cur(l);
  if (ok) cur.skip(skip);
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
    if (ok) apply(payload, h.bytes);
    if (!ok) refused_[size_t(source)] = 1;
    return;
  }
  const bool blocks = h.flags & kFlagBlocks;
  const bool direct = ok && !is_acc && (blocks || l.kind == Layout::Kind::kContig);
  const char *what = is_acc ? "accumulate" : "put";
  for_each_piece(l, blocks, h.bytes, h.piece, [&](uint64_t addr, uint64_t n) {
    if (direct) {
      recv_piece(source, h.tag, reinterpret_cast<void *>(addr), n);
      return;
    }
    char *buf = stage(&scratch_, n, source, what);
    if (buf) {
      recv_piece(source, h.tag, buf, n);
      if (ok) apply(buf, n);
    } else {
      ok = false;  // out of memory: refuse the rest, take in the pieces
      drain_piece(source, h.tag);
    }
  });
  if (!ok) refused_[size_t(source)] = 1;  // the origin's next fence learns of it
}

void Engine::on_put(int source, const Header &h, const char *payload) {
  uint64_t skip;
  Layout l = target_layout(h, payload, &skip);
  bool ok = layout_ok(source, l, "put");
  receive_into(source, h, payload + h.layout_bytes, l, skip, ok, false);
}

void Engine::on_acc(int source, const Header &h, const char *payload) {
  uint64_t skip;
  Layout l = target_layout(h, payload, &skip);
  ElemType type = static_cast<ElemType>(h.elem);
  bool ok = h.elem < uint8_t(ElemType::kCount) && h.bytes % elem_size(type) == 0;
  if (!ok) log_line("refused accumulate from rank %d: bad element type %d", source, h.elem);
  ok = ok && layout_ok(source, l, "accumulate");
  receive_into(source, h, payload + h.layout_bytes, l, skip, ok, true);
}

void Engine::on_get(int source, const Header &h, const char *payload) {
  uint64_t skip;
  Layout l = target_layout(h, payload, &skip);
  bool ok = layout_ok(source, l, "get");
  const bool blocks = h.flags & kFlagBlocks;
  const bool packed = !blocks && l.kind != Layout::Kind::kContig;
  if (ok && packed) {  // out of memory for the staging: refuse
    const uint64_t n = std::min(h.piece, h.bytes);
    ok = stage(&get_stage_[0], n, source, "get") && stage(&get_stage_[1], n, source, "get");
  }
  if (!ok || !packed) {
    for_each_piece(l, blocks, h.bytes, h.piece, [&](uint64_t addr, uint64_t n) {
      // A refused get answers each piece with an empty message: the origin
      // sees the short count and reports the failure.
      MPI_Request req;
      COMEX_MPI(MPI_Isend(ok ? reinterpret_cast<const void *>(addr) : nullptr, ok ? int(n) : 0,
                          MPI_BYTE, source, h.tag, reply_, &req));
      finish(&req);
    });
    return;
  }
  // Packed: two staging buffers, so packing a piece overlaps sending the last.
  Cursor cur(l);
  cur.skip(skip);
  MPI_Request req[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  int k = 0;
  for_each_piece(l, false, h.bytes, h.piece, [&](uint64_t, uint64_t n) {
    finish(&req[k]);
    cur.pack(get_stage_[k].data(), n);
    COMEX_MPI(MPI_Isend(get_stage_[k].data(), int(n), MPI_BYTE, source, h.tag, reply_, &req[k]));
    k ^= 1;
  });
  finish(&req[0]);
  finish(&req[1]);
}

void Engine::on_rmw(int source, const Header &h, const char *) {
  Reply r{};
  RmwKind kind = static_cast<RmwKind>(h.elem);
  bool ok = h.elem <= uint8_t(RmwKind::kFaddLong) && h.bytes == rmw_width(kind) &&
            h.addr % rmw_width(kind) == 0 &&
            layout_ok(source, Layout::contiguous(h.addr, h.bytes), "rmw");
  if (ok)
    r.value = rmw_apply(kind, reinterpret_cast<void *>(h.addr), h.operand);
  else
    r.status = 1;
  send_reply(source, h.tag, r);
}

void Engine::on_fence(int source, const Header &h, const char *) {
  // Requests from one origin are served in order, one server at a time, so
  // everything that origin sent before the fence is applied by now (or was
  // refused: then the reply says so).
  Reply r{};
  r.status = refused_[size_t(source)];
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
      log_line("refused lock of mutex %d from rank %d: no such mutex", h.mutex, source);
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
    log_line("refused unlock of mutex %d from rank %d: it does not hold it", h.mutex, source);
    return;
  }
  if (next) grant(*next);
}

void Engine::on_terminate(int source, const Header &, const char *) {
  if (source != rank_) {
    log_line("ignored a terminate request from rank %d", source);
    return;
  }
  stop_.store(true, std::memory_order_release);
}

}  // namespace comex
