// am/engine.h -- the MPI-MT active-message engine: communicators, the handler
// table, serving requests, the progress thread and the waiting policy.
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "am/netbell.h"
#include "am/packet.h"
#include "node/mutex.h"
#include "node/shm.h"
#include "util/alloc_table.h"
#include "util/config.h"
#include "util/layout.h"
#include "util/log.h"
#include "util/mpi_util.h"

namespace comex {

/// Most payload or reply pieces one request may have.  Legal requests stay
/// below it (1 GiB in pieces of the smallest COMEX_MAX_MSG_BYTES, 1K).
constexpr uint64_t kMaxPieces = uint64_t(1) << 20;
/// Get pieces up to this size are sent with MPI_Send: every MPI sends them
/// eagerly, so the send completes whether or not the peer receives.
constexpr uint64_t kEagerReply = 4096;
/// Number of payload or reply pieces of a request (for_each_piece's count),
/// saturating instead of wrapping.
uint64_t piece_total(const Layout &l, bool blocks, uint64_t bytes, uint64_t piece);
const char *op_name(Op op);

class Engine {
 public:
  /// `world` is the library's world communicator; three private duplicates
  /// carry requests, replies and payload pieces.
  Engine(MPI_Comm world, const Config &cfg, AllocTable &allocs, MutexTable &mutexes);
  ~Engine();
  Engine(const Engine &) = delete;
  Engine &operator=(const Engine &) = delete;

  /// Spawn the progress thread and place it (collective over `node`, the
  /// ranks of this shared-memory node).
  void start(MPI_Comm node);
  void stop();  ///< terminate message to self, then join

  int rank() const { return rank_; }
  MPI_Comm am_comm() const { return am_; }
  MPI_Comm reply_comm() const { return reply_; }
  MPI_Comm data_comm() const { return data_; }
  /// Serialises accumulates into this rank's memory: served ones, the rank's
  /// own, and (its word in shared memory) those of node-local origins.
  NodeLock &acc_lock() { return acc_lock_; }
  /// Sleep on `bell` (this rank's doorbell); `rings[r]` says whether world
  /// rank r rings it after sending us a request (a node peer).  Requests from
  /// ranks that do not ring keep the thread polling (PROGRESS_HOT_US).
  void attach_bell(Doorbell *bell, std::vector<char> rings) {
    bell_ = bell;
    rings_ = std::move(rings);
    all_ring_ = true;
    for (size_t r = 0; r < rings_.size(); ++r)
      all_ring_ = all_ring_ && (rings_[r] || int(r) == rank_);
  }

  /// Ranks that cannot ring `bell` ring `net` (NetBell; may be null); the
  /// thread then sleeps on it.  Before start().
  void attach_net(std::unique_ptr<NetBell> net) {
    net_ = std::move(net);
    unheard_.assign(size_t(am_.size()), 0);
  }
  const NetBell *net() const { return net_.get(); }
  /// Does a request to world rank `r` ring its doorbell (kFlagRings)?
  bool rings(int r, const Node &node) const {
    return node.on_node(r) || (net_ && net_->reaches(r));
  }
  /// Ring world rank `r`'s doorbell after sending it a request, if it is a
  /// node peer in shared memory (an atomic add, a futex wake only if it
  /// sleeps).  Other ranks are rung later, and only if the origin has to wait
  /// for them (ring_late): a datagram costs a system call.
  void ring(int r, const Node &node) {
    if (node.on_node(r) && node.bell(r)->ring() && net_)
      net_->ring(r, true);  // it sleeps on its socket
  }

  /// Ring world rank `r` by network: an origin has waited NET_BELL_DELAY_US
  /// for it (at most one ring per that delay and target).
  void ring_late(int r) {
    if (net_) net_->ring(r, false);
  }

  /// Streams (PROGRESS_STREAK_US).  An operation with world rank `r`, rung
  /// by network, completed now at this origin.
  void note_done(int r) { done_ns_[size_t(r)].store(now_ns(), std::memory_order_relaxed); }
  /// Did this origin's last operation with `r` end under PROGRESS_STREAK_US
  /// before `now` (so the next request is part of a stream: kFlagStream)?
  bool streaming(int r, uint64_t now) const {
    const uint64_t d = done_ns_[size_t(r)].load(std::memory_order_relaxed);
    return d != 0 && now - d < stream_ns_;
  }

