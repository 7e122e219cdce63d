/*
 * comex.h -- the ComEx one-sided communication API (comex-mt implementation).
 *
 * A program written for Global Arrays' ComEx compiles against this header
 * unchanged and links with -lcomex.  Every function returns COMEX_SUCCESS (0)
 * or COMEX_FAILURE (1) unless noted otherwise.  On COMEX_FAILURE a one-line
 * message naming the function and the offending argument is printed to stderr.
 *
 * Conventions:
 *  - "src" is where data comes from and "dst" where it goes: for a put `dst`
 *    is remote, for a get `src` is remote.
 *  - `proc` is a rank within `group` (mutex functions take world ranks).
 *  - Remote addresses must lie inside memory returned by comex_malloc.
 */
#ifndef COMEX_H_
#define COMEX_H_

#include <mpi.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A non-blocking operation handle. */
typedef int comex_request_t;

/** A process group (a subset of the world, backed by an MPI communicator). */
typedef int comex_group_t;

/** An I/O vector: `count` pairs of addresses src[i] -> dst[i], `bytes` each. */
typedef struct {
  void **src; /**< source addresses */
  void **dst; /**< destination addresses */
  int count;  /**< number of address pairs */
  int bytes;  /**< bytes moved for each pair */
} comex_giov_t;

#define COMEX_GROUP_WORLD 0 /**< the world group (all processes) */
#define COMEX_GROUP_NULL -1 /**< no group */

#define COMEX_SUCCESS 0
#define COMEX_FAILURE 1

/* Read-modify-write operations (comex_rmw). */
#define COMEX_SWAP 10               /**< exchange int */
#define COMEX_SWAP_LONG 11          /**< exchange long */
#define COMEX_FETCH_AND_ADD 12      /**< int fetch-and-add */
#define COMEX_FETCH_AND_ADD_LONG 13 /**< long fetch-and-add */

/* Accumulate element types (comex_acc*): dst += scale * src. */
#define COMEX_ACC_OFF 36
#define COMEX_ACC_INT (COMEX_ACC_OFF + 1) /**< int */
#define COMEX_ACC_DBL (COMEX_ACC_OFF + 2) /**< double */
#define COMEX_ACC_FLT (COMEX_ACC_OFF + 3) /**< float */
#define COMEX_ACC_CPL (COMEX_ACC_OFF + 4) /**< float complex (re, im) */
#define COMEX_ACC_DCP (COMEX_ACC_OFF + 5) /**< double complex (re, im) */
#define COMEX_ACC_LNG (COMEX_ACC_OFF + 6) /**< long */

/** Highest number of stride levels in strided calls. */
#define COMEX_MAX_STRIDE_LEVEL 8

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

/** Start the library; initialises MPI with MPI_THREAD_MULTIPLE if the
 *  program has not.  If MPI is already initialised it must provide
 *  MPI_THREAD_MULTIPLE.  A second call is harmless. */
int comex_init(void);
/** As comex_init, passing argc/argv to MPI_Init_thread. */
int comex_init_args(int *argc, char ***argv);
/** As comex_init, using `comm` (duplicated) as the world group. */
int comex_init_comm(MPI_Comm comm);
/** 1 if the library is initialised, 0 if not. */
int comex_initialized(void);
/** Complete all outstanding operations, stop the progress thread, free all
 *  resources; finalises MPI only if comex_init* initialised it. */
int comex_finalize(void);
/** Print `msg` and `code` with the rank, then abort the whole job. */
void comex_error(const char *msg, int code);

/* ------------------------------------------------------------------ */
/* Groups                                                             */
/* ------------------------------------------------------------------ */

/** Create a group of the `n` ranks (of `group`) in `pid_list`; collective
 *  over those ranks only.  Non-members must not call it. */
int comex_group_create(int n, int *pid_list, comex_group_t group, comex_group_t *new_group);
/** Free a group made by comex_group_create (collective over its members). */
int comex_group_free(comex_group_t group);
/** This process's rank in `group`. */
int comex_group_rank(comex_group_t group, int *rank);
/** The number of processes in `group`. */
int comex_group_size(comex_group_t group, int *size);
/** The communicator behind `group`; the caller must not free it. */
int comex_group_comm(comex_group_t group, MPI_Comm *comm);
/** Translate `n` ranks of group `from` into ranks of group `to`
 *  (MPI_UNDEFINED where a process is not in `to`). */
int comex_group_translate_ranks(int n, comex_group_t group_from, int *ranks_from,
                                comex_group_t group_to, int *ranks_to);
/** Translate a rank of `group` into a rank of the world group. */
int comex_group_translate_world(comex_group_t group, int group_rank, int *world_rank);
/** Complete all of this process's outstanding communication (a fence), then
 *  a barrier over `group`. */
int comex_barrier(comex_group_t group);

/* ------------------------------------------------------------------ */
/* Memory                                                             */
/* ------------------------------------------------------------------ */

/** Collective over `group`: each member allocates `bytes` (may differ per
 *  member, may be 0) and receives in ptr_arr[i] the address of member i's
 *  block (NULL for a zero-size block). */
int comex_malloc(void **ptr_arr, size_t bytes, comex_group_t group);
/** As comex_malloc; host memory is the only device supported. */
int comex_malloc_mem_dev(void **ptr_arr, size_t bytes, comex_group_t group, const char *device);
/** Collective over `group`: free this member's block `ptr`. */
int comex_free(void *ptr, comex_group_t group);
/** As comex_free, for memory from comex_malloc_mem_dev. */
int comex_free_dev(void *ptr, comex_group_t group);
/** A local (non-collective) buffer suitable for communication. */
void *comex_malloc_local(size_t bytes);
/** Free a buffer from comex_malloc_local. */
int comex_free_local(void *ptr);

