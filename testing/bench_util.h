/*
 * bench_util.h -- shared helpers for the comex-mt benchmarks
 * (testing/perf_contig.cc, perf_amo.cc, perf_strided.cc, perf_idle.cc).
 *
 * Header-only.  Contents:
 *   - MPI_CHECK / COMEX_CHECK: abort the job with a message on any error code
 *   - options (-n -r -t -m -w -s -M -c -h) shared by all benchmarks
 *     (perf_idle ignores -M and -c)
 *   - timing, median
 *   - CSV lines of every measurement (-c FILE), written at the end
 *   - the COMEX_SHM cycle: setenv, comex_init ... comex_finalize, once per
 *     setting chosen with -M (MPI stays the benchmark's)
 *   - the "targets:" line format
 *   - the raw MPI baseline (ping-pong round trip and bandwidth, streaming
 *     bandwidth), measured BEFORE comex_init on a private communicator
 *   - the memcpy baseline (one thread, rank 0), also before comex_init
 *   - the two target modes:
 *       "barrier": rank 1 waits inside comex_barrier(COMEX_GROUP_WORLD) while
 *                  rank 0 measures; rank 0 then enters the barrier;
 *       "compute": rank 1 runs a floating-point loop outside ComEx and reads a
 *                  flag word in its own comex_malloc memory (volatile) every
 *                  few microseconds; rank 0 sets it with comex_put when done.
 *   - per-thread CPU time from /proc/self/task/<tid>/{schedstat,stat}
 *
 * Only rank 0 prints; ranks >= 2 only take part in the collectives.
 */
#ifndef COMEX_BENCH_UTIL_H_
#define COMEX_BENCH_UTIL_H_

#include <comex.h>
#include <dirent.h>
#include <mpi.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

/* ------------------------------------------------------------------ */
/* Error checking                                                     */
/* ------------------------------------------------------------------ */

