// runtime.h -- the ComEx runtime of one process: configuration, groups,
// allocations, the handle pool and the engine.  One instance exists between
// comex_init and comex_finalize.
#pragma once

#include <mpi.h>

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "acc.h"
#include "alloc_table.h"
#include "config.h"
#include "engine.h"
#include "group.h"
#include "handle_pool.h"
#include "layout.h"
#include "mutex.h"
#include "packet.h"
#include "shm.h"

namespace comex {

/// One data-movement or synchronisation operation, as the origin sees it.
/// Contiguous, strided and vector transfers differ only in their layouts.
struct Transfer {
  Op op = Op::kPut;
  int target = -1;      ///< world rank
  Layout local;         ///< origin side: source of put/acc, destination of get
  Layout remote;        ///< target side
  bool blocks = false;  ///< move segment by segment instead of packing
  uint64_t offset = 0;  ///< first byte of the packed streams this transfer covers
  uint64_t bytes = 0;   ///< bytes moved (from offset)
  uint8_t elem = 0;     ///< ElemType (acc) or RmwKind (rmw)
  unsigned char scale[16] = {};
  int64_t operand = 0;     ///< rmw operand
  void *result = nullptr;  ///< rmw: where the old value goes
  bool kick = false;       ///< unlock: only wake the owner's engine (kFlagKick)

  /// A contiguous transfer of `bytes` between local and remote addresses.
  static Transfer contiguous(Op op, int target, void *local, uint64_t remote, uint64_t bytes);
};

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
  AllocTable &allocs() { return allocs_; }
  Node &node() { return *node_; }
  GroupTable &groups() { return groups_; }

  // --- data movement (arguments already checked at the API edge) ---
  /// Start an operation; returns its handle (already complete for local ones).
  /// A packed transfer larger than COMEX_PACK_BUFFER runs in rounds: all but
  /// the last complete before this returns.
  int submit(const Transfer &t);
  /// Choose how a strided/vector transfer moves (contiguous path, blocks or
  /// packing) and simplify its layouts accordingly.
  void plan(Transfer *t) const;
  /// A contiguous put, get or accumulate of `bytes` into a block of `target`
  /// that this process maps (`mapped`: the remote address seen here), done
  /// right away by this thread.
  void direct_contig(Op op, int target, void *local, void *mapped, uint64_t bytes,
                     ElemType type, const void *scale);
  /// The same for a strided put, get or accumulate (`remote`: the mapped
  /// address of the remote region's base, strides checked).
  void direct_strided(Op op, int target, char *local, const int *local_stride, char *remote,
                      const int *remote_stride, const int *count, int levels, ElemType type,
                      const void *scale);
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

  struct Slot {
    std::vector<MPI_Request> reqs;
    std::vector<int> expect;    ///< expected byte count per request (-1: a send)
    std::vector<char> msg;      ///< header, layout, eager payload
    std::vector<char> staging;  ///< packed data of a non-contiguous local side
    Reply reply{};
    int target = -1;
    Op op = Op::kPut;
    uint8_t elem = 0;
    void *result = nullptr;
    bool unpack = false;        ///< get: scatter `staging` into `local` piece by piece
    Layout local;
    uint64_t offset = 0;
    std::unique_ptr<Cursor> cursor;  ///< unpacking position in `local`
    size_t unpacked = 0;             ///< receive requests (pieces) unpacked so far
    uint64_t unpacked_bytes = 0;
  };

  /// Do `t` in this thread: its remote side is addressable here (this rank's
  /// own memory, or a node peer's block mapped here); `acc` is the target's
  /// accumulate lock word.
  void run_local(const Transfer &t, std::atomic<uint32_t> *acc);
  /// Rewrite a node peer's remote layout to the addresses of its mapping
  /// here; false when some part is not mapped (then it goes by message).
  bool map_remote(Layout *l, int target) const;
  /// The accumulate lock word of node peer (or self) `target`.
  std::atomic<uint32_t> *acc_word(int target);
  int acquire_slot(std::unique_lock<std::mutex> &lock);
  int submit_one(const Transfer &t);
  void post(int s, const Transfer &t);
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
  std::vector<Slot> slots_;
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
    size_t bytes;
    bool shared;  ///< a shared-memory segment (munmap), else heap (free)
  };
  std::unordered_map<void *, OwnBlock> own_blocks_;  ///< this rank's comex_malloc memory
  void release_block(void *ptr, const OwnBlock &b);
  void unmap_peers(const AllocTable::Alloc &a);
};

}  // namespace comex
