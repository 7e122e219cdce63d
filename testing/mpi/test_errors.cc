// Multi-rank tests of argument checking: every bad input returns
// COMEX_FAILURE, without crashing, hanging or writing anything.  The library
// prints one line per failure to stderr; that output is expected.
//
// Each test of the fixture runs with a comex_malloc block per rank filled
// with a known pattern and local buffers filled with known bytes; after the
// bad calls (aimed at the right neighbour and at the rank itself) every byte
// of all of them is checked.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "comex.h"
#include "test_util.h"

namespace {

using mpitest::AllBytesAre;
using mpitest::MatchesPattern;
using mpitest::SharedBlock;
using mpitest::WorldRank;
using mpitest::WorldSize;

constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;

#define EXPECT_FAIL(call) EXPECT_EQ((call), COMEX_FAILURE) << #call

// ---------------------------------------------------------------------------
// Calls before comex_init (run by main() in a child process before init, so
// a crash there cannot take the suite down).
// ---------------------------------------------------------------------------

enum PreInitCall { kInitialized, kPut, kGroupRank, kBarrier, kMalloc, kNumPreInitCalls };
const char *const kPreInitNames[] = {"comex_initialized", "comex_put", "comex_group_rank",
                                     "comex_barrier", "comex_malloc"};

struct PreInitResult {
  bool ran = false;
  int wait_status = -1;  // of the child, from waitpid
  int rc[kNumPreInitCalls] = {-1, -1, -1, -1, -1};
} g_pre_init;

void CheckCallsBeforeInit() {
  int fds[2];
  if (pipe(fds) != 0) return;
  const pid_t pid = fork();
  if (pid < 0) return;
  if (pid == 0) {
    close(fds[0]);
    alarm(20);  // a hang becomes a signal
    int rc[kNumPreInitCalls];
    int a = 1, b = 0, rank = -1;
    void *ptrs[64] = {nullptr};
    rc[kInitialized] = comex_initialized();
    rc[kPut] = comex_put(&a, &b, sizeof(int), 0, kWorld);
    rc[kGroupRank] = comex_group_rank(kWorld, &rank);
    rc[kBarrier] = comex_barrier(kWorld);
    rc[kMalloc] = comex_malloc(ptrs, 64, kWorld);
    ssize_t w = write(fds[1], rc, sizeof(rc));
    _exit(w == static_cast<ssize_t>(sizeof(rc)) ? 0 : 3);
  }
  close(fds[1]);
  size_t got = 0;
  char *out = reinterpret_cast<char *>(g_pre_init.rc);
  while (got < sizeof(g_pre_init.rc)) {
    ssize_t r = read(fds[0], out + got, sizeof(g_pre_init.rc) - got);
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  close(fds[0]);
  waitpid(pid, &g_pre_init.wait_status, 0);
  g_pre_init.ran = true;
}
const mpitest::PreInitCheck register_pre_init(CheckCallsBeforeInit);

TEST(PreInit, CallsBeforeInitFail) {
  ASSERT_TRUE(g_pre_init.ran) << "could not fork the pre-init check";
  const int st = g_pre_init.wait_status;
  ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0)
      << "child running ComEx calls before init died: "
      << (WIFSIGNALED(st) ? "signal " : "exit status ")
      << (WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
  EXPECT_EQ(g_pre_init.rc[kInitialized], 0) << kPreInitNames[kInitialized];
  for (int c = kPut; c < kNumPreInitCalls; ++c)
    EXPECT_EQ(g_pre_init.rc[c], COMEX_FAILURE) << kPreInitNames[c] << " before comex_init";
}

// ---------------------------------------------------------------------------
// The fixture: a patterned block per rank, patterned local buffers.
// ---------------------------------------------------------------------------

class Errors : public mpitest::BadCallTest {
 protected:
  static constexpr int kSalt = 77;
  Errors() : BadCallTest(kSalt) {}

  // An address in rank t's block aligned to 8, plus `skew` bytes.
  char *aligned_remote(int t, int skew) const {
    uintptr_t a = reinterpret_cast<uintptr_t>(blk_->at(t));
    return reinterpret_cast<char *>(((a + 7) & ~uintptr_t{7}) + skew);
  }
  bool inside_block(int t, const void *p, size_t bytes) const {
    uintptr_t a = reinterpret_cast<uintptr_t>(p);
    uintptr_t b = reinterpret_cast<uintptr_t>(blk_->at(t));
    return a + bytes > b && a < b + kBytes;
  }

  // Every contiguous data-movement call (blocking and nb) with these
  // arguments; each must fail.  `remote_addr` is the remote side.
  void ExpectAllTransfersFail(void *remote_addr, int bytes, int proc, comex_group_t group,
                              const char *what) {
    SCOPED_TRACE(what);
    int iscale = 1;
    comex_request_t h;
    // An accumulate moves whole ints (the bytes of a partial one are left
    // alone, as in GA's ComEx): round up, so that it has something to refuse.
    const int acc_bytes = bytes < 0 ? bytes : (bytes + 3) / 4 * 4;
    EXPECT_FAIL(comex_put(src_.data(), remote_addr, bytes, proc, group));
    EXPECT_FAIL(comex_get(remote_addr, dst_.data(), bytes, proc, group));
    EXPECT_FAIL(
        comex_acc(COMEX_ACC_INT, &iscale, src_.data(), remote_addr, acc_bytes, proc, group));
    EXPECT_FAIL(comex_nbput(src_.data(), remote_addr, bytes, proc, group, &h));
    EXPECT_FAIL(comex_nbget(remote_addr, dst_.data(), bytes, proc, group, &h));
    EXPECT_FAIL(
        comex_nbacc(COMEX_ACC_INT, &iscale, src_.data(), remote_addr, acc_bytes, proc, group, &h));
  }

  // Every rmw op with this remote address; each must fail and leave the
  // local operand as it was.
  void ExpectAllRmwFail(void *prem, int proc, comex_group_t group, const char *what) {
    SCOPED_TRACE(what);
    int iloc = 1234;
    long lloc = 5678;
    EXPECT_FAIL(comex_rmw(COMEX_FETCH_AND_ADD, &iloc, prem, 1, proc, group));
    EXPECT_FAIL(comex_rmw(COMEX_SWAP, &iloc, prem, 0, proc, group));
    EXPECT_FAIL(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &lloc, prem, 1, proc, group));
    EXPECT_FAIL(comex_rmw(COMEX_SWAP_LONG, &lloc, prem, 0, proc, group));
    EXPECT_EQ(iloc, 1234);
    EXPECT_EQ(lloc, 5678);
  }
};

// ---------------------------------------------------------------------------
// Groups and procs
// ---------------------------------------------------------------------------

TEST_F(Errors, BadGroupHandle) {
  for (comex_group_t g : {12345, COMEX_GROUP_NULL, -7}) {
    SCOPED_TRACE("group " + std::to_string(g));
    ExpectAllTransfersFail(remote(0), 8, 0, g, "transfers");
    ExpectAllRmwFail(remote(0), 0, g, "rmw");
    int rank = -1, size = -1, world = -1, to = -1, from = 0;
    MPI_Comm comm = MPI_COMM_NULL;
    EXPECT_FAIL(comex_group_rank(g, &rank));
    EXPECT_FAIL(comex_group_size(g, &size));
    EXPECT_FAIL(comex_group_comm(g, &comm));
    EXPECT_FAIL(comex_group_translate_world(g, 0, &world));
    EXPECT_FAIL(comex_group_translate_ranks(1, g, &from, kWorld, &to));
    EXPECT_FAIL(comex_group_translate_ranks(1, kWorld, &from, g, &to));
    EXPECT_EQ(rank, -1);
    EXPECT_EQ(size, -1);
    EXPECT_EQ(world, -1);
    EXPECT_EQ(to, -1);
    EXPECT_FAIL(comex_wait_all(g));
    EXPECT_FAIL(comex_wait_proc(0, g));
    EXPECT_FAIL(comex_fence_proc(0, g));
    EXPECT_FAIL(comex_fence_all(g));
    EXPECT_FAIL(comex_barrier(g));  // every rank calls it: no hang either
    comex_group_t sub = COMEX_GROUP_NULL;
    int me = me_;
    EXPECT_FAIL(comex_group_create(1, &me, g, &sub));
    EXPECT_FAIL(comex_group_free(g));
    std::vector<void *> ptrs(n_, nullptr);
    EXPECT_FAIL(comex_malloc(ptrs.data(), 64, g));
    for (void *p : ptrs) EXPECT_EQ(p, nullptr);
  }
}

TEST_F(Errors, ProcOutOfRange) {
  for (int proc : {-1, n_, n_ + 5, INT_MIN, INT_MAX}) {
    SCOPED_TRACE("proc " + std::to_string(proc));
    ExpectAllTransfersFail(remote(right_), 8, proc, kWorld, "transfers");
    ExpectAllRmwFail(remote(right_), proc, kWorld, "rmw");
    EXPECT_FAIL(comex_wait_proc(proc, kWorld));
    EXPECT_FAIL(comex_fence_proc(proc, kWorld));
    int world = -1;
    EXPECT_FAIL(comex_group_translate_world(kWorld, proc, &world));
    EXPECT_FAIL(comex_group_translate_ranks(1, kWorld, &proc, kWorld, &world));
  }
  // Proc 1 is a world rank but not a rank of a one-member group.
  comex_group_t g = COMEX_GROUP_NULL;
  int me = me_;
  ASSERT_EQ(comex_group_create(1, &me, kWorld, &g), COMEX_SUCCESS);
  ExpectAllTransfersFail(remote(me_), 8, 1, g, "proc 1 of a singleton group");
  EXPECT_FAIL(comex_fence_proc(1, g));
  EXPECT_FAIL(comex_wait_proc(1, g));
  EXPECT_EQ(comex_group_free(g), COMEX_SUCCESS);
}

// ---------------------------------------------------------------------------
// Buffers, sizes and ops
// ---------------------------------------------------------------------------

TEST_F(Errors, NullBuffers) {
  int iscale = 1;
  comex_request_t h;
  for (int t : targets_) {
    SCOPED_TRACE("target " + std::to_string(t));
    EXPECT_FAIL(comex_put(nullptr, remote(t), 8, t, kWorld));
    EXPECT_FAIL(comex_put(src_.data(), nullptr, 8, t, kWorld));
    EXPECT_FAIL(comex_get(nullptr, dst_.data(), 8, t, kWorld));
    EXPECT_FAIL(comex_get(remote(t), nullptr, 8, t, kWorld));
    EXPECT_FAIL(comex_acc(COMEX_ACC_INT, &iscale, nullptr, remote(t), 8, t, kWorld));
    EXPECT_FAIL(comex_acc(COMEX_ACC_INT, &iscale, src_.data(), nullptr, 8, t, kWorld));
    EXPECT_FAIL(comex_acc(COMEX_ACC_INT, nullptr, src_.data(), remote(t), 8, t, kWorld));
    EXPECT_FAIL(comex_nbput(nullptr, remote(t), 8, t, kWorld, &h));
    EXPECT_FAIL(comex_nbput(src_.data(), nullptr, 8, t, kWorld, &h));
    EXPECT_FAIL(comex_nbget(nullptr, dst_.data(), 8, t, kWorld, &h));
    EXPECT_FAIL(comex_nbget(remote(t), nullptr, 8, t, kWorld, &h));
    EXPECT_FAIL(comex_nbacc(COMEX_ACC_INT, &iscale, nullptr, remote(t), 8, t, kWorld, &h));
    EXPECT_FAIL(comex_nbacc(COMEX_ACC_INT, &iscale, src_.data(), nullptr, 8, t, kWorld, &h));
    EXPECT_FAIL(comex_nbacc(COMEX_ACC_INT, nullptr, src_.data(), remote(t), 8, t, kWorld, &h));
    EXPECT_FAIL(comex_rmw(COMEX_FETCH_AND_ADD, nullptr, remote(t), 1, t, kWorld));
    EXPECT_FAIL(comex_rmw(COMEX_SWAP_LONG, nullptr, remote(t), 0, t, kWorld));
    ExpectAllRmwFail(nullptr, t, kWorld, "rmw with null prem");
  }
}

TEST_F(Errors, NegativeBytes) {
  for (int t : targets_)
    for (int bytes : {-1, -8, INT_MIN}) {
      SCOPED_TRACE("target " + std::to_string(t) + ", bytes " + std::to_string(bytes));
      ExpectAllTransfersFail(remote(t), bytes, t, kWorld, "negative bytes");
    }
}

TEST_F(Errors, UnknownOps) {
  int iscale = 1;
  comex_request_t h;
  for (int t : targets_) {
    SCOPED_TRACE("target " + std::to_string(t));
    for (int op : {99, COMEX_ACC_OFF, COMEX_ACC_LNG + 1, 0, -1, COMEX_FETCH_AND_ADD}) {
      EXPECT_FAIL(comex_acc(op, &iscale, src_.data(), remote(t), 8, t, kWorld)) << " op " << op;
      EXPECT_FAIL(comex_nbacc(op, &iscale, src_.data(), remote(t), 8, t, kWorld, &h))
          << " op " << op;
    }
    for (int op : {99, 0, -1, COMEX_SWAP - 1, COMEX_FETCH_AND_ADD_LONG + 1, COMEX_ACC_INT}) {
      long loc = 4321;
      EXPECT_FAIL(comex_rmw(op, &loc, aligned_remote(t, 0), 1, t, kWorld)) << " op " << op;
      EXPECT_EQ(loc, 4321) << "op " << op;
    }
  }
}

// ---------------------------------------------------------------------------
// Remote addresses outside comex_malloc memory
// ---------------------------------------------------------------------------

TEST_F(Errors, RemoteRangeOutsideAllocation) {
  const int k = static_cast<int>(kBytes);
  int stack_var = 0;
  std::vector<long> heap_var(16, 0);
  for (int t : targets_) {
    SCOPED_TRACE("target " + std::to_string(t));
    ExpectAllTransfersFail(remote(t, k), 1, t, kWorld, "one byte past the end");
    ExpectAllTransfersFail(remote(t, k - 4), 8, t, kWorld, "starts inside, runs past the end");
    ExpectAllTransfersFail(remote(t), k + 4, t, kWorld, "whole block plus 4");
    ExpectAllTransfersFail(remote(t, -1), 1, t, kWorld, "one byte before the start");
    ExpectAllTransfersFail(remote(t, -4), 8, t, kWorld, "starts before, runs into the block");
    ExpectAllRmwFail(aligned_remote(t, 0) + k + 8, t, kWorld, "rmw past the end");
    ExpectAllRmwFail(aligned_remote(t, 0) - 8, t, kWorld, "rmw before the start");
    // A stack and a heap address of this process: never comex memory here;
    // on another rank, only if it does not happen to fall in its block.
    if (!inside_block(t, &stack_var, sizeof(int)))
      ExpectAllTransfersFail(&stack_var, sizeof(int), t, kWorld, "stack address");
    if (!inside_block(t, heap_var.data(), 8 * sizeof(long))) {
      ExpectAllTransfersFail(heap_var.data(), 8 * sizeof(long), t, kWorld, "heap address");
      ExpectAllRmwFail(heap_var.data(), t, kWorld, "rmw on a heap address");
    }
  }
  EXPECT_EQ(stack_var, 0);
  for (long v : heap_var) EXPECT_EQ(v, 0);
}

// A block that has been freed is no longer a valid remote range.
TEST_F(Errors, RemoteRangeInFreedBlock) {
  std::vector<void *> ptrs(n_, nullptr);
  ASSERT_EQ(comex_malloc(ptrs.data(), 256, kWorld), COMEX_SUCCESS);
  ASSERT_EQ(comex_free(ptrs[me_], kWorld), COMEX_SUCCESS);
  for (int t : targets_) {
    if (inside_block(t, ptrs[t], 256)) continue;  // not while ours is live
    SCOPED_TRACE("target " + std::to_string(t));
    ExpectAllTransfersFail(ptrs[t], 8, t, kWorld, "freed block");
  }
}

TEST_F(Errors, MisalignedRmw) {
  for (int t : targets_) {
    SCOPED_TRACE("target " + std::to_string(t));
    for (int skew : {1, 2, 3, 5}) {
      int iloc = 11;
      EXPECT_FAIL(comex_rmw(COMEX_FETCH_AND_ADD, &iloc, aligned_remote(t, skew), 1, t, kWorld))
          << "skew " << skew;
      EXPECT_FAIL(comex_rmw(COMEX_SWAP, &iloc, aligned_remote(t, skew), 0, t, kWorld))
          << "skew " << skew;
      EXPECT_EQ(iloc, 11);
    }
    for (int skew : {1, 4, 6}) {
      long lloc = 22;
      EXPECT_FAIL(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &lloc, aligned_remote(t, skew), 1, t, kWorld))
          << "skew " << skew;
      EXPECT_FAIL(comex_rmw(COMEX_SWAP_LONG, &lloc, aligned_remote(t, skew), 0, t, kWorld))
          << "skew " << skew;
      EXPECT_EQ(lloc, 22);
    }
  }
}