static inline int bench_world_rank() {
  int init = 0, fin = 0, r = -1;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

[[noreturn]] static inline void bench_die(const char *file, int line, const char *what,
                                          const char *detail) {
  std::fprintf(stderr, "[rank %d] %s:%d: %s%s%s\n", bench_world_rank(), file, line, what,
               detail ? ": " : "", detail ? detail : "");
  std::fflush(stderr);
  std::fflush(stdout);
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (init && !fin) MPI_Abort(MPI_COMM_WORLD, 2);
  std::abort();
}

/* Every MPI call of the benchmarks goes through this. */
#define MPI_CHECK(call)                                                 \
  do {                                                                  \
    int mpi_check_rc_ = (call);                                         \
    if (mpi_check_rc_ != MPI_SUCCESS) {                                 \
      char mpi_check_msg_[MPI_MAX_ERROR_STRING + 1] = {0};              \
      int mpi_check_len_ = 0;                                           \
      MPI_Error_string(mpi_check_rc_, mpi_check_msg_, &mpi_check_len_); \
      bench_die(__FILE__, __LINE__, #call " failed", mpi_check_msg_);   \
    }                                                                   \
  } while (0)

/* Every ComEx call of the benchmarks goes through this. */
#define COMEX_CHECK(call)                                                                       \
  do {                                                                                          \
    int comex_check_rc_ = (call);                                                               \
    if (comex_check_rc_ != COMEX_SUCCESS) {                                                     \
      char comex_check_msg_[64];                                                                \
      std::snprintf(comex_check_msg_, sizeof comex_check_msg_, "returned %d", comex_check_rc_); \
      bench_die(__FILE__, __LINE__, #call, comex_check_msg_);                                   \
    }                                                                                           \
  } while (0)

#define BENCH_FAIL(...)                                                  \
  do {                                                                   \
    char bench_fail_msg_[512];                                           \
    std::snprintf(bench_fail_msg_, sizeof bench_fail_msg_, __VA_ARGS__); \
    bench_die(__FILE__, __LINE__, "FAILED", bench_fail_msg_);            \
  } while (0)

/* ------------------------------------------------------------------ */
/* Time                                                               */
/* ------------------------------------------------------------------ */

/* Monotonic time in microseconds. */
static inline double bench_now_us() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec * 1e-3;
}

/* Sleep (nanosleep, restarted on EINTR) for `us` microseconds. */
static inline void bench_sleep_us(double us) {
  double end = bench_now_us() + us;
  for (;;) {
    double left = end - bench_now_us();
    if (left <= 0) break;
    struct timespec ts;
    ts.tv_sec = (time_t)(left / 1e6);
    ts.tv_nsec = (long)((left - ts.tv_sec * 1e6) * 1e3);
    nanosleep(&ts, nullptr);
  }
}

static inline double bench_median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static inline double bench_min(const std::vector<double> &v) {
  return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

/* "8 B", "64 KiB", "1 MiB" */
static inline std::string bench_size_str(size_t b) {
  char s[32];
  if (b >= (1u << 20) && b % (1u << 20) == 0)
    std::snprintf(s, sizeof s, "%zu MiB", b >> 20);
  else if (b >= 1024 && b % 1024 == 0)
    std::snprintf(s, sizeof s, "%zu KiB", b >> 10);
  else
    std::snprintf(s, sizeof s, "%zu B", b);
  return s;
}

/* Bandwidth in MB/s (10^6 bytes per second) from bytes and microseconds. */
static inline double bench_mbps(size_t bytes, double us) {
  return us > 0 ? (double)bytes / us : 0.0;
}

static inline bool bench_read_file(const std::string &path, std::string *out) {
  FILE *f = std::fopen(path.c_str(), "r");
  if (!f) return false;
  char buf[4096];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  *out = buf;
  return true;
}

/* ------------------------------------------------------------------ */
/* Options                                                            */
/* ------------------------------------------------------------------ */

struct BenchOpts {
  long max_iters = 20000;      /* -n: upper bound of iterations per repetition */
  int reps = 5;                /* -r: repetitions; the median is reported */
  double rep_ms = 8.0;         /* -t: aimed time of one repetition (ms) */
  size_t max_size = 4u << 20;  /* -m: largest message (bytes) */
  int window = 32;             /* -w: non-blocking window (ops before wait_all) */
  double idle_s = 2.0;         /* -s: length of one idle window (perf_idle) */
  bool shm = true, msg = true; /* -M shm|msg|both: which COMEX_SHM settings to run */
  std::string csv;             /* -c FILE: CSV of every measurement ("-": stdout) */
};

static inline void bench_usage(const char *prog, const char *extra) {
  std::printf(
      "usage: mpiexec -n 2 %s [options]\n"
      "  -n ITER  at most ITER iterations per repetition (default 20000)\n"
      "  -r REPS  repetitions per measurement, median reported (default 5)\n"
      "  -t MS    aimed duration of one repetition in ms (default 8);\n"
      "           iterations = clamp(MS / calibrated time per op, 3, ITER)\n"
      "  -m BYTES largest message size (default 4194304)\n"
      "  -w WIN   non-blocking window: ops issued before comex_wait_all (default 32)\n"
      "  -s SEC   idle window length in seconds (perf_idle; default 2)\n"
      "  -M MODE  shm: ComEx with COMEX_SHM=1 only; msg: COMEX_SHM=0 only;\n"
      "           both (default): comex_init/finalize twice, side by side\n"
      "  -c FILE  also write every measurement as CSV to FILE (\"-\": stdout, at the end)\n"
      "%s",
      prog, extra ? extra : "");
}

/* Parses the common options; every rank parses the same argv. */
static inline BenchOpts bench_parse(int argc, char **argv, const char *extra_usage) {
  BenchOpts o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&](const char *name) -> const char * {
      if (i + 1 >= argc) {
        if (bench_world_rank() <= 0) std::fprintf(stderr, "option %s needs a value\n", name);
        std::exit(1);
      }
      return argv[++i];
    };
    if (a == "-n")
      o.max_iters = std::atol(val("-n"));
    else if (a == "-r")
      o.reps = std::atoi(val("-r"));
    else if (a == "-t")
      o.rep_ms = std::atof(val("-t"));
    else if (a == "-m")
      o.max_size = (size_t)std::atoll(val("-m"));
    else if (a == "-w")
      o.window = std::atoi(val("-w"));
    else if (a == "-s")
      o.idle_s = std::atof(val("-s"));
    else if (a == "-c")
      o.csv = val("-c");
    else if (a == "-M") {
      std::string m = val("-M");
      if (m == "shm" || m == "msg" || m == "both") {
        o.shm = m != "msg";
        o.msg = m != "shm";
      } else {
        if (bench_world_rank() <= 0)
          std::fprintf(stderr, "-M takes shm, msg or both, not %s\n", m.c_str());
        MPI_CHECK(MPI_Finalize());
        std::exit(1);
      }
    } else if (a == "-h" || a == "--help") {
      if (bench_world_rank() <= 0) bench_usage(argv[0], extra_usage);
      MPI_CHECK(MPI_Finalize());
      std::exit(0);
    } else {
      if (bench_world_rank() <= 0) {
        std::fprintf(stderr, "unknown option %s\n", argv[i]);
        bench_usage(argv[0], extra_usage);
      }
      MPI_CHECK(MPI_Finalize());
      std::exit(1);
    }
  }
  if (o.max_iters < 3) o.max_iters = 3;
  if (o.reps < 1) o.reps = 1;
  if (o.rep_ms <= 0) o.rep_ms = 1;
  if (o.max_size < 8) o.max_size = 8;
  if (o.window < 1) o.window = 1;
  if (o.idle_s <= 0) o.idle_s = 0.5;
  return o;
}

/* ------------------------------------------------------------------ */
/* MPI start                                                          */
/* ------------------------------------------------------------------ */

/* MPI_Init_thread(MPI_THREAD_MULTIPLE) by the benchmark itself (comex_init
 * then finds MPI initialised); needs at least 2 ranks. */
static inline void bench_mpi_init(int *argc, char ***argv, int *rank, int *nproc) {
  int provided = -1;
  MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided));
  if (provided < MPI_THREAD_MULTIPLE)
    BENCH_FAIL("MPI_Init_thread provided thread level %d, need MPI_THREAD_MULTIPLE", provided);
  MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, rank));
  MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, nproc));
  if (*nproc < 2) {
    if (*rank == 0) std::fprintf(stderr, "%s: needs at least 2 ranks (mpiexec -n 2)\n", (*argv)[0]);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

/* A private duplicate of MPI_COMM_WORLD whose errors come back as return
 * codes (so MPI_CHECK reports them), not through the fatal default handler. */
static inline MPI_Comm bench_comm_dup() {
  MPI_Comm c;
  MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &c));
  MPI_CHECK(MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN));
  return c;
}

/* CPU used by other processes while a benchmark ran: machine-wide busy time
 * (/proc/stat) minus the time of the benchmark's own processes
 * (/proc/self/stat of every rank), in clock ticks. */
