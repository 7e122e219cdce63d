// core/runtime.cc -- life cycle, submitting operations, completion and fences.
#include "core/runtime.h"

#include <algorithm>
#include <cstring>
#include <exception>

#include "util/log.h"

namespace comex {

std::atomic<Runtime *> Runtime::instance_{nullptr};

Runtime::Runtime(MPI_Comm comm, const Config &cfg)
    : cfg_(cfg),
      allocs_([comm] {
        int n = 0;
        COMEX_MPI(MPI_Comm_size(comm, &n));
        return n;
      }()),
      pool_(int(cfg.MAX_NB_OUTSTANDING), int(cfg.MAX_LOCK_WAITERS)),
      slots_(size_t(cfg.MAX_NB_OUTSTANDING + cfg.MAX_LOCK_WAITERS)) {
  Comm world = Comm::dup(comm);
  rank_ = world.rank();
  size_ = world.size();
  g_log.rank.store(rank_);
  std::vector<int> ranks(size_);
  for (int i = 0; i < size_; ++i) ranks[i] = i;
  groups_.set_world(Group::make(std::move(world), std::move(ranks), size_));
  issued_.reset(new std::atomic<uint64_t>[size_]);
  fenced_.reset(new std::atomic<uint64_t>[size_]);
  for (int i = 0; i < size_; ++i) {
    issued_[i].store(0);
    fenced_[i].store(0);
  }
  node_ = std::make_unique<Node>(groups_.world().comm, cfg_.SHM != 0,
                                 cfg_.SHM_ARENA_BLOCK > 0 ? size_t(cfg_.SHM_ARENA) : 0);
  peer_watch().watch(node_->peers(), uint64_t(cfg_.PEER_CHECK_US) * 1000);
  engine_ = std::make_unique<Engine>(comm, cfg_, allocs_, mutexes_);
  if (node_->shares_memory()) {
    engine_->acc_lock().attach(node_->acc_word(rank_));
    std::vector<char> rings(size_t(size_), 0);  // node peers ring our doorbell
    for (int r = 0; r < size_; ++r) rings[size_t(r)] = node_->on_node(r) && r != rank_;
    engine_->attach_bell(node_->bell(rank_), std::move(rings));
  }
  // One node sharing memory: every rank rings by futex, which is cheaper than
  // a datagram, and no socket is opened.  Every rank sees the same, so the
  // collective NetBell is made by all or by none; it is made whatever
  // COMEX_NET_BELL says, so ranks may differ in that.
  if (!(node_->shares_memory() && node_->size() == size_)) {
    std::vector<char> same_host(size_t(size_), 0);
    for (int r = 0; r < size_; ++r) same_host[size_t(r)] = node_->same_host(r);
    auto net = std::make_unique<NetBell>(groups_.world().comm, cfg_.NET_BELL != 0, same_host,
                                         uint64_t(cfg_.NET_BELL_DELAY_US) * 1000);
    if (net->usable()) engine_->attach_net(std::move(net));
  }
  engine_->start(node_->comm());
}

Runtime::~Runtime() = default;

void Runtime::create(MPI_Comm comm, const Config &cfg) {
  g_log.level.store(int(cfg.VERBOSE));
  Runtime *rt = new Runtime(comm, cfg);
  if (cfg.VERBOSE >= 1 && rt->rank_ == 0) {
    log_line("comex-mt started on %d ranks; settings:\n%s", rt->size_, cfg.describe().c_str());
    const Node &n = *rt->node_;
    log_line("node of rank 0: %d rank(s); node-local path %s", n.size(),
             n.maps_peers()      ? "on (shared memory)"
             : n.shares_memory() ? "off for rank 0 (its memory is shared with peers that want it)"
                                 : "off (messages only)");
    log_line("%s", rt->engine_->net() ? rt->engine_->net()->describe().c_str()
                                      : "network doorbell: not used (COMEX_NET_BELL=0, or one "
                                        "node whose ranks ring in shared memory)");
  }
  instance_.store(rt, std::memory_order_release);
}

void Runtime::destroy() {
  Runtime *rt = instance_.load(std::memory_order_acquire);
  if (!rt) return;
  rt->shutdown();
  instance_.store(nullptr, std::memory_order_release);
  delete rt;  // frees every communicator; MPI stays up for the program
}

void Runtime::shutdown() {
  auto world = groups_.get(0);
  wait_all();
  barrier(*world);  // after this no peer sends us anything more
  // Past the next barrier node peers may exit: they are not dead.  A peer
  // killed in between is left to the launcher.
  peer_watch().stop();
  MPI_Request req;
  COMEX_MPI(MPI_Ibarrier(world->comm, &req));
  collective_wait(&req);
  engine_->stop();
  peer_watch().clear();
  unmap_mutexes();
  for (const AllocTable::Alloc &a : allocs_.take_all()) unmap_peers(a);
  std::lock_guard<std::mutex> lock(own_mu_);
  for (auto &[ptr, b] : own_blocks_) release_block(ptr, b);
  own_blocks_.clear();
  groups_.clear();
}

// ---------------------------------------------------------------------------
// Submitting

void Runtime::plan(Transfer *t) const {
  Layout ls = t->local, rs = t->remote;
  ls.simplify();
  rs.simplify();
  const bool contiguous = ls.kind == Layout::Kind::kContig && rs.kind == Layout::Kind::kContig;
  // Unsimplified, the two sides have segments of equal lengths in the same
  // order (one count array, or one giov list), so blocks pair up one to one.
  // A side whose blocks may overlap is packed: MPI forbids receives into
  // overlapping buffers in flight at once.
  if (!contiguous && t->local.segment_bytes() >= uint64_t(cfg_.PACK_THRESHOLD) &&
      !t->local.may_overlap() && !t->remote.may_overlap()) {
    t->blocks = true;
    return;
  }
  t->local = ls;
  t->remote = rs;
  t->blocks = false;
}

int Runtime::acquire_slot(std::unique_lock<std::mutex> &lock, bool lock_request) {
  for (;;) {
    int s = lock_request ? pool_.acquire_reserved() : pool_.acquire();
    if (s >= 0) return s;
    if (lock_request) {
      // Every reserved slot holds another thread's lock request, which that
      // thread is waiting on: wait (serving) until one of them is granted
      // and frees its slot (the holders' operations use the normal slots).
      lock.unlock();
      engine_->wait_until([&] {
        std::lock_guard<std::mutex> l(pool_mu_);
        return pool_.reserved_free();
      });
      lock.lock();
      continue;
    }
    // Every handle is in use: complete the oldest operation first.
    int oldest = pool_.handle(pool_.oldest());
    lock.unlock();
    std::string error;
    engine_->wait_until([&] {
      std::lock_guard<std::mutex> l(pool_mu_);
      return poll_locked(oldest, &error);
    });
    if (!error.empty()) log_line("%s", error.c_str());  // its owner's wait will not see it
    lock.lock();
  }
}

int Runtime::start(Transfer &t) {
  // The one place where an operation takes the node-local path or a message.
  if (local_path(t.target, t.mapped)) {
    if (t.mapped) t.remote.base += t.map_shift;
    run_direct(t);
    return pool_.done_handle();
  }
  if (t.remote.kind == Layout::Kind::kVector && node_->maps(t.target)) {
    Transfer d = t;  // every address looked up: the segments may lie in several blocks
    if (map_remote(&d.remote, t.target)) {
      run_direct(d);
      return pool_.done_handle();
    }
  }
  if (t.local.kind != Layout::Kind::kContig || t.remote.kind != Layout::Kind::kContig) plan(&t);
  return submit(t);
}

int Runtime::submit(const Transfer &t) {
  const uint64_t round = uint64_t(cfg_.PACK_BUFFER);
  const bool staged = (t.op == Op::kPut || t.op == Op::kAcc || t.op == Op::kGet) && !t.blocks &&
                      t.local.kind != Layout::Kind::kContig;
  if (!staged || t.bytes <= round) return submit_one(t);
  Transfer r = t;
  const uint64_t end = t.offset + t.bytes;
  for (uint64_t off = t.offset;; off += round) {
    r.offset = off;
    r.bytes = std::min(round, end - off);
    int h = submit_one(r);
    if (off + r.bytes >= end) return h;
    wait(h);
  }
}

int Runtime::submit_one(const Transfer &t) {
  std::unique_lock<std::mutex> lock(pool_mu_);
  int s = acquire_slot(lock, t.op == Op::kLock);
  try {
    slots_[size_t(s)].post(t, s, cfg_, *engine_, *node_);
  } catch (...) {
    pool_.release(s);
    throw;
  }
  // One-way requests count for fences (an unlock too: a barrier or
  // comex_destroy_mutexes must not overtake it).
  if (t.one_way()) issued_[t.target].fetch_add(1);
  return pool_.handle(s);
}

// ---------------------------------------------------------------------------
// Completion

bool Runtime::poll_locked(int handle, std::string *error) {
  int s = -1;
  if (pool_.lookup(handle, &s) != HandlePool::Lookup::kBusy) return true;
  if (!slots_[size_t(s)].poll(error)) return false;
  pool_.release(s);
  return true;
}

bool Runtime::valid_handle(int handle) {
  int s;
  std::lock_guard<std::mutex> lock(pool_mu_);
  return pool_.lookup(handle, &s) != HandlePool::Lookup::kInvalid;
}

void Runtime::wait(int handle) {
  if (handle == pool_.done_handle()) return;
  std::string error;
  engine_->wait_until([&] {
    std::lock_guard<std::mutex> lock(pool_mu_);
    return poll_locked(handle, &error);
  });
  if (!error.empty()) throw Error(error);
}

bool Runtime::test(int handle) {
  std::string error;
  bool done;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    done = poll_locked(handle, &error);
  }
  if (!done) {
    engine_->serve_some();
    std::lock_guard<std::mutex> lock(pool_mu_);
    done = poll_locked(handle, &error);
  }
  if (!error.empty()) throw Error(error);
  if (done) engine_->observe_served();
  return done;
}

