/*
 * perf_strided -- strided and vector transfers against a contiguous transfer
 * of the same size, measured in the same run (target waiting in
 * comex_barrier), node-local (COMEX_SHM=1) and through the progress engine
 * (COMEX_SHM=0) side by side, with memcpy and raw MPI baselines.
 *
 * Usage:   make bench   or   testing/run_mpi.sh 2 testing/perf_strided [options]
 * Options (see bench_util.h): -r REPS, -t MS, -n ITER,
 *   -M shm|msg|both (COMEX_SHM settings to run, default both), -c FILE (CSV).
 *
 * Patches (2-D, rows of the given length, target row pitch twice the row,
 * origin row pitch 1.5x the row, so both sides are strided):
 *   64 KiB in 1 KiB rows, 64 KiB in 64 B rows, 1 MiB in 1 KiB rows,
 *   each as comex_gets / comex_puts / comex_accs (double); and the vector
 *   forms comex_getv / putv / accv with one descriptor per row.
 * Reference: contiguous comex_get / comex_put of the same number of bytes.
 * Baselines before comex_init: raw MPI ping-pong of 64 KiB and 1 MiB,
 * memcpy of 64 KiB and 1 MiB (one thread), and a row-by-row memcpy of every
 * patch between buffers with the same pitches ("memcpy 2-D").
 * For each COMEX_SHM setting: setenv, comex_init, measure, comex_finalize
 * (MPI stays up).  Every measurement's data is verified once afterwards.
 */
#include "bench_util.h"

