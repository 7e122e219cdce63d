/*
 * The checks the plain C test programs run after ARMCI_Init (test_c_init_*.c):
 * the headers used from C, the main calls with data checks, and
 * asynchronous progress (a target computing outside ARMCI and MPI still
 * serves gets and puts), and ARMCI-MPI's extensions as a C program uses them.
 */
#include "c_checks.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "armci.h"
#include "armcix.h"
#include "message.h"

static int failures = 0;

/* The flag test reads memory the progress thread writes, with no lock
 * between them: that is the point of it (the data arrive while this thread
 * computes).  ThreadSanitizer would call it a race; tell it to look away. */
#if defined(__SANITIZE_THREAD__)
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define IGNORE_READS_BEGIN() AnnotateIgnoreReadsBegin(__FILE__, __LINE__)
#define IGNORE_READS_END() AnnotateIgnoreReadsEnd(__FILE__, __LINE__)
#else
#define IGNORE_READS_BEGIN() ((void)0)
#define IGNORE_READS_END() ((void)0)
#endif

#define CHECK(cond)                                                                              \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      fprintf(stderr, "[rank %d] %s:%d: check failed: %s\n", armci_msg_me(), __FILE__, __LINE__, \
              #cond);                                                                            \
      ++failures;                                                                                \
    }                                                                                            \
  } while (0)

static int value(int rank, int i) { return rank * 1000 + i; }

static void check_rma(int me, int n) {
  enum { N = 512 };
  const int right = (me + 1) % n, left = (me + n - 1) % n;
  void *ptrs[64];
  int src[N], got[N], i;
  CHECK(n <= 64);
  CHECK(ARMCI_Malloc(ptrs, 2 * N * sizeof(int)) == 0);
  for (i = 0; i < N; ++i) src[i] = value(me, i);
  CHECK(ARMCI_Put(src, ptrs[right], N * sizeof(int), right) == 0);
  ARMCI_Barrier();
  for (i = 0; i < N; ++i) CHECK(((int *)ptrs[me])[i] == value(left, i));
  memset(got, 0, sizeof got);
  CHECK(ARMCI_Get(ptrs[right], got, N * sizeof(int), right) == 0);
  for (i = 0; i < N; ++i) CHECK(got[i] == value(me, i));

  /* Strided: 4 rows of 8 ints into rows of 16 in the second half. */
  {
    int stride[1] = {16 * sizeof(int)}, sstride[1] = {8 * sizeof(int)};
    int count[2] = {8 * sizeof(int), 4};
    int r, c;
    CHECK(ARMCI_PutS(src, sstride, (int *)ptrs[right] + N, stride, count, 1, right) == 0);
    ARMCI_Barrier();
    for (r = 0; r < 4; ++r)
      for (c = 0; c < 8; ++c) CHECK(((int *)ptrs[me])[N + r * 16 + c] == value(left, r * 8 + c));
  }

  /* Accumulate into rank 0 from everyone. */
  {
    int one[4] = {1, 2, 3, 4}, scale = 2;
    ARMCI_Barrier();
    if (me == 0) memset(ptrs[0], 0, 4 * sizeof(int));
    ARMCI_Barrier();
    CHECK(ARMCI_Acc(ARMCI_ACC_INT, &scale, one, ptrs[0], 4 * sizeof(int), 0) == 0);
    ARMCI_Barrier();
    if (me == 0)
      for (i = 0; i < 4; ++i) CHECK(((int *)ptrs[0])[i] == 2 * (i + 1) * n);
  }

  /* Vector and non-blocking get. */
  {
    int a = value(me, 7), b = value(me, 9);
    void *vs[2], *vd[2];
    armci_giov_t v;
    armci_hdl_t h;
    ARMCI_Barrier();
    vs[0] = &a;
    vs[1] = &b;
    vd[0] = (int *)ptrs[right] + 1;
    vd[1] = (int *)ptrs[right] + 3;
    v.src_ptr_array = vs;
    v.dst_ptr_array = vd;
    v.ptr_array_len = 2;
    v.bytes = sizeof(int);
    CHECK(ARMCI_PutV(&v, 1, right) == 0);
    ARMCI_Barrier();
    CHECK(((int *)ptrs[me])[1] == value(left, 7));
    CHECK(((int *)ptrs[me])[3] == value(left, 9));
    ARMCI_INIT_HANDLE(&h);
    CHECK(ARMCI_NbGet((int *)ptrs[right] + 1, got, sizeof(int), right, &h) == 0);
    CHECK(ARMCI_Wait(&h) == 0);
    CHECK(got[0] == value(me, 7));
  }

  /* Fetch-and-add on rank 0. */
  {
    int old = -1;
    ARMCI_Barrier();
    if (me == 0) ((int *)ptrs[0])[5] = 0;
    ARMCI_Barrier();
    CHECK(ARMCI_Rmw(ARMCI_FETCH_AND_ADD, &old, (int *)ptrs[0] + 5, 1, 0) == 0);
    CHECK(old >= 0 && old < n);
    ARMCI_Barrier();
    CHECK(ARMCI_GetValueInt((int *)ptrs[0] + 5, 0) == n);
  }
  ARMCI_Barrier();
  CHECK(ARMCI_Free(ptrs[me]) == 0);
}

