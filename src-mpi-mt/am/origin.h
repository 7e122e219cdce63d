// am/origin.h -- the origin half of the protocol: an operation as the origin
// sees it (Transfer), and one operation in flight by message (Outgoing).  The
// target half is handlers.cc.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "am/packet.h"
#include "util/config.h"
#include "util/layout.h"

namespace comex {

class Engine;
class Node;

/// One data-movement or synchronisation operation, as the origin sees it.
/// Contiguous, strided and vector transfers differ only in their layouts.
struct Transfer {
  Op op = Op::kPut;
  int target = -1;      ///< world rank
  Layout local;         ///< origin side: source of put/acc, destination of get
  Layout remote;        ///< target side
  bool blocks = false;  ///< move segment by segment instead of packing
  uint64_t offset = 0;  ///< first byte of the packed streams this transfer covers
  uint64_t bytes = 0;   ///< bytes moved (from offset)
  uint8_t elem = 0;     ///< ElemType (acc) or RmwKind (rmw)
  unsigned char scale[16] = {};
  int64_t operand = 0;     ///< rmw operand
  void *result = nullptr;  ///< rmw: where the old value goes
  int mutex = -1;          ///< lock, unlock: the mutex's index at the target
  /// Found by the edge's address check: the target's block is mapped in this
  /// process (a node peer's, through shared memory), each remote address
  /// seen here at address + map_shift.
  bool mapped = false;
  uint64_t map_shift = 0;
  bool kick = false;  ///< unlock: only wake the owner's engine (kFlagKick)

  /// A contiguous transfer of `bytes` between local and remote addresses.
  static Transfer contiguous(Op op, int target, void *local, uint64_t remote, uint64_t bytes);
  /// Does the operation write at the target with no reply (counted by fences)?
  bool one_way() const { return op == Op::kPut || op == Op::kAcc || op == Op::kUnlock; }
};

/// One operation sent by message and not yet complete: its MPI requests, the
/// message it sent, and the staging of a non-contiguous local side.  The
/// runtime keeps one per handle slot; the slot number is the tag that matches
/// the payload pieces and the reply.
class Outgoing {
 public:
  /// Send `t` as request `tag`: the header (with the target's layout and an
  /// eager payload), then the payload pieces, or pre-post the receives of a
  /// get's data or of a reply.  Rings the target's doorbell on this node.
  void post(const Transfer &t, int tag, const Config &cfg, Engine &engine, Node &node);
  /// One test, no waiting: true when every request is complete and the
  /// result is in place (a get's data unpacked, an rmw's old value stored).
  /// *error receives a message when the target refused the request.
  bool poll(std::string *error);
  int target() const { return target_; }

 private:
  /// Resize `v` to `n`; out of memory is a comex::Error naming `what`.
  void grow(std::vector<char> *v, size_t n, const char *what);
  void send(const void *buf, uint64_t n, int tag, MPI_Comm comm);
  void recv(void *buf, uint64_t n, int tag, MPI_Comm comm);
  /// Check the length a receive got against what it expected.
  bool got_all(const MPI_Status &st, size_t i);

  // Parallel arrays: MPI_Testall wants the requests side by side.
  std::vector<MPI_Request> reqs_;
  std::vector<int> recv_bytes_;  ///< per request: bytes a receive expects; 0 for a send
  std::vector<char> msg_;        ///< header, layout, eager payload
  std::vector<char> staging_;    ///< packed data of a non-contiguous local side
  Reply reply_{};
  int target_ = -1;
  Op op_ = Op::kPut;
  uint8_t elem_ = 0;
  void *result_ = nullptr;
  // A get into a non-contiguous local side: staged pieces are scattered into
  // `local_` as each arrives (the pieces are the first requests, in order).
  bool unpack_ = false;
  Layout local_;
  std::unique_ptr<Cursor> cursor_;
  size_t unpacked_ = 0;  ///< receive requests (pieces) scattered so far
  uint64_t unpacked_bytes_ = 0;
  // A target rung by network is rung once this has waited NET_BELL_DELAY_US
  // (an awake target answers sooner and is never rung), then every
  // NET_BELL_AGAIN_US (a ring that overtook its request found it asleep again).
  Engine *engine_ = nullptr;
  uint64_t ring_at_ = 0;  ///< now_ns() of the next ring; 0: none
  bool net_rung_ = false;  ///< the target is rung by network (streams: Engine::note_done)
  uint64_t ring_again_ns_ = 0;
};

}  // namespace comex
