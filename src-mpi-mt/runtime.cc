// runtime.cc -- life cycle, submitting operations, completion and fences.
#include "runtime.h"

#include <algorithm>
#include <cstring>

#include "log.h"

namespace comex {

std::atomic<Runtime *> Runtime::instance_{nullptr};

namespace {
// Accumulate pieces are staged at the target: keep them small.
constexpr uint64_t kAccPiece = uint64_t(1) << 20;
}  // namespace

Runtime::Runtime(MPI_Comm comm, const Config &cfg)
    : cfg_(cfg),
      allocs_([comm] {
        int n = 0;
        COMEX_MPI(MPI_Comm_size(comm, &n));
        return n;
      }()),
      pool_(int(cfg.MAX_NB_OUTSTANDING)),
      slots_(size_t(cfg.MAX_NB_OUTSTANDING)) {
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
  for (Slot &s : slots_) s.msg.reserve(sizeof(Header) + size_t(cfg_.EAGER_THRESHOLD));
  node_ = std::make_unique<Node>(groups_.world().comm, cfg_.SHM != 0);
  engine_ = std::make_unique<Engine>(comm, cfg_, allocs_, mutexes_);
  if (node_->shared()) {
    engine_->acc_lock().attach(node_->acc_word(rank_));
    std::vector<char> rings(size_t(size_), 0);  // node peers ring our doorbell
    for (int r = 0; r < size_; ++r) rings[size_t(r)] = node_->local(r) && r != rank_;
    engine_->attach_bell(node_->bell(rank_), std::move(rings));
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
             n.direct()   ? "on (shared memory)"
             : n.shared() ? "off for rank 0 (its memory is shared with peers that want it)"
                          : "off (messages only)");
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
  engine_->stop();
  unmap_mutexes();
  for (const AllocTable::Alloc &a : allocs_.take_all()) unmap_peers(a);
  std::lock_guard<std::mutex> lock(own_mu_);
  for (auto &[ptr, b] : own_blocks_) release_block(ptr, b);
  own_blocks_.clear();
  groups_.clear();
}

// ---------------------------------------------------------------------------
// Submitting

Transfer Transfer::contiguous(Op op, int target, void *local, uint64_t remote, uint64_t bytes) {
  Transfer t;
  t.op = op;
  t.target = target;
  t.local = Layout::contiguous(uint64_t(uintptr_t(local)), bytes);
  t.remote = Layout::contiguous(remote, bytes);
  t.bytes = bytes;
  return t;
}

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

void Runtime::run_local(const Transfer &t, std::atomic<uint32_t> *acc) {
  if (t.op == Op::kRmw) {
    RmwKind kind = static_cast<RmwKind>(t.elem);
    int64_t old = rmw_apply(kind, reinterpret_cast<void *>(t.remote.base), t.operand);
    rmw_store(kind, t.result, old);
    return;
  }
  if (t.op != Op::kPut && t.op != Op::kGet && t.op != Op::kAcc) return;  // fence: nothing to do
  Cursor local(t.local), remote(t.remote);
  local.skip(t.offset);
  remote.skip(t.offset);
  if (t.op == Op::kPut) {
    local.visit(t.bytes, [&](char *p, size_t n, size_t) { remote.unpack(p, n); });
  } else if (t.op == Op::kGet) {
    local.visit(t.bytes, [&](char *p, size_t n, size_t) { remote.pack(p, n); });
  } else {
    const ElemType type = static_cast<ElemType>(t.elem);
    WordLock lock(acc);
    local.visit(t.bytes, [&](char *src, size_t n, size_t) {
      remote.visit(n, [&](char *dst, size_t m, size_t off) {
        accumulate(type, t.scale, dst, src + off, m);
      });
    });
  }
}

std::atomic<uint32_t> *Runtime::acc_word(int target) {
  return target == rank_ ? engine_->acc_lock().word() : node_->acc_word(target);
}

bool Runtime::map_remote(Layout *l, int target) const {
  AllocTable::Where w;
  if (l->kind != Layout::Kind::kVector) {
    uint64_t lo, hi;
    l->bounds(&lo, &hi);
    if (!allocs_.where(target, lo, hi - lo, &w) || !w.mapped) return false;
    l->base += w.mapped - w.lo;
    return true;
  }
  bool have = false;
  for (Layout::Group &g : l->groups)
    for (uint64_t &a : g.addrs) {
      if (!(have && a >= w.lo && a <= w.hi && g.bytes <= w.hi - a)) {
        if (!allocs_.where(target, a, g.bytes, &w) || !w.mapped) return false;
        have = true;
      }
      a += w.mapped - w.lo;
    }
  return true;
}

void Runtime::order_direct(int target) {
  if (fenced_[target].load(std::memory_order_relaxed) < issued_[target].load()) fence({target});
}

void Runtime::direct_contig(Op op, int target, void *local, void *mapped, uint64_t bytes,
                            ElemType type, const void *scale) {
  order_direct(target);
  switch (op) {
    case Op::kPut:
      std::memcpy(mapped, local, bytes);
      break;
    case Op::kGet:
      std::memcpy(local, mapped, bytes);
      break;
    default: {
      WordLock lock(acc_word(target));
      accumulate(type, scale, mapped, local, bytes);
    }
  }
}

void Runtime::direct_strided(Op op, int target, char *local, const int *local_stride, char *remote,
                             const int *remote_stride, const int *count, int levels, ElemType type,
                             const void *scale) {
  order_direct(target);
  switch (op) {
    case Op::kPut:
      for_each_row(remote, remote_stride, local, local_stride, count, levels,
                   [](char *r, char *l, size_t n) { copy_row(r, l, n); });
      break;
    case Op::kGet:
      for_each_row(local, local_stride, remote, remote_stride, count, levels,
                   [](char *l, char *r, size_t n) { copy_row(l, r, n); });
      break;
    default: {
      WordLock lock(acc_word(target));
      for_each_row(remote, remote_stride, local, local_stride, count, levels,
                   [&](char *r, char *l, size_t n) { accumulate(type, scale, r, l, n); });
    }
  }
}

int Runtime::acquire_slot(std::unique_lock<std::mutex> &lock) {
  for (;;) {
    int s = pool_.acquire();
    if (s >= 0) return s;
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

int Runtime::submit(const Transfer &t) {
  if (t.target == rank_) {
    run_local(t, acc_word(rank_));
    return pool_.done_handle();
  }
  if (node_->reaches(t.target) && t.op <= Op::kRmw) {
    Transfer d = t;
    if (map_remote(&d.remote, t.target)) {
      order_direct(t.target);
      run_local(d, acc_word(t.target));
      return pool_.done_handle();
    }
  }
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
  int s = acquire_slot(lock);
  try {
    post(s, t);
  } catch (...) {
    pool_.release(s);
    throw;
  }
  // One-way requests count for fences (an unlock too: a barrier or
  // comex_destroy_mutexes must not overtake it).
  if (t.op == Op::kPut || t.op == Op::kAcc || t.op == Op::kUnlock) issued_[t.target].fetch_add(1);
  return pool_.handle(s);
}

void Runtime::post(int s, const Transfer &t) {
  Slot &sl = slots_[s];
  sl.reqs.clear();
  sl.expect.clear();
  sl.target = t.target;
  sl.op = t.op;
  sl.elem = t.elem;
  sl.result = t.result;
  sl.unpack = false;

  const bool contig_local = t.local.kind == Layout::Kind::kContig;
  const bool contig_remote = t.remote.kind == Layout::Kind::kContig;
  Header h{};
  h.op = t.op;
  h.elem = t.elem;
  h.tag = s;
  h.addr = t.remote.base;
  h.bytes = t.bytes;
  h.operand = t.op == Op::kRmw ? t.operand : int64_t(t.offset);
  h.piece = uint64_t(cfg_.MAX_MSG_BYTES);
  if (!t.blocks && !(contig_local && contig_remote))
    h.piece = std::min<uint64_t>(h.piece, uint64_t(cfg_.PACK_CHUNK));
  if (t.op == Op::kAcc)
    h.piece =
        std::max<uint64_t>(std::min(h.piece, kAccPiece) & ~uint64_t(15), 16);  // whole elements
  if (t.blocks) h.flags |= kFlagBlocks;
  if (t.kick) h.flags |= kFlagKick;
  std::memcpy(h.scale, t.scale, sizeof h.scale);

  sl.msg.resize(sizeof h);
  if (!contig_remote) {
    t.remote.encode(&sl.msg);
    h.layout_bytes = uint32_t(sl.msg.size() - sizeof h);
  }

  MPI_Comm am = engine_->am_comm(), reply = engine_->reply_comm(), data = engine_->data_comm();
  auto send = [&](const void *buf, uint64_t n, int tag, MPI_Comm comm) {
    sl.reqs.push_back(MPI_REQUEST_NULL);
    sl.expect.push_back(-1);
    COMEX_MPI(MPI_Isend(buf, int(n), MPI_BYTE, t.target, tag, comm, &sl.reqs.back()));
  };
  auto recv = [&](void *buf, uint64_t n) {
    sl.reqs.push_back(MPI_REQUEST_NULL);
    sl.expect.push_back(int(n));
    COMEX_MPI(MPI_Irecv(buf, int(n), MPI_BYTE, t.target, s, reply, &sl.reqs.back()));
  };
  auto send_msg = [&] {
    std::memcpy(sl.msg.data(), &h, sizeof h);
    send(sl.msg.data(), sl.msg.size(), 0, am);
    if (node_->local(t.target) && t.target != rank_) node_->bell(t.target)->ring();
  };
  // Where the origin's bytes are, as pieces: straight from/to user memory when
  // moving block by block or when the local side is contiguous, else staged.
  const Layout direct =
      t.blocks ? t.local : Layout::contiguous(contig_local ? t.local.base + t.offset : 0, t.bytes);
  auto stage = [&](bool pack) {
    sl.staging.resize(t.bytes);
    if (pack) {
      Cursor c(t.local);
      c.skip(t.offset);
      c.pack(sl.staging.data(), t.bytes);
    }
    return Layout::contiguous(uint64_t(uintptr_t(sl.staging.data())), t.bytes);
  };

  switch (t.op) {
    case Op::kPut:
    case Op::kAcc:
      if (t.bytes <= uint64_t(cfg_.EAGER_THRESHOLD)) {
        h.flags |= kFlagEager;
        size_t at = sl.msg.size();
        sl.msg.resize(at + t.bytes);
        Cursor c(t.local);
        c.skip(t.offset);
        c.pack(sl.msg.data() + at, t.bytes);
        send_msg();
      } else {
        send_msg();
        const Layout src = (t.blocks || contig_local) ? direct : stage(true);
        for_each_piece(src, t.blocks, t.bytes, h.piece, [&](uint64_t a, uint64_t n) {
          send(reinterpret_cast<void *>(a), n, s, data);
        });
      }
      break;
    case Op::kGet: {
      // Pre-post the receives (straight into the user's buffer when it is
      // contiguous or moved block by block), then ask.
      sl.local = t.local;
      sl.offset = t.offset;
      sl.unpack = !(t.blocks || contig_local);
      const Layout dst = sl.unpack ? stage(false) : direct;
      if (sl.unpack) {
        sl.cursor = std::make_unique<Cursor>(sl.local);
        sl.cursor->skip(t.offset);
        sl.unpacked = 0;
        sl.unpacked_bytes = 0;
      }
      for_each_piece(dst, t.blocks, t.bytes, h.piece,
                     [&](uint64_t a, uint64_t n) { recv(reinterpret_cast<void *>(a), n); });
      send_msg();
      break;
    }
    case Op::kRmw:
    case Op::kFence:
    case Op::kLock:
      recv(&sl.reply, sizeof(Reply));
      send_msg();
      break;
    case Op::kUnlock:
      send_msg();
      break;
    default:
      throw Error(format("internal: cannot submit op %d", int(t.op)));
  }
}

// ---------------------------------------------------------------------------
// Completion

bool Runtime::poll_locked(int handle, std::string *error) {
  int s = -1;
  if (pool_.lookup(handle, &s) != HandlePool::Lookup::kBusy) return true;
  Slot &sl = slots_[s];
  int flag = 0;
  if (sl.unpack) {
    // Scatter each piece of a packed get as soon as it arrives (the pieces
    // are the first requests, in stream order), overlapping the transfer.
    while (sl.unpacked < sl.reqs.size() && sl.expect[sl.unpacked] >= 0) {
      MPI_Status one;
      COMEX_MPI(MPI_Test(&sl.reqs[sl.unpacked], &flag, &one));
      if (!flag) return false;
      int got = 0;
      COMEX_MPI(MPI_Get_count(&one, MPI_BYTE, &got));
      if (got != sl.expect[sl.unpacked])
        *error = format("get from rank %d was refused by the target", sl.target);
      else if (error->empty())
        sl.cursor->unpack(sl.staging.data() + sl.unpacked_bytes, uint64_t(got));
      sl.unpacked_bytes += uint64_t(sl.expect[sl.unpacked]);
      sl.expect[sl.unpacked] = -1;  // checked
      ++sl.unpacked;
    }
  }
  MPI_Status small[8];
  std::vector<MPI_Status> big(sl.reqs.size() > 8 ? sl.reqs.size() : 0);
  MPI_Status *st = big.empty() ? small : big.data();
  COMEX_MPI(MPI_Testall(int(sl.reqs.size()), sl.reqs.data(), &flag, st));
  if (!flag) return false;
  for (size_t i = 0; i < sl.reqs.size(); ++i) {
    if (sl.expect[i] < 0) continue;
    int got = 0;
    COMEX_MPI(MPI_Get_count(&st[i], MPI_BYTE, &got));
    if (got != sl.expect[i])
      *error = format("%s from rank %d was refused by the target",
                      sl.op == Op::kGet ? "get" : "request", sl.target);
  }
  if (error->empty() && (sl.op == Op::kRmw || sl.op == Op::kFence || sl.op == Op::kLock)) {
    if (sl.reply.status != 0) {
      *error = format("%s at rank %d was refused by the target",
                      sl.op == Op::kLock ? "lock" : "rmw", sl.target);
    } else if (sl.op == Op::kRmw) {
      rmw_store(static_cast<RmwKind>(sl.elem), sl.result, sl.reply.value);
    }
  }
  if (sl.staging.capacity() > (size_t(1) << 20)) std::vector<char>().swap(sl.staging);
  sl.unpack = false;
  sl.cursor.reset();
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
    for (int s = 0; s < pool_.capacity(); ++s)
      if (pool_.busy(s) && (world_rank < 0 || slots_[s].target == world_rank))
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

void Runtime::barrier(Group &g) {
  wait_all();
  fence(g.world);
  MPI_Request req;
  COMEX_MPI(MPI_Ibarrier(g.comm, &req));
  collective_wait(&req);
}

}  // namespace comex