static void check_msg(int me, int n) {
  int x[3] = {me, me + 1, -me};
  double d = me + 0.5;
  long l = me;
  char buf[32];
  int len = -1;
  armci_msg_igop(x, 3, "+");
  CHECK(x[0] == n * (n - 1) / 2 && x[1] == n * (n + 1) / 2 && x[2] == -n * (n - 1) / 2);
  armci_msg_dgop(&d, 1, "max");
  CHECK(d == n - 0.5);
  armci_msg_lgop(&l, 1, "min");
  CHECK(l == 0);
  snprintf(buf, sizeof buf, "from %d", n - 1);
  if (me != n - 1) memset(buf, 0, sizeof buf);
  armci_msg_bcast(buf, sizeof buf, n - 1);
  {
    char expect[32];
    snprintf(expect, sizeof expect, "from %d", n - 1);
    CHECK(strcmp(buf, expect) == 0);
  }
  snprintf(buf, sizeof buf, "hi %d", me);
  armci_msg_snd(4, buf, (int)strlen(buf) + 1, (me + 1) % n);
  memset(buf, 0, sizeof buf);
  armci_msg_rcv(4, buf, sizeof buf, &len, (me + n - 1) % n);
  {
    char expect[32];
    snprintf(expect, sizeof expect, "hi %d", (me + n - 1) % n);
    CHECK(strcmp(buf, expect) == 0);
    CHECK(len == (int)strlen(expect) + 1);
  }
  CHECK(armci_domain_count(ARMCI_DOMAIN_SMP) >= 1);
  CHECK(armci_domain_same_id(ARMCI_DOMAIN_SMP, me) == 1);
  CHECK(ARMCI_Same_node(me) == 1);
  armci_msg_barrier();
}

/* Rank 1 computes (outside ARMCI and MPI) until a flag lands in its memory;
 * rank 0 first gets data from rank 1, then sets the flag.  Only a progress
 * thread on rank 1 can serve both. */
static void check_async_progress(int me, int n) {
  void *ptrs[64];
  volatile int *mine;
  CHECK(ARMCI_Malloc(ptrs, 2 * sizeof(int)) == 0);
  mine = (volatile int *)ptrs[me];
  mine[0] = 1234 + me;
  mine[1] = 0;
  ARMCI_Barrier();
  if (n >= 2 && me == 0) {
    int got = 0;
    CHECK(ARMCI_Get(ptrs[1], &got, sizeof(int), 1) == 0);
    CHECK(got == 1235);
    CHECK(ARMCI_PutValueInt(1, (int *)ptrs[1] + 1, 1) == 0);
  } else if (n >= 2 && me == 1) {
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    t = t0;
    IGNORE_READS_BEGIN();
    while (mine[1] == 0 && t.tv_sec - t0.tv_sec < 60) {
      sched_yield();
      clock_gettime(CLOCK_MONOTONIC, &t);
    }
    CHECK(mine[1] == 1);
    IGNORE_READS_END();
  }
  ARMCI_Barrier();
  CHECK(ARMCI_Free(ptrs[me]) == 0);
}

/* ARMCI-MPI's extensions from C: a duplicate of the world, a mutex-handle
 * counter on the last rank, direct local access and a mode. */
static void check_armcix(int me, int n) {
  ARMCI_Group world, dup;
  armcix_mutex_hdl_t h;
  void *ptrs[64];
  int i, size = -1;
  ARMCI_Group_get_world(&world);
  CHECK(ARMCIX_Group_dup(&world, &dup) == 0);
  ARMCI_Group_size(&dup, &size);
  CHECK(size == n);
  h = ARMCIX_Create_mutexes_hdl(1, &dup);
  CHECK(h != NULL);
  CHECK(ARMCI_Malloc_group(ptrs, sizeof(long), &dup) == 0);
  ARMCI_Access_begin(ptrs[me]);
  *(long *)ptrs[me] = 0;
  ARMCI_Access_end(ptrs[me]);
  ARMCI_Barrier();
  for (i = 0; h && i < 5; ++i) {
    long v;
    ARMCIX_Lock_hdl(h, 0, n - 1);
    v = ARMCI_GetValueLong(ptrs[n - 1], n - 1);
    CHECK(ARMCI_PutValueLong(v + 1, ptrs[n - 1], n - 1) == 0);
    ARMCIX_Unlock_hdl(h, 0, n - 1);
  }
  ARMCI_Barrier();
  CHECK(ARMCI_GetValueLong(ptrs[n - 1], n - 1) == 5L * n);
  CHECK(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, ptrs[me], &dup) == 0);
  CHECK(ARMCIX_Mode_get(ptrs[me]) == ARMCIX_MODE_CONFLICT_FREE);
  ARMCI_Barrier();
  if (h) CHECK(ARMCIX_Destroy_mutexes_hdl(h) == 0);
  CHECK(ARMCI_Free_group(ptrs[me], &dup) == 0);
  ARMCI_Group_free(&dup);
}

int run_c_checks(void) {
  const int me = armci_msg_me(), n = armci_msg_nproc();
  int any;
  CHECK(ARMCI_Initialized() == 1);
  check_rma(me, n);
  check_msg(me, n);
  check_async_progress(me, n);
  check_armcix(me, n);
  any = failures;
  armci_msg_igop(&any, 1, "+");
  if (me == 0) printf("c checks: %d failure(s) over %d rank(s)\n", any, n);
  return any != 0;
}
