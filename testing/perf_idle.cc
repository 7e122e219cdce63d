/*
 * perf_idle -- CPU used by each thread of a comex-mt process while the
 * program's main threads sleep (target: no ComEx thread above 5% of a core).
 *
 * Usage:   make bench            (2 ranks, through testing/run_mpi.sh)
 *          timeout 300 mpiexec -n 2 testing/perf_idle [-s SEC]
 * Options: -s SEC  length of each idle window (default 2 s).
 *
 * What it does:
 *   1. MPI_Init_thread(MPI_THREAD_MULTIPLE); records the threads that exist
 *      before comex_init (MPI's / UCX's own), then comex_init().
 *   2. Window A "after comex_init": comex_barrier, then every rank's main
 *      thread sleeps SEC seconds (nanosleep, no ComEx or MPI call); the CPU
 *      time of every thread of the process is read from
 *      /proc/self/task/<tid>/schedstat (ns; /proc/.../stat ticks as fallback)
 *      at the start, the middle and the end of the window.
 *   3. Traffic: every rank gets/puts to its neighbour for ~0.3 s, then
 *      comex_barrier.
 *   4. Window B "after traffic": as window A.
 *   5. Per-thread table (% of one core over the whole window and over its
 *      second half) and a "targets:" summary with the busiest non-main
 *      thread.  Threads marked "comex" appeared during comex_init; "pre"
 *      existed before it (MPI/UCX).
 *   6. comex_finalize(), MPI_Finalize().
 */
#include <set>
#include <sstream>

#include "bench_util.h"

namespace {

struct Window {
  std::string label;
  double wall_s = 0, wall2_s = 0;
  std::vector<ThreadUse> all, half2;
};

Window idle_window(const char *label, double secs) {
  Window w;
  w.label = label;
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
  /* from here to the end of the window: no ComEx or MPI call */
  double t0 = bench_now_us();
  std::vector<ThreadCpu> a = bench_thread_cpu();
  bench_sleep_us(secs * 0.5e6);
  double t1 = bench_now_us();
  std::vector<ThreadCpu> b = bench_thread_cpu();
  bench_sleep_us(secs * 0.5e6);
  double t2 = bench_now_us();
  std::vector<ThreadCpu> c = bench_thread_cpu();
  w.wall_s = (t2 - t0) * 1e-6;
  w.wall2_s = (t2 - t1) * 1e-6;
  int main_tid = (int)bench_gettid();
  w.all = bench_thread_use(a, c, w.wall_s, main_tid);
  w.half2 = bench_thread_use(b, c, w.wall2_s, main_tid);
  return w;
}

}  // namespace

