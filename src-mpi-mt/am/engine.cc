// am/engine.cc -- serving requests, the progress thread and its back-off.
#include "am/engine.h"

#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>
#include <future>
#include <new>

#include "node/topology.h"
#include "util/error.h"

namespace comex {

Engine::Engine(MPI_Comm world, const Config &cfg, AllocTable &allocs, MutexTable &mutexes)
    : cfg_(cfg), allocs_(allocs), mutexes_(mutexes) {
  am_ = Comm::dup(world);
  reply_ = Comm::dup(world);
  data_ = Comm::dup(world);
  rank_ = am_.rank();
  rbuf_base_ = sizeof(Header) + size_t(cfg_.EAGER_THRESHOLD) + 4096;  // eager, a small layout
  rbuf_.resize(rbuf_base_);
  int *ub = nullptr, flag = 0;
  COMEX_MPI(MPI_Comm_get_attr(am_, MPI_TAG_UB, &ub, &flag));
  if (flag && ub) tag_ub_ = *ub;
  peer_timeout_ns_ = uint64_t(cfg_.PEER_TIMEOUT_MS) * 1000000;
  refusals_.assign(size_t(am_.size()), 0);
  broken_.assign(size_t(am_.size()), 0);
  refused_.assign(size_t(am_.size()), 0);
  stream_ns_ = uint64_t(cfg_.PROGRESS_STREAK_US) * 1000;
  done_ns_ = std::make_unique<std::atomic<uint64_t>[]>(size_t(am_.size()));
  served_at_.assign(size_t(am_.size()), 0);
  // The staging of served pieces is reserved now: a target short of memory
  // later still serves accumulates and packed transfers of its peers'
  // (same-sized) pieces, and a shortage at start fails comex_init.
  scratch_.resize(size_t(std::max(cfg_.ACC_PIECE, cfg_.PACK_CHUNK)));
  for (std::vector<char> &g : get_stage_) g.resize(size_t(cfg_.PACK_CHUNK));
}

Engine::~Engine() {
  if (thread_.joinable()) {  // error path: stop without the terminate message
    stop_.store(true, std::memory_order_release);
    thread_.join();
  }
}

void Engine::start(MPI_Comm node_comm) {
  // Collective (every rank starts its engine in comex_init); the thread
  // places itself before start() returns, so comex_init ends with it placed.
  std::unique_ptr<NodeInfo> node = learn_node(node_comm);
  std::promise<void> placed;
  thread_ = std::thread([this, &node, &placed] {
    if (int rc = pthread_setname_np(pthread_self(), "comex-progress"))
      COMEX_DEBUG("pthread_setname_np: error %d", rc);
    place_progress_thread(BindMode(cfg_.PROGRESS_BIND), *node);
    placed.set_value();
    progress_loop();
  });
  placed.get_future().wait();
  COMEX_DEBUG("progress thread started");
}

void Engine::stop() {
  if (!thread_.joinable()) return;
  Header h{};
  h.op = Op::kTerminate;
  COMEX_MPI(MPI_Send(&h, sizeof h, MPI_BYTE, rank_, 0, am_));
  // A sleeping thread sees it now: on its doorbell, or on its socket.
  const bool on_socket = bell_ ? bell_->ring() : true;
  if (on_socket && net_) net_->ring(rank_, true);
  thread_.join();
  COMEX_DEBUG("progress thread joined");
  std::lock_guard<std::mutex> lock(serve_mu_);
  receive_held();
  log_refusal_counts();
}

bool Engine::serve_some() {
  std::unique_lock<std::mutex> lock(serve_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return false;
  bool any = false, polls = false;  // served any / any from a rank that does not ring
  if (mutexes_.has_pending()) grant_pending();
  if (any_broken_) sweep_broken();
  for (int64_t n = 0; n < cfg_.SERVE_BATCH && !stop_.load(std::memory_order_relaxed); ++n) {
    int flag = 0;
    MPI_Message msg;
    MPI_Status st;
    COMEX_MPI(MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, am_, &flag, &msg, &st));
    if (!flag) break;
    int count = 0;
    COMEX_MPI(MPI_Get_count(&st, MPI_BYTE, &count));
    if (size_t(count) > rbuf_.size()) {  // a peer with a larger threshold
      try {
        rbuf_.resize(count);
      } catch (const std::bad_alloc &) {
        // The request cannot be read, so it cannot be answered: its origin
        // would wait for ever.  Stop the job, saying why.
        log_line("cannot allocate %d bytes for a request from rank %d; aborting the job", count,
                 st.MPI_SOURCE);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
    }
    COMEX_MPI(MPI_Mrecv(rbuf_.data(), count, MPI_BYTE, &msg, MPI_STATUS_IGNORE));
    const uint8_t flags =
        size_t(count) >= sizeof(Header) ? uint8_t(rbuf_[offsetof(Header, flags)]) : 0;
    const bool rang = (flags & kFlagRings) != 0;
    const uint64_t arrived = (flags & kFlagStream) ? now_ns() : 0;
    (void)served_.load(std::memory_order_acquire);
    dispatch(st.MPI_SOURCE, rbuf_.data(), size_t(count));
    if (rang) note_served(st.MPI_SOURCE, arrived);
    if (rbuf_.size() > rbuf_base_ && size_t(count) > rbuf_base_) {  // keep no huge buffer
      rbuf_.resize(rbuf_base_);
      rbuf_.shrink_to_fit();
    }
    served_.fetch_add(1, std::memory_order_release);
    any = true;
    polls = polls || !trust_ring(st.MPI_SOURCE, rang);
  }
  if (polls) last_served_ns_.store(now_ns(), std::memory_order_relaxed);
  return any;
}

void Engine::note_served(int source, uint64_t arrived) {
  const uint64_t now = now_ns();
  uint64_t &prev = served_at_[size_t(source)];
  if (arrived != 0 && prev != 0 && stream_ns_ != 0) {
    // The origin is in a stream: its next request comes about as long after
    // this one as this one came after the last.  Wait twice that for it.
    const uint64_t gap = arrived > prev ? arrived - prev : 0;
    const uint64_t wait = std::clamp<uint64_t>(2 * gap, uint64_t(cfg_.PROGRESS_LINGER_US) * 1000,
                                               stream_ns_);
    if (now + wait > stream_until_.load(std::memory_order_relaxed))
      stream_until_.store(now + wait, std::memory_order_relaxed);
  }
  prev = now;
}

bool Engine::trust_ring(int source, bool rang) {
  // `source` is that of a message received on am_: a valid world rank.
  if (!rang) return false;
  if (!rings_.empty() && rings_[size_t(source)]) return true;  // a node peer: shared memory
  if (!net_) return false;
  if (net_->heard_from(source)) return true;
  // Its first datagrams may still be on their way; after that many requests
  // without one, its rings do not arrive (a firewall, say): poll for it.
  return ++unheard_[size_t(source)] <= 64;
}

void Engine::grant_pending() {
  std::vector<MutexTable::Waiter> granted;
  mutexes_.poll(&granted);
  for (const MutexTable::Waiter &w : granted) grant(w);
}

void Engine::dispatch(int source, const char *msg, size_t len) {
  try {
    serve_request(source, msg, len);
  } catch (const Error &e) {
    // An MPI call failed while serving this rank (it is gone, say): it is
    // not served any more, the others are.
    mark_broken(source, e.what());
  }
}

void Engine::serve_request(int source, const char *msg, size_t len) {
  Header h;
  if (len < sizeof h) {
    refuse(source, "refused a %zu-byte message from rank %d: shorter than a header", len, source);
    return;
  }
  std::memcpy(&h, msg, sizeof h);
  if (uint8_t(h.op) >= uint8_t(Op::kCount)) {
    refuse(source, "refused a request with unknown op %d from rank %d", int(h.op), source);
    return;
  }
  h.piece = std::clamp<uint64_t>(h.piece, 1, uint64_t(1) << 30);  // MPI counts are int
  if (const char *why = header_problem(h, len)) {
    refuse(source, "refused %s from rank %d: %s", op_name(h.op), source, why);
    answer_refused(source, h, nullptr);
    return;
  }
  // A broken rank's fences and unlocks are still served: a fence only
  // orders (nothing of that rank is in flight here any more), an unlock
  // only releases what it holds; refusing either would hang honest ranks.
  if (is_broken(source) && h.op != Op::kFence && h.op != Op::kUnlock && h.op != Op::kTerminate) {
    refuse_from_broken(source, h, msg + sizeof h);
    return;
  }
  (this->*kHandlers[size_t(h.op)])(source, h, msg + sizeof h);
}

void Engine::wait_request(MPI_Request *req) {
  wait_until(
      [req] {
        int flag = 0;
        COMEX_MPI(MPI_Test(req, &flag, MPI_STATUS_IGNORE));
        return flag != 0;
      },
      8);
}

namespace {

void nap(uint64_t ns) {
  if (ns == 0) {
    std::this_thread::yield();
    return;
  }
  timespec ts{time_t(ns / 1000000000ull), long(ns % 1000000000ull)};
  nanosleep(&ts, nullptr);
}

// Ask the scheduler for a short time slice (Linux 6.12+, EEVDF: a task may
// choose its slice with sched_setattr's sched_runtime, unprivileged).  With
// the default slice a woken progress thread waits until the computing thread
// beside it has run its slice out; with a short one its earlier deadline
// preempts sooner.  Older kernels refuse or ignore it: nothing changes then.
void request_short_slice(uint64_t slice_ns) {
  struct SchedAttr {  // the kernel's struct sched_attr (linux/sched/types.h)
    uint32_t size, sched_policy;
    uint64_t sched_flags;
    int32_t sched_nice;
    uint32_t sched_priority;
    uint64_t sched_runtime, sched_deadline, sched_period;
    uint32_t sched_util_min, sched_util_max;
  } attr{};
  attr.size = sizeof attr;
  attr.sched_policy = 0;  // SCHED_OTHER, as it is
  attr.sched_nice = getpriority(PRIO_PROCESS, 0);
  attr.sched_runtime = slice_ns;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) != 0)
    COMEX_DEBUG("progress thread: sched_setattr(slice %llu ns): %s", (unsigned long long)slice_ns,
                std::strerror(errno));
}

}  // namespace

