// alloc_table.h -- every live comex_malloc block of every rank.
//
// The origin checks a remote range against the target's blocks before it
// sends anything, and the target checks again against its own before it
// touches memory: a peer can never make a rank write elsewhere.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <vector>

namespace comex {

class AllocTable {
 public:
  explicit AllocTable(int nranks) : by_rank_(nranks) {}

  /// Record one collective allocation: member i is world rank ranks[i], whose
  /// block starts at ptrs[i] and has sizes[i] bytes (0 allowed).  Returns its id.
  uint64_t add(const std::vector<int> &ranks, const std::vector<uintptr_t> &ptrs,
               const std::vector<uint64_t> &sizes);

  /// The allocation whose members and block addresses are exactly these.
  std::optional<uint64_t> find(const std::vector<int> &ranks,
                               const std::vector<uintptr_t> &ptrs) const;

  /// Forget an allocation (no-op for an unknown id).
  void remove(uint64_t id);

  /// True when [addr, addr + len) lies inside one live block of `rank`.
  /// A zero-length range is inside when addr is inside or at the end of a block.
  bool contains(int rank, uintptr_t addr, uint64_t len) const;

  /// As contains(); on success also returns the block's bounds [*lo, *hi),
  /// so callers checking many ranges can skip the look-up for the next one.
  bool block_of(int rank, uintptr_t addr, uint64_t len, uint64_t *lo, uint64_t *hi) const;

  /// Number of live allocations.
  size_t size() const;

 private:
  struct Block {
    uint64_t size;
    uint64_t id;
  };
  struct Alloc {
    std::vector<int> ranks;
    std::vector<uintptr_t> ptrs;
    std::vector<uint64_t> sizes;
  };
  mutable std::shared_mutex mu_;
  std::vector<std::map<uintptr_t, Block>> by_rank_;
  std::map<uint64_t, Alloc> allocs_;
  uint64_t next_id_ = 1;
};

}  // namespace comex