/* ------------------------------------------------------------------ */
/* Contiguous transfers                                               */
/* ------------------------------------------------------------------ */

/** Copy `bytes` from local `src` to `dst` on `proc`. */
int comex_put(void *src, void *dst, int bytes, int proc, comex_group_t group);
/** Copy `bytes` from `src` on `proc` to local `dst`. */
int comex_get(void *src, void *dst, int bytes, int proc, comex_group_t group);
/** dst on `proc` += scale * src, element type chosen by `op` (COMEX_ACC_*). */
int comex_acc(int op, void *scale, void *src, void *dst, int bytes, int proc, comex_group_t group);
int comex_nbput(void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *nb_handle);
int comex_nbget(void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *nb_handle);
int comex_nbacc(int op, void *scale, void *src, void *dst, int bytes, int proc, comex_group_t group,
                comex_request_t *nb_handle);

/* ------------------------------------------------------------------ */
/* Strided transfers: count[0] contiguous bytes, count[1..levels] blocks */
/* at each further level; strides are in bytes.                       */
/* ------------------------------------------------------------------ */

int comex_puts(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
               int stride_levels, int proc, comex_group_t group);
int comex_gets(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
               int stride_levels, int proc, comex_group_t group);
int comex_accs(int op, void *scale, void *src, int *src_stride, void *dst, int *dst_stride,
               int *count, int stride_levels, int proc, comex_group_t group);
int comex_nbputs(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
                 int stride_levels, int proc, comex_group_t group, comex_request_t *nb_handle);
int comex_nbgets(void *src, int *src_stride, void *dst, int *dst_stride, int *count,
                 int stride_levels, int proc, comex_group_t group, comex_request_t *nb_handle);
int comex_nbaccs(int op, void *scale, void *src, int *src_stride, void *dst, int *dst_stride,
                 int *count, int stride_levels, int proc, comex_group_t group,
                 comex_request_t *nb_handle);

/* ------------------------------------------------------------------ */
/* Vector transfers: `len` descriptors                                */
/* ------------------------------------------------------------------ */

int comex_putv(comex_giov_t *darr, int len, int proc, comex_group_t group);
int comex_getv(comex_giov_t *darr, int len, int proc, comex_group_t group);
int comex_accv(int op, void *scale, comex_giov_t *darr, int len, int proc, comex_group_t group);
int comex_nbputv(comex_giov_t *darr, int len, int proc, comex_group_t group,
                 comex_request_t *nb_handle);
int comex_nbgetv(comex_giov_t *darr, int len, int proc, comex_group_t group,
                 comex_request_t *nb_handle);
int comex_nbaccv(int op, void *scale, comex_giov_t *darr, int len, int proc, comex_group_t group,
                 comex_request_t *nb_handle);

/* ------------------------------------------------------------------ */
/* Read-modify-write                                                  */
/* ------------------------------------------------------------------ */

/** COMEX_FETCH_AND_ADD[_LONG]: remote *prem += extra, old value to *ploc.
 *  COMEX_SWAP[_LONG]: exchange *ploc and *prem.  Atomic with respect to
 *  other rmw on the same location. */
int comex_rmw(int op, void *ploc, void *prem, int extra, int proc, comex_group_t group);

/* ------------------------------------------------------------------ */
/* Completion                                                         */
/* ------------------------------------------------------------------ */

/** Block until the operation is locally complete. */
int comex_wait(comex_request_t *nb_handle);
/** *status = 0 when complete, 1 while in progress; makes progress. */
int comex_test(comex_request_t *nb_handle, int *status);
/** Complete every outstanding non-blocking operation. */
int comex_wait_all(comex_group_t group);
/** Complete every outstanding non-blocking operation to `proc`. */
int comex_wait_proc(int proc, comex_group_t group);
/** Every put and accumulate issued so far to `proc` is complete there. */
int comex_fence_proc(int proc, comex_group_t group);
/** Every put and accumulate issued so far to any member of `group` is
 *  complete at its target. */
int comex_fence_all(comex_group_t group);

/* ------------------------------------------------------------------ */
/* Mutexes                                                            */
/* ------------------------------------------------------------------ */

/** Collective on the world: create `num` mutexes on this process. */
int comex_create_mutexes(int num);
/** Collective on the world: destroy all mutexes. */
int comex_destroy_mutexes(void);
/** Acquire mutex `mutex` owned by world rank `proc` (first come, first served). */
int comex_lock(int mutex, int proc);
/** Release mutex `mutex` owned by world rank `proc`. */
int comex_unlock(int mutex, int proc);

/* ------------------------------------------------------------------ */
/* Extension of comex-mt (not in other ComEx implementations)         */
/* ------------------------------------------------------------------ */

/** Wait until test(arg) returns non-zero, calling it between polls the way
 *  ComEx waits for its own operations: the calling thread serves incoming
 *  requests meanwhile, polls without pause for COMEX_WAIT_SPIN_US, then
 *  yields the core between polls.  For layers on ComEx that wait for MPI
 *  (a request, a probe) and must not starve the progress thread of the
 *  core; libarmci's collectives and receives wait with it.  `test` must not
 *  call ComEx. */
int comex_wait_until(int (*test)(void *arg), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* COMEX_H_ */
