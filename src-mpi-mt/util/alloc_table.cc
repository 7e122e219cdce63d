// util/alloc_table.cc -- interval lookup of comex_malloc blocks.
#include "util/alloc_table.h"

#include <mutex>

namespace comex {

uint64_t AllocTable::add(const std::vector<int> &ranks, const std::vector<uintptr_t> &ptrs,
                         const std::vector<uint64_t> &sizes, const std::vector<uintptr_t> &mapped) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  bump();
  uint64_t id = next_id_++;
  Alloc a{ranks, ptrs, sizes, mapped};
  a.mapped.resize(ranks.size(), 0);
  for (size_t i = 0; i < ranks.size(); ++i)
    if (sizes[i] > 0 && ptrs[i] != 0)
      by_rank_.at(ranks[i])[ptrs[i]] = Block{sizes[i], id, a.mapped[i]};
  allocs_[id] = std::move(a);
  return id;
}

std::optional<uint64_t> AllocTable::find(const std::vector<int> &ranks,
                                         const std::vector<uintptr_t> &ptrs) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  for (const auto &[id, a] : allocs_)
    if (a.ranks == ranks && a.ptrs == ptrs) return id;
  return std::nullopt;
}

void AllocTable::remove(uint64_t id) { (void)take(id); }

std::optional<AllocTable::Alloc> AllocTable::take(uint64_t id) {
  std::unique_lock<std::shared_mutex> lock(mu_);
  auto it = allocs_.find(id);
  if (it == allocs_.end()) return std::nullopt;
  bump();
  Alloc a = std::move(it->second);
  for (size_t i = 0; i < a.ranks.size(); ++i) {
    auto &blocks = by_rank_.at(a.ranks[i]);
    auto b = blocks.find(a.ptrs[i]);
    if (b != blocks.end() && b->second.id == id) blocks.erase(b);
  }
  allocs_.erase(it);
  return a;
}

std::vector<AllocTable::Alloc> AllocTable::take_all() {
  std::unique_lock<std::shared_mutex> lock(mu_);
  bump();
  std::vector<Alloc> out;
  for (auto &[id, a] : allocs_) out.push_back(std::move(a));
  allocs_.clear();
  for (auto &blocks : by_rank_) blocks.clear();
  return out;
}

bool AllocTable::contains(int rank, uintptr_t addr, uint64_t len) const {
  uint64_t lo, hi;
  return block_of(rank, addr, len, &lo, &hi);
}

bool AllocTable::block_of(int rank, uintptr_t addr, uint64_t len, uint64_t *lo,
                          uint64_t *hi) const {
  Where w;
  if (!where(rank, addr, len, &w)) return false;
  *lo = w.lo;
  *hi = w.hi;
  return true;
}

namespace {
std::atomic<uint64_t> g_generations{1};  // unique across tables (a runtime may be re-created)
}  // namespace

void AllocTable::bump() {
  generation_.store(g_generations.fetch_add(1) + 1, std::memory_order_release);
}

namespace {
/// Per thread: the last block found for a few ranks, valid while the
/// table's generation is unchanged.
struct CacheLine {
  const void *table = nullptr;
  uint64_t generation = 0;
  int rank = -1;
  AllocTable::Where w;
};
constexpr int kCacheLines = 8;
thread_local CacheLine t_cache[kCacheLines];
}  // namespace

bool AllocTable::where(int rank, uintptr_t addr, uint64_t len, Where *w) const {
  CacheLine &c = t_cache[unsigned(rank) % kCacheLines];
  const uint64_t gen = generation_.load(std::memory_order_acquire);
  if (c.table == this && c.generation == gen && c.rank == rank && addr >= c.w.lo &&
      addr <= c.w.hi && len <= c.w.hi - addr) {
    *w = c.w;
    return true;
  }
  if (!where_locked(rank, addr, len, w)) return false;
  c.table = this;
  c.generation = gen;
  c.rank = rank;
  c.w = *w;
  return true;
}

bool AllocTable::where_locked(int rank, uintptr_t addr, uint64_t len, Where *w) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  if (rank < 0 || size_t(rank) >= by_rank_.size()) return false;
  const auto &blocks = by_rank_[rank];
  auto it = blocks.upper_bound(addr);  // first block starting after addr
  if (it == blocks.begin()) return false;
  --it;
  uintptr_t base = it->first;
  uint64_t off = addr - base;
  if (!(off <= it->second.size && len <= it->second.size - off)) return false;
  w->lo = base;
  w->hi = base + it->second.size;
  w->mapped = it->second.mapped;
  return true;
}

size_t AllocTable::size() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  return allocs_.size();
}

}  // namespace comex
