// node/shm.cc -- node structure, POSIX shared-memory segments and shared locks.
#include "node/shm.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <mutex>
#include <random>

#include "node/liveness.h"
#include "util/error.h"
#include "util/log.h"

namespace comex {

// ---------------------------------------------------------------------------
// Locks

namespace {
// Process-shared futex operations on a word of shared memory.
// A bounded wait: the holder may have died (a node peer killed while it held
// the word), so the waiter looks at the node peers now and then.
void futex_wait(std::atomic<uint32_t> *w, uint32_t expected) {
  const timespec ts{0, 100 * 1000 * 1000};
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(w), FUTEX_WAIT, expected, &ts, nullptr, 0);
  peer_watch().check(now_ns());
}
void futex_wake_one(std::atomic<uint32_t> *w) {
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(w), FUTEX_WAKE, 1, nullptr, nullptr, 0);
}
}  // namespace

bool Doorbell::ring() {
  rings.fetch_add(1, std::memory_order_seq_cst);
  const uint32_t s = sleeping.load(std::memory_order_seq_cst);
  if (s == 1) futex_wake_one(&rings);
  return s == 2;
}

bool Doorbell::arm(uint32_t *seen, uint32_t how) {
  *seen = rings.load(std::memory_order_seq_cst);
  sleeping.store(how, std::memory_order_seq_cst);
  // A ring after *seen either changed the word (seen here, or a futex wait
  // returns at once) or saw the sleeping state and wakes us: none is lost.
  if (rings.load(std::memory_order_seq_cst) == *seen) return true;
  sleeping.store(0, std::memory_order_relaxed);
  return false;
}

bool Doorbell::disarm(uint32_t seen) {
  sleeping.store(0, std::memory_order_relaxed);
  return rings.load(std::memory_order_relaxed) != seen;
}

bool Doorbell::sleep(uint64_t ns) {
  uint32_t seen = 0;
  if (!arm(&seen, 1)) return true;
  timespec ts{time_t(ns / 1000000000ull), long(ns % 1000000000ull)};
  syscall(SYS_futex, reinterpret_cast<uint32_t *>(&rings), FUTEX_WAIT, seen, &ts, nullptr, 0);
  return disarm(seen);
}

void NodeLock::lock_word(std::atomic<uint32_t> *w) {
  uint32_t c = 0;
  for (int n = 0; n < 100; ++n) {
    c = 0;
    if (w->compare_exchange_weak(c, 1, std::memory_order_acquire, std::memory_order_relaxed))
      return;
    __builtin_ia32_pause();
  }
  // Contended: say so (2) and sleep until an unlock wakes us.
  if (c != 2) c = w->exchange(2, std::memory_order_acquire);
  while (c != 0) {
    futex_wait(w, 2);
    c = w->exchange(2, std::memory_order_acquire);
  }
}

void NodeLock::unlock_word(std::atomic<uint32_t> *w) {
  if (w->exchange(0, std::memory_order_release) == 2) futex_wake_one(w);
}

// ---------------------------------------------------------------------------
// Names not yet unlinked, removed by a signal handler if the rank dies
// between creating a segment and unlinking it.

namespace {

// Where glibc's shm_open keeps the names (the names below start with '/').
constexpr const char *kShmDir = "/dev/shm";
constexpr int kPendingSlots = 64;
constexpr size_t kPathMax = 96;
struct Pending {
  std::atomic<int> used{0};
  char path[kPathMax];
};
Pending g_pending[kPendingSlots];
const int kFatalSignals[] = {SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGABRT,
                             SIGBUS, SIGFPE, SIGSEGV, SIGTERM};
struct sigaction g_previous[sizeof kFatalSignals / sizeof kFatalSignals[0]];

void unlink_pending() {
  for (Pending &p : g_pending)
    if (p.used.load() == 2) ::unlink(p.path);  // unlink is async-signal-safe
}

void on_fatal_signal(int sig) {
  unlink_pending();
  for (size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i)
    if (kFatalSignals[i] == sig) sigaction(sig, &g_previous[i], nullptr);
  raise(sig);  // now handled as before we were installed
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (size_t i = 0; i < sizeof kFatalSignals / sizeof kFatalSignals[0]; ++i) {
      struct sigaction sa {};
      sa.sa_handler = on_fatal_signal;
      sigemptyset(&sa.sa_mask);
      sa.sa_flags = SA_RESETHAND;
      struct sigaction old {};
      if (sigaction(kFatalSignals[i], nullptr, &old) != 0) continue;
      if (old.sa_handler == SIG_IGN) continue;  // leave ignored signals ignored
      g_previous[i] = old;
      sigaction(kFatalSignals[i], &sa, nullptr);
    }
    std::atexit(unlink_pending);
  });
}

