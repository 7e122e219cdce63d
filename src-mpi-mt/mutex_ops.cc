// mutex_ops.cc -- the origin side of mutexes: create, destroy, lock, unlock.
#include "log.h"
#include "runtime.h"

namespace comex {

void Runtime::create_mutexes(int num) {
  auto world = groups_.get(0);
  std::vector<int> counts(size_);
  MPI_Request req;
  COMEX_MPI(MPI_Iallgather(&num, 1, MPI_INT, counts.data(), 1, MPI_INT, world->comm, &req));
  engine_->wait_request(&req);
  for (int r = 0; r < size_; ++r)  // every rank sees the same counts: all fail together
    if (counts[r] < 0) throw Error(format("num=%d on rank %d is negative", counts[r], r));
  if (mutexes_.created())
    throw Error("mutexes already exist: call comex_destroy_mutexes first");
  mutexes_.create(std::move(counts), rank_);
  COMEX_MPI(MPI_Ibarrier(world->comm, &req));  // nobody locks before all have them
  engine_->wait_request(&req);
}

void Runtime::destroy_mutexes() {
  if (!mutexes_.created()) throw Error("no mutexes exist (comex_create_mutexes not called)");
  barrier(*groups_.get(0));
  mutexes_.destroy();
  std::lock_guard<std::mutex> lock(held_mu_);
  held_.clear();
}

namespace {
void check_mutex(const MutexTable &t, int mutex, int proc, int size) {
  if (!t.created()) throw Error("no mutexes exist (comex_create_mutexes not called)");
  if (proc < 0 || proc >= size)
    throw Error(format("proc=%d is out of range [0, %d) of the world", proc, size));
  if (mutex < 0 || mutex >= t.count(proc))
    throw Error(format("mutex=%d is out of range [0, %d) of rank %d", mutex, t.count(proc), proc));
}
/// The request that locks or unlocks mutex `mutex` of world rank `proc`.
Transfer mutex_request(Op op, int mutex, int proc) {
  Transfer t;
  t.op = op;
  t.target = proc;
  t.remote = Layout::contiguous(uint64_t(mutex), 0);
  return t;
}
}  // namespace

void Runtime::lock(int mutex, int proc) {
  check_mutex(mutexes_, mutex, proc, size_);
  {
    std::lock_guard<std::mutex> lock(held_mu_);
    auto it = held_.find({proc, mutex});
    if (it != held_.end() && it->second == std::this_thread::get_id())
      throw Error(format("mutex=%d of rank %d is already held by this thread", mutex, proc));
  }
  if (proc == rank_) {
    std::atomic<bool> granted{false};
    MutexTable::Waiter w;
    w.rank = rank_;
    w.flag = &granted;
    if (mutexes_.acquire(mutex, w) == MutexTable::Result::kQueued)
      engine_->wait_until([&] { return granted.load(std::memory_order_acquire); });
  } else {
    wait(submit(mutex_request(Op::kLock, mutex, proc)));
  }
  std::lock_guard<std::mutex> lock(held_mu_);
  held_[{proc, mutex}] = std::this_thread::get_id();
}

void Runtime::unlock(int mutex, int proc) {
  check_mutex(mutexes_, mutex, proc, size_);
  {
    std::lock_guard<std::mutex> lock(held_mu_);
    auto it = held_.find({proc, mutex});
    if (it == held_.end())
      throw Error(format("mutex=%d of rank %d is not held by this process", mutex, proc));
    held_.erase(it);
  }
  // What the critical section wrote elsewhere is applied before the next
  // holder enters; writes to `proc` itself are ordered before the unlock.
  std::vector<int> others;
  others.reserve(size_);
  for (int r = 0; r < size_; ++r)
    if (r != proc) others.push_back(r);
  fence(others);
  if (proc == rank_) {
    std::optional<MutexTable::Waiter> next;
    if (mutexes_.release(mutex, rank_, &next) == MutexTable::Result::kInvalid)
      throw Error(format("mutex=%d of rank %d: internal state lost", mutex, proc));
    if (next) engine_->grant(*next);
  } else {
    wait(submit(mutex_request(Op::kUnlock, mutex, proc)));
  }
}

}  // namespace comex