int main(int argc, char **argv) {
  int rank, nproc;
  bench_mpi_init(&argc, &argv, &rank, &nproc);
  BenchOpts o = bench_parse(argc, argv, nullptr);
  if (rank == 0) {
    std::printf(
        "# perf_idle: %d ranks, %ld online cores; idle windows of %.1f s; load average %s\n", nproc,
        sysconf(_SC_NPROCESSORS_ONLN), o.idle_s, bench_loadavg().c_str());
    std::fflush(stdout);
  }
  std::set<int> pre_tids;
  for (const auto &t : bench_thread_cpu()) pre_tids.insert(t.tid);

  COMEX_CHECK(comex_init());
  if (comex_initialized() != 1) BENCH_FAIL("comex_initialized() is not 1 after comex_init");
  MPI_Comm comm = bench_comm_dup();
  const size_t SEG = 1u << 20;
  std::vector<void *> seg(nproc);
  COMEX_CHECK(comex_malloc(seg.data(), SEG, COMEX_GROUP_WORLD));
  std::memset(seg[rank], rank + 1, SEG);

  std::vector<Window> wins;
  wins.push_back(idle_window("A: idle after comex_init", o.idle_s));

  /* traffic for ~0.3 s: gets and puts to the next rank, then a barrier */
  {
    int peer = (rank + 1) % nproc;
    char *buf = (char *)comex_malloc_local(SEG);
    if (!buf) BENCH_FAIL("comex_malloc_local(%zu) returned NULL", SEG);
    double t0 = bench_now_us();
    long n = 0;
    while (bench_now_us() - t0 < 300000.0) {
      COMEX_CHECK(comex_get(seg[peer], buf, 8, peer, COMEX_GROUP_WORLD));
      if (buf[0] != (char)(peer + 1)) BENCH_FAIL("get from %d returned wrong data", peer);
      if (++n % 64 == 0) {
        COMEX_CHECK(comex_get(seg[peer], buf, (int)SEG, peer, COMEX_GROUP_WORLD));
        COMEX_CHECK(
            comex_put(buf, (char *)seg[peer] + SEG / 2, (int)(SEG / 2), peer, COMEX_GROUP_WORLD));
      }
    }
    COMEX_CHECK(comex_free_local(buf));
  }
  wins.push_back(idle_window("B: idle after traffic", o.idle_s));

  /* gather the tables on rank 0 as text */
  std::ostringstream os;
  double worst[8] = {0};
  std::string worst_name[8];
  for (size_t wi = 0; wi < wins.size(); ++wi) {
    const Window &w = wins[wi];
    for (size_t i = 0; i < w.all.size(); ++i) {
      const ThreadUse &u = w.all[i];
      double h2 = 0;
      for (const auto &x : w.half2)
        if (x.tid == u.tid) h2 = x.pct;
      const char *role = u.main ? "main" : (pre_tids.count(u.tid) ? "pre" : "comex");
      char line[256];
      std::snprintf(line, sizeof line, "%-26s %4d %8d %-16s %-6s %9.2f %10.2f\n", w.label.c_str(),
                    rank, u.tid, u.name.c_str(), role, u.pct, h2);
      os << line;
      if (!u.main && u.pct > worst[wi]) {
        worst[wi] = u.pct;
        char nm[96];
        std::snprintf(nm, sizeof nm, "rank %d tid %d '%s' (%s)", rank, u.tid, u.name.c_str(), role);
        worst_name[wi] = nm;
      }
    }
  }
  std::string mine = os.str();
  if (rank == 0) {
    std::printf("\n== CPU per thread while every main thread sleeps (%% of one core) ==\n");
    std::printf("%-26s %4s %8s %-16s %-6s %9s %10s\n", "window", "rank", "tid", "name", "role",
                "cpu%", "cpu%_2nd");
    std::printf("%s", mine.c_str());
    for (int r = 1; r < nproc; ++r) {
      MPI_Status st;
      int len = 0;
      MPI_CHECK(MPI_Probe(r, 31, comm, &st));
      MPI_CHECK(MPI_Get_count(&st, MPI_CHAR, &len));
      std::string s((size_t)len, '\0');
      MPI_CHECK(MPI_Recv(&s[0], len, MPI_CHAR, r, 31, comm, MPI_STATUS_IGNORE));
      std::printf("%s", s.c_str());
      double wv[8];
      MPI_CHECK(MPI_Recv(wv, (int)wins.size(), MPI_DOUBLE, r, 32, comm, MPI_STATUS_IGNORE));
      for (size_t wi = 0; wi < wins.size(); ++wi) {
        MPI_CHECK(MPI_Probe(r, 33, comm, &st));
        MPI_CHECK(MPI_Get_count(&st, MPI_CHAR, &len));
        std::string nm((size_t)len, '\0');
        MPI_CHECK(MPI_Recv(&nm[0], len, MPI_CHAR, r, 33, comm, MPI_STATUS_IGNORE));
        if (wv[wi] > worst[wi]) {
          worst[wi] = wv[wi];
          worst_name[wi] = nm;
        }
      }
    }
    std::printf(
        "(role: main = the program's thread; comex = created during comex_init; "
        "pre = existed before comex_init, i.e. MPI/UCX)\n");
    std::printf("\ntargets:\n");
    for (size_t wi = 0; wi < wins.size(); ++wi) {
      char label[128];
      std::snprintf(label, sizeof label, "busiest non-main thread, %s", wins[wi].label.c_str());
      std::printf("  %-58s %10.2f %%    %-18s %s   [%s]\n", label, worst[wi], "(target <= 5 %)",
                  worst[wi] <= 5.0 ? "ok" : "MISSED",
                  worst_name[wi].empty() ? "no other thread" : worst_name[wi].c_str());
    }
    std::fflush(stdout);
  } else {
    MPI_CHECK(MPI_Send(mine.data(), (int)mine.size(), MPI_CHAR, 0, 31, comm));
    MPI_CHECK(MPI_Send(worst, (int)wins.size(), MPI_DOUBLE, 0, 32, comm));
    for (size_t wi = 0; wi < wins.size(); ++wi)
      MPI_CHECK(MPI_Send(worst_name[wi].data(), (int)worst_name[wi].size(), MPI_CHAR, 0, 33, comm));
  }

  COMEX_CHECK(comex_free(seg[rank], COMEX_GROUP_WORLD));
  MPI_CHECK(MPI_Comm_free(&comm));
  COMEX_CHECK(comex_finalize());
  int fin = 0;
  MPI_CHECK(MPI_Finalized(&fin));
  if (fin) BENCH_FAIL("comex_finalize finalised MPI, which the benchmark initialised");
  MPI_CHECK(MPI_Finalize());
  return 0;
}
