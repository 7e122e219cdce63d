// core/runtime.h -- the ComEx runtime of one process: configuration, groups,
// allocations, the handle pool and the engine.  One instance exists between
// comex_init and comex_finalize.
#pragma once

#include <mpi.h>

#include <atomic>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "am/engine.h"
#include "am/origin.h"
#include "am/packet.h"
#include "core/group.h"
#include "core/handle_pool.h"
#include "node/mutex.h"
#include "node/shm.h"
#include "util/acc.h"
#include "util/alloc_table.h"
#include "util/config.h"
#include "util/layout.h"

namespace comex {

class Runtime {
 public:
  /// The live runtime, or nullptr outside comex_init .. comex_finalize.
  static Runtime *instance() { return instance_.load(std::memory_order_acquire); }
  /// Start the runtime on `comm` (MPI already initialised with THREAD_MULTIPLE).
  static void create(MPI_Comm comm, const Config &cfg);
  /// Complete everything, stop the engine, free all (MPI stays up).
  static void destroy();

  const Config &config() const { return cfg_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  Engine &engine() { return *engine_; }
  /// Wait until done() holds, with the engine's wait policy (serving meanwhile).
  template <class Pred>
  void wait_until(Pred done) {
    engine_->wait_until(done);
  }
  AllocTable &allocs() { return allocs_; }
  Node &node() { return *node_; }
  GroupTable &groups() { return groups_; }

  // --- data movement (arguments already checked at the API edge) ---
  /// The choice between the node-local path and a message, made here only:
  /// true when the target's memory is addressable in this process (this
  /// rank's own, or `mapped`: a node peer's block mapped through shared
  /// memory, as the edge's address check found).
  bool local_path(int target, bool mapped) const {
    return target == rank_ || (mapped && node_->maps(target));
  }
  /// A contiguous put, get or accumulate of `bytes` into the block of a
  /// local-path target (`here`: the remote address as seen in this process),
  /// done right away by this thread (core/direct.cc).
  void direct_contig(Op op, int target, void *local, void *here, uint64_t bytes, ElemType type,
                     const void *scale);
  /// Start a strided or vector put, get or accumulate: done right here when
  /// local_path() says so (for a vector, when every segment is mapped here),
  /// else sent by message.  Returns its handle (complete when done here).
  int start(Transfer &t);
  /// Send `t` by message (any op, never to this rank); returns its handle.
  /// A packed transfer larger than COMEX_PACK_BUFFER runs in rounds: all but
  /// the last complete before this returns.
  int submit(const Transfer &t);
  /// Choose how a strided/vector transfer moves (contiguous path, blocks or
  /// packing) and simplify its layouts accordingly.
  void plan(Transfer *t) const;
  /// Before a direct operation on `target`: everything sent to it by message
  /// is applied first, so direct and message operations stay in order.
  void order_direct(int target);
  /// A handle that is already complete.
  int done_handle() const { return pool_.done_handle(); }
  /// Wait for a handle; throws comex::Error when the operation failed.
  void wait(int handle);
  /// One completion check plus progress; true when complete.
  bool test(int handle);
  /// Is this a handle of ours (busy or complete)?
  bool valid_handle(int handle);
  void wait_all();
  void wait_target(int world_rank);
  /// Every put/accumulate issued so far to these world ranks is applied there.
  void fence(const std::vector<int> &world_ranks);
  /// wait_all() and fence(g.world), for a collective: a failure is returned,
  /// to be reported after the collective part, so the other members never
  /// wait for this rank in vain.
  std::exception_ptr settle_before_collective(Group &g);
  void barrier(Group &g);

  // --- mutexes (world ranks) ---
  void create_mutexes(int num);
  void destroy_mutexes();
  void lock(int mutex, int proc);
  void unlock(int mutex, int proc);

  // --- memory ---
  void malloc_collective(void **ptr_arr, size_t bytes, Group &g);
  void free_collective(void *ptr, Group &g);

 private:
  Runtime(MPI_Comm comm, const Config &cfg);
  ~Runtime();
  void shutdown();

  /// Do the strided or vector transfer `t` in this thread (core/direct.cc):
  /// its remote side is addressable here, this rank's memory or a node peer's
  /// block mapped here (the remote layout already rewritten to the mapping).
  void run_direct(const Transfer &t);
  /// Rewrite a node peer's remote vector layout to the addresses of its
  /// mappings here; false when some segment is not mapped (then it goes by
  /// message).
  bool map_remote(Layout *l, int target) const;
  /// The accumulate lock word of node peer (or self) `target`.
  std::atomic<uint32_t> *acc_word(int target);
  /// A free slot (pool_mu_ held by `lock`): a reserved one for a lock request.
  int acquire_slot(std::unique_lock<std::mutex> &lock, bool lock_request);
  int submit_one(const Transfer &t);
  /// Under pool_mu_: complete `handle` if its requests are done.  Returns
  /// true when complete; *error receives a failure message, if any.
  bool poll_locked(int handle, std::string *error);
  void collective_wait(MPI_Request *req) { engine_->wait_request(req); }

  static std::atomic<Runtime *> instance_;

  Config cfg_;
  int rank_ = -1, size_ = 0;
  AllocTable allocs_;
  GroupTable groups_;
  MutexTable mutexes_;
  std::unique_ptr<Node> node_;  // outlives the engine, which uses its lock words
  std::unique_ptr<Engine> engine_;

  std::mutex pool_mu_;
  HandlePool pool_;
  std::vector<Outgoing> slots_;                      ///< per handle slot: the operation in flight
  std::unique_ptr<std::atomic<uint64_t>[]> issued_;  ///< puts/accs issued per target
  std::unique_ptr<std::atomic<uint64_t>[]> fenced_;  ///< issued_ covered by a completed fence

  /// Shared mutexes: the ticket locks of world rank r mapped here (nullptr:
  /// by message), this rank's own segment, and the sizes to unmap.
  std::vector<ShmMutex *> shm_mutexes_;
  std::vector<size_t> shm_mutex_bytes_;
  uint64_t own_mutex_seq_ = 0;
  void unmap_mutexes();
  ShmMutex *shm_mutex(int mutex, int proc) const {
    return shm_mutexes_.empty() || !shm_mutexes_[size_t(proc)] ? nullptr
                                                               : shm_mutexes_[size_t(proc)] + mutex;
  }

  std::mutex held_mu_;
  std::map<std::pair<int, int>, std::thread::id> held_;  ///< (owner, mutex) held by our threads

  std::mutex own_mu_;
  struct OwnBlock {
    enum Kind : uint8_t { kHeap, kSegment, kArena };
    size_t bytes;
    Kind kind;  ///< heap (free), a shared-memory segment (munmap), or in our arena
  };
  std::unordered_map<void *, OwnBlock> own_blocks_;  ///< this rank's comex_malloc memory
  void release_block(void *ptr, const OwnBlock &b);
  void unmap_peers(const AllocTable::Alloc &a);
};

}  // namespace comex
