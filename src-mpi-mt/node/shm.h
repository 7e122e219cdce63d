// node/shm.h -- the node: which ranks share memory with us, POSIX shared-memory
// segments for comex_malloc blocks, and the locks that live in them.
//
// Every segment is created by its owner, mapped by the other ranks of the
// node during the collective call that made it, and unlinked before that call
// returns: nothing stays in /dev/shm once an allocation exists, descriptors
// are closed right after mmap (a rank holds no descriptor per peer), and a
// rank killed inside the short window unlinks its pending names from a
// signal handler.  Space is reserved with posix_fallocate, so a full
// /dev/shm is an error at allocation time, never a SIGBUS later.
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "node/liveness.h"
#include "util/mpi_util.h"

namespace comex {

/// A lock word in shared memory, taken by threads of any process of the node
/// (0 free, 1 held, 2 held with sleepers).  Spins briefly, then sleeps on a
/// (process-shared) futex: on an oversubscribed node the holder may be
/// descheduled, and a waiter must then give it the core, not poll.
class NodeLock {
 public:
  NodeLock() : word_(&own_) {}
  NodeLock(const NodeLock &) = delete;
  NodeLock &operator=(const NodeLock &) = delete;
  /// Use a word in shared memory instead of the private one.
  void attach(std::atomic<uint32_t> *word) { word_ = word; }
  void lock() { lock_word(word_); }
  void unlock() { unlock_word(word_); }
  std::atomic<uint32_t> *word() { return word_; }
  static void lock_word(std::atomic<uint32_t> *w);
  static void unlock_word(std::atomic<uint32_t> *w);

 private:
  std::atomic<uint32_t> own_{0};
  std::atomic<uint32_t> *word_;
};

/// Holds a lock word for a scope (the accumulate locks of node peers).
class NodeLockGuard {
 public:
  explicit NodeLockGuard(std::atomic<uint32_t> *w) : w_(w) { NodeLock::lock_word(w_); }
  ~NodeLockGuard() { NodeLock::unlock_word(w_); }
  NodeLockGuard(const NodeLockGuard &) = delete;
  NodeLockGuard &operator=(const NodeLockGuard &) = delete;

 private:
  std::atomic<uint32_t> *w_;
};

/// A rank's doorbell in the node control segment: node peers ring it after
/// sending the rank a request, and its sleeping progress thread wakes at once
/// instead of at the end of its sleep.  A hint only: a missed ring costs the
/// sleep, never a request (the thread polls MPI whenever it wakes).
struct Doorbell {
  std::atomic<uint32_t> rings;  ///< counts rings (the futex word)
  /// 0 awake; 1 while the owner's thread sleeps on the futex; 2 while it
  /// sleeps elsewhere (on its network doorbell, which must be rung instead).
  std::atomic<uint32_t> sleeping;
  /// Ring: one atomic add, and a futex wake only if the owner sleeps on it.
  /// True when the owner sleeps on its network doorbell: ring that too.
  bool ring();
  /// Sleep up to `ns` unless rung; true when woken (or found) rung.
  bool sleep(uint64_t ns);
  /// Mark the owner asleep (`how`: 1 on the futex, 2 elsewhere) and return
  /// the ring count to give disarm(); false (not armed) when already rung.
  bool arm(uint32_t *seen, uint32_t how = 2);
  /// Mark the owner awake; true when rung since arm().
  bool disarm(uint32_t seen);
};

/// A FIFO (ticket) mutex in shared memory, zero-initialised.  A node-local
/// locker takes a ticket and waits for `serving` to reach it; the owner's
/// engine takes tickets for remote lockers and answers them by message.
struct alignas(64) ShmMutex {
  std::atomic<uint32_t> next;           ///< next ticket to hand out
  std::atomic<uint32_t> serving;        ///< ticket that may hold the mutex
  std::atomic<int32_t> holder_plus1;    ///< world rank of the holder + 1 (0: free)
  std::atomic<int32_t> remote_waiting;  ///< tickets the owner's engine waits on
};

/// First-fit allocator of the offsets of one arena (64-byte granules); freed
/// ranges merge with their neighbours.  Not thread-safe: Node locks it.
class ArenaHeap {
 public:
  explicit ArenaHeap(uint64_t bytes = 0);
  /// Offset of a new range of at least `bytes` (> 0), or false when none fits.
  bool take(uint64_t bytes, uint64_t *offset);
  /// Return the range at `offset`; false if no range starts there.
  bool give(uint64_t offset);
  uint64_t free_bytes() const;

