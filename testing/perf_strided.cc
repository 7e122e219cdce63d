/*
 * perf_strided -- strided and vector transfers against a contiguous transfer
 * of the same size, measured in the same run (target waiting in comex_barrier).
 *
 * Usage:   make bench   or   timeout 300 mpiexec -n 2 testing/perf_strided [-r REPS -t MS]
 *
 * Patches (2-D, rows of the given length, target row pitch twice the row,
 * origin row pitch 1.5x the row, so both sides are strided):
 *   64 KiB in 1 KiB rows, 64 KiB in 64 B rows, 1 MiB in 1 KiB rows,
 *   each as comex_gets / comex_puts / comex_accs (double); and the vector
 *   forms comex_getv / putv / accv with one descriptor per row.
 * Reference: contiguous comex_get / comex_put of the same number of bytes.
 * Every measurement's data is verified once afterwards.
 */
#include "bench_util.h"

namespace {

struct Shape {
    const char *name;
    int row;   /* bytes per row */
    int rows;  /* number of rows */
};

const Shape kShapes[] = {
    {"64 KiB in 1 KiB rows", 1024, 64},
    {"64 KiB in 64 B rows", 64, 1024},
    {"1 MiB in 1 KiB rows", 1024, 1024},
};

inline double pattern(int shape, size_t k) { return (double)(shape * 1000003 + (long)k % 4099); }

}  // namespace

