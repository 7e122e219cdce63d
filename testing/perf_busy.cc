/*
 * perf_busy -- what remote operations cost a node where every rank computes,
 * as in GA and NWChem jobs (one rank per core, all of them busy).
 *
 * Every rank runs S slices of computation (a fixed amount of floating-point
 * work, about -u microseconds alone); after each slice it does a
 * fetch-and-add on a counter of rank 0 and an 8-byte get from its right
 * neighbour; every -b slices all ranks meet in comex_barrier.  The
 * reference is the same slices and barriers without ComEx (MPI_Ibarrier,
 * yielding while it waits), run before comex_init.  Printed: the slowdown
 * (time with operations / reference, the slowest rank counting), median of
 * -r runs, for COMEX_SHM=1 ("shm": node-local operations through shared
 * memory) and COMEX_SHM=0 ("msg": through the target's progress thread, as
 * between nodes); also ComEx up with barriers only (its idle cost), the CPU
 * time each rank's progress thread used, and a targets block.
 *
 * Usage:   make bench   (runs it at 2 and 4 ranks)
 *          testing/run_mpi.sh 2 testing/perf_busy [options]
 * Options: -u US   slice length (default 100), -S N slices per run (default
 *          2000), -b N slices between barriers (default 20), -r REPS
 *          alternated pairs (default 5), -M shm|msg|both, -c FILE (CSV).
 * Checked: every fetch-and-add returns a distinct value and the counter ends
 * at the number of operations; every get returns what its target wrote.
 */
#include <sched.h>

#include "bench_util.h"

