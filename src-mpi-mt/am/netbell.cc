// am/netbell.cc -- the UDP doorbell between nodes.
#include "am/netbell.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "util/log.h"
#include "util/mpi_util.h"

namespace comex {

namespace {

constexpr int kMaxAddrs = 4;

// What a rank tells the others: its port (0: no bell) and up to kMaxAddrs
// IPv4 interface addresses with their netmasks, network byte order.
struct Card {
  uint32_t port;
  uint32_t n;
  uint32_t addr[kMaxAddrs];
  uint32_t mask[kMaxAddrs];
};

void list_interfaces(Card *c) {
  ifaddrs *all = nullptr;
  if (getifaddrs(&all) != 0) return;
  for (ifaddrs *i = all; i && c->n < uint32_t(kMaxAddrs); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask) continue;
    if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    c->addr[c->n] = reinterpret_cast<sockaddr_in *>(i->ifa_addr)->sin_addr.s_addr;
    c->mask[c->n] = reinterpret_cast<sockaddr_in *>(i->ifa_netmask)->sin_addr.s_addr;
    ++c->n;
  }
  freeifaddrs(all);
}

// The address of `peer` to send to from a rank with interfaces `mine`: one on
// a network we are on, else its first; 0 when it has none.
uint32_t pick_address(const Card &mine, const Card &peer) {
  for (uint32_t j = 0; j < peer.n; ++j)
    for (uint32_t i = 0; i < mine.n; ++i)
      if ((peer.addr[j] & mine.mask[i]) == (mine.addr[i] & mine.mask[i])) return peer.addr[j];
  return peer.n > 0 ? peer.addr[0] : 0;
}

}  // namespace

NetBell::NetBell(MPI_Comm world, bool enable, const std::vector<char> &same_host,
                 uint64_t gap_ns)
    : gap_ns_(gap_ns) {
  int size = 0;
  COMEX_MPI(MPI_Comm_rank(world, &rank_));
  COMEX_MPI(MPI_Comm_size(world, &size));
  Card me{};
  if (enable) fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (!enable) {
    // nothing: port 0 tells the others not to ring us
  } else if (fd_ >= 0) {
    sockaddr_in any{};
    any.sin_family = AF_INET;
    any.sin_addr.s_addr = htonl(INADDR_ANY);
    socklen_t len = sizeof any;
    if (bind(fd_, reinterpret_cast<sockaddr *>(&any), sizeof any) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr *>(&any), &len) == 0) {
      port_ = ntohs(any.sin_port);
      me.port = port_;
      list_interfaces(&me);
    } else {
      COMEX_DEBUG("network doorbell: bind: %s", std::strerror(errno));
      close(fd_);
      fd_ = -1;
    }
  } else {
    COMEX_DEBUG("network doorbell: socket: %s", std::strerror(errno));
  }
  std::vector<Card> cards(size_t(size), Card{});
  COMEX_MPI(MPI_Allgather(&me, int(sizeof me), MPI_BYTE, cards.data(), int(sizeof me), MPI_BYTE,
                          world));
  peers_.assign(size_t(size), Peer{});
  last_ring_.reset(new std::atomic<uint64_t>[size_t(size)]);
  heard_.reset(new std::atomic<char>[size_t(size)]);
  for (int r = 0; r < size; ++r) {
    last_ring_[r].store(0, std::memory_order_relaxed);
    heard_[r].store(0, std::memory_order_relaxed);
    const Card &c = cards[size_t(r)];
    if (fd_ < 0 || c.port == 0 || c.port > 65535 || c.n > uint32_t(kMaxAddrs)) continue;
    Peer &p = peers_[size_t(r)];
    p.addr.sin_family = AF_INET;
    p.addr.sin_port = htons(uint16_t(c.port));
    const bool local = (size_t(r) < same_host.size() && same_host[size_t(r)]) || r == rank_;
    p.addr.sin_addr.s_addr = local ? htonl(INADDR_LOOPBACK) : pick_address(me, c);
    p.ok = p.addr.sin_addr.s_addr != 0;
  }
}

NetBell::~NetBell() {
  if (fd_ >= 0) close(fd_);
}

void NetBell::ring(int r, bool force) {
  if (!reaches(r)) return;
  const uint64_t now = now_ns();
  std::atomic<uint64_t> &last = last_ring_[r];
  if (!force) {
    uint64_t before = last.load(std::memory_order_relaxed);
    if (now - before < gap_ns_) return;
    // One of several threads ringing the same target at once is enough.
    if (!last.compare_exchange_strong(before, now, std::memory_order_relaxed)) return;
  } else {
    last.store(now, std::memory_order_relaxed);
  }
  const int32_t me = rank_;
  const Peer &p = peers_[size_t(r)];
  if (sendto(fd_, &me, sizeof me, MSG_DONTWAIT, reinterpret_cast<const sockaddr *>(&p.addr),
             sizeof p.addr) < 0 &&
      errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS && errno != EINTR) {
    // Unreachable: the target polls for us instead (it never hears a ring).
    if (send_errors_.fetch_add(1, std::memory_order_relaxed) == 0)
      COMEX_DEBUG("network doorbell: ringing rank %d: %s", r, std::strerror(errno));
  }
}

bool NetBell::drain() {
  bool any = false;
  for (;;) {
    int32_t from = -1;
    const ssize_t n = recv(fd_, &from, sizeof from, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      return any;  // EAGAIN: empty
    }
    any = true;
    if (n == sizeof from && from >= 0 && size_t(from) < peers_.size())
      heard_[from].store(1, std::memory_order_relaxed);
  }
}

bool NetBell::sleep(uint64_t ns) {
  const timespec ts{time_t(ns / 1000000000ull), long(ns % 1000000000ull)};
  if (fd_ < 0) {
    nanosleep(&ts, nullptr);
    return false;
  }
  if (drain()) return true;
  pollfd pfd{fd_, POLLIN, 0};
  if (ppoll(&pfd, 1, &ts, nullptr) <= 0) return false;
  return drain();
}

std::string NetBell::describe() const {
  int reach = 0;
  for (const Peer &p : peers_) reach += p.ok ? 1 : 0;
  char line[128];
  if (fd_ < 0)
    std::snprintf(line, sizeof line, "network doorbell: none (no UDP socket)");
  else
    std::snprintf(line, sizeof line, "network doorbell: UDP port %u, reaches %d of %zu ranks",
                  unsigned(port_), reach, peers_.size());
  return line;
}

}  // namespace comex