  /// Serve pending requests if no other thread is serving; true if any was served.
  bool serve_some();

  /// Block until done() is true, serving requests meanwhile (the calling
  /// thread stands in for the progress thread while it waits).
  /// `check_every`: test done() only on every Nth poll (collectives, whose
  /// completion is not latency-critical, while requests are).
  template <class Pred>
  void wait_until(Pred done, unsigned check_every = 1) {
    if (done()) return;
    Waiting w(*this);
    served_.fetch_add(1, std::memory_order_release);  // what we did before waiting -> servers
    // Poll without pause for WAIT_SPIN_US; after that yield the core every
    // few fruitless polls, so oversubscribed ranks still get to run.
    const uint64_t spin_ns = uint64_t(cfg_.WAIT_SPIN_US) * 1000;
    uint64_t start = 0;
    const unsigned every = unsigned(cfg_.WAIT_SERVE_EVERY);
    // The first polls only look at our own completion (WAIT_GRACE_POLLS).
    const unsigned grace = unsigned(cfg_.WAIT_GRACE_POLLS);
    for (unsigned idle = 0, n = 0; ++n % check_every != 0 || !done();) {
      if (n > grace && n % every == 0 && serve_some()) {
        idle = 0;
        continue;
      }
      if ((++idle & 15) != 0) continue;
      const uint64_t now = now_ns();
      if (start == 0) start = now;
      if (now - start > spin_ns) std::this_thread::yield();
    }
    observe_served();
  }
  /// Order this thread after every request served so far.  What a server
  /// thread wrote into our memory reaches us through MPI, whose internal
  /// synchronisation tools such as ThreadSanitizer cannot see; this makes the
  /// happens-before edges explicit (a release when a wait starts, an acquire
  /// before a server touches memory, a release after, an acquire when a wait
  /// ends).
  void observe_served() const { (void)served_.load(std::memory_order_acquire); }
  /// wait_until for the request of a collective operation.
  void wait_request(MPI_Request *req);

 private:
  struct Waiting {  // counts threads waiting inside the library
    explicit Waiting(Engine &e) : e_(e) { e_.waiters_.fetch_add(1, std::memory_order_relaxed); }
    ~Waiting() { e_.waiters_.fetch_sub(1, std::memory_order_relaxed); }
    Engine &e_;
  };

  void progress_loop();
  /// Sleep up to ns (on the doorbell when there is one); true when rung.
  bool rest(uint64_t ns);
  /// May a request from `source` with kFlagRings set (`rang`) be left to its
  /// ring, i.e. need the thread not poll hot for it?
  bool trust_ring(int source, bool rang);
  /// A ringing request of `source` was served; `arrived`: when it was
  /// received, if it had kFlagStream (else 0).  Keeps the thread polling for a
  /// stream's next request (stream_until_).
  void note_served(int source, uint64_t arrived);
  /// Serve one request; a peer's error never stops the engine.
  void dispatch(int source, const char *msg, size_t len);
  void serve_request(int source, const char *msg, size_t len);

  // Handlers, one per Op (handlers.cc).
  using Handler = void (Engine::*)(int source, const Header &h, const char *payload);
  static const Handler kHandlers[size_t(Op::kCount)];
  void on_put(int source, const Header &h, const char *payload);
  void on_get(int source, const Header &h, const char *payload);
  void on_acc(int source, const Header &h, const char *payload);
  void on_rmw(int source, const Header &h, const char *payload);
  void on_fence(int source, const Header &h, const char *payload);
  void on_terminate(int source, const Header &h, const char *payload);
  void on_lock(int source, const Header &h, const char *payload);
  void on_unlock(int source, const Header &h, const char *payload);

 public:
  /// Hand mutex to `w` (a reply to a remote rank, or a local thread's flag).
  void grant(const MutexTable::Waiter &w, int status = 0);
  /// Shared mutexes: grant remote waiters whose ticket came up.
  void grant_pending();

 private:
  bool layout_ok(int source, const Layout &l, const char *what);
  void send_reply(int source, int tag, const Reply &r);
  char *scratch(uint64_t n);
  /// `buf` grown to at least n bytes, or nullptr (and a refusal line naming
  /// the request) when memory runs out.
  char *stage(std::vector<char> *buf, uint64_t n, int source, const char *what);
  void receive_into(int source, const Header &h, const char *payload, const Layout &l,
                    uint64_t skip, bool is_acc);

