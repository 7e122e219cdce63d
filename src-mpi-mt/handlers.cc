// handlers.cc -- what a target does for each request (the handler table).
//
// Every handler checks the target range against this rank's own comex_malloc
// blocks before touching memory; a refused request still consumes its
// payload and still gets its reply, so the origin never hangs.
#include <algorithm>

#include "acc.h"
#include "engine.h"

namespace comex {

const Engine::Handler Engine::kHandlers[size_t(Op::kCount)] = {
    &Engine::on_put, &Engine::on_get,   &Engine::on_acc,
    &Engine::on_rmw, &Engine::on_fence, &Engine::on_terminate,
};

bool Engine::local_range_ok(int source, const Header &h, const char *what) {
  if (allocs_.contains(rank_, uintptr_t(h.addr), h.bytes)) return true;
  log_line("refused %s from rank %d: [0x%llx, +%llu) is not inside comex_malloc memory", what,
           source, (unsigned long long)h.addr, (unsigned long long)h.bytes);
  return false;
}

void Engine::recv_pieces(int source, int tag, char *dst, uint64_t bytes, uint64_t piece) {
  for (uint64_t off = 0; off < bytes; off += piece) {
    int n = int(std::min(piece, bytes - off));
    COMEX_MPI(MPI_Recv(dst + off, n, MPI_BYTE, source, tag, data_, MPI_STATUS_IGNORE));
  }
}

void Engine::drain_pieces(int source, int tag, uint64_t bytes, uint64_t piece) {
  scratch_.resize(std::min(piece, bytes));
  for (uint64_t off = 0; off < bytes; off += piece) {
    int n = int(std::min(piece, bytes - off));
    COMEX_MPI(MPI_Recv(scratch_.data(), n, MPI_BYTE, source, tag, data_, MPI_STATUS_IGNORE));
  }
}

void Engine::send_reply(int source, int tag, const Reply &r) {
  COMEX_MPI(MPI_Send(&r, sizeof r, MPI_BYTE, source, tag, reply_));
}

void Engine::on_put(int source, const Header &h, const char *payload) {
  const bool ok = local_range_ok(source, h, "put");
  if (h.flags & kFlagEager) {
    if (ok) std::memcpy(reinterpret_cast<void *>(h.addr), payload, h.bytes);
  } else if (ok) {
    recv_pieces(source, h.tag, reinterpret_cast<char *>(h.addr), h.bytes, h.piece);
  } else {
    drain_pieces(source, h.tag, h.bytes, h.piece);
  }
}

void Engine::on_get(int source, const Header &h, const char *) {
  const bool ok = local_range_ok(source, h, "get");
  const uint64_t piece = h.piece;
  const char *src = reinterpret_cast<const char *>(h.addr);
  for (uint64_t off = 0; off < h.bytes; off += piece) {
    // A refused get answers each piece with an empty message: the origin
    // sees the short count and reports the failure.
    int n = ok ? int(std::min(piece, h.bytes - off)) : 0;
    COMEX_MPI(MPI_Send(ok ? src + off : nullptr, n, MPI_BYTE, source, h.tag, reply_));
  }
}

void Engine::on_acc(int source, const Header &h, const char *payload) {
  ElemType type = static_cast<ElemType>(h.elem);
  bool ok = h.elem < uint8_t(ElemType::kCount) && h.bytes % elem_size(type) == 0;
  if (!ok) log_line("refused accumulate from rank %d: bad element type %d", source, h.elem);
  ok = ok && local_range_ok(source, h, "accumulate");
  char *dst = reinterpret_cast<char *>(h.addr);
  if (h.flags & kFlagEager) {
    if (ok) {
      std::lock_guard<std::mutex> lock(acc_mu_);
      accumulate(type, h.scale, dst, payload, h.bytes);
    }
    return;
  }
  if (!ok) {
    drain_pieces(source, h.tag, h.bytes, h.piece);
    return;
  }
  const uint64_t piece = h.piece;
  scratch_.resize(std::min(piece, h.bytes));
  for (uint64_t off = 0; off < h.bytes; off += piece) {
    int n = int(std::min(piece, h.bytes - off));
    COMEX_MPI(MPI_Recv(scratch_.data(), n, MPI_BYTE, source, h.tag, data_, MPI_STATUS_IGNORE));
    std::lock_guard<std::mutex> lock(acc_mu_);
    accumulate(type, h.scale, dst + off, scratch_.data(), size_t(n));
  }
}

void Engine::on_rmw(int source, const Header &h, const char *) {
  Reply r{};
  RmwKind kind = static_cast<RmwKind>(h.elem);
  bool ok = h.elem <= uint8_t(RmwKind::kFaddLong) && h.bytes == rmw_width(kind) &&
            h.addr % rmw_width(kind) == 0 && local_range_ok(source, h, "rmw");
  if (ok)
    r.value = rmw_apply(kind, reinterpret_cast<void *>(h.addr), h.operand);
  else
    r.status = 1;
  send_reply(source, h.tag, r);
}

void Engine::on_fence(int source, const Header &h, const char *) {
  // Requests from one origin are served in order, one server at a time, so
  // everything that origin sent before the fence is applied by now.
  send_reply(source, h.tag, Reply{});
}

void Engine::on_terminate(int source, const Header &, const char *) {
  if (source != rank_) {
    log_line("ignored a terminate request from rank %d", source);
    return;
  }
  stop_.store(true, std::memory_order_release);
}

}  // namespace comex