struct BenchNoise {
  double t0_us = 0;
  unsigned long long busy0 = 0, steal0 = 0, self0 = 0;
};

static inline void bench_cpu_ticks(unsigned long long *busy, unsigned long long *steal,
                                   unsigned long long *self) {
  std::string s;
  *busy = *steal = *self = 0;
  if (bench_read_file("/proc/stat", &s)) {
    unsigned long long u = 0, ni = 0, sy = 0, id = 0, io = 0, irq = 0, sirq = 0, st = 0;
    if (std::sscanf(s.c_str(), "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &u, &ni, &sy, &id,
                    &io, &irq, &sirq, &st) >= 7) {
      *busy = u + ni + sy + irq + sirq;
      *steal = st;
    }
  }
  if (bench_read_file("/proc/self/stat", &s)) {
    size_t rp = s.rfind(')');
    unsigned long long ut = 0, stt = 0;
    /* after ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
     */
    if (rp != std::string::npos &&
        std::sscanf(s.c_str() + rp + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                    &ut, &stt) == 2)
      *self = ut + stt;
  }
}

static inline BenchNoise bench_noise_begin() {
  BenchNoise n;
  n.t0_us = bench_now_us();
  bench_cpu_ticks(&n.busy0, &n.steal0, &n.self0);
  return n;
}

/* Collective over `comm`; returns on rank 0 a line such as
 * "other processes used 3.1% of the machine's 2 cores during the run". */
static inline std::string bench_noise_end(const BenchNoise &n, MPI_Comm comm, int rank) {
  unsigned long long busy, steal, self;
  bench_cpu_ticks(&busy, &steal, &self);
  unsigned long long mine = self - n.self0, all = 0;
  MPI_CHECK(MPI_Reduce(&mine, &all, 1, MPI_UNSIGNED_LONG_LONG, MPI_SUM, 0, comm));
  if (rank != 0) return std::string();
  double wall_s = (bench_now_us() - n.t0_us) * 1e-6;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  double tick = 1.0 / (double)sysconf(_SC_CLK_TCK);
  double cap = wall_s * (double)ncpu;
  double other = ((double)(busy - n.busy0) - (double)all) * tick;
  if (other < 0) other = 0;
  char b[256];
  std::snprintf(b, sizeof b,
                "CPU used by other processes during this run: %.1f%% of the machine's %ld cores"
                " (steal %.1f%%)%s",
                100.0 * other / cap, ncpu, 100.0 * (double)(steal - n.steal0) * tick / cap,
                other / cap > 0.05 ? "  <-- NOISY: the numbers above are unreliable" : "");
  return b;
}

/* "/proc/loadavg" first three fields: other load on the machine spoils the numbers. */
static inline std::string bench_loadavg() {
  std::string s;
  if (!bench_read_file("/proc/loadavg", &s)) return "?";
  size_t p = 0;
  for (int i = 0; i < 3 && p != std::string::npos; ++i) p = s.find(' ', p + 1);
  return s.substr(0, p);
}

