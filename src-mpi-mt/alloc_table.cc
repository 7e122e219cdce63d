// alloc_table.cc -- interval lookup of comex_malloc blocks.
#include "alloc_table.h"

#include <mutex>

namespace comex {

uint64_t AllocTable::add(const std::vector<int> &ranks, const std::vector<uintptr_t> &ptrs,
                         const std::vector<uint64_t> &sizes) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  uint64_t id = next_id_++;
  for (size_t i = 0; i < ranks.size(); ++i)
    if (sizes[i] > 0 && ptrs[i] != 0) by_rank_.at(ranks[i])[ptrs[i]] = Block{sizes[i], id};
  allocs_[id] = Alloc{ranks, ptrs, sizes};
  return id;
}

std::optional<uint64_t> AllocTable::find(const std::vector<int> &ranks,
                                         const std::vector<uintptr_t> &ptrs) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto &[id, a] : allocs_)
    if (a.ranks == ranks && a.ptrs == ptrs) return id;
  return std::nullopt;
}

void AllocTable::remove(uint64_t id) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = allocs_.find(id);
  if (it == allocs_.end()) return;
  const Alloc &a = it->second;
  for (size_t i = 0; i < a.ranks.size(); ++i) {
    auto &blocks = by_rank_.at(a.ranks[i]);
    auto b = blocks.find(a.ptrs[i]);
    if (b != blocks.end() && b->second.id == id) blocks.erase(b);
  }
  allocs_.erase(it);
}

bool AllocTable::contains(int rank, uintptr_t addr, uint64_t len) const {
  uint64_t lo, hi;
  return block_of(rank, addr, len, &lo, &hi);
}

bool AllocTable::block_of(int rank, uintptr_t addr, uint64_t len, uint64_t *lo,
                          uint64_t *hi) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (rank < 0 || size_t(rank) >= by_rank_.size()) return false;
  const auto &blocks = by_rank_[rank];
  auto it = blocks.upper_bound(addr);  // first block starting after addr
  if (it == blocks.begin()) return false;
  --it;
  uintptr_t base = it->first;
  uint64_t off = addr - base;
  if (!(off <= it->second.size && len <= it->second.size - off)) return false;
  *lo = base;
  *hi = base + it->second.size;
  return true;
}

size_t AllocTable::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return allocs_.size();
}

}  // namespace comex
