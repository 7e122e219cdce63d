/*
 * perf_alloc.cc -- what a node-local allocation costs, for the choice between
 * POSIX shared memory (comex-mt's node-local path) and MPI-3 shared windows.
 *
 *   mpiexec -n 2 testing/perf_alloc [-r REPS]
 *
 * Every rank takes part (all ranks must be on one node).  Per size, median of
 * REPS repetitions, time of one collective allocation plus free on rank 0:
 *   comex_shm   comex_malloc + comex_free with COMEX_SHM=1 (segments)
 *   comex_msg   the same with COMEX_SHM=0 (heap memory, no segments)
 *   mpi_win     MPI_Win_allocate_shared + MPI_Win_shared_query of the peer +
 *               MPI_Win_free over the node communicator
 * and the time for rank 0 to write every byte of rank 1's block once through
 * the mapping (first touch), for the segment and for the window.  Both modes
 * of ComEx run in one process: comex_init/comex_finalize twice under MPI
 * initialised here.
 */
#include <cstring>

#include "bench_util.h"

namespace {

double time_comex(size_t bytes, int reps, double *touch_us) {
  std::vector<double> t, touch;
  int n = 0, me = 0;
  COMEX_CHECK(comex_group_size(COMEX_GROUP_WORLD, &n));
  COMEX_CHECK(comex_group_rank(COMEX_GROUP_WORLD, &me));
  std::vector<void *> ptrs(static_cast<size_t>(n));
  for (int r = 0; r < reps; ++r) {
    COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
    double t0 = bench_now_us();
    COMEX_CHECK(comex_malloc(ptrs.data(), bytes, COMEX_GROUP_WORLD));
    double t1 = bench_now_us();
    /* first touch of the peer's block through ComEx (direct when shared) */
    if (me == 0 && bytes > 0) {
      std::vector<char> src(std::min<size_t>(bytes, 1 << 20), 1);
      double a = bench_now_us();
      for (size_t off = 0; off < bytes; off += src.size())
        COMEX_CHECK(comex_put(src.data(), static_cast<char *>(ptrs[1]) + off,
                              int(std::min(src.size(), bytes - off)), 1, COMEX_GROUP_WORLD));
      touch.push_back(bench_now_us() - a);
    }
    COMEX_CHECK(comex_barrier(COMEX_GROUP_WORLD));
    double t2 = bench_now_us();
    COMEX_CHECK(comex_free(ptrs[size_t(me)], COMEX_GROUP_WORLD));
    t.push_back((t1 - t0) + (bench_now_us() - t2));
  }
  *touch_us = touch.empty() ? 0 : bench_median(touch);
  return bench_median(t);
}

double time_window(MPI_Comm node, size_t bytes, int reps, double *touch_us) {
  std::vector<double> t, touch;
  int me = 0;
  MPI_CHECK(MPI_Comm_rank(node, &me));
  for (int r = 0; r < reps; ++r) {
    MPI_CHECK(MPI_Barrier(node));
    double t0 = bench_now_us();
    void *base = nullptr;
    MPI_Win win;
    MPI_CHECK(MPI_Win_allocate_shared(MPI_Aint(bytes), 1, MPI_INFO_NULL, node, &base, &win));
    MPI_Aint size = 0;
    int disp = 0;
    void *peer = nullptr;
    MPI_CHECK(MPI_Win_shared_query(win, me == 0 ? 1 : 0, &size, &disp, &peer));
    double t1 = bench_now_us();
    if (me == 0 && bytes > 0) {
      double a = bench_now_us();
      std::memset(peer, 1, bytes);
      touch.push_back(bench_now_us() - a);
    }
    MPI_CHECK(MPI_Barrier(node));
    double t2 = bench_now_us();
    MPI_CHECK(MPI_Win_free(&win));
    t.push_back((t1 - t0) + (bench_now_us() - t2));
  }
  *touch_us = touch.empty() ? 0 : bench_median(touch);
  return bench_median(t);
}

}  // namespace

int main(int argc, char **argv) {
  int provided = 0;
  MPI_CHECK(MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided));
  int reps = 9;
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "-r")) reps = std::max(1, std::atoi(argv[i + 1]));
  int me = 0, n = 0, node_n = 0;
  MPI_CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &me));
  MPI_CHECK(MPI_Comm_size(MPI_COMM_WORLD, &n));
  MPI_Comm node;
  MPI_CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, me, MPI_INFO_NULL, &node));
  MPI_CHECK(MPI_Comm_size(node, &node_n));
  if (n < 2 || node_n != n) {
    if (me == 0) std::fprintf(stderr, "perf_alloc: needs >= 2 ranks, all on one node\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  const size_t sizes[] = {4096, 65536, size_t(1) << 20, size_t(16) << 20, size_t(64) << 20};
  const int nsizes = int(sizeof sizes / sizeof sizes[0]);
  std::vector<double> shm(nsizes), shm_touch(nsizes), msg(nsizes), msg_touch(nsizes), win(nsizes),
      win_touch(nsizes);
  for (int mode = 0; mode < 2; ++mode) {
    setenv("COMEX_SHM", mode == 0 ? "1" : "0", 1);
    COMEX_CHECK(comex_init());
    for (int i = 0; i < nsizes; ++i) {
      if (mode == 0)
        shm[i] = time_comex(sizes[i], reps, &shm_touch[i]);
      else
        msg[i] = time_comex(sizes[i], reps, &msg_touch[i]);
    }
    COMEX_CHECK(comex_finalize());
  }
  for (int i = 0; i < nsizes; ++i) win[i] = time_window(node, sizes[i], reps, &win_touch[i]);
  if (me == 0) {
    std::printf("# perf_alloc: %d ranks on one node; median of %d; times in us on rank 0\n", n,
                reps);
    std::printf(
        "# alloc = collective allocation + free; touch = rank 0 writes all of rank "
        "1's block once\n");
    std::printf("%10s %12s %12s %12s %12s %12s %12s\n", "size", "comex_shm", "comex_msg", "mpi_win",
                "touch_shm", "touch_msg", "touch_win");
    for (int i = 0; i < nsizes; ++i)
      std::printf("%10s %12.1f %12.1f %12.1f %12.1f %12.1f %12.1f\n",
                  bench_size_str(sizes[i]).c_str(), shm[i], msg[i], win[i], shm_touch[i],
                  msg_touch[i], win_touch[i]);
  }
  MPI_CHECK(MPI_Comm_free(&node));
  MPI_CHECK(MPI_Finalize());
  return 0;
}
