// am/guard.cc -- what a target does with a peer that breaks the protocol.
//
// Nothing a peer sends can make the target abort, wait without bound, or
// write outside the range a legal request names.  A malformed request is
// refused (one log line, at most REFUSAL_LOG_LINES per rank) and answered as
// its origin expects, so an honest origin with a bug does not hang either.
// Every payload piece is probed before it is received: a piece longer than
// promised is never received into place (MPI would truncate it, which some
// MPIs treat as fatal).  A rank whose pieces do not come within
// PEER_TIMEOUT_MS, or come with other lengths than promised, is broken for
// the rest of the run: its requests are refused (fences and unlocks
// excepted, which only order and release) and what it sends on the data
// communicator is discarded.
#include <algorithm>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <new>
#include <thread>

#include "am/engine.h"
#include "node/liveness.h"

namespace comex {

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }
uint64_t sat_mul(uint64_t a, uint64_t b) { return b != 0 && a > ~uint64_t(0) / b ? ~0ull : a * b; }
uint64_t sat_add(uint64_t a, uint64_t b) { return a > ~uint64_t(0) - b ? ~0ull : a + b; }

constexpr const char *kOpNames[size_t(Op::kCount)] = {"put",   "get",       "accumulate", "rmw",
                                                      "fence", "terminate", "lock",       "unlock"};

}  // namespace

const char *op_name(Op op) {
  return uint8_t(op) < uint8_t(Op::kCount) ? kOpNames[size_t(op)] : "?";
}

uint64_t piece_total(const Layout &l, bool blocks, uint64_t bytes, uint64_t piece) {
  if (!blocks && l.kind != Layout::Kind::kContig) return ceil_div(bytes, piece);
  switch (l.kind) {
    case Layout::Kind::kContig:
      return ceil_div(l.bytes, piece);
    case Layout::Kind::kStrided:
      return sat_mul(l.total() / uint64_t(l.count[0]), ceil_div(uint64_t(l.count[0]), piece));
    case Layout::Kind::kVector: {
      uint64_t n = 0;
      for (const Layout::Group &g : l.groups)
        n = sat_add(n, sat_mul(g.addrs.size(), ceil_div(g.bytes, piece)));
      return n;
    }
  }
  return 0;
}

const char *Engine::header_problem(const Header &h, size_t len) const {
  const size_t body = len - sizeof h;
  const bool data = h.op == Op::kPut || h.op == Op::kAcc;
  const bool eager = data && (h.flags & kFlagEager);
  if (h.layout_bytes > body) return "its layout descriptor is cut short";
  if (eager && body - h.layout_bytes < h.bytes) return "its eager payload is cut short";
  const bool tagged = (data && !eager) || h.op == Op::kGet || h.op == Op::kRmw ||
                      h.op == Op::kFence || h.op == Op::kLock;
  if (tagged && (h.tag < 0 || h.tag > tag_ub_)) return "its tag is not a valid MPI tag";
  return nullptr;
}

void Engine::refuse(int source, const char *fmt, ...) {
  const uint64_t n = ++refusals_[size_t(source)];
  const uint64_t lines = uint64_t(cfg_.REFUSAL_LOG_LINES);
  if (n > lines + 1) return;
  if (n == lines + 1) {
    log_line("further refused requests from rank %d are counted, not logged", source);
    return;
  }
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  log_line("%s", buf);
}

void Engine::log_refusal_counts() {
  for (size_t r = 0; r < refusals_.size(); ++r)
    if (refusals_[r] > uint64_t(cfg_.REFUSAL_LOG_LINES))
      log_line("refused %llu requests from rank %zu in all (%lld logged)",
               (unsigned long long)refusals_[r], r, (long long)cfg_.REFUSAL_LOG_LINES);
}

void Engine::mark_broken(int source, const std::string &why) {
  if (broken_[size_t(source)]) return;
  broken_[size_t(source)] = 1;
  any_broken_ = true;
  log_line("rank %d broke the protocol (%s): its requests are refused from now on", source,
           why.c_str());
}

bool Engine::probe_piece(int source, int tag, MPI_Message *msg, uint64_t *size) {
  MPI_Status st;
  uint64_t start = 0;
  for (unsigned n = 0;; ++n) {
    int flag = 0;
    COMEX_MPI(MPI_Improbe(source, tag, data_, &flag, msg, &st));
    if (flag) break;
    if ((n & 63) != 63) continue;
    const uint64_t now = now_ns();
    if (start == 0) start = now;
    if (now - start > peer_timeout_ns_) {
      mark_broken(source, format("no payload piece with tag %d came within %lld ms", tag,
                                 (long long)cfg_.PEER_TIMEOUT_MS));
      return false;
    }
    peer_watch().check(now);  // a dead origin ends the job, not this wait
    std::this_thread::yield();
  }
  int count = 0;
  COMEX_MPI(MPI_Get_count(&st, MPI_BYTE, &count));
  *size = uint64_t(count);
  return true;
}

void Engine::discard(MPI_Message *msg, uint64_t size) {
  if (size > uint64_t(cfg_.MAX_MSG_BYTES)) {  // no buffer that large now: received at stop
    held_.push_back({*msg, size});
    return;
  }
  if (size <= (uint64_t(1) << 20)) {
    COMEX_MPI(MPI_Mrecv(scratch(size), int(size), MPI_BYTE, msg, MPI_STATUS_IGNORE));
    return;
  }
  std::vector<char> tmp;
  try {
    tmp.resize(size);
  } catch (const std::bad_alloc &) {  // out of memory: received at stop
    held_.push_back({*msg, size});
    return;
  }
  COMEX_MPI(MPI_Mrecv(tmp.data(), int(size), MPI_BYTE, msg, MPI_STATUS_IGNORE));
}

