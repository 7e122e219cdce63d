// am/packet.h -- the wire format of active messages.
//
// One packet type: a fixed Header, then (for strided and vector requests) the
// encoded Layout of the target side, then optionally the payload (eager).  Larger payloads follow
// as pieces on the data communicator, replies travel on the reply communicator; both are matched by
// (source, tag), the tag being the origin's handle slot, unique while the
// operation is in flight.  All lengths are 64-bit.
#pragma once

#include <cstdint>
#include <cstring>

namespace comex {

/// What a request asks of its target; handlers sit in a table indexed by Op.
enum class Op : uint8_t {
  kPut = 0,    ///< write payload at addr
  kGet,        ///< reply with `bytes` read at addr
  kAcc,        ///< addr += scale * payload, element type `elem`
  kRmw,        ///< atomic swap / fetch-and-add at addr, reply the old value
  kFence,      ///< reply once every earlier request from this origin is applied
  kTerminate,  ///< stop the progress thread (from self only)
  kLock,       ///< queue for mutex `mutex`; reply when granted
  kUnlock,     ///< release mutex `mutex` (no reply; the next waiter is granted)
  kCount
};

enum HeaderFlags : uint8_t {
  kFlagEager = 1,   ///< the payload follows the header (and layout) in the same message
  kFlagBlocks = 2,  ///< payload pieces follow the layout's segments, not a packed stream
  kFlagKick =
      4,  ///< unlock: a node peer released the mutex in shared memory; grant the next waiter
  kFlagRings = 8,  ///< the origin rings the target's doorbell (shared or network) after sending
  kFlagStream =
      16,  ///< the origin's last operation with this target ended moments ago: more may follow
};

struct Header {
  Op op;
  uint8_t elem;   ///< ElemType for kAcc, RmwKind for kRmw
  uint8_t flags;  ///< HeaderFlags
  uint8_t reserved;
  int32_t tag;     ///< origin slot: tag of payload pieces and of the reply
  uint64_t addr;   ///< target address (put, get, acc without a layout; rmw)
  uint64_t bytes;  ///< payload / reply length
  uint64_t piece;  ///< length of each payload / reply piece but the last
  union {
    int64_t operand;  ///< rmw: the operand
    uint64_t offset;  ///< put, get, acc: first byte of the target side this request covers
  };
  unsigned char scale[16];  ///< accumulate scale (one element)
  uint32_t layout_bytes;    ///< > 0: an encoded Layout of the target side follows the header
  int32_t mutex;            ///< lock, unlock: the mutex's index at the target
};
static_assert(sizeof(Header) == 64, "wire header layout");

/// Number of pieces of `piece` bytes that carry `bytes` (at least one).
inline uint64_t piece_count(uint64_t bytes, uint64_t piece) {
  return bytes == 0 ? 1 : (bytes + piece - 1) / piece;
}

/// Reply to kRmw, kFence and kLock.
struct Reply {
  int64_t value;   ///< old value (rmw)
  int32_t status;  ///< 0 = applied (granted), 1 = refused by the target
  int32_t reserved;
};

}  // namespace comex
