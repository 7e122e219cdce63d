// node/liveness.h -- noticing that a process of this node died.
//
// Ranks that share a node know each other's pids (Node gathers them).  A
// rank killed with SIGKILL cannot say goodbye, and a launcher need not stop
// the others (Slurm's srun does not, by default), so the ranks left would
// wait for it for ever.  PeerWatch looks at the node peers' processes, at
// most once per interval, from whichever waiting thread comes by first (the
// progress thread, a thread waiting inside ComEx, a waiter for a lock word);
// when one is gone it prints one line naming the rank and its pid and aborts
// the job.  Each peer is a pidfd when the kernel gives one (a zombie counts
// as dead, a reused pid cannot fool it), else kill(pid, 0).  With pidfds a
// thread also sleeps in poll() on them, and reports a death at once: a
// launcher that stops the job itself (MPICH's hydra kills the other ranks
// within milliseconds) would otherwise leave no line saying which rank died.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace comex {

class PeerWatch {
 public:
  struct Peer {
    int rank;  ///< world rank
    long pid;
  };
  /// What to do about a dead peer (default: a line, then MPI_Abort).
  using OnDeath = std::function<void(int rank, long pid)>;

  PeerWatch() = default;
  ~PeerWatch() { clear(); }
  PeerWatch(const PeerWatch &) = delete;
  PeerWatch &operator=(const PeerWatch &) = delete;

  /// Start watching `peers`, looking no more often than every `interval_ns`
  /// (0: never).  Called before any thread may call check().
  void watch(const std::vector<Peer> &peers, uint64_t interval_ns, OnDeath on_death = nullptr);
  /// Stop looking (threads may still call check(); it does nothing).
  void stop() { next_.store(~uint64_t(0)); }
  /// Stop, and close the pidfds once no thread can call check() any more.
  void clear();
  /// `now`: now_ns().  Costs one load unless the interval has passed; then
  /// one thread looks (a poll() or a kill() per peer) and acts on a death.
  void check(uint64_t now) {
    if (now >= next_.load(std::memory_order_relaxed)) look(now);
  }
  /// Look at once, ignoring the interval: index into the peers of the first
  /// dead one, or -1.  Does not act.
  int find_dead() const;
  /// Descriptors held (pidfds), for tests.
  int descriptors() const;

 private:
  void look(uint64_t now);
  /// The watching thread: poll() on the pidfds and wake_.
  void sleep_on_pidfds();
  void act(int i);

  struct Entry {
    Peer peer;
    int fd;  ///< pidfd, or -1: use kill(pid, 0)
  };
  std::vector<Entry> entries_;
  uint64_t interval_ = 0;
  OnDeath on_death_;
  std::atomic<uint64_t> next_{~uint64_t(0)};
  std::atomic<bool> fired_{false};
  int wake_ = -1;  ///< eventfd that stops the watching thread
  std::thread thread_;
};

/// The watch of the running ComEx runtime (one per process).
PeerWatch &peer_watch();

}  // namespace comex
