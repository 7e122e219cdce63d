// mutex.cc -- FIFO mutex queues of the owner.
#include "mutex.h"

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

MutexTable::Result MutexTable::acquire(int m, const Waiter &w) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!created_ || m < 0 || size_t(m) >= mine_.size()) return Result::kInvalid;
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
