// am/netbell.h -- a doorbell that works between nodes: a UDP datagram.
//
// A request from another node arrives through MPI, which has no way to wake a
// sleeping thread: without a ring the target's progress thread must poll, and
// on a node where every core computes its polls take the cores' time and its
// sleeps delay the request.  So every rank opens one UDP socket, the ranks
// exchange its address and port at init, and an origin sends the target a
// datagram after a request.  The target's progress thread sleeps in ppoll()
// on the socket: it uses no CPU while idle, and the datagram wakes it at once
// (the kernel lets a thread that slept preempt a computing one).
//
// A ring is a hint, never the request: the request itself travels by MPI, a
// lost or early datagram costs at most the thread's longest sleep, and a
// datagram from anyone else only wakes the thread for nothing.  A target that
// never hears from a peer which says it rings (a firewall dropping UDP) stops
// trusting that peer's rings and polls for it again (Engine).
#pragma once

#include <mpi.h>
#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace comex {

class NetBell {
 public:
  /// Collective over `world`.  `same_host[r]`: world rank r runs on this
  /// host (it is rung through the loopback interface).  `gap_ns`: a ring is
  /// left out when the same target was rung less than this long ago (it is
  /// still awake from that ring).  On any local failure (no socket) the bell
  /// is unusable: nobody rings us and we ring nobody.
  /// `enable` false (COMEX_NET_BELL=0): take part in the exchange, open nothing.
  NetBell(MPI_Comm world, bool enable, const std::vector<char> &same_host, uint64_t gap_ns);
  ~NetBell();
  NetBell(const NetBell &) = delete;
  NetBell &operator=(const NetBell &) = delete;

  /// Has this rank a socket (NET_BELL on, and one could be opened)?
  bool usable() const { return fd_ >= 0; }
  /// Can this rank ring world rank `r` (both have a socket and an address
  /// this rank can reach)?
  bool reaches(int r) const { return r >= 0 && size_t(r) < peers_.size() && peers_[r].ok; }
  /// Send `r` a datagram, unless it was rung less than the gap ago and
  /// `force` is false.  Never blocks; a full socket buffer drops the ring (the
  /// target is awake then anyway).
  void ring(int r, bool force);
  /// Sleep in ppoll() on the socket up to `ns`; read every datagram that is
  /// there.  True when one was.
  bool sleep(uint64_t ns);
  /// Has a datagram from world rank `r` ever arrived?
  bool heard_from(int r) const {
    return r >= 0 && size_t(r) < peers_.size() && heard_[r].load(std::memory_order_relaxed) != 0;
  }
  /// One line for COMEX_VERBOSE: the port and how many peers it reaches.
  std::string describe() const;

 private:
  struct Peer {
    sockaddr_in addr{};
    bool ok = false;
  };
  bool drain();

  int fd_ = -1;
  int rank_ = 0;
  uint16_t port_ = 0;
  uint64_t gap_ns_ = 0;
  std::vector<Peer> peers_;
  std::unique_ptr<std::atomic<uint64_t>[]> last_ring_;  // per world rank, ns
  std::unique_ptr<std::atomic<char>[]> heard_;         // per world rank
  std::atomic<int> send_errors_{0};
};

}  // namespace comex
