// kill_rank: one rank of the job kills itself with SIGKILL at a random
// point of a scenario; testing/faults/kill.sh checks that the others end
// quickly, that the job's output names the dead rank, and that nothing is
// left in /dev/shm.
//
//   kill_rank SCENARIO SEED
//
// SCENARIO: stream (the victim sends a stream of puts and accumulates to a
// peer), mutex (it holds a mutex others wait for), barrier (it is inside
// comex_barrier), target (others send it a stream, its progress thread
// serves).  SEED chooses the victim, the moment and the sizes.  Before it
// dies the victim writes "<pid> <rank> <CLOCK_REALTIME seconds>" to the file
// named by COMEX_FAULT_MARK.  The program never ends by itself: every rank
// but the victim loops until the job is taken down.
#include <comex.h>
#include <mpi.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kBlock = 1 << 20;  // bytes of comex_malloc memory per rank

int g_rank = 0, g_size = 0;

[[noreturn]] void die_here() {
  const char *mark = std::getenv("COMEX_FAULT_MARK");
  if (mark) {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (FILE *f = std::fopen(mark, "w")) {
      std::fprintf(f, "%ld %d %ld.%09ld\n", long(getpid()), g_rank, long(ts.tv_sec),
                   long(ts.tv_nsec));
      std::fclose(f);
    }
  }
  raise(SIGKILL);
  for (;;) pause();
}

void fail(const char *what) {
  std::fprintf(stderr, "kill_rank[%d]: %s failed\n", g_rank, what);
  std::exit(2);
}

/// A thread that kills the process after `ms` milliseconds, whatever the
/// main thread is doing then.
void kill_after(int ms) {
  std::thread([ms] {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    die_here();
  }).detach();
}

/// comex_wait_until's test: true once the deadline has passed.
int past(void *arg) {
  return std::chrono::steady_clock::now() >=
         *static_cast<std::chrono::steady_clock::time_point *>(arg);
}

void pause_in_comex(int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  if (comex_wait_until(past, &until) != COMEX_SUCCESS) fail("comex_wait_until");
}

/// Puts and accumulates of random sizes to `peer` (non-blocking, then all waited for).
void stream_to(int peer, std::vector<void *> &ptrs, std::vector<char> &src, std::mt19937 &rng,
               int ops) {
  std::uniform_int_distribution<int> len(1, 8192);
  double one = 1.0;
  for (int i = 0; i < ops; ++i) {
    const int n = len(rng) * 8;
    const int off = int(rng() % unsigned(kBlock - n)) & ~7;
    char *dst = static_cast<char *>(ptrs[size_t(peer)]) + off;
    comex_request_t h;
    int rc = (i % 2)
                 ? comex_nbacc(COMEX_ACC_DBL, &one, src.data(), dst, n, peer, COMEX_GROUP_WORLD, &h)
                 : comex_nbput(src.data(), dst, n, peer, COMEX_GROUP_WORLD, &h);
    if (rc != COMEX_SUCCESS) fail("put/acc");
  }
  if (comex_wait_all(COMEX_GROUP_WORLD) != COMEX_SUCCESS) fail("comex_wait_all");
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: kill_rank stream|mutex|barrier|target SEED\n");
    return 2;
  }
  const std::string scenario = argv[1];
  const unsigned long seed = std::strtoul(argv[2], nullptr, 10);
  if (comex_init_args(&argc, &argv) != COMEX_SUCCESS) fail("comex_init_args");
  comex_group_rank(COMEX_GROUP_WORLD, &g_rank);
  comex_group_size(COMEX_GROUP_WORLD, &g_size);
  std::mt19937 rng(unsigned(seed) * 7919u + unsigned(g_rank));
  std::mt19937 shared(static_cast<unsigned>(seed));  // the same draws on every rank
  const int victim = int(shared() % unsigned(g_size));
  const int delay_ms = 50 + int(shared() % 400);

  std::vector<void *> ptrs(static_cast<size_t>(g_size));
  if (comex_malloc(ptrs.data(), kBlock, COMEX_GROUP_WORLD) != COMEX_SUCCESS) fail("comex_malloc");
  if (comex_create_mutexes(1) != COMEX_SUCCESS) fail("comex_create_mutexes");
  // A sane start: every rank writes its rank into its right neighbour's
  // block and checks what its left neighbour wrote.
  const int right = (g_rank + 1) % g_size, left = (g_rank + g_size - 1) % g_size;
  std::vector<char> src(65536);
  for (size_t i = 0; i < src.size(); ++i) src[i] = char(g_rank * 31 + int(i));
  if (comex_put(src.data(), ptrs[size_t(right)], int(src.size()), right, COMEX_GROUP_WORLD) !=
      COMEX_SUCCESS)
    fail("comex_put");
  if (comex_barrier(COMEX_GROUP_WORLD) != COMEX_SUCCESS) fail("comex_barrier");
  const char *mine = static_cast<const char *>(ptrs[size_t(g_rank)]);
  for (size_t i = 0; i < src.size(); ++i)
    if (mine[i] != char(left * 31 + int(i))) fail("the data check before the kill");
  std::printf("kill_rank: rank %d pid %ld\n", g_rank, long(getpid()));
  if (g_rank == 0)
    std::printf("kill_rank: scenario %s, seed %lu, victim rank %d after %d ms\n", scenario.c_str(),
                seed, victim, delay_ms);
  std::fflush(stdout);
  if (comex_barrier(COMEX_GROUP_WORLD) != COMEX_SUCCESS) fail("comex_barrier");

  const bool me = g_rank == victim;
  if (scenario == "stream") {
    // Everyone streams to its right neighbour and meets in a barrier; the
    // victim dies at a random moment of its stream.
    if (me) kill_after(delay_ms);
    for (;;) {
      stream_to(right, ptrs, src, rng, 200);
      if (comex_barrier(COMEX_GROUP_WORLD) != COMEX_SUCCESS) fail("comex_barrier");
    }
  } else if (scenario == "mutex") {
    // Everyone takes mutex 0 of rank 0 in turn; the victim dies holding it,
    // on its k-th turn, after holding it a little while.
    const int turn = 1 + int(shared() % 20);
    for (int k = 1;; ++k) {
      if (comex_lock(0, 0) != COMEX_SUCCESS) fail("comex_lock");
      if (me && k == turn) {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms / 4));
        die_here();
      }
      if (comex_unlock(0, 0) != COMEX_SUCCESS) fail("comex_unlock");
    }
  } else if (scenario == "barrier") {
    if (me) kill_after(delay_ms);
    for (;;)
      if (comex_barrier(COMEX_GROUP_WORLD) != COMEX_SUCCESS) fail("comex_barrier");
  } else if (scenario == "target") {
    // The others send the victim puts, accumulates and gets; it sleeps
    // outside ComEx, so its progress thread serves them (with COMEX_SHM=0;
    // node peers otherwise write its memory themselves) until it dies.
    if (me) {
      kill_after(delay_ms);
      for (;;) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::vector<char> back(65536);
    for (;;) {
      stream_to(victim, ptrs, src, rng, 50);
      if (comex_get(ptrs[size_t(victim)], back.data(), int(back.size()), victim,
                    COMEX_GROUP_WORLD) != COMEX_SUCCESS)
        fail("comex_get");
      pause_in_comex(5);
    }
  }
  std::fprintf(stderr, "kill_rank: unknown scenario %s\n", scenario.c_str());
  return 2;
}
