// core/handle_pool.h -- bookkeeping of the bounded pool of non-blocking handles.
//
// Slots are numbered 0..capacity-1.  A handle encodes a slot index and the
// slot's generation, so a handle whose operation was already completed (and
// its slot reused) is recognised as complete.  The pool only does indices;
// the owner keeps the per-slot state and guards the pool with its own lock.
//
// The first `normal` slots serve operations, whose completion depends only on
// this process making progress: when they are all busy, the oldest is
// completed to free one.  The `reserved` slots after them serve lock
// requests, which wait for another thread or process to unlock: such a
// request must neither be the one others wait on to free a slot nor take a
// slot the lock holder needs for its own operations.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace comex {

class HandlePool {
 public:
  static constexpr int kMaxCapacity = 65535;  ///< normal + reserved
  explicit HandlePool(int normal, int reserved = 0);

  int capacity() const { return int(gen_.size()); }
  /// Slots [0, normal()) are normal, [normal(), capacity()) reserved.
  int normal() const { return normal_; }
  int in_use() const { return in_use_; }

  /// Take a free normal slot; -1 when every one is busy (complete oldest() first).
  int acquire();
  /// Take a free reserved slot; -1 when every one is busy (wait for one).
  int acquire_reserved();
  bool reserved_free() const { return !free_reserved_.empty(); }
  /// Return a busy slot to the free list (its old handles become stale).
  void release(int slot);
  bool busy(int slot) const { return busy_[slot] != 0; }

  /// The busy normal slot acquired longest ago, or -1 when none is busy.
  int oldest();

  /// Handle naming the current use of a busy slot.
  int handle(int slot) const { return (int(gen_[slot] & 0x7fff) << 16) | slot; }
  /// A handle that is always complete (for operations done at once).
  int done_handle() const { return capacity(); }

  enum class Lookup { kBusy, kComplete, kInvalid };
  /// Classify a user handle: its slot still busy with that operation, already
  /// complete, or not a handle of this pool at all.
  Lookup lookup(int handle, int *slot) const;

 private:
  std::vector<uint32_t> gen_;
  std::vector<uint8_t> busy_;
  std::vector<uint64_t> seq_;
  int normal_ = 0;
  std::vector<int> free_;  // normal slots
  std::vector<int> free_reserved_;
  std::deque<std::pair<uint64_t, int>> order_;  // (seq, slot) in acquisition order
  uint64_t next_seq_ = 1;
  int in_use_ = 0;
};

}  // namespace comex