namespace {

struct Shape {
  const char *name;
  const char *tag; /* CSV op suffix */
  int row;         /* bytes per row */
  int rows;        /* number of rows */
};

const Shape kShapes[] = {
    {"64 KiB in 1 KiB rows", "rows1024", 1024, 64},
    {"64 KiB in 64 B rows", "rows64", 64, 1024},
    {"1 MiB in 1 KiB rows", "rows1024", 1024, 1024},
};
const int kNumShapes = 3;

/* operations in the order measured and printed */
const char *kOps[] = {"get contig", "gets", "getv", "put contig", "puts", "putv", "accs", "accv"};
const int kNumOps = 8;
const char *kCsvOps[] = {"get_contig", "gets", "getv", "put_contig",
                         "puts",       "putv", "accs", "accv"};

inline double pattern(int shape, size_t k) { return (double)(shape * 1000003 + (long)k % 4099); }

/* results[shm][shape][op]; med_us == 0: not measured */
Measure results[2][kNumShapes][kNumOps];

/* One comex_init .. comex_finalize with COMEX_SHM set to `shm`. */
void run_comex(const BenchOpts &o, int shm, int rank, int nproc) {
  bench_comex_start(shm, rank);
  const char *sn = bench_shm_name(shm);
  const comex_group_t W = COMEX_GROUP_WORLD;

  /* target region: 2x the largest patch (row pitch 2x row); origin buffer 1.5x */
  const size_t region = 2u << 20, local_bytes = 3u << 19;
  std::vector<void *> seg(nproc);
  COMEX_CHECK(comex_malloc(seg.data(), region, W));
  char *local = (char *)comex_malloc_local(local_bytes);
  char *contig = (char *)comex_malloc_local(1u << 20);
  if (!local || !contig) BENCH_FAIL("comex_malloc_local failed");

  if (rank == 0) {
    std::printf(
        "\n== [%s] strided and vector transfers, origin rank 0 -> target rank 1 "
        "(target in comex_barrier) ==\n",
        sn);
    std::printf("%-24s %-12s %10s %10s %10s %12s\n", "patch", "operation", "us", "min_us", "MB/s",
                "/contiguous");
  }
  COMEX_CHECK(comex_barrier(W));
  if (rank == 0) {
    char *rem = (char *)seg[1];
    for (int si = 0; si < kNumShapes; ++si) {
      const Shape &sh = kShapes[si];
      const size_t bytes = (size_t)sh.row * sh.rows;
      int count[2] = {sh.row, sh.rows};
      int rstride[1] = {2 * sh.row}, lstride[1] = {sh.row + sh.row / 2};
      const double scale = 1.0;
      /* descriptors for the vector forms (one per row) */
      std::vector<void *> lp(sh.rows), rp(sh.rows);
      for (int r = 0; r < sh.rows; ++r) {
        lp[r] = local + (size_t)r * lstride[0];
        rp[r] = rem + (size_t)r * rstride[0];
      }
      comex_giov_t put_iov = {lp.data(), rp.data(), sh.rows, sh.row};
      comex_giov_t get_iov = {rp.data(), lp.data(), sh.rows, sh.row};
      auto fence = [&] { COMEX_CHECK(comex_fence_proc(1, W)); };
      int opi = 0;
      auto run = [&](const std::function<void()> &one, bool is_put, double ref) {
        const char *op = kOps[opi];
        Measure m = bench_measure(
            o, 1,
            [&](long n) {
              for (long i = 0; i < n; ++i) one();
            },
            is_put ? std::function<void()>(fence) : nullptr);
        std::printf("%-24s %-12s %10.2f %10.2f %10.1f %12.2f\n", sh.name, op, m.med_us, m.min_us,
                    bench_mbps(bytes, m.med_us), ref > 0 ? m.med_us / ref : 1.0);
        std::fflush(stdout);
        results[shm][si][opi] = m;
        bench_csv_add(bench_fmt("%s_%s", kCsvOps[opi], sh.tag), sn, "barrier", bytes, m.med_us,
                      m.min_us);
        ++opi;
        return m.med_us;
      };
      /* fill the target patch (through a contiguous put of the pattern) */
      for (size_t k = 0; k < region / 8; ++k) ((double *)contig)[k % (1u << 17)] = 0;
      std::vector<double> pat(bytes / 8);
      for (size_t k = 0; k < pat.size(); ++k) pat[k] = pattern(si, k);
      std::memcpy(local, pat.data(), bytes); /* staged, then scattered by a strided put */
      int cstride[1] = {sh.row};
      COMEX_CHECK(comex_puts(local, cstride, rem, rstride, count, 1, 1, W));
      COMEX_CHECK(comex_fence_proc(1, W));

      /* warm-up: the first transfers of a run pay for connection setup */
      for (int w = 0; w < 200; ++w) COMEX_CHECK(comex_get(rem, contig, (int)bytes, 1, W));
      double get_ref =
          run([&] { COMEX_CHECK(comex_get(rem, contig, (int)bytes, 1, W)); }, false, 0);
      run([&] { COMEX_CHECK(comex_gets(rem, rstride, local, lstride, count, 1, 1, W)); }, false,
          get_ref);
      /* verify the strided get: row r of the pattern at local + r * lstride */
      for (int r = 0; r < sh.rows; ++r)
        if (std::memcmp(local + (size_t)r * lstride[0], (char *)pat.data() + (size_t)r * sh.row,
                        sh.row) != 0)
          BENCH_FAIL("[%s] %s: strided get row %d does not match", sn, sh.name, r);
      std::memset(local, 0, local_bytes);
      run([&] { COMEX_CHECK(comex_getv(&get_iov, 1, 1, W)); }, false, get_ref);
      for (int r = 0; r < sh.rows; ++r)
        if (std::memcmp(local + (size_t)r * lstride[0], (char *)pat.data() + (size_t)r * sh.row,
                        sh.row) != 0)
          BENCH_FAIL("[%s] %s: vector get row %d does not match", sn, sh.name, r);

      double put_ref = run([&] { COMEX_CHECK(comex_put(contig, rem, (int)bytes, 1, W)); }, true, 0);
      run([&] { COMEX_CHECK(comex_puts(local, lstride, rem, rstride, count, 1, 1, W)); }, true,
          put_ref);
      run([&] { COMEX_CHECK(comex_putv(&put_iov, 1, 1, W)); }, true, put_ref);
      /* the last put wrote the pattern rows back: read and check */
      std::vector<char> back(bytes);
      COMEX_CHECK(comex_gets(rem, rstride, back.data(), cstride, count, 1, 1, W));
      if (std::memcmp(back.data(), pat.data(), bytes) != 0)
        BENCH_FAIL("[%s] %s: strided/vector put data does not match", sn, sh.name);
      run(
          [&] {
            COMEX_CHECK(comex_accs(COMEX_ACC_DBL, (void *)&scale, local, lstride, rem, rstride,
                                   count, 1, 1, W));
          },
          true, put_ref);
      run([&] { COMEX_CHECK(comex_accv(COMEX_ACC_DBL, (void *)&scale, &put_iov, 1, 1, W)); }, true,
          put_ref);
      /* after k accumulates of the pattern the value is (k + 1) * pattern: check that
       * every element is a whole multiple of its pattern value */
      COMEX_CHECK(comex_gets(rem, rstride, back.data(), cstride, count, 1, 1, W));
      const double *b = (const double *)back.data();
      for (size_t k = 0; k < pat.size(); ++k) {
        double q = b[k] / pat[k];
        if (pat[k] != 0 && (q < 2 || q != (double)(long)q))
          BENCH_FAIL("[%s] %s: accumulate result %g is not a multiple of %g", sn, sh.name, b[k],
                     pat[k]);
      }
    }
  }
  COMEX_CHECK(comex_barrier(W));
  COMEX_CHECK(comex_free_local(contig));
  COMEX_CHECK(comex_free_local(local));
  COMEX_CHECK(comex_free(seg[rank], W));
  bench_comex_stop(shm);
}

/* Row-by-row memcpy of every patch between private buffers with the pitches
 * of the ComEx transfers (source 2x the row, destination 1.5x), rank 0. */
Measure copy2d[kNumShapes];
void memcpy_2d_baseline(const BenchOpts &o, int rank) {
  if (rank == 0) {
    std::vector<char> src(2u << 20, 5), dst(3u << 19, 6);
    std::printf(
        "\n== memcpy 2-D baseline (rank 0, one thread, row by row, pitches as below;"
        " before comex_init) ==\n");
    std::printf("%-24s %12s %12s %12s\n", "patch", "memcpy_us", "min_us", "memcpy_MB/s");
    for (int si = 0; si < kNumShapes; ++si) {
      const Shape &sh = kShapes[si];
      const size_t sp = 2 * (size_t)sh.row, dp = sh.row + sh.row / 2;
      const size_t bytes = (size_t)sh.row * sh.rows;
      copy2d[si] = bench_measure(o, 1, [&](long n) {
        for (long i = 0; i < n; ++i)
          for (int r = 0; r < sh.rows; ++r)
            bench_copy(dst.data() + r * dp, src.data() + r * sp, (size_t)sh.row);
      });
      bench_csv_add(bench_fmt("copy2d_%s", sh.tag), "memcpy", "-", bytes, copy2d[si].med_us,
                    copy2d[si].min_us);
      std::printf("%-24s %12.3f %12.3f %12.1f\n", sh.name, copy2d[si].med_us, copy2d[si].min_us,
                  bench_mbps(bytes, copy2d[si].med_us));
      std::fflush(stdout);
    }
  }
  MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
}

std::string cell(const Measure &m, int w = 10) {
  return m.med_us > 0 ? bench_fmt("%*.2f", w, m.med_us) : bench_fmt("%*s", w, "-");
}
std::string ratio(const Measure &m, const Measure &ref, int w = 10) {
  return m.med_us > 0 && ref.med_us > 0 ? bench_fmt("%*.2f", w, m.med_us / ref.med_us)
                                        : bench_fmt("%*s", w, "-");
}

/* strided get / contiguous get of the same setting, or < 0 when not measured */
double get_ratio(int shm, int si) {
  const Measure &g = results[shm][si][1], &c = results[shm][si][0];
  return g.med_us > 0 && c.med_us > 0 ? g.med_us / c.med_us : -1;
}

void target(const char *label, int shm, int si, double limit) {
  char t[32];
  std::snprintf(t, sizeof t, "(target <= %gx)", limit);
  double q = get_ratio(shm, si);
  if (q < 0) {
    bench_target_skipped(label, t,
                         shm == SHM_ON ? "[not measured: -M msg]" : "[not measured: -M shm]");
    return;
  }
  bench_target_line(
      label, q, "x", t, q <= limit,
      bench_fmt("[%.2f / %.2f us]", results[shm][si][1].med_us, results[shm][si][0].med_us));
}

}  // namespace

