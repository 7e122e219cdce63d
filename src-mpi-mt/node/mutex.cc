// node/mutex.cc -- FIFO mutex queues of the owner.
#include "node/mutex.h"

namespace comex {

void MutexTable::create(std::vector<int> counts, int me) {
  std::lock_guard<std::mutex> lock(mu_);
  me_ = me;
  mine_.assign(size_t(counts[me]), State{});
  counts_ = std::move(counts);
  created_ = true;
}

void MutexTable::destroy() {
  std::lock_guard<std::mutex> lock(mu_);
  created_ = false;
  shm_ = nullptr;
  pending_.clear();
  pending_n_.store(0);
  counts_.clear();
  mine_.clear();
}

bool MutexTable::created() const {
  std::lock_guard<std::mutex> lock(mu_);
  return created_;
}

int MutexTable::count(int rank) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!created_ || rank < 0 || size_t(rank) >= counts_.size()) return 0;
  return counts_[rank];
}

void MutexTable::share(ShmMutex *mine) {
  std::lock_guard<std::mutex> lock(mu_);
  shm_ = mine;
}

void MutexTable::poll(std::vector<Waiter> *granted) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < pending_.size();) {
    ShmMutex &x = shm_[pending_[i].m];
    if (x.serving.load(std::memory_order_acquire) != pending_[i].ticket) {
      ++i;
      continue;
    }
    x.holder_plus1.store(pending_[i].w.rank + 1, std::memory_order_relaxed);
    x.remote_waiting.fetch_sub(1);
    granted->push_back(pending_[i].w);
    pending_.erase(pending_.begin() + long(i));
    pending_n_.fetch_sub(1);
  }
}

MutexTable::Result MutexTable::acquire(int m, const Waiter &w) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!created_ || m < 0 || size_t(m) >= mine_.size()) return Result::kInvalid;
  if (shm_) {
    // Announce the waiter before looking: a node peer that releases after
    // our look sees the announcement and asks us to poll (kFlagKick).
    ShmMutex &x = shm_[m];
    x.remote_waiting.fetch_add(1);
    const uint32_t t = x.next.fetch_add(1);
    if (x.serving.load() == t) {
      x.holder_plus1.store(w.rank + 1, std::memory_order_relaxed);
      x.remote_waiting.fetch_sub(1);
      return Result::kGranted;
    }
    pending_.push_back({m, t, w});
    pending_n_.fetch_add(1);
    return Result::kQueued;
  }
  State &s = mine_[m];
  if (!s.held) {
    s.held = true;
    s.holder = w.flag ? me_ : w.rank;
    return Result::kGranted;
  }
  s.queue.push_back(w);
  return Result::kQueued;
}

MutexTable::Result MutexTable::release(int m, int rank, std::optional<Waiter> *next) {
  std::lock_guard<std::mutex> lock(mu_);
  next->reset();
  if (!created_ || m < 0 || size_t(m) >= mine_.size()) return Result::kInvalid;
  if (shm_) {
    ShmMutex &x = shm_[m];
    if (x.holder_plus1.load(std::memory_order_relaxed) != rank + 1) return Result::kInvalid;
    x.holder_plus1.store(0, std::memory_order_relaxed);
    x.serving.fetch_add(1);
    for (size_t i = 0; i < pending_.size(); ++i) {
      if (pending_[i].m != m || pending_[i].ticket != x.serving.load()) continue;
      x.holder_plus1.store(pending_[i].w.rank + 1, std::memory_order_relaxed);
      x.remote_waiting.fetch_sub(1);
      *next = pending_[i].w;
      pending_.erase(pending_.begin() + long(i));
      pending_n_.fetch_sub(1);
      break;
    }
    return Result::kGranted;
  }
  State &s = mine_[m];
  if (!s.held || s.holder != rank) return Result::kInvalid;
  if (s.queue.empty()) {
    s.held = false;
    s.holder = -1;
    return Result::kGranted;
  }
  *next = s.queue.front();
  s.queue.pop_front();
  s.holder = (*next)->flag ? me_ : (*next)->rank;
  return Result::kGranted;
}

}  // namespace comex
