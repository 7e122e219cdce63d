/*
 * perf_wake -- how long this machine takes to wake a thread on another CPU:
 * the floor under every doorbell of the engine (no MPI, no ComEx).
 *
 * Usage:   make bench            (runs it once)
 *          testing/perf_wake [-n N]
 * Options: -n N  wake-ups per case (default 300).
 *
 * What it does: a ringer thread is pinned to one CPU, everything else of the
 * case to another (the first two CPUs of the process's affinity mask).  The
 * ringer waits 0.3-1 ms (spinning, so its own CPU stays awake), notes the
 * time and rings; the woken side notes the time it runs.  Cases:
 *   futex, CPU computing   a thread sleeps in FUTEX_WAIT on the target CPU
 *                          while a second thread computes there (the
 *                          shared-memory doorbell of a computing rank)
 *   futex, CPU idle        the same with nothing else on the target CPU
 *   UDP, CPU computing     a thread sleeps in ppoll() on a loopback UDP
 *                          socket, the ringer sends a datagram (the network
 *                          doorbell of a computing rank)
 *   UDP, CPU idle          the same with nothing else on the target CPU
 *   signal, CPU computing  the computing thread itself gets a signal: no
 *                          scheduler decision, only the interrupt
 *   UDP, polled            the receiver polls the socket without sleeping on
 *                          an otherwise idle CPU: the datagram's own travel
 * Prints p10, median and p90 in microseconds.  When the "signal" case costs
 * as much as the futex case, the time goes into telling the other CPU (an
 * inter-processor interrupt; slow in some virtual machines), not into the
 * scheduler's choice.
 */
#include <arpa/inet.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>
#include <vector>

namespace {

uint64_t now_ns() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec);
}

int cpus[2] = {-1, -1};  // target CPU, ringer CPU

void pin(int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  pthread_setaffinity_np(pthread_self(), sizeof s, &s);
}

void spin_ns(uint64_t ns) {
  const uint64_t t0 = now_ns();
  while (now_ns() - t0 < ns) {
  }
}

/* A gap of 0.3 to 1 ms before ring i (fixed sequence: cases are comparable). */
uint64_t gap_ns(int i) { return 300000 + uint64_t(i * 7919 % 700) * 1000; }

std::atomic<bool> computing{false};
volatile double sink;

/* Compute on the current CPU until `computing` goes false. */
void compute() {
  double x = 1;
  while (computing.load(std::memory_order_relaxed))
    for (int i = 0; i < 1000; ++i) x = x * 1.0000001 + 1e-9;
  sink = x;
}

/* Compute on the target CPU until `waitee` (the thread that counts the
 * wake-ups) ends; without `busy`, only wait for it. */
void beside(std::thread &waitee, bool busy) {
  if (!busy) {
    waitee.join();
    return;
  }
  pin(cpus[0]);
  computing = true;
  std::thread stopper([&] {
    waitee.join();
    computing = false;
  });
  compute();
  stopper.join();
}

struct Stats {
  double p10, p50, p90;
};

Stats stats(std::vector<uint64_t> v) {
  std::sort(v.begin(), v.end());
  auto q = [&](double f) { return v.empty() ? 0.0 : v[size_t(f * double(v.size() - 1))] * 1e-3; };
  return {q(0.1), q(0.5), q(0.9)};
}

/* Futex: the sleeper waits for `word` to change from its even value. */
std::vector<uint64_t> case_futex(int n, bool busy) {
  std::atomic<uint32_t> word{0};
  std::atomic<uint64_t> sent{0};
  std::vector<uint64_t> lat;
  std::thread sleeper([&] {
    pin(cpus[0]);
    for (int i = 0; i < n; ++i) {
      const uint32_t idle = uint32_t(2 * i);
      while (word.load(std::memory_order_acquire) == idle)
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, idle, nullptr, nullptr, 0);
      lat.push_back(now_ns() - sent.load(std::memory_order_relaxed));
      word.store(idle + 2, std::memory_order_release);
    }
  });
  std::thread ringer([&] {
    pin(cpus[1]);
    for (int i = 0; i < n; ++i) {
      spin_ns(gap_ns(i));
      sent.store(now_ns(), std::memory_order_relaxed);
      word.store(uint32_t(2 * i + 1), std::memory_order_release);
      syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
      while (word.load(std::memory_order_acquire) != uint32_t(2 * i + 2)) {
      }
    }
  });
  beside(ringer, busy);
  sleeper.join();
  return lat;
}

