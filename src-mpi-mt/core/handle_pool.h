// core/handle_pool.h -- bookkeeping of the bounded pool of non-blocking handles.
//
// Slots are numbered 0..capacity-1.  A handle encodes a slot index and the
// slot's generation, so a handle whose operation was already completed (and
// its slot reused) is recognised as complete.  The pool only does indices;
// the owner keeps the per-slot state and guards the pool with its own lock.
#pragma once

#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

namespace comex {

class HandlePool {
 public:
  static constexpr int kMaxCapacity = 65535;
  explicit HandlePool(int capacity);

  int capacity() const { return int(gen_.size()); }
  int in_use() const { return in_use_; }

  /// Take a free slot; -1 when every slot is busy (complete oldest() first).
  int acquire();
  /// Return a busy slot to the free list (its old handles become stale).
  void release(int slot);
  bool busy(int slot) const { return busy_[slot] != 0; }

  /// The busy slot acquired longest ago, or -1 when none is busy.
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
  std::vector<int> free_;
  std::deque<std::pair<uint64_t, int>> order_;  // (seq, slot) in acquisition order
  uint64_t next_seq_ = 1;
  int in_use_ = 0;
};

}  // namespace comex