// ---------------------------------------------------------------------------
// Handles and completion
// ---------------------------------------------------------------------------

TEST_F(Errors, BadHandles) {
  int iscale = 1;
  for (int t : targets_) {
    SCOPED_TRACE("target " + std::to_string(t));
    EXPECT_FAIL(comex_nbput(src_.data(), remote(t), 8, t, kWorld, nullptr));
    EXPECT_FAIL(comex_nbget(remote(t), dst_.data(), 8, t, kWorld, nullptr));
    EXPECT_FAIL(comex_nbacc(COMEX_ACC_INT, &iscale, src_.data(), remote(t), 8, t, kWorld, nullptr));
  }
  int status = 7;
  EXPECT_FAIL(comex_wait(nullptr));
  EXPECT_FAIL(comex_test(nullptr, &status));
  EXPECT_EQ(status, 7);
  // Values no call ever handed out.
  for (comex_request_t bogus : {-5, INT_MIN, INT_MAX}) {
    comex_request_t h = bogus;
    EXPECT_FAIL(comex_wait(&h)) << " handle " << bogus;
    EXPECT_FAIL(comex_test(&h, &status)) << " handle " << bogus;
    EXPECT_EQ(status, 7);
  }
  // A real handle with a null status pointer; the handle stays usable.
  std::vector<uint8_t> got(64, 0);
  comex_request_t h;
  ASSERT_EQ(comex_nbget(remote(right_), got.data(), 64, right_, kWorld, &h), COMEX_SUCCESS);
  EXPECT_FAIL(comex_test(&h, nullptr));
  EXPECT_EQ(comex_wait(&h), COMEX_SUCCESS);
  EXPECT_TRUE(MatchesPattern(got.data(), 64, right_, right_, kSalt));
}

