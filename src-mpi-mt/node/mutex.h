// node/mutex.h -- the mutexes a rank owns, served first come, first served.
//
// A lock request waits in the owner's queue (the waiter does not poll over
// the network); an unlock hands the mutex straight to the next waiter.
#pragma once

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "node/shm.h"

namespace comex {

class MutexTable {
 public:
  /// Who waits for a mutex: a remote rank (answered with a reply on `tag`)
  /// or a thread of this rank (its `flag` is set).
  struct Waiter {
    int rank = -1;
    int tag = 0;
    std::atomic<bool> *flag = nullptr;
  };
  enum class Result { kGranted, kQueued, kInvalid };

  /// Install the mutexes of every rank (counts[r] on world rank r).
  void create(std::vector<int> counts, int me);
  void destroy();
  bool created() const;
  /// Mutexes on world rank `rank` (0 when none or not created).
  int count(int rank) const;

  /// Shared mode: this rank's mutexes are the ticket locks at `mine` (node
  /// peers lock them directly); the table then only tracks the tickets it
  /// took for remote waiters.
  void share(ShmMutex *mine);
  ShmMutex *shared() const { return shm_; }
  /// Shared mode: remote waiters whose ticket came up now hold the mutex.
  void poll(std::vector<Waiter> *granted);
  bool has_pending() const { return pending_n_.load(std::memory_order_relaxed) > 0; }

  /// Owner side: `w` asks for mutex `m`.
  Result acquire(int m, const Waiter &w);
  /// Owner side: world rank `rank` releases mutex `m`.  On success *next is
  /// the waiter that now holds it (nullopt when the mutex became free).
  /// kInvalid when `m` does not exist or `rank` does not hold it.
  Result release(int m, int rank, std::optional<Waiter> *next);

 private:
  struct State {
    bool held = false;
    int holder = -1;
    std::deque<Waiter> queue;
  };
  mutable std::mutex mu_;
  bool created_ = false;
  int me_ = -1;
  std::vector<int> counts_;
  std::vector<State> mine_;
  struct Ticket {
    int m;
    uint32_t ticket;
    Waiter w;
  };
  ShmMutex *shm_ = nullptr;
  std::vector<Ticket> pending_;
  std::atomic<int> pending_n_{0};
};

}  // namespace comex