/// Remember `name` until forget(); -1 when all slots are taken (then the
/// name is only protected by the unlink that follows shortly).
int remember(const std::string &name) {
  for (int i = 0; i < kPendingSlots; ++i) {
    int expected = 0;
    if (!g_pending[i].used.compare_exchange_strong(expected, 1)) continue;
    std::snprintf(g_pending[i].path, kPathMax, "%s%s", kShmDir, name.c_str());
    g_pending[i].used.store(2);
    return i;
  }
  return -1;
}

void forget(const std::string &name) {
  char path[kPathMax];
  std::snprintf(path, kPathMax, "%s%s", kShmDir, name.c_str());
  for (Pending &p : g_pending)
    if (p.used.load() == 2 && std::strcmp(p.path, path) == 0) {
      p.used.store(0);
      return;
    }
}

constexpr const char *kPrefix = "cxmt.";
constexpr size_t kLeastArena = size_t(256) << 10;  // a smaller arena is none

/// Remove segments left by ranks of earlier jobs on this node that died
/// (killed with SIGKILL, say) before unlinking: their pid no longer exists.
void sweep_stale() {
  DIR *d = opendir(kShmDir);
  if (!d) return;
  while (struct dirent *e = readdir(d)) {
    if (std::strncmp(e->d_name, kPrefix, std::strlen(kPrefix)) != 0) continue;
    long pid = std::strtol(e->d_name + std::strlen(kPrefix), nullptr, 10);
    if (pid <= 0 || kill(pid_t(pid), 0) == 0 || errno != ESRCH) continue;
    std::string path = std::string(kShmDir) + "/" + e->d_name;
    if (::unlink(path.c_str()) == 0) COMEX_DEBUG("removed stale %s", path.c_str());
  }
  closedir(d);
}

}  // namespace

// ---------------------------------------------------------------------------
// Node

Node::Node(MPI_Comm world, bool enable, size_t arena) {
  MPI_Comm c;
  int wsize = 0;
  COMEX_MPI(MPI_Comm_rank(world, &world_rank_));
  COMEX_MPI(MPI_Comm_size(world, &wsize));
  COMEX_MPI(MPI_Comm_split_type(world, MPI_COMM_TYPE_SHARED, world_rank_, MPI_INFO_NULL, &c));
  comm_ = Comm(c);
  rank_ = comm_.rank();
  size_ = comm_.size();

  std::vector<int> members(size_t(size_), -1);
  COMEX_MPI(MPI_Allgather(&world_rank_, 1, MPI_INT, members.data(), 1, MPI_INT, comm_));
  local_index_.assign(size_t(wsize), -1);
  for (int i = 0; i < size_; ++i) local_index_[size_t(members[i])] = i;
  pids_.resize(size_t(size_));
  long me = long(getpid());
  COMEX_MPI(MPI_Allgather(&me, 1, MPI_LONG, pids_.data(), 1, MPI_LONG, comm_));

  if (world_rank_ == 0) tag_ = uint64_t(std::random_device{}()) << 32 ^ uint64_t(now_ns());
  COMEX_MPI(MPI_Bcast(&tag_, 1, MPI_UINT64_T, 0, world));
  // Memory is shared when any rank of the node wants it, so that rank can
  // reach the others directly; a rank with COMEX_SHM=0 still shares its
  // memory and honours the shared locks, but sends its own operations.
  int want = enable ? 1 : 0, any = 0;
  COMEX_MPI(MPI_Allreduce(&want, &any, 1, MPI_INT, MPI_MAX, comm_));
  if (!any || size_ < 2) return;

  install_handlers();
  if (rank_ == 0) sweep_stale();
  // Node rank 0 makes the control segment (one cache line per rank), the
  // others map it; shared memory is on only if every rank of the node got it.
  control_bytes_ = size_t(size_) * 64;
  std::string why;
  control_ = share_node_segment(0, control_bytes_, members[0], &why);
  if (!control_) {
    if (!why.empty()) log_line("COMEX_SHM: %s; node-local operations use messages", why.c_str());
    return;
  }
  shared_ = true;
  direct_ = enable;
  make_arenas(arena, members[0]);
}