namespace {

struct BusyOpts {
  double slice_us = 100;
  long slices = 2000;
  int barrier_every = 20;
};

/* Fixed work of about `slice_us` alone (calibrated before comex_init). */
struct Work {
  long reps = 1;
  double a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  void slice() { bench_compute_kernel(a, reps); }
};

Work calibrate(double slice_us) {
  Work w;
  long reps = 1 << 12;
  double el = 0;
  for (;;) {
    double t0 = bench_now_us();
    bench_compute_kernel(w.a, reps);
    el = bench_now_us() - t0;
    if (el > 20000 || reps > (1L << 30)) break;
    reps *= 2;
  }
  w.reps = std::max(1L, (long)(reps * slice_us / el));
  return w;
}

struct Run {
  double seconds = 0;
  double progress_cpu_s = 0; /* this rank's progress thread during the run */
};

double progress_cpu() {
  double s = 0;
  for (const ThreadCpu &t : bench_thread_cpu())
    if (t.name == "comex-progress") s += t.cpu_s;
  return s;
}

/* One run: S slices, with or without the remote operations.  `seg` is the
 * comex_malloc'ed block: word 0 of rank 0 is the counter, word 1 of every
 * rank the value its neighbours get. */
/* `seg` == nullptr: the reference, before comex_init: the same slices with
 * a barrier on `comm` (MPI_Ibarrier, yielding while it waits) and no ComEx. */
Run run(const BusyOpts &b, Work &w, void **seg, int rank, int nproc, bool ops, long *fadds,
        std::vector<int> *seen, MPI_Comm comm = MPI_COMM_NULL) {
  const int right = (rank + 1) % nproc;
  const long expect = 1000L * right + 7;
  auto barrier = [&] {
    if (seg)
      COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
    else { /* MPI_Barrier spins, which an oversubscribed node punishes */
      MPI_Request req;
      int done = 0;
      MPI_CHECK(MPI_Ibarrier(comm, &req));
      for (;;) {
        MPI_CHECK(MPI_Test(&req, &done, MPI_STATUS_IGNORE));
        if (done) break;
        sched_yield();
      }
    }
  };
  barrier();
  const double cpu0 = progress_cpu();
  const double t0 = bench_now_us();
  for (long s = 1; s <= b.slices; ++s) {
    w.slice();
    if (ops) {
      int old = -1;
      COMEX_CHECK(comex_rmw(COMEX_FETCH_AND_ADD, &old, seg[0], 1, 0, COMEX_GROUP_WORLD));
      seen->push_back(old);
      ++*fadds;
      long got = 0;
      COMEX_CHECK(comex_get((long *)seg[right] + 1, &got, sizeof got, right, COMEX_GROUP_WORLD));
      if (got != expect)
        BENCH_FAIL("get from rank %d returned %ld, expected %ld", right, got, expect);
    }
    if (s % b.barrier_every == 0) barrier();
  }
  Run r;
  r.seconds = (bench_now_us() - t0) * 1e-6;
  r.progress_cpu_s = progress_cpu() - cpu0;
  return r;
}

struct Result {
  double slowdown = 0, slowdown_min = 0; /* with operations / reference */
  double idle_slowdown = 0;              /* ComEx up, barriers only / reference */
  double alone_s = 0, with_s = 0, idle_s = 0;
  double progress_pct = 0; /* progress thread CPU, % of the with-ops time (max over ranks) */
  double progress_alone_pct = 0;
};

Result run_mode(const BusyOpts &b, const BenchOpts &o, int shm, Work &w, int rank, int nproc,
                MPI_Comm stats, double ref_s) {
  bench_comex_start(shm, rank);
  std::vector<void *> seg(nproc);
  COMEX_CHECK(comex_malloc(seg.data(), 64, COMEX_GROUP_WORLD));
  long *mine = (long *)seg[rank];
  mine[0] = 0;
  mine[1] = 1000L * rank + 7;
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
  long fadds = 0;
  std::vector<int> seen;
  seen.reserve(size_t(b.slices) * size_t(o.reps + 1));
  BusyOpts warm = b;
  warm.slices = std::max(1L, b.slices / 10);
  run(warm, w, seg.data(), rank, nproc, true, &fadds, &seen);
  run(warm, w, seg.data(), rank, nproc, false, &fadds, &seen);
  std::vector<double> ratio, alone, with, pct, pct_alone;
  for (int r = 0; r < o.reps; ++r) {
    /* alternate which comes first, so a drift of the machine hits both;
     * "alone" here is ComEx up and idle (barriers only) */
    Run a, x;
    if (r % 2 == 0) {
      a = run(b, w, seg.data(), rank, nproc, false, &fadds, &seen);
      x = run(b, w, seg.data(), rank, nproc, true, &fadds, &seen);
    } else {
      x = run(b, w, seg.data(), rank, nproc, true, &fadds, &seen);
      a = run(b, w, seg.data(), rank, nproc, false, &fadds, &seen);
    }
    /* the job is as slow as its slowest rank */
    double times[4] = {a.seconds, x.seconds, 100.0 * x.progress_cpu_s / x.seconds,
                       100.0 * a.progress_cpu_s / a.seconds};
    double worst[4];
    MPI_CHECK(MPI_Allreduce(times, worst, 4, MPI_DOUBLE, MPI_MAX, stats));
    alone.push_back(worst[0]);
    with.push_back(worst[1]);
    ratio.push_back(worst[1] / ref_s);
    pct.push_back(worst[2]);
    pct_alone.push_back(worst[3]);
  }
  /* verify the fetch-and-adds: distinct values 0 .. total-1, final counter = total */
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
  long total = 0;
  MPI_CHECK(MPI_Allreduce(&fadds, &total, 1, MPI_LONG, MPI_SUM, stats));
  int nseen = (int)seen.size();
  std::vector<int> counts(nproc), displs(nproc);
  MPI_CHECK(MPI_Gather(&nseen, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, stats));
  std::vector<int> all;
  if (rank == 0) {
    int sum = 0;
    for (int i = 0; i < nproc; ++i) displs[i] = sum, sum += counts[i];
    all.resize(size_t(sum));
  }
  MPI_CHECK(MPI_Gatherv(seen.data(), nseen, MPI_INT, all.data(), counts.data(), displs.data(),
                        MPI_INT, 0, stats));
  if (rank == 0) {
    if (mine[0] != total) BENCH_FAIL("counter is %ld after %ld fetch-and-adds", mine[0], total);
    std::sort(all.begin(), all.end());
    for (long i = 0; i < (long)all.size(); ++i)
      if (all[size_t(i)] != i) BENCH_FAIL("fetch-and-add values are not 0..%ld", total - 1);
  }
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_free(seg[rank], COMEX_GROUP_WORLD));
  bench_comex_stop(shm);
  Result res;
  res.slowdown = bench_median(ratio);
  res.slowdown_min = bench_min(ratio);
  res.idle_s = bench_median(alone);
  res.idle_slowdown = res.idle_s / ref_s;
  res.alone_s = ref_s;
  res.with_s = bench_median(with);
  res.progress_pct = bench_median(pct);
  res.progress_alone_pct = bench_median(pct_alone);
  if (rank == 0) {
    std::printf("slowdown %.3fx (median of %d; runs:", res.slowdown, o.reps);
    for (double v : ratio) std::printf(" %.3f", v);
    std::printf(
        ")\n  %ld slices of %.0f us: without ComEx %.3f s; ComEx up, barriers only "
        "%.3f s (%.3fx); with operations %.3f s; progress thread CPU %.1f%% of a core "
        "(%.1f%% with barriers only)\n",
        b.slices, b.slice_us, res.alone_s, res.idle_s, res.idle_slowdown, res.with_s,
        res.progress_pct, res.progress_alone_pct);
    const char *m = bench_shm_name(shm);
    char op[64];
    std::snprintf(op, sizeof op, "busy_%dranks", nproc);
    bench_csv_add(std::string(op) + "_slowdown", m, "compute", 0, res.slowdown, res.slowdown_min,
                  -1);
    bench_csv_add(std::string(op) + "_idle_slowdown", m, "compute", 0, res.idle_slowdown);
    bench_csv_add(std::string(op) + "_reference_s", m, "compute", 0, res.alone_s);
    bench_csv_add(std::string(op) + "_with_ops_s", m, "compute", 0, res.with_s);
    bench_csv_add(std::string(op) + "_progress_cpu_pct", m, "compute", 0, res.progress_pct);
    std::fflush(stdout);
  }
  return res;
}

}  // namespace

