// Unit tests of PeerWatch: a forked child plays a node peer that dies.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "node/liveness.h"
#include "util/log.h"

using comex::PeerWatch;

namespace {
pid_t spawn_sleeper() {
  pid_t pid = fork();
  if (pid == 0) {
    for (;;) pause();
  }
  return pid;
}
}  // namespace

TEST(PeerWatch, LivePeersAreLeftAlone) {
  pid_t child = spawn_sleeper();
  ASSERT_GT(child, 0);
  std::atomic<int> deaths{0};
  PeerWatch w;
  w.watch({{3, long(child)}, {5, long(getpid())}}, 1000000, [&](int, long) { ++deaths; });
  for (int i = 0; i < 20; ++i) {
    w.check(comex::now_ns());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(w.find_dead(), -1);
  EXPECT_EQ(deaths.load(), 0);
  w.clear();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

// The child is killed and not reaped (a zombie, as when its launcher is
// slow): it is dead all the same, reported once, naming rank and pid, within
// the interval even if no thread calls check().
TEST(PeerWatch, KilledPeerIsReportedOnce) {
  pid_t child = spawn_sleeper();
  ASSERT_GT(child, 0);
  std::atomic<int> deaths{0}, rank{-1};
  std::atomic<long> pid{0};
  PeerWatch w;
  w.watch({{7, long(child)}}, 50 * 1000000ull, [&](int r, long p) {
    rank = r;
    pid = p;
    ++deaths;
  });
  ASSERT_EQ(kill(child, SIGKILL), 0);
  const auto start = std::chrono::steady_clock::now();
  while (deaths.load() == 0 && std::chrono::steady_clock::now() - start < std::chrono::seconds(5))
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(deaths.load(), 1);
  EXPECT_EQ(rank.load(), 7);
  EXPECT_EQ(pid.load(), long(child));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(500));
  EXPECT_EQ(w.find_dead(), 0);  // a zombie counts as dead
  for (int i = 0; i < 5; ++i) {
    w.check(comex::now_ns() + 1000000000ull);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(deaths.load(), 1);
  w.clear();
  EXPECT_EQ(w.descriptors(), 0);
  waitpid(child, nullptr, 0);
}

// Stopped (a job that ends: peers exit on their own), a death is not reported.
TEST(PeerWatch, StoppedWatchReportsNothing) {
  pid_t child = spawn_sleeper();
  ASSERT_GT(child, 0);
  std::atomic<int> deaths{0};
  PeerWatch w;
  w.watch({{1, long(child)}}, 1000000, [&](int, long) { ++deaths; });
  w.stop();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  for (int i = 0; i < 20; ++i) {
    w.check(comex::now_ns());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  EXPECT_EQ(deaths.load(), 0);
  w.clear();
}

// The periodic check alone (no pidfd: kill(pid, 0)) finds a reaped peer.
TEST(PeerWatch, CheckFindsAReapedPeer) {
  pid_t child = spawn_sleeper();
  ASSERT_GT(child, 0);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  std::atomic<int> deaths{0};
  PeerWatch w;
  w.watch({{2, long(child)}}, 1000, [&](int, long) { ++deaths; });
  for (int i = 0; i < 100 && deaths.load() == 0; ++i) {
    w.check(comex::now_ns());
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(deaths.load(), 1);
  w.clear();
}