void *Node::share_node_segment(uint64_t seq, size_t bytes, int maker, std::string *why) {
  // Node rank 0 (world rank `maker`) makes it, the others map it.
  void *p = nullptr;
  int ok = 1;
  if (rank_ == 0) {
    p = create(bytes, seq, why);
    ok = p != nullptr;
  }
  COMEX_MPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm_));
  if (ok && rank_ != 0) {
    p = attach(maker, seq, bytes, why);
    ok = p != nullptr;
  }
  int all = 0;
  COMEX_MPI(MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, comm_));  // also: all have mapped it
  if (rank_ == 0 && p) unlink(seq);
  if (!all && p) {
    unmap(p, bytes);
    p = nullptr;
  }
  return p;
}

Node::~Node() {
  if (arenas_) unmap(arenas_, arena_bytes_ * size_t(size_));
  if (control_) unmap(control_, control_bytes_);
}

void Node::make_arenas(size_t bytes, int first_world_rank) {
  // Collective over the node, as the control segment: all get it, or none
  // use it (then every block is a segment of its own, as without arenas).
  // At most an eighth of what /dev/shm has free, shared by the node's ranks:
  // the arenas must not take the room of the segments of larger blocks.  An
  // arena too small to be worth it is none.
  struct statvfs sv {};
  if (statvfs(kShmDir, &sv) == 0) {
    const uint64_t room = uint64_t(sv.f_bavail) * uint64_t(sv.f_frsize) / 8 / uint64_t(size_);
    bytes = size_t(std::min<uint64_t>(bytes, room));
  }
  bytes = bytes / 4096 * 4096;  // each region page-aligned
  if (bytes < kLeastArena) bytes = 0;
  uint64_t ask = bytes, least = 0;
  COMEX_MPI(MPI_Allreduce(&ask, &least, 1, MPI_UINT64_T, MPI_MIN, comm_));
  if (least == 0) return;
  std::string why;
  void *p = share_node_segment(1, size_t(least) * size_t(size_), first_world_rank, &why);
  if (!p) {  // not an error: blocks are segments of their own then
    if (!why.empty())
      COMEX_DEBUG("COMEX_SHM_ARENA: %s; small blocks are segments of their own", why.c_str());
    return;
  }
  arenas_ = static_cast<char *>(p);
  arena_bytes_ = size_t(least);
  heap_ = ArenaHeap(least);
}

void *Node::arena_take(size_t bytes, uint64_t *offset) {
  if (!arenas_ || bytes == 0) return nullptr;
  {
    std::lock_guard<std::mutex> lock(heap_mu_);
    if (!heap_.take(bytes, offset)) return nullptr;
  }
  char *p = arena_of(rank_) + *offset;
  std::memset(p, 0, bytes);  // as a fresh segment is
  return p;
}

bool Node::arena_give(void *p) {
  if (!arenas_) return false;
  char *mine = arena_of(rank_), *c = static_cast<char *>(p);
  if (c < mine || c >= mine + arena_bytes_) return false;
  std::lock_guard<std::mutex> lock(heap_mu_);
  return heap_.give(uint64_t(c - mine));
}

void *Node::arena_block(int owner, uint64_t offset, uint64_t bytes) const {
  if (!arenas_ || owner < 0 || size_t(owner) >= local_index_.size()) return nullptr;
  const int idx = local_index_[size_t(owner)];
  if (idx < 0 || offset >= arena_bytes_ || bytes > arena_bytes_ - offset) return nullptr;
  return arena_of(idx) + offset;
}

// ---------------------------------------------------------------------------
// ArenaHeap

namespace {
constexpr uint64_t kGranule = 64;
}

ArenaHeap::ArenaHeap(uint64_t bytes) {
  bytes = bytes / kGranule * kGranule;
  if (bytes > 0) free_[0] = bytes;
}

bool ArenaHeap::take(uint64_t bytes, uint64_t *offset) {
  if (bytes == 0 || bytes > (uint64_t(1) << 62)) return false;
  const uint64_t n = (bytes + kGranule - 1) / kGranule * kGranule;
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < n) continue;
    *offset = it->first;
    const uint64_t rest = it->second - n;
    free_.erase(it);
    if (rest > 0) free_[*offset + n] = rest;
    taken_[*offset] = n;
    return true;
  }
  return false;
}

