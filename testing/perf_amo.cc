/*
 * perf_amo -- latency of atomic read-modify-write (comex_rmw) in comex-mt:
 * fetch-and-add (int, long) and swap (int, long) from rank 0 to rank 1, with
 * a blocking 8-byte get, an 8-byte memcpy and the raw MPI round trip as
 * references; node-local (COMEX_SHM=1) and through the engine (COMEX_SHM=0)
 * side by side.
 *
 * Usage:   make bench            (2 ranks, through testing/run_mpi.sh)
 *          testing/run_mpi.sh 2 testing/perf_amo [options]
 * Options (see bench_util.h): -n ITER (max iterations per repetition),
 *   -r REPS (repetitions, median reported), -t MS (aimed ms per repetition),
 *   -M shm|msg|both (COMEX_SHM settings to run, default both), -c FILE (CSV).
 *
 * What it does:
 *   1. MPI_Init_thread(MPI_THREAD_MULTIPLE); raw MPI 8-byte ping-pong between
 *      ranks 0 and 1 and a 4/8-byte memcpy on rank 0, BEFORE comex_init;
 *      compute-loop calibration.
 *   2. For each COMEX_SHM setting chosen with -M: setenv("COMEX_SHM"),
 *      comex_init() (MPI already initialised), comex_malloc of the counters,
 *      comex_create_mutexes; in both target modes ("target in barrier",
 *      "target computing"; see bench_util.h) rank 0 measures every rmw and an
 *      uncontended comex_lock + comex_unlock of a mutex owned by rank 1;
 *      every returned old value is checked against the expected sequence,
 *      after each mode the counters are read back with comex_get, and at the
 *      end rank 1 checks the final counter values in its own memory; then
 *      comex_destroy_mutexes, comex_free, comex_finalize() (MPI stays up).
 *   3. A side-by-side table and the "targets:" summary (node-local
 *      fetch-and-add from the shm run; lock + unlock from the msg run).
 *   4. MPI_Finalize().
 */
#include "bench_util.h"

