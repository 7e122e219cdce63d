// core/handle_pool.cc -- slot indices, generations and acquisition order.
#include "core/handle_pool.h"

#include "util/error.h"

namespace comex {

HandlePool::HandlePool(int normal, int reserved) : normal_(normal) {
  if (normal < 1 || reserved < 0 || normal + reserved > kMaxCapacity)
    throw Error(
        format("handle pool of %d + %d slots outside [1, %d]", normal, reserved, kMaxCapacity));
  const int capacity = normal + reserved;
  gen_.assign(capacity, 0);
  busy_.assign(capacity, 0);
  seq_.assign(capacity, 0);
  free_.reserve(normal);
  for (int i = normal - 1; i >= 0; --i) free_.push_back(i);
  for (int i = capacity - 1; i >= normal; --i) free_reserved_.push_back(i);
}

int HandlePool::acquire_reserved() {
  if (free_reserved_.empty()) return -1;
  int s = free_reserved_.back();
  free_reserved_.pop_back();
  busy_[s] = 1;
  ++in_use_;
  return s;
}

int HandlePool::acquire() {
  if (free_.empty()) return -1;
  int s = free_.back();
  free_.pop_back();
  busy_[s] = 1;
  seq_[s] = next_seq_++;
  order_.emplace_back(seq_[s], s);
  ++in_use_;
  if (order_.size() > 4 * gen_.size()) {  // a long-lived handle pins the front: compact
    std::deque<std::pair<uint64_t, int>> live;
    for (auto &e : order_)
      if (busy_[e.second] && seq_[e.second] == e.first) live.push_back(e);
    order_.swap(live);
  }
  return s;
}

void HandlePool::release(int slot) {
  if (!busy_[slot]) return;
  busy_[slot] = 0;
  ++gen_[slot];
  --in_use_;
  if (slot >= normal_) {
    free_reserved_.push_back(slot);
    return;
  }
  free_.push_back(slot);
  // Drop stale entries from the front so order_ stays bounded.
  while (!order_.empty() &&
         !(busy_[order_.front().second] && seq_[order_.front().second] == order_.front().first))
    order_.pop_front();
}

int HandlePool::oldest() {
  while (!order_.empty()) {
    auto [seq, s] = order_.front();
    if (busy_[s] && seq_[s] == seq) return s;
    order_.pop_front();
  }
  return -1;
}

HandlePool::Lookup HandlePool::lookup(int handle, int *slot) const {
  if (handle < 0) return Lookup::kInvalid;
  int s = handle & 0xffff;
  uint32_t g = uint32_t(handle) >> 16;
  if (s == capacity() && g == 0) return Lookup::kComplete;
  if (s >= capacity()) return Lookup::kInvalid;
  *slot = s;
  if (busy_[s] && (gen_[s] & 0x7fff) == g) return Lookup::kBusy;
  return Lookup::kComplete;
}

}  // namespace comex