bool ArenaHeap::give(uint64_t offset) {
  auto t = taken_.find(offset);
  if (t == taken_.end()) return false;
  uint64_t at = offset, len = t->second;
  taken_.erase(t);
  auto next = free_.lower_bound(at);
  if (next != free_.end() && next->first == at + len) {  // merge with the range after
    len += next->second;
    next = free_.erase(next);
  }
  if (next != free_.begin()) {  // and with the one before
    auto prev = std::prev(next);
    if (prev->first + prev->second == at) {
      at = prev->first;
      len += prev->second;
      free_.erase(prev);
    }
  }
  free_[at] = len;
  return true;
}

uint64_t ArenaHeap::free_bytes() const {
  uint64_t n = 0;
  for (const auto &f : free_) n += f.second;
  return n;
}

std::atomic<uint32_t> *Node::acc_word(int r) const {
  char *slot = static_cast<char *>(control_) + 64 * size_t(local_index_[size_t(r)]);
  return reinterpret_cast<std::atomic<uint32_t> *>(slot);
}

Doorbell *Node::bell(int r) const {
  static_assert(sizeof(std::atomic<uint32_t>) + 4 + sizeof(Doorbell) <= 64, "one cache line");
  char *slot = static_cast<char *>(control_) + 64 * size_t(local_index_[size_t(r)]);
  return reinterpret_cast<Doorbell *>(slot + 8);
}

std::vector<PeerWatch::Peer> Node::peers() const {
  std::vector<PeerWatch::Peer> out;
  for (size_t r = 0; r < local_index_.size(); ++r) {
    const int i = local_index_[r];
    if (i >= 0 && int(r) != world_rank_) out.push_back({int(r), pids_[size_t(i)]});
  }
  return out;
}

std::string Node::name(int owner, uint64_t seq) const {
  char buf[80];
  const int idx = local_index_[size_t(owner)];
  std::snprintf(buf, sizeof buf, "/%s%ld.%016llx.%d.%llu", kPrefix, pids_[size_t(idx)],
                (unsigned long long)tag_, owner, (unsigned long long)seq);
  return buf;
}

void *Node::create(size_t bytes, uint64_t seq, std::string *why) {
  const std::string n = name(world_rank_, seq);
  int fd = shm_open(n.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) {
    *why = format("shm_open(%s): %s", n.c_str(), std::strerror(errno));
    return nullptr;
  }
  remember(n);
  auto fail = [&](const char *what, int err) -> void * {
    *why = format("%s of %zu bytes in /dev/shm: %s", what, bytes, std::strerror(err));
    ::close(fd);
    shm_unlink(n.c_str());
    forget(n);
    return nullptr;
  };
  if (ftruncate(fd, off_t(bytes)) != 0) return fail("ftruncate", errno);
  // Reserve the pages now: a full /dev/shm fails here instead of raising
  // SIGBUS at the first touch of a page that cannot be backed.
  int rc = posix_fallocate(fd, 0, off_t(bytes));
  if (rc != 0) return fail("posix_fallocate", rc);
  void *p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return fail("mmap", errno);
  ::close(fd);
  return p;
}

void *Node::attach(int owner, uint64_t seq, size_t bytes, std::string *why) {
  const std::string n = name(owner, seq);
  int fd = shm_open(n.c_str(), O_RDWR, 0600);
  if (fd < 0) {
    *why = format("shm_open(%s): %s", n.c_str(), std::strerror(errno));
    return nullptr;
  }
  struct stat st {};
  void *p = MAP_FAILED;
  if (fstat(fd, &st) != 0 || uint64_t(st.st_size) < bytes) {
    *why = format("%s is shorter than %zu bytes", n.c_str(), bytes);
  } else {
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) *why = format("mmap of %s: %s", n.c_str(), std::strerror(errno));
  }
  ::close(fd);
  return p == MAP_FAILED ? nullptr : p;
}

void Node::unlink(uint64_t seq) {
  const std::string n = name(world_rank_, seq);
  shm_unlink(n.c_str());
  forget(n);
}

void Node::unmap(void *addr, size_t bytes) {
  if (addr && bytes) munmap(addr, bytes);
}

}  // namespace comex
