// util/alloc_table.h -- every live comex_malloc block of every rank.
//
// The origin checks a remote range against the target's blocks before it
// sends anything, and the target checks again against its own before it
// touches memory: a peer can never make a rank write elsewhere.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <vector>

namespace comex {

class AllocTable {
 public:
  /// One collective allocation: member i is world rank ranks[i], whose block
  /// starts at ptrs[i] (in its owner's address space) and has sizes[i] bytes;
  /// mapped[i] is where this process sees the block through shared memory
  /// (0: reachable only through the owner's engine).
  struct Alloc {
    std::vector<int> ranks;
    std::vector<uintptr_t> ptrs;
    std::vector<uint64_t> sizes;
    std::vector<uintptr_t> mapped;
  };
  /// Where a range lives: its block [lo, hi) and the block's mapping here.
  struct Where {
    uint64_t lo = 0, hi = 0;
    uintptr_t mapped = 0;
    /// Where `addr` of the block is seen here (only when mapped).
    void *here(uintptr_t addr) const { return reinterpret_cast<void *>(mapped + (addr - lo)); }
  };

  explicit AllocTable(int nranks) : by_rank_(nranks) { bump(); }

  /// Record one collective allocation (`mapped` may be empty: none mapped).
  /// Returns its id.
  uint64_t add(const std::vector<int> &ranks, const std::vector<uintptr_t> &ptrs,
               const std::vector<uint64_t> &sizes, const std::vector<uintptr_t> &mapped = {});

  /// The allocation whose members and block addresses are exactly these.
  std::optional<uint64_t> find(const std::vector<int> &ranks,
                               const std::vector<uintptr_t> &ptrs) const;

  /// Forget an allocation (no-op for an unknown id).
  void remove(uint64_t id);
  /// Forget an allocation and return it (to unmap its blocks).
  std::optional<Alloc> take(uint64_t id);
  /// Forget every allocation and return them.
  std::vector<Alloc> take_all();

  /// True when [addr, addr + len) lies inside one live block of `rank`.
  /// A zero-length range is inside when addr is inside or at the end of a block.
  bool contains(int rank, uintptr_t addr, uint64_t len) const;

  /// As contains(); on success also returns the block's bounds [*lo, *hi),
  /// so callers checking many ranges can skip the look-up for the next one.
  bool block_of(int rank, uintptr_t addr, uint64_t len, uint64_t *lo, uint64_t *hi) const;
  /// As block_of(), also returning the block's mapping in this process.
  bool where(int rank, uintptr_t addr, uint64_t len, Where *w) const;

  /// Number of live allocations.
  size_t size() const;

 private:
  struct Block {
    uint64_t size;
    uint64_t id;
    uintptr_t mapped;
  };
  void bump();  ///< new generation (under the unique lock)
  bool where_locked(int rank, uintptr_t addr, uint64_t len, Where *w) const;

  mutable std::shared_mutex mu_;
  /// Bumped by every change; lets each thread keep the last blocks it found
  /// (a small per-thread cache) without taking mu_.
  std::atomic<uint64_t> generation_{0};
  std::vector<std::map<uintptr_t, Block>> by_rank_;
  std::map<uint64_t, Alloc> allocs_;
  uint64_t next_id_ = 1;
};

}  // namespace comex