 private:
  std::map<uint64_t, uint64_t> free_;              ///< offset -> length, disjoint, merged
  std::unordered_map<uint64_t, uint64_t> taken_;  ///< offset -> length
};

class Node {
 public:
  /// Collective over `world`.  `enable`: COMEX_SHM.  Shared memory is used
  /// when enabled, the node has more than one rank, and every rank of the
  /// node mapped the control segment.  `arena`: bytes each rank reserves for
  /// small blocks (SHM_ARENA; none when 0 or when /dev/shm cannot hold them).
  Node(MPI_Comm world, bool enable, size_t arena = 0);
  ~Node();
  Node(const Node &) = delete;
  Node &operator=(const Node &) = delete;

  /// Does this node share comex_malloc memory (some rank asked for it)?
  bool shares_memory() const { return shared_; }
  /// Does this rank map node peers' memory and reach it directly (its COMEX_SHM)?
  bool maps_peers() const { return direct_; }
  int size() const { return size_; }
  int rank() const { return rank_; }
  MPI_Comm comm() const { return comm_; }
  /// Is world rank `r` on this node, and does the node share memory (so that
  /// `r` has a doorbell and lock words here)?
  bool on_node(int r) const { return shared_ && local_index_[size_t(r)] >= 0; }
  /// Does world rank `r` run on this node (whether or not memory is shared)?
  bool same_host(int r) const { return local_index_[size_t(r)] >= 0; }
  /// Does this rank map world rank `r`'s memory (a node peer, and this rank's
  /// COMEX_SHM on)?
  bool maps(int r) const { return direct_ && on_node(r); }
  /// The accumulate lock of world rank `r` of this node.
  std::atomic<uint32_t> *acc_word(int r) const;
  /// The doorbell of world rank `r` of this node.
  Doorbell *bell(int r) const;
  /// The other ranks of this node (world rank, pid), whether or not they
  /// share memory.
  std::vector<PeerWatch::Peer> peers() const;

  /// A fresh sequence number naming a segment of this rank (never 0).
  uint64_t next_seq() { return next_seq_.fetch_add(1); }
  /// A new segment `seq` of `bytes` of this rank, mapped here; nullptr (and
  /// *why) when /dev/shm cannot provide it.
  void *create(size_t bytes, uint64_t seq, std::string *why);
  /// Map segment `seq` of node rank `owner` (world rank); nullptr and *why on failure.
  void *attach(int owner, uint64_t seq, size_t bytes, std::string *why);
  /// Remove our segment's name (every peer has mapped it or given up).
  void unlink(uint64_t seq);
  static void unmap(void *addr, size_t bytes);

  // Arenas: one segment made at start-up holds a region per node rank, mapped
  // by every rank of the node; a small block is a range of its owner's region.
  /// A block of `bytes` in this rank's arena, zeroed, and its offset there;
  /// nullptr when there is no arena or no room.
  void *arena_take(size_t bytes, uint64_t *offset);
  /// Give back a block of this rank's arena; false if `p` is not one.
  bool arena_give(void *p);
  /// World rank `owner`'s block at `offset` of `bytes`, mapped here; nullptr
  /// when it does not lie inside that rank's arena.
  void *arena_block(int owner, uint64_t offset, uint64_t bytes) const;
  /// Does `p` point into the arenas (mapped once, never unmapped per block)?
  bool in_arenas(const void *p) const {
    const char *c = static_cast<const char *>(p);
    return arenas_ && c >= arenas_ && c < arena_of(size_);
  }
  size_t arena_bytes() const { return arena_bytes_; }

 private:
  std::string name(int owner, uint64_t seq) const;
  void make_arenas(size_t bytes, int first_world_rank);
  /// Node rank `i`'s arena (arenas_ must be set).
  char *arena_of(int i) const { return arenas_ + arena_bytes_ * size_t(i); }
  /// Collective over the node: segment `seq` of `bytes`, made by node rank 0
  /// (world rank `maker`) and mapped by all, its name removed; nullptr on
  /// every rank unless every rank mapped it (*why: this rank's reason, if any).
  void *share_node_segment(uint64_t seq, size_t bytes, int maker, std::string *why);

  Comm comm_;
  bool shared_ = false, direct_ = false;
  int rank_ = 0, size_ = 1, world_rank_ = -1;
  uint64_t tag_ = 0;              ///< job-unique part of every name
  std::vector<int> local_index_;  ///< world rank -> node rank, or -1
  std::vector<long> pids_;        ///< per node rank (names carry the owner's pid)
  void *control_ = nullptr;       ///< per node rank: one cache line (accumulate lock, doorbell)
  size_t control_bytes_ = 0;
  std::atomic<uint64_t> next_seq_{2};  ///< 0: the control segment, 1: the arenas
  char *arenas_ = nullptr;             ///< node rank i's arena at arenas_ + i * arena_bytes_
  size_t arena_bytes_ = 0;
  std::mutex heap_mu_;
  ArenaHeap heap_;  ///< this rank's arena
};

}  // namespace comex