int main(int argc, char **argv) {
    int rank, nproc;
    bench_mpi_init(&argc, &argv, &rank, &nproc);
    BenchOpts o = bench_parse(argc, argv, nullptr);
    if (rank == 0) bench_print_header("perf_strided", o, nproc);
    BenchNoise noise = bench_noise_begin();
    COMEX_CHECK(comex_init());
    MPI_Comm stats_comm = bench_comm_dup();
    const comex_group_t W = COMEX_GROUP_WORLD;

    /* target region: 2x the largest patch (row pitch 2x row); origin buffer 1.5x */
    const size_t region = 2u << 20, local_bytes = 3u << 19;
    std::vector<void *> seg(nproc);
    COMEX_CHECK(comex_malloc(seg.data(), region, W));
    char *local = (char *)comex_malloc_local(local_bytes);
    char *contig = (char *)comex_malloc_local(1u << 20);
    if (!local || !contig) BENCH_FAIL("comex_malloc_local failed");

    struct Row {
        std::string name;
        double us;
    };
    std::vector<Row> rows;
    double ratio_1k = 0, ratio_64 = 0;
    if (rank == 0) {
        std::printf("\n== strided and vector transfers, origin rank 0 -> target rank 1 (target in "
                    "comex_barrier) ==\n");
        std::printf("%-24s %-12s %10s %10s %10s %12s\n", "patch", "operation", "us", "min_us",
                    "MB/s", "/contiguous");
    }
    COMEX_CHECK(comex_barrier(W));
    if (rank == 0) {
        char *rem = (char *)seg[1];
        for (int si = 0; si < 3; ++si) {
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
            auto run = [&](const char *op, const std::function<void()> &one, bool is_put,
                           double ref) {
                Measure m = bench_measure(o, 1, [&](long n) {
                    for (long i = 0; i < n; ++i) one();
                }, is_put ? std::function<void()>(fence) : nullptr);
                std::printf("%-24s %-12s %10.2f %10.2f %10.1f %12.2f\n", sh.name, op, m.med_us,
                            m.min_us, bench_mbps(bytes, m.med_us), ref > 0 ? m.med_us / ref : 1.0);
                std::fflush(stdout);
                rows.push_back({std::string(sh.name) + " " + op, m.med_us});
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
            double get_ref = run("get contig", [&] {
                COMEX_CHECK(comex_get(rem, contig, (int)bytes, 1, W));
            }, false, 0);
            double gs = run("gets", [&] {
                COMEX_CHECK(comex_gets(rem, rstride, local, lstride, count, 1, 1, W));
            }, false, get_ref);
            /* verify the strided get: row r of the pattern at local + r * lstride */
            for (int r = 0; r < sh.rows; ++r)
                if (std::memcmp(local + (size_t)r * lstride[0], (char *)pat.data() + (size_t)r * sh.row,
                                sh.row) != 0)
                    BENCH_FAIL("%s: strided get row %d does not match", sh.name, r);
            run("getv", [&] { COMEX_CHECK(comex_getv(&get_iov, 1, 1, W)); }, false, get_ref);
            for (int r = 0; r < sh.rows; ++r)
                if (std::memcmp(local + (size_t)r * lstride[0], (char *)pat.data() + (size_t)r * sh.row,
                                sh.row) != 0)
                    BENCH_FAIL("%s: vector get row %d does not match", sh.name, r);
            if (si == 0) ratio_1k = gs / get_ref;
            if (si == 1) ratio_64 = gs / get_ref;

            double put_ref = run("put contig", [&] {
                COMEX_CHECK(comex_put(contig, rem, (int)bytes, 1, W));
            }, true, 0);
            run("puts", [&] {
                COMEX_CHECK(comex_puts(local, lstride, rem, rstride, count, 1, 1, W));
            }, true, put_ref);
            run("putv", [&] { COMEX_CHECK(comex_putv(&put_iov, 1, 1, W)); }, true, put_ref);
            /* the last put wrote the pattern rows back: read and check */
            std::vector<char> back(bytes);
            COMEX_CHECK(comex_gets(rem, rstride, back.data(), cstride, count, 1, 1, W));
            if (std::memcmp(back.data(), pat.data(), bytes) != 0)
                BENCH_FAIL("%s: strided/vector put data does not match", sh.name);
            run("accs", [&] {
                COMEX_CHECK(comex_accs(COMEX_ACC_DBL, (void *)&scale, local, lstride, rem, rstride,
                                       count, 1, 1, W));
            }, true, put_ref);
            run("accv", [&] {
                COMEX_CHECK(comex_accv(COMEX_ACC_DBL, (void *)&scale, &put_iov, 1, 1, W));
            }, true, put_ref);
            /* after k accumulates of the pattern the value is (k + 1) * pattern: check that
             * every element is a whole multiple of its pattern value */
            COMEX_CHECK(comex_gets(rem, rstride, back.data(), cstride, count, 1, 1, W));
            const double *b = (const double *)back.data();
            for (size_t k = 0; k < pat.size(); ++k) {
                double q = b[k] / pat[k];
                if (pat[k] != 0 && (q < 2 || q != (double)(long)q))
                    BENCH_FAIL("%s: accumulate result %g is not a multiple of %g", sh.name, b[k],
                               pat[k]);
            }
        }
    }
    COMEX_CHECK(comex_barrier(W));
    std::string noise_line = bench_noise_end(noise, stats_comm, rank);
    if (rank == 0) {
        std::printf("\ntargets:\n");
        std::printf("  strided get 64 KiB in 1 KiB rows / contiguous 64 KiB get %8.2f x  (target <= 1.5x) %s\n",
                    ratio_1k, ratio_1k <= 1.5 ? "ok" : "MISSED");
        std::printf("  strided get 64 KiB in 64 B rows / contiguous 64 KiB get  %8.2f x  (target <= 3x)   %s\n",
                    ratio_64, ratio_64 <= 3.0 ? "ok" : "MISSED");
        std::printf("  all measured data verified: yes\n  %s\n", noise_line.c_str());
        std::fflush(stdout);
    }
    comex_free_local(contig);
    comex_free_local(local);
    COMEX_CHECK(comex_free(seg[rank], W));
    MPI_CHECK(MPI_Comm_free(&stats_comm));
    COMEX_CHECK(comex_finalize());
    MPI_CHECK(MPI_Finalize());
    return 0;
}