bool Engine::rest(uint64_t ns) {
  if (net_) {  // sleep on the socket; node peers see state 2 and send a datagram
    uint32_t seen = 0;
    if (bell_ && !bell_->arm(&seen)) return true;
    bool rung = net_->sleep(ns);
    if (bell_) rung = bell_->disarm(seen) || rung;
    return rung;
  }
  if (bell_) return bell_->sleep(ns);
  nap(ns);
  return false;
}

// The polling policy.  An origin rings the target's doorbell after sending it
// a request: a node peer in shared memory (a futex), any other rank by a UDP
// datagram (NetBell).  The ring wakes the sleeping thread at once; it then
// polls without pause for PROGRESS_SPIN_US, until the request shows up, and
// goes back to its longest sleep.  Requests from ranks that do not ring (no
// bell, or rings that never arrive) make the thread hot for PROGRESS_HOT_US:
// it polls without pause for PROGRESS_SPIN_US and then every
// PROGRESS_SLEEP_MIN_US.  With no bell at all a cold thread's sleep doubles up
// to PROGRESS_SLEEP_MAX_US.  While another thread of this rank waits inside the
// library it serves in our place, so we park with the longest sleep that
// still notices its return; its return alone makes nothing hot (node-local
// synchronisation needs no engine).
void Engine::progress_loop() {
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // short sleeps stay short
  if (cfg_.PROGRESS_SLICE_US > 0) request_short_slice(uint64_t(cfg_.PROGRESS_SLICE_US) * 1000);
  if (cfg_.PROGRESS_NICE != 0)  // wake-ups preempt a computing thread (needs CAP_SYS_NICE)
    (void)setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), int(cfg_.PROGRESS_NICE));
  const uint64_t spin = uint64_t(cfg_.PROGRESS_SPIN_US) * 1000;
  const uint64_t hot = uint64_t(cfg_.PROGRESS_HOT_US) * 1000;
  const uint64_t min_sleep = uint64_t(cfg_.PROGRESS_SLEEP_MIN_US) * 1000;
  // When every request rings the doorbell, polling is only a safety net.
  const uint64_t max_sleep =
      uint64_t(all_ring_ ? std::max(cfg_.PROGRESS_SLEEP_BELL_US, cfg_.PROGRESS_SLEEP_MAX_US)
                         : cfg_.PROGRESS_SLEEP_MAX_US) *
      1000;
  const uint64_t parked =
      all_ring_ ? max_sleep
                : std::min<uint64_t>(uint64_t(cfg_.PROGRESS_PARKED_US) * 1000, max_sleep);
  const uint64_t linger = uint64_t(cfg_.PROGRESS_LINGER_US) * 1000;
  uint64_t sleep = min_sleep;
  uint64_t rung = 0;  // when a ring woke us, until a request is served (0: none)
  uint64_t busy = 0;  // when we last served a request
  while (!stop_.load(std::memory_order_acquire)) {
    if (waiters_.load(std::memory_order_relaxed) > 0) {
      if (rest(parked)) rung = now_ns();
      peer_watch().check(now_ns());
      continue;
    }
    bool any = false;
    try {
      any = serve_some();
    } catch (const std::exception &e) {
      log_line("progress thread: %s; aborting the job", e.what());
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
    const uint64_t now = now_ns(), last = last_served_ns_.load(std::memory_order_relaxed);
    if (any) {
      busy = now;
      rung = 0;
    }
    peer_watch().check(now);
    const uint64_t since = now > last ? now - last : 0;
    if (rung != 0 && now - rung < spin) continue;  // the ring's request is coming
    if (now - busy < linger) continue;             // more may follow
    if (now < stream_until_.load(std::memory_order_relaxed)) continue;  // a stream's next request
    if (since < spin) continue;                    // a rank that does not ring is active
    rung = 0;
    if (since < hot) {
      sleep = min_sleep;
      if (rest(min_sleep)) rung = now_ns();
    } else if (bell_ || net_) {  // a request rings: no need to look sooner
      if (rest(max_sleep)) rung = now_ns();
    } else if (rest(sleep)) {
      rung = now_ns();
      sleep = min_sleep;
    } else {
      sleep = std::min(std::max<uint64_t>(sleep * 2, 1000), max_sleep);
    }
  }
}

}  // namespace comex