/* UDP over loopback: the receiver sleeps in ppoll() (or polls, `polled`). */
std::vector<uint64_t> case_udp(int n, bool busy, bool polled) {
  std::vector<uint64_t> lat;
  std::atomic<uint64_t> last_ns{now_ns()};
  int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (rx < 0 || tx < 0 || bind(rx, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 ||
      getsockname(rx, reinterpret_cast<sockaddr *>(&a), &len) != 0) {
    std::perror("perf_wake: UDP socket");
    if (rx >= 0) close(rx);
    if (tx >= 0) close(tx);
    return lat;
  }
  std::atomic<bool> sent_all{false};  // a lost datagram must not hang the case
  std::thread receiver([&] {
    pin(cpus[0]);
    for (int got = 0; got < n;) {
      if (!polled) {
        pollfd p{rx, POLLIN, 0};
        const timespec limit{0, 100000000};
        if (ppoll(&p, 1, &limit, nullptr) == 0 && sent_all.load()) break;
      } else if (sent_all.load() && now_ns() - last_ns.load() > 100000000) {
        break;
      }
      uint64_t t = 0;
      const uint64_t at = now_ns();
      while (recv(rx, &t, sizeof t, MSG_DONTWAIT) == ssize_t(sizeof t)) {
        lat.push_back(at - t);
        ++got;
      }
    }
  });
  std::thread ringer([&] {
    pin(cpus[1]);
    for (int i = 0; i < n; ++i) {
      spin_ns(gap_ns(i));
      const uint64_t t = now_ns();
      if (sendto(tx, &t, sizeof t, 0, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0)
        std::perror("perf_wake: sendto");
      last_ns.store(now_ns());
    }
    sent_all = true;
  });
  beside(receiver, busy);
  ringer.join();
  close(rx);
  close(tx);
  return lat;
}

std::atomic<uint64_t> sig_at{0};
void on_signal(int) { sig_at.store(now_ns(), std::memory_order_relaxed); }

/* A signal to the computing thread itself. */
std::vector<uint64_t> case_signal(int n) {
  std::vector<uint64_t> lat;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, nullptr);
  pin(cpus[0]);
  const pthread_t target = pthread_self();
  computing = true;
  std::thread ringer([&] {
    pin(cpus[1]);
    for (int i = 0; i < n; ++i) {
      spin_ns(gap_ns(i));
      sig_at.store(0, std::memory_order_relaxed);
      const uint64_t t = now_ns();
      pthread_kill(target, SIGUSR1);
      uint64_t at;
      while ((at = sig_at.load(std::memory_order_relaxed)) == 0) {
      }
      lat.push_back(at - t);
    }
    computing = false;
  });
  compute();
  ringer.join();
  signal(SIGUSR1, SIG_DFL);
  return lat;
}

}  // namespace

int main(int argc, char **argv) {
  int n = 300;
  for (int c; (c = getopt(argc, argv, "n:h")) != -1;) {
    if (c == 'n' && std::atoi(optarg) > 0) {
      n = std::atoi(optarg);
    } else {
      std::fprintf(stderr, "usage: %s [-n WAKEUPS]\n", argv[0]);
      return c == 'h' ? 0 : 2;
    }
  }
  cpu_set_t mask;
  CPU_ZERO(&mask);
  sched_getaffinity(0, sizeof mask, &mask);
  for (int c = 0, k = 0; c < CPU_SETSIZE && k < 2; ++c)
    if (CPU_ISSET(c, &mask)) cpus[k++] = c;
  if (cpus[1] < 0) {
    std::printf("perf_wake: needs 2 CPUs in the affinity mask; skipped\n");
    return 0;
  }
  std::printf("== perf_wake: waking a thread on CPU %d from CPU %d, %d wake-ups per case ==\n",
              cpus[0], cpus[1], n);
  std::printf("%-24s %9s %9s %9s\n", "case", "p10_us", "med_us", "p90_us");
  struct Case {
    const char *name;
    std::vector<uint64_t> (*run)(int);
  };
  const Case cases[] = {
      {"futex, CPU computing", [](int k) { return case_futex(k, true); }},
      {"futex, CPU idle", [](int k) { return case_futex(k, false); }},
      {"UDP, CPU computing", [](int k) { return case_udp(k, true, false); }},
      {"UDP, CPU idle", [](int k) { return case_udp(k, false, false); }},
      {"signal, CPU computing", case_signal},
      {"UDP, polled", [](int k) { return case_udp(k, false, true); }},
  };
  for (const Case &c : cases) {
    const std::vector<uint64_t> lat = c.run(n);
    const Stats s = stats(lat);
    std::printf("%-24s %9.1f %9.1f %9.1f%s\n", c.name, s.p10, s.p50, s.p90,
                int(lat.size()) < n ? "  (datagrams lost)" : "");
    std::fflush(stdout);
  }
  return 0;
}