// ---------------------------------------------------------------------------
// Group functions
// ---------------------------------------------------------------------------

TEST_F(Errors, GroupArguments) {
  EXPECT_FAIL(comex_group_rank(kWorld, nullptr));
  EXPECT_FAIL(comex_group_size(kWorld, nullptr));
  EXPECT_FAIL(comex_group_comm(kWorld, nullptr));
  EXPECT_FAIL(comex_group_translate_world(kWorld, 0, nullptr));
  int from[2] = {0, n_}, to[2] = {-7, -7};
  EXPECT_FAIL(comex_group_translate_ranks(2, kWorld, from, kWorld, to));
  EXPECT_FAIL(comex_group_translate_ranks(1, kWorld, nullptr, kWorld, to));
  EXPECT_FAIL(comex_group_translate_ranks(1, kWorld, from, kWorld, nullptr));
  EXPECT_FAIL(comex_group_translate_ranks(-1, kWorld, from, kWorld, to));

  // Creation with a bad list fails on every caller before any collective.
  comex_group_t g = COMEX_GROUP_NULL;
  int me = me_, out_of_range[1] = {n_}, negative[1] = {-1};
  EXPECT_FAIL(comex_group_create(1, out_of_range, kWorld, &g));
  EXPECT_FAIL(comex_group_create(1, negative, kWorld, &g));
  EXPECT_FAIL(comex_group_create(-1, &me, kWorld, &g));
  EXPECT_FAIL(comex_group_create(1, nullptr, kWorld, &g));
  EXPECT_FAIL(comex_group_create(1, &me, kWorld, nullptr));
  EXPECT_EQ(g, COMEX_GROUP_NULL);

  // The world group cannot be freed (and still works afterwards).
  EXPECT_FAIL(comex_group_free(kWorld));
  EXPECT_FAIL(comex_group_free(COMEX_GROUP_NULL));
  EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  int size = 0;
  EXPECT_EQ(comex_group_size(kWorld, &size), COMEX_SUCCESS);
  EXPECT_EQ(size, n_);

  // A freed group handle is no longer valid.
  ASSERT_EQ(comex_group_create(1, &me, kWorld, &g), COMEX_SUCCESS);
  ASSERT_EQ(comex_group_free(g), COMEX_SUCCESS);
  EXPECT_FAIL(comex_group_free(g));
  EXPECT_FAIL(comex_group_size(g, &size));
  ExpectAllTransfersFail(remote(me_), 8, 0, g, "freed group");
}