void Runtime::wait_all() { wait_target(-1); }

void Runtime::wait_target(int world_rank) {
  std::vector<int> handles;
  {
    std::lock_guard<std::mutex> lock(pool_mu_);
    // Normal slots only: a reserved one is a lock call still waiting in
    // another thread, which may need this very thread to unlock first.
    for (int s = 0; s < pool_.normal(); ++s)
      if (pool_.busy(s) && (world_rank < 0 || slots_[size_t(s)].target() == world_rank))
        handles.push_back(pool_.handle(s));
  }
  std::string first_error;
  for (int h : handles) {
    try {
      wait(h);
    } catch (const Error &e) {
      if (first_error.empty()) first_error = e.what();
    }
  }
  if (!first_error.empty()) throw Error(first_error);
}

void Runtime::fence(const std::vector<int> &world_ranks) {
  std::atomic_thread_fence(std::memory_order_seq_cst);  // direct stores are visible
  struct Pending {
    int target;
    uint64_t covers;
    int handle;
  };
  std::vector<Pending> pending;
  for (int t : world_ranks) {
    if (t == rank_) continue;
    uint64_t issued = issued_[t].load();
    if (fenced_[t].load() >= issued) continue;
    Transfer f;
    f.op = Op::kFence;
    f.target = t;
    pending.push_back({t, issued, submit(f)});
  }
  for (const Pending &p : pending) {
    wait(p.handle);
    uint64_t cur = fenced_[p.target].load();
    while (cur < p.covers && !fenced_[p.target].compare_exchange_weak(cur, p.covers)) {
    }
  }
}

std::exception_ptr Runtime::settle_before_collective(Group &g) {
  try {
    wait_all();
    fence(g.world);
  } catch (const Error &) {
    return std::current_exception();
  }
  return nullptr;
}

void Runtime::barrier(Group &g) {
  // A failure of our own operations (a target refused one) is reported after
  // the barrier.
  const std::exception_ptr failed = settle_before_collective(g);
  MPI_Request req;
  COMEX_MPI(MPI_Ibarrier(g.comm, &req));
  collective_wait(&req);
  if (failed) std::rethrow_exception(failed);
}

}  // namespace comex