int main(int argc, char **argv) {
  int rank, nproc;
  bench_mpi_init(&argc, &argv, &rank, &nproc);
  BenchOpts o = bench_parse(argc, argv, nullptr);
  bench_csv().bench = "perf_strided";
  if (rank == 0) bench_print_header("perf_strided", o, nproc);
  BenchNoise noise = bench_noise_begin();

  /* 1. baselines before comex_init: raw MPI, memcpy (contiguous and 2-D) */
  const size_t KiB64 = 64u << 10, MiB = 1u << 20;
  RawBaseline raw = bench_raw_baseline(o, rank, std::vector<size_t>{KiB64, MiB}, true);
  CopyBaseline copy = bench_memcpy_baseline(o, rank, std::vector<size_t>{KiB64, MiB});
  memcpy_2d_baseline(o, rank);
  MPI_Comm stats_comm = bench_comm_dup();

  /* 2. comex, once per COMEX_SHM setting */
  for (int shm : bench_shm_modes(o)) run_comex(o, shm, rank, nproc);

  /* 3. summary */
  std::string noise_line = bench_noise_end(noise, stats_comm, rank);
  if (rank == 0) {
    std::printf(
        "\n== side by side: us per transfer, target in barrier (shm: COMEX_SHM=1, msg: "
        "COMEX_SHM=0); /contig = this op / the contiguous get or put of the same "
        "setting ==\n");
    std::printf("%-24s %-11s %10s %10s %10s %10s %10s %10s\n", "patch", "operation", "shm_us",
                "msg_us", "shm/contig", "msg/contig", "memcpy_us", "mpi_rtt_us");
    for (int si = 0; si < kNumShapes; ++si) {
      const Shape &sh = kShapes[si];
      const size_t bytes = (size_t)sh.row * sh.rows;
      const Measure *cp = copy.find(bytes);
      const RawResult *rr = raw.find(bytes);
      for (int k = 0; k < kNumOps; ++k) {
        int ref = k < 3 ? 0 : 3;
        /* baseline columns: contiguous memcpy and raw round trip next to the
         * contiguous transfers, the 2-D memcpy next to the strided ones */
        std::string base = bench_fmt("%10s", "");
        std::string mpi = bench_fmt("%10s", "");
        if (k == 0 || k == 3) {
          if (cp) base = bench_fmt("%10.2f", cp->med_us);
          if (rr) mpi = bench_fmt("%10.2f", rr->rtt_us);
        } else if (k == 1 || k == 4) {
          base = bench_fmt("%10.2f", copy2d[si].med_us);
        }
        std::string line =
            bench_fmt("%-24s %-11s %s %s %s %s %s %s", sh.name, kOps[k],
                      cell(results[SHM_ON][si][k]).c_str(), cell(results[SHM_OFF][si][k]).c_str(),
                      k == ref ? bench_fmt("%10s", "").c_str()
                               : ratio(results[SHM_ON][si][k], results[SHM_ON][si][ref]).c_str(),
                      k == ref ? bench_fmt("%10s", "").c_str()
                               : ratio(results[SHM_OFF][si][k], results[SHM_OFF][si][ref]).c_str(),
                      base.c_str(), mpi.c_str());
        line.erase(line.find_last_not_of(' ') + 1);
        std::printf("%s\n", line.c_str());
      }
    }
    std::printf(
        "   memcpy_us: contiguous memcpy of the patch size (contig rows) or row-by-row "
        "memcpy with the same pitches (gets/puts rows); mpi_rtt_us: raw MPI round trip\n");

    std::printf("\ntargets:\n");
    std::printf("  node-local (COMEX_SHM=1, target in barrier):\n");
    target("strided get 64 KiB in 64 B rows / contiguous 64 KiB get (shm)", SHM_ON, 1, 2.0);
    std::printf("  through the engine (COMEX_SHM=0):\n");
    target("strided get 64 KiB in 1 KiB rows / contiguous 64 KiB get (msg)", SHM_OFF, 0, 1.5);
    target("strided get 64 KiB in 64 B rows / contiguous 64 KiB get (msg)", SHM_OFF, 1, 3.0);
    std::printf("  also:\n");
    if (get_ratio(SHM_ON, 0) >= 0)
      bench_info_line("strided get 64 KiB in 1 KiB rows / contiguous 64 KiB get (shm)",
                      get_ratio(SHM_ON, 0), "x");
    for (int shm = 0; shm < 2; ++shm) {
      const Measure &g = results[shm][0][0];
      if (g.med_us > 0 && copy.find(KiB64))
        bench_info_line(
            bench_fmt("contiguous 64 KiB get BW (%s) / memcpy BW", bench_shm_name(shm)).c_str(),
            copy.find(KiB64)->med_us / g.med_us, "x",
            bench_fmt("[%.2f us / memcpy %.2f us]", g.med_us, copy.find(KiB64)->med_us));
    }
    std::printf("  all measured data verified: yes\n  %s\n", noise_line.c_str());
    std::fflush(stdout);
    bench_csv_write(o, rank);
  }
  MPI_CHECK(MPI_Comm_free(&stats_comm));
  MPI_CHECK(MPI_Finalize());
  return 0;
}
