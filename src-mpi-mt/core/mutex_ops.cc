// core/mutex_ops.cc -- the origin side of mutexes: create, destroy, lock, unlock.
#include "core/runtime.h"
#include "util/log.h"

namespace comex {

void Runtime::create_mutexes(int num) {
  auto world = groups_.get(0);
  std::vector<int> counts(size_);
  MPI_Request req;
  COMEX_MPI(MPI_Iallgather(&num, 1, MPI_INT, counts.data(), 1, MPI_INT, world->comm, &req));
  engine_->wait_request(&req);
  for (int r = 0; r < size_; ++r)  // every rank sees the same counts: all fail together
    if (counts[r] < 0) throw Error(format("num=%d on rank %d is negative", counts[r], r));
  if (mutexes_.created()) throw Error("mutexes already exist: call comex_destroy_mutexes first");
  // On a node sharing memory, each rank's mutexes are ticket locks in a
  // segment its node peers map, so locking between them sends no message.
  uint64_t seq = 0;
  ShmMutex *mine = nullptr;
  const size_t bytes = size_t(num) * sizeof(ShmMutex);
  if (node_->shares_memory() && num > 0) {
    std::string why;
    seq = node_->next_seq();
    mine = static_cast<ShmMutex *>(node_->create(bytes, seq, &why));
    if (!mine) {
      log_line("comex_create_mutexes: %s; mutexes are served by message", why.c_str());
      seq = 0;
    }
  }
  // Everyone learns which ranks share (mixed modes are fine: a rank whose
  // mutexes are not shared serves them all by message).
  std::vector<uint64_t> seqs(size_);
  COMEX_MPI(MPI_Iallgather(&seq, 1, MPI_UINT64_T, seqs.data(), 1, MPI_UINT64_T, world->comm, &req));
  engine_->wait_request(&req);
  shm_mutexes_.assign(size_t(size_), nullptr);
  shm_mutex_bytes_.assign(size_t(size_), 0);
  if (mine) {
    shm_mutexes_[size_t(rank_)] = mine;
    shm_mutex_bytes_[size_t(rank_)] = bytes;
  }
  for (int r = 0; r < size_; ++r) {
    if (r == rank_ || seqs[size_t(r)] == 0 || !node_->maps(r)) continue;
    const size_t b = size_t(counts[size_t(r)]) * sizeof(ShmMutex);
    std::string why;
    auto *p = static_cast<ShmMutex *>(node_->attach(r, seqs[size_t(r)], b, &why));
    if (!p) log_line("comex_create_mutexes: %s; mutexes of rank %d by message", why.c_str(), r);
    shm_mutexes_[size_t(r)] = p;
    shm_mutex_bytes_[size_t(r)] = p ? b : 0;
  }
  mutexes_.create(std::move(counts), rank_);
  if (mine) mutexes_.share(mine);
  own_mutex_seq_ = seq;
  COMEX_MPI(MPI_Ibarrier(world->comm, &req));  // nobody locks before all have them
  engine_->wait_request(&req);
  if (seq) node_->unlink(seq);
}

void Runtime::unmap_mutexes() {
  for (size_t r = 0; r < shm_mutexes_.size(); ++r)
    if (shm_mutexes_[r]) Node::unmap(shm_mutexes_[r], shm_mutex_bytes_[r]);
  shm_mutexes_.clear();
  shm_mutex_bytes_.clear();
}

void Runtime::destroy_mutexes() {
  if (!mutexes_.created()) throw Error("no mutexes exist (comex_create_mutexes not called)");
  barrier(*groups_.get(0));
  mutexes_.destroy();
  unmap_mutexes();
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
  t.mutex = mutex;
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
  if (ShmMutex *x = shm_mutex(mutex, proc)) {  // no message: take a ticket, wait for it
    const uint32_t t = x->next.fetch_add(1);
    engine_->wait_until([&] { return x->serving.load(std::memory_order_acquire) == t; });
    x->holder_plus1.store(rank_ + 1, std::memory_order_relaxed);
  } else if (proc == rank_) {
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
  if (ShmMutex *x = shm_mutex(mutex, proc)) {
    if (x->holder_plus1.load(std::memory_order_relaxed) != rank_ + 1)
      throw Error(format("mutex=%d of rank %d: internal state lost", mutex, proc));
    x->holder_plus1.store(0, std::memory_order_relaxed);
    x->serving.fetch_add(1);  // the next ticket holds it now
    // A remote waiter's ticket is the owner engine's to answer: wake it.
    if (x->remote_waiting.load() > 0) {
      if (proc == rank_) {
        engine_->grant_pending();
      } else {
        Transfer k = mutex_request(Op::kUnlock, mutex, proc);
        k.kick = true;
        wait(submit(k));
      }
    }
  } else if (proc == rank_) {
    std::optional<MutexTable::Waiter> next;
    if (mutexes_.release(mutex, rank_, &next) == MutexTable::Result::kInvalid)
      throw Error(format("mutex=%d of rank %d: internal state lost", mutex, proc));
    if (next) engine_->grant(*next);
  } else {
    wait(submit(mutex_request(Op::kUnlock, mutex, proc)));
  }
}

}  // namespace comex