// ---------------------------------------------------------------------------
// Memory
// ---------------------------------------------------------------------------

// comex_free is collective: every rank passes the same kind of bad pointer,
// every rank must get COMEX_FAILURE, none may hang, and the block can then be
// freed normally (once).
TEST_F(Errors, FreeOfForeignPointer) {
  std::vector<void *> ptrs(n_, nullptr);
  ASSERT_EQ(comex_malloc(ptrs.data(), 256, kWorld), COMEX_SUCCESS);
  char *mine = static_cast<char *>(ptrs[me_]);
  ASSERT_NE(mine, nullptr);
  int stack_var = 0;
  std::vector<char> heap_var(256);
  EXPECT_FAIL(comex_free(&stack_var, kWorld));
  EXPECT_FAIL(comex_free(heap_var.data(), kWorld));
  EXPECT_FAIL(comex_free(mine + 1, kWorld));
  EXPECT_FAIL(comex_free(mine, 12345));
  EXPECT_FAIL(comex_free_dev(&stack_var, kWorld));
  // The block still works after the failed frees.
  const int t = right_;
  int v = 1000 + me_, back = -1;
  EXPECT_EQ(comex_put(&v, static_cast<char *>(ptrs[t]) + 8, sizeof(int), t, kWorld), COMEX_SUCCESS);
  EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::memcpy(&back, mine + 8, sizeof(int));
  EXPECT_EQ(back, 1000 + (me_ + n_ - 1) % n_);
  EXPECT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  EXPECT_EQ(comex_free(mine, kWorld), COMEX_SUCCESS);
  EXPECT_FAIL(comex_free(mine, kWorld));  // double free
}

