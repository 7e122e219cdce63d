// raw.h -- a rank that speaks to another rank's engine directly, as a broken
// or hostile peer would: crafted requests on the engine's request
// communicator, payload pieces on its data communicator, answers taken from
// its reply communicator with bounded waits.  The engine's communicators
// come from the runtime (internal headers: the tests are built with
// -I src-mpi-mt).
#ifndef COMEX_TESTING_HOSTILE_RAW_H_
#define COMEX_TESTING_HOSTILE_RAW_H_

#include <gtest/gtest.h>
#include <mpi.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <thread>
#include <vector>

#include "am/engine.h"
#include "am/packet.h"
#include "core/runtime.h"
#include "util/layout.h"

namespace hostile {

using comex::Header;
using comex::Layout;
using comex::Op;

/// A request as bytes: header, encoded layout, eager payload.
struct Request {
  Header h{};
  std::vector<char> layout;   ///< encoded target layout (h.layout_bytes is set from it)
  std::vector<char> payload;  ///< eager payload
  std::vector<char> bytes() const {
    std::vector<char> m(sizeof h + layout.size() + payload.size());
    std::memcpy(m.data(), &h, sizeof h);
    std::memcpy(m.data() + sizeof h, layout.data(), layout.size());
    std::memcpy(m.data() + sizeof h + layout.size(), payload.data(), payload.size());
    return m;
  }
};

class Raw {
 public:
  explicit Raw(int target) : target_(target) {
    comex::Engine &e = comex::Runtime::instance()->engine();
    am_ = e.am_comm();
    data_ = e.data_comm();
    reply_ = e.reply_comm();
    int *ub = nullptr, flag = 0;
    MPI_Comm_get_attr(am_, MPI_TAG_UB, &ub, &flag);
    tag_ub_ = flag && ub ? *ub : 32767;
    next_tag_ = tag_ub_ / 2;  // far above the runtime's handle slots
  }
  int target() const { return target_; }
  int tag_ub() const { return tag_ub_; }
  /// A tag used by no earlier request of this rank.
  int fresh_tag() { return next_tag_++; }

  void send(const std::vector<char> &msg) {
    ASSERT_EQ(MPI_Send(msg.data(), int(msg.size()), MPI_BYTE, target_, 0, am_), MPI_SUCCESS);
  }
  void send(const Request &r) {
    Request c = r;
    c.h.layout_bytes = uint32_t(c.layout.size());
    send(c.bytes());
  }
  /// One payload piece (the target receives or discards every piece it is sent).
  void piece(const void *p, size_t n, int tag) {
    ASSERT_EQ(MPI_Send(p, int(n), MPI_BYTE, target_, tag, data_), MPI_SUCCESS);
  }
  /// Receive one answer of at most `cap` bytes with `tag` within `seconds`;
  /// returns its length, or -1 when none came.
  int answer(void *buf, int cap, int tag, double seconds = 20) {
    MPI_Request req;
    if (MPI_Irecv(buf, cap, MPI_BYTE, target_, tag, reply_, &req) != MPI_SUCCESS) return -1;
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    MPI_Status st;
    for (int flag = 0; !flag;) {
      if (MPI_Test(&req, &flag, &st) != MPI_SUCCESS) return -1;
      if (flag) break;
      if (std::chrono::steady_clock::now() > end) {
        MPI_Cancel(&req);
        MPI_Wait(&req, MPI_STATUS_IGNORE);
        return -1;
      }
      std::this_thread::yield();
    }
    int n = 0;
    MPI_Get_count(&st, MPI_BYTE, &n);
    return n;
  }
  /// Is an answer with `tag` waiting (one that should not exist)?
  bool stray_answer(int tag) {
    int flag = 0;
    MPI_Iprobe(target_, tag, reply_, &flag, MPI_STATUS_IGNORE);
    return flag != 0;
  }
  /// A fence; true when the target answered "applied" (status 0).
  int fence() {
    Request r;
    r.h.op = Op::kFence;
    r.h.tag = fresh_tag();
    send(r);
    comex::Reply rep{};
    if (answer(&rep, sizeof rep, r.h.tag) != int(sizeof rep)) return -1;
    return rep.status;
  }

 private:
  int target_;
  MPI_Comm am_, data_, reply_;
  int tag_ub_ = 32767;
  int next_tag_ = 0;
};

/// Pieces of a transfer as the target expects them: the layout's pieces when
/// the request is well formed, else `bytes` cut at `piece` (what a target
/// draining a refused request consumes).
inline std::vector<std::pair<uint64_t, uint64_t>> piece_plan(const Layout *l, bool blocks,
                                                             uint64_t bytes, uint64_t piece) {
  std::vector<std::pair<uint64_t, uint64_t>> out;  // (offset in the stream, length)
  uint64_t at = 0;
  auto add = [&](uint64_t, uint64_t n) {
    out.push_back({at, n});
    at += n;
  };
  if (l)
    comex::for_each_piece(*l, blocks, bytes, piece, add);
  else
    comex::for_each_piece(Layout::contiguous(0, bytes), false, bytes, piece, add);
  return out;
}

/// A copy of `l` moved by `delta` bytes (a target layout applied to a local shadow).
inline Layout moved(const Layout &l, int64_t delta) {
  Layout m = l;
  m.base += uint64_t(delta);
  for (Layout::Group &g : m.groups)
    for (uint64_t &a : g.addrs) a += uint64_t(delta);
  return m;
}

}  // namespace hostile

#endif  // COMEX_TESTING_HOSTILE_RAW_H_