namespace {

/* layout of the counter block on every rank */
struct Counters {
  int fadd_i;  /* COMEX_FETCH_AND_ADD */
  int swap_i;  /* COMEX_SWAP */
  long fadd_l; /* COMEX_FETCH_AND_ADD_LONG */
  long swap_l; /* COMEX_SWAP_LONG */
  long pad[4];
};

const long FADD_L_START = 1L << 33; /* exceeds an int, so truncation shows */
const int FADD_L_INC = 3;
const long SWAP_L_BASE = 1L << 35;

/* values rank 0 expects in rank 1's counters */
struct Expect {
  int fadd_i = 0;
  int swap_i = 0;
  long fadd_l = FADD_L_START;
  long swap_l = 0;
  int next_swap_i = 1;
  long next_swap_l = SWAP_L_BASE + 1;
};

struct Row {
  const char *name; /* as printed */
  const char *op;   /* CSV op */
  size_t bytes;     /* operand size (0: lock + unlock) */
  Measure m;
};

const char *kNames[] = {"get 8 B (reference)", "fetch-and-add int",
                        "fetch-and-add long",  "swap int",
                        "swap long",           "lock+unlock (mutex on 1)"};
const int kRows = 6;

std::vector<Row> rows[2][2]; /* [shm][target mode] */

/* One comex_init .. comex_finalize with COMEX_SHM set to `shm`. */
void run_comex(const BenchOpts &o, int shm, int rank, int nproc, const RawBaseline &raw,
               const ComputeCal &cal, MPI_Comm stats_comm) {
  bench_comex_start(shm, rank);
  const char *sn = bench_shm_name(shm);

  std::vector<void *> seg_ctr(nproc), seg_ctl(nproc), seg_get(nproc);
  COMEX_CHECK(comex_malloc(seg_ctr.data(), sizeof(Counters), COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_malloc(seg_ctl.data(), 64, COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_malloc(seg_get.data(), 64, COMEX_GROUP_WORLD));
  {
    Counters *my = (Counters *)seg_ctr[rank];
    std::memset(my, 0, sizeof *my);
    my->fadd_l = FADD_L_START;
    std::memset(seg_ctl[rank], 0, 64);
    for (int k = 0; k < 8; ++k) ((long *)seg_get[rank])[k] = 1000 + k;
  }
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));

  /* lock/unlock latency: every rank creates one mutex */
  COMEX_CHECK(comex_create_mutexes(1));

  const int P = 1;
  const comex_group_t W = COMEX_GROUP_WORLD;
  char *rem = (char *)seg_ctr[1];
  Counters *rc = (Counters *)rem; /* rank 1's block, as an address on rank 1 */
  Expect ex;

  for (int mode = 0; mode < 2; ++mode) {
    auto work = [&] {
      std::vector<Row> &R = rows[shm][mode];
      std::printf("\n== [%s] %s: comex_rmw latency, origin rank 0 -> target rank 1 ==\n", sn,
                  bench_mode_name((BenchMode)mode));
      std::printf("%-28s %10s %10s %8s %10s\n", "operation", "lat_us", "min_us", "iters",
                  "/raw_rtt");
      std::fflush(stdout);
      auto print = [&](const Row &r) {
        std::printf("%-28s %10.3f %10.3f %8ld %10.3f\n", r.name, r.m.med_us, r.m.min_us, r.m.iters,
                    r.m.med_us / raw.rtt8_us);
        bench_csv_add(r.op, sn, mode == MODE_BARRIER ? "barrier" : "compute", r.bytes, r.m.med_us,
                      r.m.min_us);
        std::fflush(stdout);
      };

      /* reference: blocking 8-byte get */
      R.push_back({kNames[0], "get", 8, bench_measure(o, 1, [&](long n) {
                     long v = 0;
                     for (long i = 0; i < n; ++i) {
                       v = 0;
                       COMEX_CHECK(comex_get(seg_get[1], &v, 8, P, W));
                     }
                     if (v != 1000) BENCH_FAIL("[%s] get 8 B returned %ld, expected 1000", sn, v);
                   })});
      print(R.back());

      R.push_back({kNames[1], "fadd_int", 4, bench_measure(o, 1, [&](long n) {
                     for (long i = 0; i < n; ++i) {
                       int old = -1;
                       COMEX_CHECK(comex_rmw(COMEX_FETCH_AND_ADD, &old, &rc->fadd_i, 1, P, W));
                       if (old != ex.fadd_i)
                         BENCH_FAIL("[%s] fetch-and-add int returned %d, expected %d", sn, old,
                                    ex.fadd_i);
                       ex.fadd_i += 1;
                     }
                   })});
      print(R.back());

      R.push_back({kNames[2], "fadd_long", 8, bench_measure(o, 1, [&](long n) {
                     for (long i = 0; i < n; ++i) {
                       long old = -1;
                       COMEX_CHECK(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &old, &rc->fadd_l,
                                             FADD_L_INC, P, W));
                       if (old != ex.fadd_l)
                         BENCH_FAIL("[%s] fetch-and-add long returned %ld, expected %ld", sn, old,
                                    ex.fadd_l);
                       ex.fadd_l += FADD_L_INC;
                     }
                   })});
      print(R.back());

      R.push_back({kNames[3], "swap_int", 4, bench_measure(o, 1, [&](long n) {
                     for (long i = 0; i < n; ++i) {
                       int v = ex.next_swap_i;
                       COMEX_CHECK(comex_rmw(COMEX_SWAP, &v, &rc->swap_i, 0, P, W));
                       if (v != ex.swap_i)
                         BENCH_FAIL("[%s] swap int returned %d, expected %d", sn, v, ex.swap_i);
                       ex.swap_i = ex.next_swap_i++;
                     }
                   })});
      print(R.back());

      R.push_back({kNames[4], "swap_long", 8, bench_measure(o, 1, [&](long n) {
                     for (long i = 0; i < n; ++i) {
                       long v = ex.next_swap_l;
                       COMEX_CHECK(comex_rmw(COMEX_SWAP_LONG, &v, &rc->swap_l, 0, P, W));
                       if (v != ex.swap_l)
                         BENCH_FAIL("[%s] swap long returned %ld, expected %ld", sn, v, ex.swap_l);
                       ex.swap_l = ex.next_swap_l++;
                     }
                   })});
      print(R.back());

      /* one uncontended comex_lock(0, 1) + comex_unlock(0, 1) pair */
      R.push_back({kNames[5], "lock_unlock", 0, bench_measure(o, 1, [&](long n) {
                     for (long i = 0; i < n; ++i) {
                       COMEX_CHECK(comex_lock(0, 1));
                       COMEX_CHECK(comex_unlock(0, 1));
                     }
                   })});
      print(R.back());
      /* read the counters back (a get: also ordered after the last unlock) */
      Counters now;
      std::memset(&now, 0xEE, sizeof now);
      COMEX_CHECK(comex_get(rem, &now, (int)sizeof now, P, W));
      if (now.fadd_i != ex.fadd_i || now.fadd_l != ex.fadd_l || now.swap_i != ex.swap_i ||
          now.swap_l != ex.swap_l)
        BENCH_FAIL(
            "[%s] counters on rank 1 read back as fadd_i=%d fadd_l=%ld swap_i=%d "
            "swap_l=%ld, expected %d %ld %d %ld",
            sn, now.fadd_i, now.fadd_l, now.swap_i, now.swap_l, ex.fadd_i, ex.fadd_l, ex.swap_i,
            ex.swap_l);
    };
    ModeStats st = bench_run_mode((BenchMode)mode, rank, seg_ctl.data(), cal, stats_comm, work);
    if (rank == 0 && mode == MODE_COMPUTE) {
      std::printf(
          "[%s] target rank 1 while computing: %.1f s, compute rate %.1f%% of its "
          "rate without ComEx\n",
          sn, st.duration_s, cal.rate > 0 ? 100.0 * st.compute_rate / cal.rate : 0.0);
      std::fflush(stdout);
    }
  }