TEST_F(Errors, MallocArguments) {
  EXPECT_FAIL(comex_malloc(nullptr, 64, kWorld));
  EXPECT_FAIL(comex_malloc_mem_dev(nullptr, 64, kWorld, "host"));
}

// ---------------------------------------------------------------------------
// Strided, vector and mutex entry points (built in a later issue): only the
// argument checks.
// ---------------------------------------------------------------------------

TEST_F(Errors, StridedVectorMutexArguments) {
  const int t = right_;
  int stride[1] = {64}, count[2] = {8, 2};
  int iscale = 1;
  comex_request_t h;
  for (int levels : {-1, COMEX_MAX_STRIDE_LEVEL + 1}) {
    SCOPED_TRACE("stride_levels " + std::to_string(levels));
    EXPECT_FAIL(comex_puts(src_.data(), stride, remote(t), stride, count, levels, t, kWorld));
    EXPECT_FAIL(comex_gets(remote(t), stride, dst_.data(), stride, count, levels, t, kWorld));
    EXPECT_FAIL(comex_accs(COMEX_ACC_INT, &iscale, src_.data(), stride, remote(t), stride, count,
                           levels, t, kWorld));
    EXPECT_FAIL(comex_nbputs(src_.data(), stride, remote(t), stride, count, levels, t, kWorld, &h));
  }
  EXPECT_FAIL(comex_puts(src_.data(), stride, remote(t), stride, nullptr, 1, t, kWorld));
  EXPECT_FAIL(comex_gets(remote(t), stride, dst_.data(), stride, nullptr, 1, t, kWorld));

  void *vsrc[1] = {src_.data()}, *vdst[1] = {remote(t)};
  comex_giov_t iov = {vsrc, vdst, 1, 8};
  EXPECT_FAIL(comex_putv(nullptr, 1, t, kWorld));
  EXPECT_FAIL(comex_putv(&iov, -1, t, kWorld));
  EXPECT_FAIL(comex_putv(&iov, 1, n_, kWorld));
  EXPECT_FAIL(comex_accv(99, &iscale, &iov, 1, t, kWorld));
  void *gsrc[1] = {remote(t)}, *gdst[1] = {dst_.data()};
  comex_giov_t giov = {gsrc, gdst, 1, 8};
  EXPECT_FAIL(comex_getv(&giov, 1, -1, kWorld));

  // No mutexes exist here: every lock is out of range.
  EXPECT_FAIL(comex_lock(0, -1));
  EXPECT_FAIL(comex_lock(0, n_));
  EXPECT_FAIL(comex_lock(-1, me_));
  EXPECT_FAIL(comex_unlock(0, -1));
  EXPECT_FAIL(comex_create_mutexes(-1));  // every rank: no hang
}

// Last, because a library that passes a duplicated rank list on to
// MPI_Group_incl aborts the job.
TEST_F(Errors, GroupCreateWithDuplicateRank) {
  comex_group_t g = COMEX_GROUP_NULL;
  int twice[2] = {me_, me_};
  EXPECT_FAIL(comex_group_create(2, twice, kWorld, &g));
  EXPECT_EQ(g, COMEX_GROUP_NULL);
}

}  // namespace
