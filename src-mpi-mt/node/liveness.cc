// node/liveness.cc -- PeerWatch: pidfds (or kill(pid, 0)) of the node peers.
#include "node/liveness.h"

#include <mpi.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>

#include "util/log.h"

namespace comex {

namespace {
int pidfd_open(long pid) {
#ifdef SYS_pidfd_open
  return int(syscall(SYS_pidfd_open, pid_t(pid), 0));
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

void abort_job(int rank, long pid) {
  log_line("rank %d (pid %ld) on this node died; aborting the job", rank, pid);
  std::fflush(stderr);
  // The launcher forwards our output through a pipe; an abort handled first
  // may cut the line off (seen with hydra).  A moment lets it through.
  const timespec pause{0, 100 * 1000 * 1000};
  nanosleep(&pause, nullptr);
  MPI_Abort(MPI_COMM_WORLD, 1);
}
}  // namespace

PeerWatch &peer_watch() {
  static PeerWatch w;
  return w;
}

void PeerWatch::watch(const std::vector<Peer> &peers, uint64_t interval_ns, OnDeath on_death) {
  clear();
  on_death_ = on_death ? std::move(on_death) : OnDeath(abort_job);
  interval_ = interval_ns;
  for (const Peer &p : peers) {
    // Without a descriptor to spare (ulimit -n) or a kernel older than 5.3,
    // kill(pid, 0) does it (blind to a zombie and to a reused pid).
    int fd = pidfd_open(p.pid);
    if (fd < 0)
      COMEX_DEBUG("pidfd_open(%ld): errno %d; rank %d is watched by kill(pid, 0)", p.pid, errno,
                  p.rank);
    entries_.push_back({p, fd});
  }
  fired_.store(false);
  next_.store(interval_ns == 0 || entries_.empty() ? ~uint64_t(0) : now_ns() + interval_ns);
  if (interval_ns == 0 || entries_.empty() || descriptors() < int(entries_.size())) return;
  wake_ = eventfd(0, EFD_CLOEXEC);
  if (wake_ < 0) return;  // the waiting threads still look
  thread_ = std::thread([this] { sleep_on_pidfds(); });
}

void PeerWatch::clear() {
  stop();
  if (thread_.joinable()) {
    const uint64_t one = 1;
    if (::write(wake_, &one, sizeof one) != ssize_t(sizeof one))
      COMEX_DEBUG("eventfd write failed");
    thread_.join();
  }
  if (wake_ >= 0) ::close(wake_);
  wake_ = -1;
  for (Entry &e : entries_)
    if (e.fd >= 0) ::close(e.fd);
  entries_.clear();
}

void PeerWatch::sleep_on_pidfds() {
  (void)pthread_setname_np(pthread_self(), "comex-watch");
  std::vector<pollfd> fds;
  for (const Entry &e : entries_) fds.push_back({e.fd, POLLIN, 0});
  fds.push_back({wake_, POLLIN, 0});
  for (;;) {
    if (poll(fds.data(), nfds_t(fds.size()), -1) < 0) {
      if (errno == EINTR) continue;
      return;  // the waiting threads still look
    }
    if (fds.back().revents || next_.load() == ~uint64_t(0)) return;  // stopped
    for (size_t i = 0; i + 1 < fds.size(); ++i)
      if (fds[i].revents) {
        act(int(i));
        return;
      }
  }
}

void PeerWatch::act(int i) {
  // Stopped meanwhile (the job is ending: peers may exit): not a death.
  if (next_.load() == ~uint64_t(0) || fired_.exchange(true)) return;
  on_death_(entries_[size_t(i)].peer.rank, entries_[size_t(i)].peer.pid);
}

int PeerWatch::find_dead() const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry &e = entries_[i];
    if (e.fd >= 0) {
      pollfd p{e.fd, POLLIN, 0};  // readable once the process has exited
      if (poll(&p, 1, 0) == 1 && (p.revents & (POLLIN | POLLHUP))) return int(i);
    } else if (kill(pid_t(e.peer.pid), 0) != 0 && errno == ESRCH) {
      return int(i);
    }
  }
  return -1;
}

int PeerWatch::descriptors() const {
  int n = 0;
  for (const Entry &e : entries_) n += e.fd >= 0;
  return n;
}

void PeerWatch::look(uint64_t now) {
  uint64_t due = next_.load(std::memory_order_relaxed);
  if (now < due || !next_.compare_exchange_strong(due, now + interval_)) return;  // another looks
  const int i = find_dead();
  if (i >= 0) act(i);
}

}  // namespace comex