  COMEX_CHECK(comex_destroy_mutexes());

  /* final check on the target side: rank 0 tells rank 1 what to expect */
  long e[4] = {ex.fadd_i, ex.fadd_l, ex.swap_i, ex.swap_l};
  MPI_CHECK(MPI_Bcast(e, 4, MPI_LONG, 0, stats_comm));
  if (rank == 1) {
    const Counters *my = (const Counters *)seg_ctr[1];
    if (my->fadd_i != e[0] || my->fadd_l != e[1] || my->swap_i != e[2] || my->swap_l != e[3])
      BENCH_FAIL(
          "[%s] rank 1: final counters fadd_i=%d fadd_l=%ld swap_i=%d swap_l=%ld, "
          "expected %ld %ld %ld %ld",
          sn, my->fadd_i, my->fadd_l, my->swap_i, my->swap_l, e[0], e[1], e[2], e[3]);
  }
  int ok = 1;
  MPI_CHECK(MPI_Bcast(&ok, 1, MPI_INT, 1, stats_comm)); /* reached only if rank 1 passed */
  if (rank == 0) {
    std::printf(
        "[%s] final counters verified on both sides: fetch-and-add int %ld, long %ld, "
        "swap int %ld, long %ld\n",
        sn, e[0], e[1], e[2], e[3]);
    std::fflush(stdout);
  }

  COMEX_CHECK(comex_free(seg_get[rank], COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_free(seg_ctl[rank], COMEX_GROUP_WORLD));
  COMEX_CHECK(comex_free(seg_ctr[rank], COMEX_GROUP_WORLD));
  bench_comex_stop(shm);
}

const Measure *find(int shm, int mode, int row) {
  const std::vector<Row> &R = rows[shm][mode];
  return row < (int)R.size() ? &R[row].m : nullptr;
}

std::string cell(const Measure *m) {
  return m ? bench_fmt("%10.3f", m->med_us) : bench_fmt("%10s", "-");
}

}  // namespace