bool Engine::recv_piece(int source, int tag, void *buf, uint64_t n) {
  MPI_Message msg;
  uint64_t size = 0;
  if (!probe_piece(source, tag, &msg, &size)) return false;
  if (size > n) {  // never into place: it would not fit
    discard(&msg, size);
    mark_broken(source, format("a %llu-byte piece came where %llu were promised",
                               (unsigned long long)size, (unsigned long long)n));
    return false;
  }
  COMEX_MPI(MPI_Mrecv(buf, int(size), MPI_BYTE, &msg, MPI_STATUS_IGNORE));
  if (size == n) return true;
  mark_broken(source, format("a %llu-byte piece came where %llu were promised",
                             (unsigned long long)size, (unsigned long long)n));
  return false;
}

bool Engine::wait_peer(MPI_Request *req) {
  uint64_t start = 0;
  for (unsigned n = 0;; ++n) {
    int flag = 0;
    COMEX_MPI(MPI_Test(req, &flag, MPI_STATUS_IGNORE));
    if (flag) return true;
    if ((n & 63) != 63) continue;
    const uint64_t now = now_ns();
    if (start == 0) start = now;
    if (now - start > peer_timeout_ns_) return false;
    peer_watch().check(now);
    std::this_thread::yield();
  }
}

bool Engine::settle_send(int source, MPI_Request *req, std::vector<char> *stage) {
  if (*req == MPI_REQUEST_NULL || wait_peer(req)) return true;
  // MPI cannot always cancel a send the peer has not matched; give it a
  // moment, then let the request go (keeping its staging alive).
  COMEX_MPI(MPI_Cancel(req));
  int flag = 0;
  for (int i = 0; i < 100 && !flag; ++i) {
    COMEX_MPI(MPI_Test(req, &flag, MPI_STATUS_IGNORE));
    if (!flag) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!flag) {
    COMEX_MPI(MPI_Request_free(req));
    if (stage) abandoned_.push_back(std::move(*stage));
  }
  mark_broken(source, format("it did not take a get's reply within %lld ms",
                             (long long)cfg_.PEER_TIMEOUT_MS));
  return false;
}

bool Engine::send_piece(int source, int tag, const void *buf, uint64_t n) {
  if (n <= kEagerReply) {  // completes without the peer in every MPI
    COMEX_MPI(MPI_Send(buf, int(n), MPI_BYTE, source, tag, reply_));
    return true;
  }
  MPI_Request req;
  COMEX_MPI(MPI_Isend(buf, int(n), MPI_BYTE, source, tag, reply_, &req));
  return settle_send(source, &req, nullptr);
}

void Engine::answer_refused(int source, const Header &h, const Layout *l) {
  if (h.tag < 0 || h.tag > tag_ub_) return;  // nothing the origin posted could match an answer
  const bool blocks = h.flags & kFlagBlocks;
  switch (h.op) {
    case Op::kPut:
    case Op::kAcc: {
      refused_[size_t(source)] = 1;  // the origin's next fence reports it
      if ((h.flags & kFlagEager) || is_broken(source)) return;  // no pieces / swept
      if (ceil_div(h.bytes, h.piece) > kMaxPieces) {            // even at full length
        mark_broken(source, "a request promised more than 2^20 payload pieces");
        return;
      }
      // Consume whatever pieces come, up to the bytes promised.
      for (uint64_t left = h.bytes, n = 0; left > 0; ++n) {
        MPI_Message msg;
        uint64_t size = 0;
        if (n >= kMaxPieces || !probe_piece(source, h.tag, &msg, &size)) {
          if (n >= kMaxPieces) mark_broken(source, "a request sent more than 2^20 pieces");
          return;
        }
        discard(&msg, size);
        if (size > left || size > h.piece) {
          mark_broken(source, format("a %llu-byte piece came where at most %llu were promised",
                                     (unsigned long long)size,
                                     (unsigned long long)std::min(left, h.piece)));
          return;
        }
        left -= size;
      }
      return;
    }
    case Op::kGet: {
      // An empty message for each piece: the origin sees the short count.
      const uint64_t n = l ? piece_total(*l, blocks, h.bytes, h.piece) : ceil_div(h.bytes, h.piece);
      if (n > kMaxPieces) {
        mark_broken(source, "a get asked for more than 2^20 pieces");
        return;
      }
      for (uint64_t i = 0; i < n; ++i)
        COMEX_MPI(MPI_Send(nullptr, 0, MPI_BYTE, source, h.tag, reply_));
      return;
    }
    case Op::kRmw:
    case Op::kFence:
    case Op::kLock: {
      Reply r{};
      r.status = 1;
      send_reply(source, h.tag, r);
      return;
    }
    default:
      return;
  }
}

void Engine::sweep_broken() {
  for (size_t r = 0; r < broken_.size(); ++r) {
    if (!broken_[r]) continue;
    for (int n = 0; n < 64; ++n) {
      int flag = 0, count = 0;
      MPI_Message msg;
      MPI_Status st;
      COMEX_MPI(MPI_Improbe(int(r), MPI_ANY_TAG, data_, &flag, &msg, &st));
      if (!flag) break;
      COMEX_MPI(MPI_Get_count(&st, MPI_BYTE, &count));
      discard(&msg, uint64_t(count));
    }
  }
}

void Engine::receive_held() {
  for (auto &[msg, size] : held_) {
    std::vector<char> tmp(size);
    COMEX_MPI(MPI_Mrecv(tmp.data(), int(size), MPI_BYTE, &msg, MPI_STATUS_IGNORE));
  }
  if (!held_.empty()) COMEX_DEBUG("received %zu oversized pieces held until now", held_.size());
  held_.clear();
}

}  // namespace comex