int main(int argc, char **argv) {
  int rank, nproc;
  bench_mpi_init(&argc, &argv, &rank, &nproc);
  /* own options first (-u -S -b), the rest to bench_parse */
  BusyOpts b;
  std::vector<char *> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-u" || a == "-S" || a == "-b") && i + 1 < argc) {
      const char *v = argv[++i];
      if (a == "-u") b.slice_us = std::atof(v);
      if (a == "-S") b.slices = std::atol(v);
      if (a == "-b") b.barrier_every = std::atoi(v);
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (b.slice_us <= 0) b.slice_us = 100;
  if (b.slices < 1) b.slices = 1;
  if (b.barrier_every < 1) b.barrier_every = 1;
  BenchOpts o = bench_parse(int(rest.size()), rest.data(),
                            "  -u US    slice length in microseconds (default 100)\n"
                            "  -S N     slices per run (default 2000)\n"
                            "  -b N     slices between barriers (default 20)\n");
  bench_csv().bench = "perf_busy";
  if (rank == 0) {
    bench_print_header("perf_busy", o, nproc);
    std::printf(
        "# every rank: %ld slices of ~%.0f us compute, after each a fetch-and-add on "
        "rank 0 and an 8-byte get from the right neighbour, comex_barrier every %d; "
        "reference: the same without the operations\n",
        b.slices, b.slice_us, b.barrier_every);
  }
  BenchNoise noise = bench_noise_begin();
  MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  Work w = calibrate(b.slice_us);
  MPI_Comm stats = bench_comm_dup();
  /* The reference: the same slices and barriers (MPI_Ibarrier) without
   * ComEx, before comex_init; the slowest rank counts. */
  std::vector<double> refs;
  run(b, w, nullptr, rank, nproc, false, nullptr, nullptr, stats);  // warm-up
  for (int r = 0; r < o.reps; ++r) {
    double t = run(b, w, nullptr, rank, nproc, false, nullptr, nullptr, stats).seconds, worst = 0;
    MPI_CHECK(MPI_Allreduce(&t, &worst, 1, MPI_DOUBLE, MPI_MAX, stats));
    refs.push_back(worst);
  }
  const double ref_s = bench_median(refs);
  if (rank == 0)
    std::printf("reference (no ComEx, MPI_Ibarrier + yield): %.3f s (median of %d)\n", ref_s,
                o.reps);
  Result res[2];
  bool have[2] = {false, false};
  for (int shm : bench_shm_modes(o)) {
    res[shm] = run_mode(b, o, shm, w, rank, nproc, stats, ref_s);
    have[shm] = true;
  }
  std::string noise_line = bench_noise_end(noise, stats, rank);
  if (rank == 0) {
    std::printf("\ntargets (%d ranks, %.0f us slices):\n", nproc, b.slice_us);
    const bool two = nproc == 2;
    struct T {
      int shm;
      double limit;
      const char *label, *target;
    } ts[] = {
        {SHM_ON, 1.05, "slowdown with node-local operations (shm)", "(target <= 1.05x)"},
        {SHM_OFF, 1.5, "slowdown with operations through the engine (msg)", "(target <= 1.5x)"}};
    for (const T &t : ts) {
      if (!have[t.shm]) {
        bench_target_skipped(t.label, t.target, "[not measured: -M]");
        continue;
      }
      const Result &r = res[t.shm];
      std::string detail =
          bench_fmt("[best %.3fx; ComEx idle %.3fx; progress thread %.1f%% of a core]",
                    r.slowdown_min, r.idle_slowdown, r.progress_pct);
      if (two)
        bench_target_line(t.label, r.slowdown, "x", t.target, r.slowdown <= t.limit, detail);
      else
        bench_info_line(t.label, r.slowdown, "x", detail + " (targets are for 2 ranks)");
    }
    std::printf("  all fetch-and-add values and gets verified: yes\n");
    std::printf("  %s\n", noise_line.c_str());
    std::fflush(stdout);
    bench_csv_write(o, rank);
  }
  MPI_CHECK(MPI_Comm_free(&stats));
  MPI_CHECK(MPI_Finalize());
  return 0;
}