int main(int argc, char **argv) {
  int rank, nproc;
  bench_mpi_init(&argc, &argv, &rank, &nproc);
  BenchOpts o = bench_parse(argc, argv, nullptr);
  bench_csv().bench = "perf_amo";
  if (rank == 0) bench_print_header("perf_amo", o, nproc);
  BenchNoise noise = bench_noise_begin();

  /* 1. baselines (raw MPI 8-byte round trip, memcpy of 4 and 8 bytes) and
   * compute calibration, before comex_init */
  RawBaseline raw = bench_raw_baseline(o, rank, std::vector<size_t>{8}, false);
  CopyBaseline copy = bench_memcpy_baseline(o, rank, std::vector<size_t>{4, 8});
  MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  ComputeCal cal = bench_compute_calibrate(2.0);
  MPI_CHECK(MPI_Bcast(&cal.rate, 1, MPI_DOUBLE, 1, MPI_COMM_WORLD));
  MPI_CHECK(MPI_Bcast(&cal.chunk_us, 1, MPI_DOUBLE, 1, MPI_COMM_WORLD));
  MPI_Comm stats_comm = bench_comm_dup();

  /* 2. comex, once per COMEX_SHM setting */
  for (int shm : bench_shm_modes(o)) run_comex(o, shm, rank, nproc, raw, cal, stats_comm);

  /* 3. summary */
  std::string noise_line = bench_noise_end(noise, stats_comm, rank);
  if (rank == 0) {
    std::printf(
        "\n== side by side: us per operation (shm: COMEX_SHM=1, msg: COMEX_SHM=0); "
        "raw MPI 8-byte round trip %.3f us, memcpy 8 B %.4f us ==\n",
        raw.rtt8_us, copy.find(8) ? copy.find(8)->med_us : 0.0);
    std::printf("%-26s | %10s %10s %10s | %10s %10s\n", "operation", "shm_barr", "msg_barr",
                "msg/rtt", "shm_comp", "msg_comp");
    std::printf("%-26s | %10s %10s %10s | %10s %10s\n", "(target in ...)", "barrier", "barrier",
                "barrier", "computing", "computing");
    for (int k = 0; k < kRows; ++k) {
      const Measure *mb = find(SHM_OFF, MODE_BARRIER, k);
      std::printf("%-26s | %s %s %s | %s %s\n", kNames[k],
                  cell(find(SHM_ON, MODE_BARRIER, k)).c_str(), cell(mb).c_str(),
                  mb ? bench_fmt("%10.3f", mb->med_us / raw.rtt8_us).c_str()
                     : bench_fmt("%10s", "-").c_str(),
                  cell(find(SHM_ON, MODE_COMPUTE, k)).c_str(),
                  cell(find(SHM_OFF, MODE_COMPUTE, k)).c_str());
    }

    std::printf("\ntargets:\n");
    std::printf("  raw MPI: 8-byte round trip %.3f us (half %.3f us)\n", raw.rtt8_us,
                raw.rtt8_us / 2);
    std::printf("  node-local (COMEX_SHM=1, target in barrier):\n");
    for (int k = 1; k <= 2; ++k) {
      std::string label = bench_fmt("%s (shm)", kNames[k]);
      const Measure *m = find(SHM_ON, MODE_BARRIER, k);
      if (m)
        bench_target_line(label.c_str(), m->med_us, "us", "(target <= 0.2 us)", m->med_us <= 0.2,
                          bench_fmt("[best rep %.3f us]", m->min_us));
      else
        bench_target_skipped(label.c_str(), "(target <= 0.2 us)", "[not measured: -M msg]");
    }
    std::printf("  through the engine (COMEX_SHM=0):\n");
    const Measure *lk = find(SHM_OFF, MODE_BARRIER, 5);
    if (lk)
      bench_target_line("lock+unlock (msg, barrier) / raw MPI round trip", lk->med_us / raw.rtt8_us,
                        "x", "(target <= 2x)", lk->med_us / raw.rtt8_us <= 2.0,
                        bench_fmt("[%.3f us; best rep %.3f us]", lk->med_us, lk->min_us));
    else
      bench_target_skipped("lock+unlock (msg, barrier) / raw MPI round trip", "(target <= 2x)",
                           "[not measured: -M shm]");
    std::printf(
        "  (every operation in both settings and target modes: the side-by-side table above)\n");
    std::printf("  all returned values and final counters verified: yes\n");
    std::printf("  %s\n", noise_line.c_str());
    std::fflush(stdout);
    bench_csv_write(o, rank);
  }

  MPI_CHECK(MPI_Comm_free(&stats_comm));
  MPI_CHECK(MPI_Finalize());
  return 0;
}