  // Peers that break the protocol (guard.cc).  Every wait on a peer ends
  // within PEER_TIMEOUT_MS; a rank whose payload pieces do not come in time,
  // or come with other lengths than its header promised, is broken: from
  // then on its requests are refused and what it sends on the data
  // communicator is discarded.
  /// Why a request cannot be served as its header says, or nullptr.
  const char *header_problem(const Header &h, size_t len) const;
  /// Answer a request of a broken rank: refused, as answer_refused.
  void refuse_from_broken(int source, const Header &h, const char *payload);
  /// Receive one promised payload piece of n bytes from (source, tag) into
  /// buf; false when the rank broke its promise (it is then marked broken).
  bool recv_piece(int source, int tag, void *buf, uint64_t n);
  /// Send one get piece from buf; false when the peer did not take it in time.
  bool send_piece(int source, int tag, const void *buf, uint64_t n);
  /// Complete a send of a reply within the deadline; else give it up (its
  /// staging, if any, is kept alive) and mark the rank broken.
  bool settle_send(int source, MPI_Request *req, std::vector<char> *stage);
  /// Answer a refused request as its origin expects: the payload pieces of a
  /// put or accumulate consumed, an empty message for each get piece, a
  /// refusal reply for rmw, fence and lock.  `l`: the decoded target layout, if any.
  void answer_refused(int source, const Header &h, const Layout *l);
  /// Log one refusal of a request from `source`, at most REFUSAL_LOG_LINES per rank.
  void refuse(int source, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
  void mark_broken(int source, const std::string &why);
  bool is_broken(int source) const { return any_broken_ && broken_[size_t(source)]; }
  /// Discard what broken ranks sent on the data communicator (a few messages).
  void sweep_broken();
  void log_refusal_counts();  ///< at stop: refusals that were counted, not logged
  void receive_held();        ///< at stop: receive (and drop) the oversized pieces held
  bool probe_piece(int source, int tag, MPI_Message *msg, uint64_t *size);
  bool wait_peer(MPI_Request *req);
  void discard(MPI_Message *msg, uint64_t size);

  const Config &cfg_;
  AllocTable &allocs_;
  MutexTable &mutexes_;
  Comm am_, reply_, data_;
  int rank_ = -1;

  std::mutex serve_mu_;             // one server at a time: requests apply in order
  std::vector<char> rbuf_;          // request buffer, owned by the server
  size_t rbuf_base_ = 0;            // its usual size
  std::vector<char> scratch_;       // accumulate staging, owned by the server
  std::vector<char> get_stage_[2];  // packed get pieces in flight, owned by the server
  std::vector<char> refused_;       // per origin: a put/acc refused since its last fence
  NodeLock acc_lock_;
  int tag_ub_ = 32767;                                  // largest tag of our communicators
  uint64_t peer_timeout_ns_ = 0;                        // PEER_TIMEOUT_MS
  std::vector<uint64_t> refusals_;                      // per world rank: requests refused
  std::vector<char> broken_;                            // per world rank: broke the protocol
  bool any_broken_ = false;                             // (these three owned by the server)
  std::vector<std::pair<MPI_Message, uint64_t>> held_;  // oversized pieces, received at stop
  std::vector<std::vector<char>> abandoned_;            // staging of sends MPI could not cancel

  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> waiters_{0};
  std::atomic<uint64_t> served_{0};  // released after every request served
  std::atomic<uint64_t> last_served_ns_{
      0};                     // when a request from a rank that does not ring was served
  Doorbell *bell_ = nullptr;  // ours, when node peers ring it
  std::unique_ptr<NetBell> net_;   // ours, when other ranks ring it by network
  std::vector<uint32_t> unheard_;  // per world rank: ringing requests before its first datagram
  std::vector<char> rings_;   // per world rank: does it ring bell_?
  bool all_ring_ = false;     // every other rank rings: poll rarely
  uint64_t stream_ns_ = 0;    // PROGRESS_STREAK_US
  std::unique_ptr<std::atomic<uint64_t>[]> done_ns_;  // per world rank: our last op with it ended
  std::vector<uint64_t> served_at_;      // per world rank: its last ringing request served (server)
  std::atomic<uint64_t> stream_until_{0};  // a stream's next request is awaited until then
};

}  // namespace comex