static inline void bench_print_header(const char *prog, const BenchOpts &o, int nproc) {
  char host[256] = "?";
  gethostname(host, sizeof host - 1);
  char ver[MPI_MAX_LIBRARY_VERSION_STRING] = "";
  int len = 0;
  MPI_CHECK(MPI_Get_library_version(ver, &len));
  char *nl = std::strchr(ver, '\n');
  if (nl) *nl = 0;
  std::printf(
      "# %s: %d ranks on %s, %ld online cores; origin rank 0, target rank 1;"
      " load average at start %s\n",
      prog, nproc, host, sysconf(_SC_NPROCESSORS_ONLN), bench_loadavg().c_str());
  std::printf("# %s\n", ver);
  std::printf(
      "# median of %d repetitions, each ~%.1f ms (<= %ld iterations), after warm-up;"
      " MB/s = 10^6 B/s\n",
      o.reps, o.rep_ms, o.max_iters);
  std::fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* CSV output (rank 0)                                                */
/* ------------------------------------------------------------------ */

/*
 * One line per measurement, written at the end of the run (-c FILE):
 *   bench,op,mode,target,bytes,latency_us,bandwidth_MBps,min_us
 * mode: shm (COMEX_SHM=1), msg (COMEX_SHM=0), memcpy or mpi (baselines);
 * target: barrier, compute, or "-" for the baselines;
 * bandwidth_MBps and min_us are empty where they mean nothing.
 * doc/benchmarks.md describes every op.
 */
#define BENCH_CSV_HEADER "bench,op,mode,target,bytes,latency_us,bandwidth_MBps,min_us"

struct BenchCsv {
  std::string bench;
  std::vector<std::string> lines;
};

static inline BenchCsv &bench_csv() {
  static BenchCsv c;
  return c;
}

/* Adds a line; `mbps` < 0: bandwidth = bytes / latency (empty if bytes == 0);
 * `min_us` < 0: empty. */
static inline void bench_csv_add(const std::string &op, const char *mode, const char *target,
                                 size_t bytes, double lat_us, double min_us = -1,
                                 double mbps = -1) {
  char bw[32] = "", mn[32] = "", line[256];
  if (mbps < 0 && bytes > 0) mbps = bench_mbps(bytes, lat_us);
  if (mbps >= 0) std::snprintf(bw, sizeof bw, mbps < 100 ? "%.4f" : "%.1f", mbps);
  if (min_us >= 0) std::snprintf(mn, sizeof mn, "%.4f", min_us);
  std::snprintf(line, sizeof line, "%s,%s,%s,%s,%zu,%.4f,%s,%s", bench_csv().bench.c_str(),
                op.c_str(), mode, target, bytes, lat_us, bw, mn);
  bench_csv().lines.push_back(line);
}

/* Writes the collected lines (rank 0 only; nothing without -c). */
static inline void bench_csv_write(const BenchOpts &o, int rank) {
  if (rank != 0 || o.csv.empty()) return;
  FILE *f = o.csv == "-" ? stdout : std::fopen(o.csv.c_str(), "w");
  if (!f) BENCH_FAIL("cannot write %s: %s", o.csv.c_str(), std::strerror(errno));
  if (f == stdout)
    std::fprintf(f, "\n# CSV (%s)\n", BENCH_CSV_HEADER);
  else
    std::fprintf(f, "%s\n", BENCH_CSV_HEADER);
  for (const std::string &l : bench_csv().lines) std::fprintf(f, "%s\n", l.c_str());
  if (f == stdout) {
    std::fflush(f);
  } else {
    if (std::fclose(f) != 0) BENCH_FAIL("writing %s: %s", o.csv.c_str(), std::strerror(errno));
    std::printf("CSV: %zu measurements written to %s\n", bench_csv().lines.size(), o.csv.c_str());
  }
}

/* ------------------------------------------------------------------ */
/* The two COMEX_SHM settings, one comex_init .. comex_finalize each  */
/* ------------------------------------------------------------------ */

enum ShmMode { SHM_ON = 0, SHM_OFF = 1 };

/* "shm": node-local operations through shared memory; "msg": everything
 * through the progress engine (MPI messages). */
static inline const char *bench_shm_name(int m) { return m == SHM_ON ? "shm" : "msg"; }

/* The settings chosen with -M, in the order they run. */
static inline std::vector<int> bench_shm_modes(const BenchOpts &o) {
  std::vector<int> v;
  if (o.shm) v.push_back(SHM_ON);
  if (o.msg) v.push_back(SHM_OFF);
  return v;
}

/* Sets COMEX_SHM for this process, then comex_init (MPI is the benchmark's). */
static inline void bench_comex_start(int shm_mode, int rank) {
  if (setenv("COMEX_SHM", shm_mode == SHM_ON ? "1" : "0", 1) != 0)
    BENCH_FAIL("setenv(COMEX_SHM): %s", std::strerror(errno));
  if (comex_initialized() != 0)
    BENCH_FAIL("comex_initialized() is %d before comex_init (COMEX_SHM=%d)", comex_initialized(),
               shm_mode == SHM_ON);
  COMEX_CHECK(comex_init());
  if (comex_initialized() != 1)
    BENCH_FAIL("comex_initialized() is not 1 after comex_init (COMEX_SHM=%d)", shm_mode == SHM_ON);
  if (rank == 0) {
    std::printf("\n######## COMEX_SHM=%d (%s): comex_init ########\n", shm_mode == SHM_ON,
                bench_shm_name(shm_mode));
    std::fflush(stdout);
  }
}

/* comex_finalize; checks that ComEx is down and MPI still up. */
static inline void bench_comex_stop(int shm_mode) {
  COMEX_CHECK(comex_finalize());
  if (comex_initialized() != 0)
    BENCH_FAIL("comex_initialized() is %d after comex_finalize (COMEX_SHM=%d)", comex_initialized(),
               shm_mode == SHM_ON);
  int fin = 0;
  MPI_CHECK(MPI_Finalized(&fin));
  if (fin) BENCH_FAIL("comex_finalize finalised MPI, which the benchmark initialised");
}

/* ------------------------------------------------------------------ */
/* The "targets:" block                                               */
/* ------------------------------------------------------------------ */

/* "  label   value unit  (target ...)  ok|MISSED  [detail]" */
static inline void bench_target_line(const char *label, double value, const char *unit,
                                     const char *target, bool ok, const std::string &detail) {
  std::printf("  %-64s %9.3f %-4s %-17s %-6s %s\n", label, value, unit, target,
              ok ? "ok" : "MISSED", detail.c_str());
}

static inline void bench_info_line(const char *label, double value, const char *unit,
                                   const std::string &detail = std::string()) {
  std::printf("  %-64s %9.3f %-4s %-17s %-6s %s\n", label, value, unit, "(info)", "",
              detail.c_str());
}

/* A target whose figures were not measured (e.g. -M msg for a node-local target). */
static inline void bench_target_skipped(const char *label, const char *target, const char *why) {
  std::printf("  %-64s %9s %-4s %-17s %-6s %s\n", label, "-", "", target, "n/a", why);
}

static inline std::string bench_fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static inline std::string bench_fmt(const char *f, ...) {
  char b[512];
  va_list ap;
  va_start(ap, f);
  std::vsnprintf(b, sizeof b, f, ap);
  va_end(ap);
  return b;
}

/* ------------------------------------------------------------------ */
/* Raw MPI baseline (before comex_init)                               */
/* ------------------------------------------------------------------ */

struct RawResult {
  size_t bytes;
  double rtt_us;      /* median round trip of a ping-pong of `bytes` each way */
  double pp_mbps;     /* bytes / (rtt / 2) */
  double stream_mbps; /* one-way stream: window of Isend, then 8-byte ack */
};

struct RawBaseline {
  double rtt8_us = 0; /* 8-byte round trip (median) */
  double rtt8_min_us = 0;
  std::vector<RawResult> rows;
  const RawResult *find(size_t bytes) const {
    for (const auto &r : rows)
      if (r.bytes == bytes) return &r;
    return nullptr;
  }
};

/* Iterations for a raw measurement: enough bytes to last a few ms, the same
 * on both ranks (no negotiation needed). */
static inline long bench_raw_iters(size_t bytes, const BenchOpts &o) {
  long it = (long)((32.0 * (1 << 20)) / (double)bytes);
  return std::max(10L, std::min(it, std::min(o.max_iters, 10000L)));
}

/* One repetition of `iters` ping-pongs between ranks 0 and 1; returns the
 * mean round trip (us) on rank 0. */
static inline double bench_raw_pingpong(MPI_Comm comm, int rank, char *buf, size_t bytes,
                                        long iters) {
  const int tag = 11;
  double t0 = bench_now_us();
  for (long i = 0; i < iters; ++i) {
    if (rank == 0) {
      MPI_CHECK(MPI_Send(buf, (int)bytes, MPI_BYTE, 1, tag, comm));
      MPI_CHECK(MPI_Recv(buf, (int)bytes, MPI_BYTE, 1, tag, comm, MPI_STATUS_IGNORE));
    } else if (rank == 1) {
      MPI_CHECK(MPI_Recv(buf, (int)bytes, MPI_BYTE, 0, tag, comm, MPI_STATUS_IGNORE));
      MPI_CHECK(MPI_Send(buf, (int)bytes, MPI_BYTE, 0, tag, comm));
    }
  }
  return (bench_now_us() - t0) / (double)iters;
}

/* One repetition of `iters` windows of `win` one-way messages, each window
 * acknowledged by an 8-byte message; returns us per message on rank 0. */
static inline double bench_raw_stream(MPI_Comm comm, int rank, char *buf, size_t bytes, int win,
                                      long iters) {
  const int tag = 12;
  std::vector<MPI_Request> req(win);
  char ack[8] = {0};
  double t0 = bench_now_us();
  for (long i = 0; i < iters; ++i) {
    if (rank == 0) {
      for (int w = 0; w < win; ++w)
        MPI_CHECK(MPI_Isend(buf + (size_t)w * bytes, (int)bytes, MPI_BYTE, 1, tag, comm, &req[w]));
      MPI_CHECK(MPI_Waitall(win, req.data(), MPI_STATUSES_IGNORE));
      MPI_CHECK(MPI_Recv(ack, 8, MPI_BYTE, 1, tag + 1, comm, MPI_STATUS_IGNORE));
    } else if (rank == 1) {
      for (int w = 0; w < win; ++w)
        MPI_CHECK(MPI_Irecv(buf + (size_t)w * bytes, (int)bytes, MPI_BYTE, 0, tag, comm, &req[w]));
      MPI_CHECK(MPI_Waitall(win, req.data(), MPI_STATUSES_IGNORE));
      MPI_CHECK(MPI_Send(ack, 8, MPI_BYTE, 0, tag + 1, comm));
    }
  }
  return (bench_now_us() - t0) / ((double)iters * win);
}

/* Window (number of messages / ops in flight) for a size, bounded so that a
 * window's buffers stay within `cap` bytes. */
static inline int bench_window(size_t bytes, int window, size_t cap) {
  size_t w = cap / bytes;
  if (w < 1) w = 1;
  return (int)std::min<size_t>((size_t)window, w);
}

static const size_t BENCH_WINDOW_CAP = 16u << 20; /* bytes of one window's buffers */

/* Measures the raw MPI baseline between ranks 0 and 1 on a duplicate of
 * MPI_COMM_WORLD (other ranks only join the barriers) and, when
 * `with_sizes`, the ping-pong and streaming bandwidth for `sizes`. Prints
 * the table on rank 0.  Must run before comex_init. */
static inline RawBaseline bench_raw_baseline(const BenchOpts &o, int rank,
                                             const std::vector<size_t> &sizes, bool with_sizes) {
  RawBaseline res;
  MPI_Comm comm = bench_comm_dup();
  size_t maxb = 8;
  for (size_t s : sizes) maxb = std::max(maxb, s);
  size_t bufsz = with_sizes ? std::max(maxb, BENCH_WINDOW_CAP) : 64;
  std::vector<char> buf(bufsz, 1); /* touched */

  auto measure = [&](size_t bytes, bool stream, double *med, double *mn, int reps) {
    long iters = bench_raw_iters(bytes, o);
    int win = bench_window(bytes, o.window, BENCH_WINDOW_CAP);
    if (stream) iters = std::max(3L, iters / win);
    std::vector<double> v;
    MPI_CHECK(MPI_Barrier(comm));
    /* warm-up */
    if (stream)
      bench_raw_stream(comm, rank, buf.data(), bytes, win, std::max(1L, iters / 4));
    else
      bench_raw_pingpong(comm, rank, buf.data(), bytes, std::max(2L, iters / 4));
    for (int r = 0; r < reps; ++r) {
      MPI_CHECK(MPI_Barrier(comm));
      v.push_back(stream ? bench_raw_stream(comm, rank, buf.data(), bytes, win, iters)
                         : bench_raw_pingpong(comm, rank, buf.data(), bytes, iters));
    }
    *med = bench_median(v);
    if (mn) *mn = bench_min(v);
  };

  /* the 8-byte round trip is the reference of the latency targets: more repetitions */
  measure(8, false, &res.rtt8_us, &res.rtt8_min_us, std::max(o.reps, 11));
  if (rank == 0) {
    std::printf(
        "\n== raw MPI baseline (before comex_init; MPI_Send/MPI_Recv between ranks 0 and 1) ==\n");
    std::printf(
        "8-byte ping-pong (median of %d): round trip %.3f us (min %.3f), half round trip %.3f us\n",
        std::max(o.reps, 11), res.rtt8_us, res.rtt8_min_us, res.rtt8_us / 2);
    std::fflush(stdout);
  }
  if (with_sizes) {
    if (rank == 0) {
      std::printf("%10s %12s %12s %14s %5s %14s\n", "size", "rtt_us", "half_us", "pingpong_MB/s",
                  "win", "stream_MB/s");
      std::fflush(stdout);
    }
    for (size_t s : sizes) {
      RawResult r{s, 0, 0, 0};
      double st = 0;
      measure(s, false, &r.rtt_us, nullptr, o.reps);
      measure(s, true, &st, nullptr, o.reps);
      r.pp_mbps = bench_mbps(s, r.rtt_us / 2);
      r.stream_mbps = bench_mbps(s, st);
      res.rows.push_back(r);
      if (rank == 0) {
        bench_csv_add("pingpong", "mpi", "-", s, r.rtt_us, -1, r.pp_mbps);
        bench_csv_add("stream", "mpi", "-", s, st, -1, r.stream_mbps);
        std::printf("%10s %12.3f %12.3f %14.1f %5d %14.1f\n", bench_size_str(s).c_str(), r.rtt_us,
                    r.rtt_us / 2, r.pp_mbps, bench_window(s, o.window, BENCH_WINDOW_CAP),
                    r.stream_mbps);
        std::fflush(stdout);
      }
    }
  }
  if (rank == 0 && !with_sizes)
    bench_csv_add("pingpong", "mpi", "-", 8, res.rtt8_us, res.rtt8_min_us,
                  bench_mbps(8, res.rtt8_us / 2));
  MPI_CHECK(MPI_Comm_free(&comm));
  return res;
}

/* ------------------------------------------------------------------ */
/* Measurement of one origin-side operation (rank 0 only)             */
/* ------------------------------------------------------------------ */

struct Measure {
  double med_us = 0; /* median over repetitions of the mean time per op */
  double min_us = 0; /* best repetition */
  long iters = 0;    /* iterations per repetition */
  int reps = 0;      /* repetitions done */
};

/* Runs `op(n)` (which performs n iterations, each counting as `ops_per_iter`
 * operations) for a calibration/warm-up, then o.reps timed repetitions; each
 * repetition ends with `finish()` (if given; e.g. a fence), which is timed
 * with it but does not enter the calibration.  Returns microseconds per
 * operation. */
static inline Measure bench_measure(const BenchOpts &o, int ops_per_iter,
                                    const std::function<void(long)> &op,
                                    const std::function<void()> &finish = nullptr) {
  Measure m;
  /* warm-up and calibration: at least 2 iterations, until 2 ms or 16 iterations */
  long n = 0;
  double t0 = bench_now_us(), el = 0;
  do {
    op(1);
    ++n;
    el = bench_now_us() - t0;
  } while (n < 2 || (n < 16 && el < 2000.0));
  /* second calibration on the steady state */
  double t1 = bench_now_us();
  op(2);
  double per_iter = std::max((bench_now_us() - t1) / 2, 1e-3);
  if (finish) finish();
  long iters = (long)(o.rep_ms * 1000.0 / per_iter);
  iters = std::max(3L, std::min(iters, o.max_iters));
  m.iters = iters;
  /* very slow operations (ms each): fewer repetitions, but at least 3, so
   * that a slow library cannot blow the run time up */
  int reps = o.reps;
  const double budget_us = 400e3 * o.reps / 5.0;
  if (reps > 3 && reps * iters * per_iter > budget_us)
    reps = std::max(3, (int)(budget_us / (iters * per_iter)));
  m.reps = reps;
  std::vector<double> v;
  for (int r = 0; r < reps; ++r) {
    double s = bench_now_us();
    op(iters);
    if (finish) finish();
    v.push_back((bench_now_us() - s) / ((double)iters * ops_per_iter));
  }
  m.med_us = bench_median(v);
  m.min_us = bench_min(v);
  return m;
}

/* ------------------------------------------------------------------ */
/* memcpy baseline (before comex_init)                                */
/* ------------------------------------------------------------------ */

struct CopyBaseline {
  std::vector<std::pair<size_t, Measure>> rows;
  const Measure *find(size_t bytes) const {
    for (const auto &r : rows)
      if (r.first == bytes) return &r.second;
    return nullptr;
  }
};

/* Copies `bytes` from `src` to `dst` with memcpy; the compiler may neither
 * drop nor merge the copies. */
__attribute__((noinline)) static void bench_copy(char *dst, const char *src, size_t bytes) {
  std::memcpy(dst, src, bytes);
  __asm__ volatile("" : : "r"(dst), "r"(src) : "memory");
}

/* Single-thread memcpy between two private, touched buffers, timed on rank 0
 * like a blocking ComEx operation (median over repetitions of the mean time
 * per copy), for every size; the other ranks wait in MPI_Barrier.  Prints a
 * table on rank 0 and adds CSV lines (op "copy", mode "memcpy").  Call before
 * comex_init; the result is meaningful on rank 0 only. */
static inline CopyBaseline bench_memcpy_baseline(const BenchOpts &o, int rank,
                                                 const std::vector<size_t> &sizes) {
  CopyBaseline res;
  if (rank == 0) {
    size_t maxb = 8;
    for (size_t s : sizes) maxb = std::max(maxb, s);
    std::vector<char> src(maxb, 3), dst(maxb, 4); /* touched */
    std::printf(
        "\n== memcpy baseline (rank 0, one thread, between two private buffers;"
        " before comex_init) ==\n");
    std::printf("%10s %12s %12s %12s\n", "size", "memcpy_us", "min_us", "memcpy_MB/s");
    std::fflush(stdout);
    for (size_t s : sizes) {
      Measure m = bench_measure(o, 1, [&](long n) {
        for (long i = 0; i < n; ++i) bench_copy(dst.data(), src.data(), s);
      });
      res.rows.push_back({s, m});
      bench_csv_add("copy", "memcpy", "-", s, m.med_us, m.min_us);
      std::printf("%10s %12.4f %12.4f %12.1f\n", bench_size_str(s).c_str(), m.med_us, m.min_us,
                  bench_mbps(s, m.med_us));
      std::fflush(stdout);
    }
    if (std::memcmp(dst.data(), src.data(), maxb) != 0)
      BENCH_FAIL("memcpy baseline: destination differs from source");
  }
  MPI_CHECK(MPI_Barrier(MPI_COMM_WORLD));
  return res;
}

/* ------------------------------------------------------------------ */
/* Target modes                                                       */
/* ------------------------------------------------------------------ */

enum BenchMode { MODE_BARRIER = 0, MODE_COMPUTE = 1 };

static inline const char *bench_mode_name(BenchMode m) {
  return m == MODE_BARRIER ? "target in barrier" : "target computing";
}

/* Floating-point work outside ComEx: `reps` passes of 8 independent
 * multiply-adds over a small array (stays in registers / L1).  Not inlined,
 * and the registers are pinned every pass, so the compiler can neither drop
 * lanes nor move the work across the clock reads. */
__attribute__((noinline)) static void bench_compute_kernel(double *a, long reps) {
  double x0 = a[0], x1 = a[1], x2 = a[2], x3 = a[3];
  double x4 = a[4], x5 = a[5], x6 = a[6], x7 = a[7];
  const double c = 0.9999999, d = 1e-7;
  for (long r = 0; r < reps; ++r) {
    x0 = x0 * c + d;
    x1 = x1 * c + d;
    x2 = x2 * c + d;
    x3 = x3 * c + d;
    x4 = x4 * c + d;
    x5 = x5 * c + d;
    x6 = x6 * c + d;
    x7 = x7 * c + d;
#if defined(__x86_64__)
    __asm__ volatile(""
                     : "+x"(x0), "+x"(x1), "+x"(x2), "+x"(x3), "+x"(x4), "+x"(x5), "+x"(x6),
                       "+x"(x7));
#else
    __asm__ volatile(""
                     : "+m"(x0), "+m"(x1), "+m"(x2), "+m"(x3), "+m"(x4), "+m"(x5), "+m"(x6),
                       "+m"(x7));
#endif
  }
  a[0] = x0;
  a[1] = x1;
  a[2] = x2;
  a[3] = x3;
  a[4] = x4;
  a[5] = x5;
  a[6] = x6;
  a[7] = x7;
  __asm__ volatile("" : : "r"(a) : "memory");
}

struct ComputeCal {
  long chunk = 1000;   /* kernel reps between two flag checks */
  double chunk_us = 0; /* measured duration of one chunk, alone */
  double rate = 0;     /* chunks per second, alone (no ComEx running) */
};

/* Calibrates the compute chunk to ~`target_us` per flag check and measures
 * the solo rate (call before comex_init, on every rank at once). */
static inline ComputeCal bench_compute_calibrate(double target_us) {
  ComputeCal c;
  double a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  long reps = 1 << 16;
  double el;
  for (;;) {
    double t0 = bench_now_us();
    bench_compute_kernel(a, reps);
    el = bench_now_us() - t0;
    if (el > 20000 || reps > (1L << 30)) break;
    reps *= 2;
  }
  c.chunk = std::max(1L, (long)(reps * target_us / el));
  /* solo rate over ~200 ms */
  long nchunks = 0;
  double t0 = bench_now_us(), t;
  do {
    bench_compute_kernel(a, c.chunk);
    ++nchunks;
    t = bench_now_us();
  } while (t - t0 < 200000.0);
  c.rate = nchunks / ((t - t0) * 1e-6);
  c.chunk_us = (t - t0) / nchunks;
  volatile double sink = a[0] + a[7];
  (void)sink;
  return c;
}

struct ModeStats {
  double compute_rate = 0; /* rank 1: chunks/s while rank 0 measured (compute mode) */
  double duration_s = 0;   /* rank 1: time spent in the mode */
  long flag_checks = 0;
};

/*
 * Runs one target mode.  `flag_seg` is the comex_malloc'ed control segment
 * (ptr array; the first 8 bytes of each member's block are the flag).
 * Rank 0 runs `work()` while rank 1 waits in comex_barrier (MODE_BARRIER) or
 * computes (MODE_COMPUTE).  Collective over the world.  Returns rank 1's
 * statistics on rank 0 (sent through `comm`, a private MPI communicator).
 */
static inline ModeStats bench_run_mode(BenchMode mode, int rank, void **flag_seg,
                                       const ComputeCal &cal, MPI_Comm comm,
                                       const std::function<void()> &work) {
  ModeStats st;
  volatile int64_t *myflag = (volatile int64_t *)flag_seg[rank];
  if (rank == 1) *myflag = 0;
  COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD)); /* flag is 0 and everyone is here */
  if (mode == MODE_BARRIER) {
    if (rank == 0) work();
    double t0 = bench_now_us();
    COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
    st.duration_s = (bench_now_us() - t0) * 1e-6;
  } else {
    if (rank == 0) {
      work();
      int64_t one = 1;
      COMEX_CHECK(comex_put(&one, flag_seg[1], (int)sizeof one, 1, COMEX_GROUP_WORLD));
      COMEX_CHECK(comex_fence_proc(1, COMEX_GROUP_WORLD));
    } else if (rank == 1) {
      /* computing outside ComEx; the flag is read every chunk (~2 us) */
      double a[8] = {1, 2, 3, 4, 5, 6, 7, 8};
      long n = 0;
      const double limit_us = 240e6; /* give up (abort) after 4 minutes */
      double t0 = bench_now_us(), t = t0;
      while (*myflag == 0) {
        bench_compute_kernel(a, cal.chunk);
        ++n;
        if ((n & 0xffff) == 0) {
          t = bench_now_us();
          if (t - t0 > limit_us)
            BENCH_FAIL(
                "rank 1: the flag put by rank 0 never arrived "
                "(computing for %.0f s)",
                (t - t0) * 1e-6);
        }
      }
      t = bench_now_us();
      volatile double sink = a[0];
      (void)sink;
      st.flag_checks = n;
      st.duration_s = (t - t0) * 1e-6;
      st.compute_rate = n / st.duration_s;
      if (*myflag != 1) BENCH_FAIL("rank 1: flag word is %lld, expected 1", (long long)*myflag);
    }
    COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
  }
  /* rank 1's statistics to rank 0 */
  double s[3] = {st.compute_rate, st.duration_s, (double)st.flag_checks};
  if (rank == 1) MPI_CHECK(MPI_Send(s, 3, MPI_DOUBLE, 0, 21, comm));
  if (rank == 0) {
    MPI_CHECK(MPI_Recv(s, 3, MPI_DOUBLE, 1, 21, comm, MPI_STATUS_IGNORE));
    st.compute_rate = s[0];
    st.duration_s = s[1];
    st.flag_checks = (long)s[2];
  }
  return st;
}

