/*
 * perf_contig -- latency and bandwidth of contiguous put, get and accumulate
 * (double) in comex-mt, node-local (COMEX_SHM=1) and through the progress
 * engine (COMEX_SHM=0) side by side, against a memcpy baseline and a raw MPI
 * baseline measured in the same run.
 *
 * Usage:   make bench            (2 ranks, through testing/run_mpi.sh)
 *          testing/run_mpi.sh 2 testing/perf_contig [options]
 *          make bench BENCH_ARGS="-r 9 -t 20"
 * Options (see bench_util.h): -n ITER (max iterations per repetition),
 *   -r REPS (repetitions, median reported), -t MS (aimed ms per repetition),
 *   -m BYTES (largest size, default 4 MiB), -w WIN (non-blocking window),
 *   -M shm|msg|both (COMEX_SHM settings to run, default both),
 *   -c FILE (CSV of every measurement; testing/plot_bench.py plots it).
 *
 * What it does:
 *   1. MPI_Init_thread(MPI_THREAD_MULTIPLE); raw MPI baseline between ranks
 *      0 and 1 BEFORE comex_init: 8-byte ping-pong round trip, ping-pong
 *      bandwidth (bytes / half round trip) and streaming bandwidth for every
 *      size; single-thread memcpy between two private buffers on rank 0 for
 *      every size; calibration of the compute loop used by "target computing".
 *   2. For each COMEX_SHM setting chosen with -M (1 = "shm", then 0 = "msg"):
 *      setenv("COMEX_SHM"), comex_init() (MPI already initialised),
 *      comex_malloc of the target regions, the measurements below,
 *      comex_free, comex_finalize() (which leaves MPI up).  Rank 0 is the
 *      origin, rank 1 the target; with mpiexec on one host they share the
 *      node, so "shm" is the node-local path.
 *      For each target mode ("target in barrier": rank 1 sits in
 *      comex_barrier; "target computing": rank 1 computes outside ComEx and
 *      polls a flag word that rank 0 sets with comex_put at the end):
 *        blocking put/get/acc and non-blocking (a window of WIN ops to
 *        distinct slots, then comex_wait_all) for sizes 8 B .. 4 MiB in
 *        powers of 2; latency = median over repetitions of us per op,
 *        bandwidth = size / latency.  Put and accumulate repetitions end with
 *        comex_fence_proc (counted in the time), so data has arrived.
 *      Every measurement is verified afterwards: a get's data against the
 *      pattern rank 1 wrote, a put's data read back, an accumulate's sums.
 *      Then sporadic 8-byte gets: rank 0 sleeps 0.1, 1 or 10 ms before each
 *      get, which shows what a progress thread that backs off when idle
 *      costs the first operation after a pause (info, no target).
 *   3. Side-by-side tables (shm, msg, memcpy, raw MPI) and the "targets:"
 *      summary: node-local targets from the shm run, the engine targets from
 *      the msg run.
 *   4. MPI_Finalize() (comex did not initialise MPI).
 */
#include <cstdarg>
#include <map>
#include <tuple>

#include "bench_util.h"

namespace {

enum Op { OP_PUT = 0, OP_GET = 1, OP_ACC = 2 };

/* pattern of the get source region (written by rank 1 into its own memory) */
inline uint64_t get_pattern(size_t k) {
  return (uint64_t)k * 0x9E3779B97F4A7C15ULL ^ 0x5DEECE66DULL;
}
/* pattern of put sources, different for every measurement */
inline uint64_t put_pattern(uint64_t gen, size_t k) {
  return ((gen + 1) << 40) ^ ((uint64_t)k * 0xBF58476D1CE4E5B9ULL >> 24) ^ k;
}
/* accumulate source values: small integers, so the sums are exact */
inline double acc_src(size_t k) { return (double)(k % 7 + 1); }
const double ACC_SCALE = 2.0;

struct Ctx {
  BenchOpts o;
  int rank = 0;
  int shm = SHM_ON; /* the COMEX_SHM setting of the current comex_init */
  size_t region = 0;
  void **seg_get = nullptr, **seg_put = nullptr, **seg_acc = nullptr;
  char *lbuf = nullptr;   /* get destination / put source */
  char *chk = nullptr;    /* read-back buffer for verification */
  double *asrc = nullptr; /* accumulate source */
  uint64_t gen = 0;
};

using Key = std::tuple<int, int, int, int, size_t>; /* shm, target mode, nb, op, size */
std::map<Key, Measure> results;

char *rp(void **seg, size_t off) { return (char *)seg[1] + off; }

/* Measures one (op, size, blocking/nb) on rank 0 against rank 1 and
 * verifies the data afterwards. */
Measure run_one(Ctx &c, BenchMode mode, Op op, bool nb, size_t s) {
  const int win = nb ? bench_window(s, c.o.window, BENCH_WINDOW_CAP) : 1;
  const size_t span = (size_t)win * s;
  const int P = 1;
  const comex_group_t W = COMEX_GROUP_WORLD;
  std::vector<comex_request_t> h(win);
  long iterations_done = 0; /* iterations (each: one op or one window) */
  double scale = ACC_SCALE;

  /* set-up before timing */
  if (op == OP_GET) {
    std::memset(c.lbuf, 0xEE, span);
  } else if (op == OP_PUT) {
    ++c.gen;
    uint64_t *w = (uint64_t *)c.lbuf;
    for (size_t k = 0; k < span / 8; ++k) w[k] = put_pattern(c.gen, k);
  } else {
    /* snapshot of the accumulate target before */
    COMEX_CHECK(comex_get(rp(c.seg_acc, 0), c.chk, (int)span, P, W));
  }

  auto body = [&](long n) {
    for (long i = 0; i < n; ++i) {
      if (!nb) {
        switch (op) {
          case OP_PUT:
            COMEX_CHECK(comex_put(c.lbuf, rp(c.seg_put, 0), (int)s, P, W));
            break;
          case OP_GET:
            COMEX_CHECK(comex_get(rp(c.seg_get, 0), c.lbuf, (int)s, P, W));
            break;
          case OP_ACC:
            COMEX_CHECK(comex_acc(COMEX_ACC_DBL, &scale, c.asrc, rp(c.seg_acc, 0), (int)s, P, W));
            break;
        }
      } else {
        for (int j = 0; j < win; ++j) {
          size_t off = (size_t)j * s;
          switch (op) {
            case OP_PUT:
              COMEX_CHECK(comex_nbput(c.lbuf + off, rp(c.seg_put, off), (int)s, P, W, &h[j]));
              break;
            case OP_GET:
              COMEX_CHECK(comex_nbget(rp(c.seg_get, off), c.lbuf + off, (int)s, P, W, &h[j]));
              break;
            case OP_ACC:
              COMEX_CHECK(comex_nbacc(COMEX_ACC_DBL, &scale, (char *)c.asrc + off,
                                      rp(c.seg_acc, off), (int)s, P, W, &h[j]));
              break;
          }
        }
        COMEX_CHECK(comex_wait_all(W));
      }
      ++iterations_done;
    }
  };
  /* puts and accumulates: each repetition ends with a fence (timed), so the
   * data has arrived at the target */
  std::function<void()> fence = [&] { COMEX_CHECK(comex_fence_proc(P, W)); };
  Measure m = bench_measure(c.o, win, body, op == OP_GET ? nullptr : fence);

  /* verification */
  const char *what = nb ? "nb" : "blocking";
  if (op == OP_GET) {
    const uint64_t *w = (const uint64_t *)c.lbuf;
    for (size_t k = 0; k < span / 8; ++k)
      if (w[k] != get_pattern(k))
        BENCH_FAIL("verify %s get %zu B (%s, %s): word %zu is %#llx, expected %#llx", what, s,
                   bench_mode_name(mode), bench_shm_name(c.shm), k, (unsigned long long)w[k],
                   (unsigned long long)get_pattern(k));
  } else if (op == OP_PUT) {
    std::memset(c.chk, 0xEE, span);
    COMEX_CHECK(comex_get(rp(c.seg_put, 0), c.chk, (int)span, P, W));
    const uint64_t *w = (const uint64_t *)c.chk;
    for (size_t k = 0; k < span / 8; ++k)
      if (w[k] != put_pattern(c.gen, k))
        BENCH_FAIL("verify %s put %zu B (%s, %s): word %zu read back %#llx, expected %#llx", what,
                   s, bench_mode_name(mode), bench_shm_name(c.shm), k, (unsigned long long)w[k],
                   (unsigned long long)put_pattern(c.gen, k));
  } else {
    std::vector<double> after(span / 8);
    COMEX_CHECK(comex_get(rp(c.seg_acc, 0), after.data(), (int)span, P, W));
    const double *before = (const double *)c.chk;
    for (size_t k = 0; k < span / 8; ++k) {
      double expect = before[k] + (double)iterations_done * ACC_SCALE * c.asrc[k];
      if (after[k] != expect)
        BENCH_FAIL(
            "verify %s acc %zu B (%s, %s): element %zu is %.17g, expected %.17g "
            "(%ld accumulates of %g * %g onto %.17g)",
            what, s, bench_mode_name(mode), bench_shm_name(c.shm), k, after[k], expect,
            iterations_done, ACC_SCALE, c.asrc[k], before[k]);
    }
  }
  return m;
}

const char *op_name(Op op, bool nb) {
  static const char *n[2][3] = {{"put", "get", "acc"}, {"nbput", "nbget", "nbacc"}};
  return n[nb ? 1 : 0][op];
}
const char *target_name(int mode) { return mode == MODE_BARRIER ? "barrier" : "compute"; }

void run_mode_tables(Ctx &c, BenchMode mode, const std::vector<size_t> &sizes,
                     const RawBaseline &raw) {
  for (int nb = 0; nb <= 1; ++nb) {
    std::printf("\n== [%s] %s: %s put / get / acc(double), origin rank 0 -> target rank 1 ==\n",
                bench_shm_name(c.shm), bench_mode_name(mode),
                nb ? "non-blocking (window, then comex_wait_all)" : "blocking");
    if (nb)
      std::printf("   us = time per op amortised over the window; WIN ops go to distinct slots\n");
    std::printf("%10s %4s %10s %10s %10s %10s %10s %10s %9s\n", "size", "win", "put_us", "put_MB/s",
                "get_us", "get_MB/s", "acc_us", "acc_MB/s", nb ? "get/strm" : "get/pp");
    std::fflush(stdout);
    for (size_t s : sizes) {
      Measure m[3];
      for (int op = 0; op < 3; ++op) {
        m[op] = run_one(c, mode, (Op)op, nb != 0, s);
        results[Key(c.shm, mode, nb, op, s)] = m[op];
        bench_csv_add(op_name((Op)op, nb), bench_shm_name(c.shm), target_name(mode), s,
                      m[op].med_us, m[op].min_us);
      }
      const RawResult *r = raw.find(s);
      double ref = r ? (nb ? r->stream_mbps : r->pp_mbps) : 0;
      double gbw = bench_mbps(s, m[OP_GET].med_us);
      std::printf("%10s %4d %10.3f %10.1f %10.3f %10.1f %10.3f %10.1f %9.3f\n",
                  bench_size_str(s).c_str(), nb ? bench_window(s, c.o.window, BENCH_WINDOW_CAP) : 1,
                  m[OP_PUT].med_us, bench_mbps(s, m[OP_PUT].med_us), m[OP_GET].med_us, gbw,
                  m[OP_ACC].med_us, bench_mbps(s, m[OP_ACC].med_us), ref > 0 ? gbw / ref : 0.0);
      std::fflush(stdout);
    }
  }
}

/* Sporadic 8-byte gets: the origin sleeps `pause_us` before each get, so a
 * progress agent that backs off when idle is caught asleep (the back-to-back
 * loops above never let it).  Median and worst of `n` gets. */
struct Sporadic {
  double pause_us, med_us, max_us;
};
std::vector<Sporadic> sporadic[2][2]; /* [shm][target mode] */

void run_sporadic(Ctx &c, BenchMode mode) {
  const double pauses[] = {100, 1000, 10000};
  const int n = 10;
  std::printf(
      "\n== [%s] %s: sporadic blocking 8-byte get (origin sleeps before each get; %d gets) ==\n",
      bench_shm_name(c.shm), bench_mode_name(mode), n);
  std::printf("%10s %12s %12s\n", "pause_us", "get_us_med", "get_us_max");
  for (double p : pauses) {
    std::vector<double> v;
    for (int i = 0; i < n; ++i) {
      uint64_t w = 0;
      bench_sleep_us(p);
      double t0 = bench_now_us();
      COMEX_CHECK(comex_get(rp(c.seg_get, 0), &w, 8, 1, COMEX_GROUP_WORLD));
      v.push_back(bench_now_us() - t0);
      if (w != get_pattern(0))
        BENCH_FAIL("verify sporadic get (%s, %s): got %#llx, expected %#llx", bench_mode_name(mode),
                   bench_shm_name(c.shm), (unsigned long long)w,
                   (unsigned long long)get_pattern(0));
    }
    Sporadic sp{p, bench_median(v), *std::max_element(v.begin(), v.end())};
    sporadic[c.shm][mode].push_back(sp);
    /* op "get_after_1000us": 8-byte get after a pause of 1000 us; min_us holds the worst */
    bench_csv_add(bench_fmt("get_after_%.0fus", p), bench_shm_name(c.shm), target_name(mode), 8,
                  sp.med_us, -1, -1);
    std::printf("%10.0f %12.3f %12.3f\n", p, sp.med_us, sp.max_us);
    std::fflush(stdout);
  }
}

const Measure *find(int shm, int mode, int nb, int op, size_t s) {
  auto it = results.find(Key(shm, mode, nb, op, s));
  return it == results.end() ? nullptr : &it->second;
}

/* One comex_init .. comex_finalize with COMEX_SHM set to `shm`: both target
 * modes, every table.  Collective.  Returns rank 1's compute-mode statistics
 * (on rank 0). */
ModeStats run_comex(Ctx &c, int shm, int nproc, const std::vector<size_t> &sizes,
                    const RawBaseline &raw, const ComputeCal &cal, MPI_Comm stats_comm) {
  const int rank = c.rank;
  c.shm = shm;
  bench_comex_start(shm, rank);

  c.region = std::max(c.o.max_size, BENCH_WINDOW_CAP);
  c.seg_get = new void *[nproc];
  c.seg_put = new void *[nproc];
  c.seg_acc = new void *[nproc];
  void **seg_ctl = new void *[nproc];
  COMEX_CHECK(comex_malloc(c.seg_get, c.region, COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_malloc(c.seg_put, c.region, COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_malloc(c.seg_acc, c.region, COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_malloc(seg_ctl, 64, COMEX_GROUP_WORLD));
  {
    /* each rank initialises its own blocks */
    uint64_t *g = (uint64_t *)c.seg_get[rank];
    for (size_t k = 0; k < c.region / 8; ++k) g[k] = get_pattern(k);
    std::memset(c.seg_put[rank], 0, c.region);
    std::memset(c.seg_acc[rank], 0, c.region);
    std::memset(seg_ctl[rank], 0, 64);
  }
  if (rank == 0) {
    c.lbuf = (char *)comex_malloc_local(c.region);
    c.chk = (char *)comex_malloc_local(c.region);
    c.asrc = (double *)comex_malloc_local(c.region);
    if (!c.lbuf || !c.chk || !c.asrc) BENCH_FAIL("comex_malloc_local(%zu) returned NULL", c.region);
    std::memset(c.lbuf, 0, c.region);
    std::memset(c.chk, 0, c.region);
    for (size_t k = 0; k < c.region / 8; ++k) c.asrc[k] = acc_src(k);
  }
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));

  /* the two target modes */
  ModeStats compute_stats;
  for (int mode = 0; mode < 2; ++mode) {
    ModeStats st = bench_run_mode((BenchMode)mode, rank, seg_ctl, cal, stats_comm, [&] {
      run_mode_tables(c, (BenchMode)mode, sizes, raw);
      run_sporadic(c, (BenchMode)mode);
    });
    if (mode == MODE_COMPUTE) compute_stats = st;
    if (rank == 0 && mode == MODE_COMPUTE) {
      std::printf(
          "[%s] target rank 1 while computing: %.1f s, %ld flag checks (one per ~%.2f us "
          "chunk alone), compute rate %.1f%% of its rate without ComEx\n",
          bench_shm_name(shm), st.duration_s, st.flag_checks, cal.chunk_us,
          cal.rate > 0 ? 100.0 * st.compute_rate / cal.rate : 0.0);
      std::fflush(stdout);
    }
  }

  /* tear down */
  if (rank == 0) {
    COMEX_CHECK(comex_free_local(c.lbuf));
    COMEX_CHECK(comex_free_local(c.chk));
    COMEX_CHECK(comex_free_local(c.asrc));
    c.lbuf = c.chk = nullptr;
    c.asrc = nullptr;
  }
  COMEX_CHECK(comex_free(seg_ctl[rank], COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_free(c.seg_acc[rank], COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_free(c.seg_put[rank], COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_free(c.seg_get[rank], COMEX_GROUP_WORLD));
  delete[] seg_ctl;
  delete[] c.seg_acc;
  delete[] c.seg_put;
  delete[] c.seg_get;
  c.seg_acc = c.seg_put = c.seg_get = nullptr;
  bench_comex_stop(shm);
  return compute_stats;
}

/* "%10.3f" of a measurement's median, or "-" when it was not measured */
std::string cell(const Measure *m, int width = 10, int prec = 3) {
  if (!m) return bench_fmt("%*s", width, "-");
  return bench_fmt("%*.*f", width, prec, m->med_us);
}
std::string cell_v(bool ok, double v, const char *f, int width) {
  if (!ok) return bench_fmt("%*s", width, "-");
  return bench_fmt(f, width, v);
}

/* Blocking get, target in barrier: both settings against both baselines,
 * latency, bandwidth and the bandwidth ratios of the targets. */
void print_get_side_by_side(const std::vector<size_t> &sizes, const RawBaseline &raw,
                            const CopyBaseline &copy) {
  std::printf(
      "\n== side by side: blocking get, target in barrier (shm: COMEX_SHM=1, msg: "
      "COMEX_SHM=0; memcpy and raw MPI measured before comex_init) ==\n");
  std::printf(
      "   mpi_us = raw MPI ping-pong round trip; mpi_MB/s = size / half round trip;"
      " shm/memcpy and msg/mpi are bandwidth ratios\n");
  std::printf("%10s %11s %11s %11s %11s %12s %12s %12s %12s %10s %10s\n", "size", "memcpy_us",
              "mpi_us", "shm_us", "msg_us", "memcpy_MB/s", "mpi_MB/s", "shm_MB/s", "msg_MB/s",
              "shm/memcpy", "msg/mpi");
  for (size_t s : sizes) {
    const Measure *cp = copy.find(s);
    const RawResult *r = raw.find(s);
    const Measure *gs = find(SHM_ON, MODE_BARRIER, 0, OP_GET, s);
    const Measure *gm = find(SHM_OFF, MODE_BARRIER, 0, OP_GET, s);
    double cbw = cp ? bench_mbps(s, cp->med_us) : 0, mbw = r ? r->pp_mbps : 0;
    double sbw = gs ? bench_mbps(s, gs->med_us) : 0, gbw = gm ? bench_mbps(s, gm->med_us) : 0;
    std::printf("%10s %s %s %s %s %s %s %s %s %s %s\n", bench_size_str(s).c_str(),
                cell(cp, 11, 4).c_str(), cell_v(r, r ? r->rtt_us : 0, "%*.3f", 11).c_str(),
                cell(gs, 11).c_str(), cell(gm, 11).c_str(), cell_v(cp, cbw, "%*.1f", 12).c_str(),
                cell_v(r, mbw, "%*.1f", 12).c_str(), cell_v(gs, sbw, "%*.1f", 12).c_str(),
                cell_v(gm, gbw, "%*.1f", 12).c_str(),
                cell_v(gs && cbw > 0, cbw > 0 ? sbw / cbw : 0, "%*.3f", 10).c_str(),
                cell_v(gm && mbw > 0, mbw > 0 ? gbw / mbw : 0, "%*.3f", 10).c_str());
  }
  std::fflush(stdout);
}

/* Every op in one target mode and blocking/non-blocking: us per op, both settings. */
void print_ops_side_by_side(int mode, int nb, const std::vector<size_t> &sizes,
                            const RawBaseline &raw, const CopyBaseline &copy) {
  std::printf("\n== side by side: %s, %s (us per op%s) ==\n", nb ? "non-blocking" : "blocking",
              bench_mode_name((BenchMode)mode), nb ? ", amortised over the window" : "");
  std::printf("%10s %10s %10s | %10s %10s | %10s %10s | %10s %10s\n", "size", "memcpy_us",
              nb ? "mpi_strm" : "mpi_rtt", "put_shm", "put_msg", "get_shm", "get_msg", "acc_shm",
              "acc_msg");
  for (size_t s : sizes) {
    const RawResult *r = raw.find(s);
    double ref = r ? (nb ? (double)s / r->stream_mbps : r->rtt_us) : 0;
    std::printf("%10s %s %s | %s %s | %s %s | %s %s\n", bench_size_str(s).c_str(),
                cell(copy.find(s), 10, 4).c_str(), cell_v(r, ref, "%*.3f", 10).c_str(),
                cell(find(SHM_ON, mode, nb, OP_PUT, s)).c_str(),
                cell(find(SHM_OFF, mode, nb, OP_PUT, s)).c_str(),
                cell(find(SHM_ON, mode, nb, OP_GET, s)).c_str(),
                cell(find(SHM_OFF, mode, nb, OP_GET, s)).c_str(),
                cell(find(SHM_ON, mode, nb, OP_ACC, s)).c_str(),
                cell(find(SHM_OFF, mode, nb, OP_ACC, s)).c_str());
  }
  std::fflush(stdout);
}

void print_targets(const BenchOpts &o, const RawBaseline &raw, const CopyBaseline &copy,
                   const ComputeCal &cal, const ModeStats *cstats) {
  const size_t MiB = 1u << 20;
  const RawResult *r1 = raw.find(MiB);
  const Measure *c1 = copy.find(MiB);
  std::printf("\ntargets:\n");
  std::printf("  raw MPI: 8-byte round trip %.3f us (half %.3f us)", raw.rtt8_us, raw.rtt8_us / 2);
  if (r1)
    std::printf(", 1 MiB ping-pong %.1f MB/s, stream %.1f MB/s", r1->pp_mbps, r1->stream_mbps);
  std::printf("\n");
  if (c1)
    std::printf("  memcpy: 1 MiB %.3f us = %.1f MB/s (one thread)\n", c1->med_us,
                bench_mbps(MiB, c1->med_us));

  std::printf("  node-local (COMEX_SHM=1, target in barrier):\n");
  const char *no_shm = "[not measured: -M msg]";
  const Measure *g8 = find(SHM_ON, MODE_BARRIER, 0, OP_GET, 8);
  const Measure *p8 = find(SHM_ON, MODE_BARRIER, 0, OP_PUT, 8);
  const Measure *g1 = find(SHM_ON, MODE_BARRIER, 0, OP_GET, MiB);
  if (g8)
    bench_target_line("get 8 B blocking (shm)", g8->med_us, "us", "(target <= 0.1 us)",
                      g8->med_us <= 0.1,
                      bench_fmt("[best rep %.3f us; memcpy 8 B %.4f us]", g8->min_us,
                                copy.find(8) ? copy.find(8)->med_us : 0.0));
  else
    bench_target_skipped("get 8 B blocking (shm)", "(target <= 0.1 us)", no_shm);
  if (p8)
    bench_target_line("put 8 B blocking (shm)", p8->med_us, "us", "(target <= 0.1 us)",
                      p8->med_us <= 0.1, bench_fmt("[best rep %.3f us]", p8->min_us));
  else
    bench_target_skipped("put 8 B blocking (shm)", "(target <= 0.1 us)", no_shm);
  if (g1 && c1) {
    double bw = bench_mbps(MiB, g1->med_us), cbw = bench_mbps(MiB, c1->med_us);
    bench_target_line(
        "get 1 MiB blocking BW (shm) / memcpy BW", bw / cbw, "x", "(target >= 0.8x)",
        bw / cbw >= 0.8,
        bench_fmt("[%.0f / %.0f MB/s; best rep %.0f MB/s]", bw, cbw, bench_mbps(MiB, g1->min_us)));
  } else {
    bench_target_skipped("get 1 MiB blocking BW (shm) / memcpy BW", "(target >= 0.8x)",
                         o.shm ? "[not measured: -m below 1 MiB]" : no_shm);
  }

  std::printf("  through the engine (COMEX_SHM=0):\n");
  const char *no_msg = "[not measured: -M shm]";
  const Measure *g8b = find(SHM_OFF, MODE_BARRIER, 0, OP_GET, 8);
  const Measure *g8c = find(SHM_OFF, MODE_COMPUTE, 0, OP_GET, 8);
  const Measure *g1b = find(SHM_OFF, MODE_BARRIER, 0, OP_GET, MiB);
  if (g8b)
    bench_target_line(
        "get 8 B blocking (msg, barrier) / raw MPI round trip", g8b->med_us / raw.rtt8_us, "x",
        "(target <= 2x)", g8b->med_us / raw.rtt8_us <= 2.0,
        bench_fmt("[%.3f us / %.3f us; best rep %.3f us]", g8b->med_us, raw.rtt8_us, g8b->min_us));
  else
    bench_target_skipped("get 8 B blocking (msg, barrier) / raw MPI round trip", "(target <= 2x)",
                         no_msg);
  if (g1b && r1) {
    double bw = bench_mbps(MiB, g1b->med_us), q = bw / r1->pp_mbps;
    bench_target_line("get 1 MiB blocking BW (msg, barrier) / raw MPI ping-pong BW", q, "x",
                      "(target >= 0.9x)", q >= 0.9,
                      bench_fmt("[%.0f / %.0f MB/s; best rep %.0f MB/s]", bw, r1->pp_mbps,
                                bench_mbps(MiB, g1b->min_us)));
  } else {
    bench_target_skipped("get 1 MiB blocking BW (msg, barrier) / raw MPI ping-pong BW",
                         "(target >= 0.9x)", o.msg ? "[not measured: -m below 1 MiB]" : no_msg);
  }
  if (g8c)
    bench_target_line("get 8 B blocking latency (msg, target computing)", g8c->med_us, "us",
                      "(target <= 8 us)", g8c->med_us <= 8.0,
                      bench_fmt("[best rep %.3f us; %.1fx raw round trip]", g8c->min_us,
                                g8c->med_us / raw.rtt8_us));
  else
    bench_target_skipped("get 8 B blocking latency (msg, target computing)", "(target <= 8 us)",
                         no_msg);

  std::printf("  also:\n");
  for (int shm = 0; shm < 2; ++shm) {
    const char *sn = bench_shm_name(shm);
    const Measure *p8b = find(shm, MODE_BARRIER, 0, OP_PUT, 8);
    const Measure *a8b = find(shm, MODE_BARRIER, 0, OP_ACC, 8);
    const Measure *g8x = find(shm, MODE_COMPUTE, 0, OP_GET, 8);
    const Measure *g1c = find(shm, MODE_COMPUTE, 0, OP_GET, MiB);
    const Measure *g1nb = find(shm, MODE_BARRIER, 1, OP_GET, MiB);
    if (p8b)
      bench_info_line(bench_fmt("put 8 B blocking (%s, barrier) / raw MPI round trip", sn).c_str(),
                      p8b->med_us / raw.rtt8_us, "x", bench_fmt("[%.3f us]", p8b->med_us));
    if (a8b)
      bench_info_line(bench_fmt("acc 8 B blocking (%s, barrier) / raw MPI round trip", sn).c_str(),
                      a8b->med_us / raw.rtt8_us, "x", bench_fmt("[%.3f us]", a8b->med_us));
    if (shm == SHM_ON && g8x)
      bench_info_line("get 8 B blocking latency (shm, target computing)", g8x->med_us, "us",
                      bench_fmt("[best rep %.3f us]", g8x->min_us));
    if (g1c && r1)
      bench_info_line(
          bench_fmt("get 1 MiB blocking BW (%s, computing) / raw ping-pong BW", sn).c_str(),
          bench_mbps(MiB, g1c->med_us) / r1->pp_mbps, "x",
          bench_fmt("[%.0f MB/s]", bench_mbps(MiB, g1c->med_us)));
    if (g1nb && r1)
      bench_info_line(
          bench_fmt("get 1 MiB non-blocking BW (%s, barrier) / raw stream BW", sn).c_str(),
          bench_mbps(MiB, g1nb->med_us) / r1->stream_mbps, "x",
          bench_fmt("[%.0f / %.0f MB/s]", bench_mbps(MiB, g1nb->med_us), r1->stream_mbps));
    for (int mode = 0; mode < 2; ++mode)
      for (const Sporadic &sp : sporadic[shm][mode])
        if (sp.pause_us == 1000)
          bench_info_line(bench_fmt("get 8 B after a 1 ms pause (%s, %s)", sn,
                                    mode == MODE_BARRIER ? "barrier" : "computing")
                              .c_str(),
                          sp.med_us, "us", bench_fmt("[worst of 10: %.1f us]", sp.max_us));
    if (cal.rate > 0 && cstats[shm].duration_s > 0)
      bench_info_line(bench_fmt("target compute rate while serving / alone (%s)", sn).c_str(),
                      cstats[shm].compute_rate / cal.rate, "x", "[rank 1's loop in compute mode]");
  }
}

}  // namespace

int main(int argc, char **argv) {
  int rank, nproc;
  bench_mpi_init(&argc, &argv, &rank, &nproc);
  Ctx c;
  c.rank = rank;
  c.o = bench_parse(argc, argv, nullptr);
  bench_csv().bench = "perf_contig";

  std::vector<size_t> sizes;
  for (size_t s = 8; s <= c.o.max_size; s *= 2) sizes.push_back(s);

  if (rank == 0) bench_print_header("perf_contig", c.o, nproc);
  BenchNoise noise = bench_noise_begin();

  /* 1. baselines (raw MPI, memcpy) and compute-loop calibration, before comex_init */
  RawBaseline raw = bench_raw_baseline(c.o, rank, sizes, true);
  CopyBaseline copy = bench_memcpy_baseline(c.o, rank, sizes);
  MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  ComputeCal cal = bench_compute_calibrate(2.0);
  MPI_CHECK(MPI_Bcast(&cal.rate, 1, MPI_DOUBLE, 1, MPI_COMM_WORLD)); /* rank 1's */
  MPI_CHECK(MPI_Bcast(&cal.chunk_us, 1, MPI_DOUBLE, 1, MPI_COMM_WORLD));
  MPI_Comm stats_comm = bench_comm_dup();

  /* 2. comex, once per COMEX_SHM setting */
  ModeStats cstats[2];
  for (int shm : bench_shm_modes(c.o))
    cstats[shm] = run_comex(c, shm, nproc, sizes, raw, cal, stats_comm);

  /* 3. summary */
  std::string noise_line = bench_noise_end(noise, stats_comm, rank);
  if (rank == 0) {
    print_get_side_by_side(sizes, raw, copy);
    for (int mode = 0; mode < 2; ++mode)
      for (int nb = 0; nb <= 1; ++nb) print_ops_side_by_side(mode, nb, sizes, raw, copy);
    print_targets(c.o, raw, copy, cal, cstats);
    std::printf("  all measured data verified: yes\n");
    std::printf("  %s\n", noise_line.c_str());
    std::fflush(stdout);
    bench_csv_write(c.o, rank);
  }

  MPI_CHECK(MPI_Comm_free(&stats_comm));
  MPI_CHECK(MPI_Finalize());
  return 0;
}