/* ------------------------------------------------------------------ */
/* Per-thread CPU time                                                */
/* ------------------------------------------------------------------ */

struct ThreadCpu {
  int tid;
  std::string name;
  double cpu_s; /* user + system time so far */
};

static inline pid_t bench_gettid() { return (pid_t)syscall(SYS_gettid); }

/* CPU time of every thread of this process: /proc/self/task/<tid>/schedstat
 * (nanoseconds on CPU) when available, else utime+stime from .../stat (ticks). */
static inline std::vector<ThreadCpu> bench_thread_cpu() {
  std::vector<ThreadCpu> v;
  DIR *d = opendir("/proc/self/task");
  if (!d) return v;
  static const double tick = 1.0 / (double)sysconf(_SC_CLK_TCK);
  while (struct dirent *e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::string dir = std::string("/proc/self/task/") + e->d_name;
    ThreadCpu t{std::atoi(e->d_name), "?", -1.0};
    std::string s;
    if (bench_read_file(dir + "/stat", &s)) {
      size_t lp = s.find('('), rp = s.rfind(')');
      if (lp != std::string::npos && rp != std::string::npos && rp > lp) {
        t.name = s.substr(lp + 1, rp - lp - 1);
        /* fields after ")": 3 state ... 14 utime 15 stime */
        std::vector<std::string> f;
        size_t p = rp + 1;
        while (p < s.size()) {
          while (p < s.size() && s[p] == ' ') ++p;
          size_t q = s.find(' ', p);
          if (q == std::string::npos) q = s.size();
          if (q > p) f.push_back(s.substr(p, q - p));
          p = q;
        }
        if (f.size() > 12) t.cpu_s = (std::atof(f[11].c_str()) + std::atof(f[12].c_str())) * tick;
      }
    }
    std::string ss;
    if (bench_read_file(dir + "/schedstat", &ss)) {
      unsigned long long ns = 0;
      if (std::sscanf(ss.c_str(), "%llu", &ns) == 1 && (ns > 0 || t.cpu_s <= 0))
        t.cpu_s = ns * 1e-9;
    }
    if (t.cpu_s >= 0) v.push_back(t);
  }
  closedir(d);
  std::sort(v.begin(), v.end(),
            [](const ThreadCpu &a, const ThreadCpu &b) { return a.tid < b.tid; });
  return v;
}

struct ThreadUse {
  int tid;
  std::string name;
  bool main;
  double pct; /* % of one core over the window */
};

/* Per-thread % of one core between two samples taken `wall_s` apart. */
static inline std::vector<ThreadUse> bench_thread_use(const std::vector<ThreadCpu> &a,
                                                      const std::vector<ThreadCpu> &b,
                                                      double wall_s, int main_tid) {
  std::vector<ThreadUse> u;
  for (const auto &tb : b) {
    double before = 0;
    for (const auto &ta : a)
      if (ta.tid == tb.tid) before = ta.cpu_s;
    u.push_back({tb.tid, tb.name, tb.tid == main_tid, 100.0 * (tb.cpu_s - before) / wall_s});
  }
  return u;
}

#endif /* COMEX_BENCH_UTIL_H_ */
