/*
 * armci.h -- the ARMCI one-sided API on the comex-mt ComEx runtime (libarmci).
 *
 * This is the interface Global Arrays is written against.  Build a program
 * with  mpicc prog.c -larmci  (libarmci carries its own dependencies on
 * libcomex and the C++ runtime).  Every ARMCI_* function is a weak alias of
 * a PARMCI_* implementation, so a profiling library can define ARMCI_* and
 * call PARMCI_*.
 *
 * Conventions (details in doc/armci.md):
 *  - `proc` in data-movement, fence, lock and rmw calls is a rank of the
 *    world group (ARMCI_Absolute_id translates a group rank).
 *  - Functions returning int return 0 on success and non-zero on failure
 *    (ARMCI_FAIL, -1, unless noted); a failing call prints one line naming the
 *    function and the bad argument, and never aborts the job.
 *    Exceptions: ARMCI_Init_mpi_comm returns 1 on success and 0 on failure
 *    (what GA expects of it); ARMCI_Test returns 0 when complete, 1 while in
 *    progress; ARMCI_Initialized, ARMCI_Same_node, ARMCI_Uses_shm* return
 *    booleans; armci_domain_* return -1 on bad input.
 *  - ARMCI-MPI's extensions (ARMCI_Access_*, ARMCI_Init_thread*, ARMCIX_*)
 *    are declared here too; armcix.h only includes this header.
 *  - armci_giov_t keeps GA's field order (ptr_array_len before bytes);
 *    ARMCI-MPI's header swaps the two, so set the fields by name.
 *  - Remote addresses must lie inside memory from ARMCI_Malloc*.
 *  - libarmci defines MPI_Init and MPI_Init_thread (through the MPI profiling
 *    interface) so that MPI always starts with MPI_THREAD_MULTIPLE, which the
 *    ComEx engine needs.
 */
#ifndef ARMCI_H_
#define ARMCI_H_

#include <mpi.h>
#include <stdlib.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Types and constants                                                */
/* ------------------------------------------------------------------ */

/** An I/O vector: ptr_array_len pairs src_ptr_array[i] -> dst_ptr_array[i],
 *  `bytes` each. */
typedef struct {
  void **src_ptr_array;
  void **dst_ptr_array;
  int ptr_array_len;
  int bytes;
} armci_giov_t;

typedef long armci_size_t;

/** A non-blocking request.  Initialise with ARMCI_INIT_HANDLE before first
 *  use; a handle may be reused once its operation is complete.  The fields
 *  are private. */
typedef struct {
  int state;     /* ARMCI private: whether an operation is outstanding */
  int request;   /* ARMCI private: the ComEx request */
  int aggregate; /* ARMCI private: set by ARMCI_SET_AGGREGATE_HANDLE */
  int reserved;
} armci_hdl_t;

/** A process group: the ComEx group handle.  ARMCI_GROUP_NULL is what a
 *  process receives from ARMCI_Group_create when it is not a member. */
typedef int ARMCI_Group;
#define ARMCI_GROUP_NULL (-1)

typedef int armci_domain_t;
#define ARMCI_DOMAIN_SMP 0 /**< the node (processes sharing memory) */

/** What a failing int-returning call returns (unless noted). */
#define ARMCI_FAIL (-1)
/* Classic ARMCI's names of error codes.  FAIL is left alone if something
 * else (GoogleTest, for one) has defined it first. */
#ifndef FAIL
#define FAIL ARMCI_FAIL
#endif
#define FAIL2 (-2)
#define FAIL3 (-3)
#define FAIL4 (-4)
#define FAIL5 (-5)
#define FAIL6 (-6)
#define FAIL7 (-7)
#define FAIL8 (-8)

/* Read-modify-write operations (ARMCI_Rmw). */
#define ARMCI_SWAP 10               /**< exchange int */
#define ARMCI_SWAP_LONG 11          /**< exchange long */
#define ARMCI_FETCH_AND_ADD 12      /**< int fetch-and-add */
#define ARMCI_FETCH_AND_ADD_LONG 13 /**< long fetch-and-add */

/* Accumulate element types (dst += scale * src). */
#define ARMCI_ACC_OFF 36
#define ARMCI_ACC_INT (ARMCI_ACC_OFF + 1) /**< int */
#define ARMCI_ACC_DBL (ARMCI_ACC_OFF + 2) /**< double */
#define ARMCI_ACC_FLT (ARMCI_ACC_OFF + 3) /**< float */
#define ARMCI_ACC_CPL (ARMCI_ACC_OFF + 4) /**< float complex (re, im) */
#define ARMCI_ACC_DCP (ARMCI_ACC_OFF + 5) /**< double complex (re, im) */
#define ARMCI_ACC_LNG (ARMCI_ACC_OFF + 6) /**< long */

/** Highest number of stride levels in strided calls. */
#define ARMCI_MAX_STRIDE_LEVEL 8

/* The prototypes, declared once for the ARMCI_ names and once for the
 * PARMCI_ (profiling) names. */
#define ARMCI_DECLARE_API_(P)                                                                      \
  /* life cycle and environment */                                                                 \
  int P##ARMCI_Init(void);                                                                         \
  int P##ARMCI_Init_args(int *argc, char ***argv);                                                 \
  int P##ARMCI_Init_mpi_comm(MPI_Comm comm);                                                       \
  int P##ARMCI_Init_thread(int armci_requested);                                                   \
  int P##ARMCI_Init_thread_comm(int armci_requested, MPI_Comm comm);                               \
  int P##ARMCI_Initialized(void);                                                                  \
  int P##ARMCI_Finalize(void);                                                                     \
  void P##ARMCI_Cleanup(void);                                                                     \
  void P##ARMCI_Error(const char *msg, int code);                                                  \
  void P##ARMCI_Set_shm_limit(unsigned long shmemlimit);                                           \
  int P##ARMCI_Uses_shm(void);                                                                     \
  int P##ARMCI_Uses_shm_grp(ARMCI_Group *group);                                                   \
  int P##ARMCI_Same_node(int proc);                                                                \
  /* memory */                                                                                     \
  int P##ARMCI_Malloc(void *ptr_arr[], armci_size_t bytes);                                        \
  int P##ARMCI_Malloc_memdev(void *ptr_arr[], armci_size_t bytes, const char *device);             \
  int P##ARMCI_Malloc_group(void *ptr_arr[], armci_size_t bytes, ARMCI_Group *group);              \
  int P##ARMCI_Malloc_group_memdev(void *ptr_arr[], armci_size_t bytes, ARMCI_Group *group,        \
                                   const char *device);                                            \
  int P##ARMCI_Free(void *ptr);                                                                    \
  int P##ARMCI_Free_memdev(void *ptr);                                                             \
  int P##ARMCI_Free_group(void *ptr, ARMCI_Group *group);                                          \
  void *P##ARMCI_Malloc_local(armci_size_t bytes);                                                 \
  int P##ARMCI_Free_local(void *ptr);                                                              \
  void P##ARMCI_Access_begin(void *ptr);                                                           \
  void P##ARMCI_Access_end(void *ptr);                                                             \
  /* contiguous */                                                                                 \
  int P##ARMCI_Put(void *src, void *dst, int bytes, int proc);                                     \
  int P##ARMCI_Get(void *src, void *dst, int bytes, int proc);                                     \
  int P##ARMCI_Acc(int optype, void *scale, void *src, void *dst, int bytes, int proc);            \
  int P##ARMCI_Put_flag(void *src, void *dst, int bytes, int *flag, int val, int proc);            \
  int P##ARMCI_NbPut(void *src, void *dst, int bytes, int proc, armci_hdl_t *nb_handle);           \
  int P##ARMCI_NbGet(void *src, void *dst, int bytes, int proc, armci_hdl_t *nb_handle);           \
  int P##ARMCI_NbAcc(int optype, void *scale, void *src, void *dst, int bytes, int proc,           \
                     armci_hdl_t *nb_handle);                                                      \
  /* strided */                                                                                    \
  int P##ARMCI_PutS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],      \
                    int count[], int stride_levels, int proc);                                     \
  int P##ARMCI_GetS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],      \
                    int count[], int stride_levels, int proc);                                     \
  int P##ARMCI_AccS(int optype, void *scale, void *src_ptr, int src_stride_arr[], void *dst_ptr,   \
                    int dst_stride_arr[], int count[], int stride_levels, int proc);               \
  int P##ARMCI_PutS_flag(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[], \
                         int count[], int stride_levels, int *flag, int val, int proc);            \
  int P##ARMCI_PutS_flag_dir(void *src_ptr, int src_stride_arr[], void *dst_ptr,                   \
                             int dst_stride_arr[], int count[], int stride_levels, int *flag,      \
                             int val, int proc);                                                   \
  int P##ARMCI_NbPutS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],    \
                      int count[], int stride_levels, int proc, armci_hdl_t *nb_handle);           \
  int P##ARMCI_NbGetS(void *src_ptr, int src_stride_arr[], void *dst_ptr, int dst_stride_arr[],    \
                      int count[], int stride_levels, int proc, armci_hdl_t *nb_handle);           \
  int P##ARMCI_NbAccS(int optype, void *scale, void *src_ptr, int src_stride_arr[], void *dst_ptr, \
                      int dst_stride_arr[], int count[], int stride_levels, int proc,              \
                      armci_hdl_t *nb_handle);                                                     \
  /* vector */                                                                                     \
  int P##ARMCI_PutV(armci_giov_t darr[], int len, int proc);                                       \
  int P##ARMCI_GetV(armci_giov_t darr[], int len, int proc);                                       \
  int P##ARMCI_AccV(int optype, void *scale, armci_giov_t darr[], int len, int proc);              \
  int P##ARMCI_NbPutV(armci_giov_t darr[], int len, int proc, armci_hdl_t *nb_handle);             \
  int P##ARMCI_NbGetV(armci_giov_t darr[], int len, int proc, armci_hdl_t *nb_handle);             \
  int P##ARMCI_NbAccV(int optype, void *scale, armci_giov_t darr[], int len, int proc,             \
                      armci_hdl_t *nb_handle);                                                     \
  /* single values */                                                                              \
  int P##ARMCI_PutValueInt(int src, void *dst, int proc);                                          \
  int P##ARMCI_PutValueLong(long src, void *dst, int proc);                                        \
  int P##ARMCI_PutValueFloat(float src, void *dst, int proc);                                      \
  int P##ARMCI_PutValueDouble(double src, void *dst, int proc);                                    \
  int P##ARMCI_NbPutValueInt(int src, void *dst, int proc, armci_hdl_t *nb_handle);                \
  int P##ARMCI_NbPutValueLong(long src, void *dst, int proc, armci_hdl_t *nb_handle);              \
  int P##ARMCI_NbPutValueFloat(float src, void *dst, int proc, armci_hdl_t *nb_handle);            \
  int P##ARMCI_NbPutValueDouble(double src, void *dst, int proc, armci_hdl_t *nb_handle);          \
  int P##ARMCI_GetValueInt(void *src, int proc);                                                   \
  long P##ARMCI_GetValueLong(void *src, int proc);                                                 \
  float P##ARMCI_GetValueFloat(void *src, int proc);                                               \
  double P##ARMCI_GetValueDouble(void *src, int proc);                                             \
  /* completion */                                                                                 \
  void P##ARMCI_INIT_HANDLE(armci_hdl_t *nb_handle);                                               \
  void P##ARMCI_SET_AGGREGATE_HANDLE(armci_hdl_t *nb_handle);                                      \
  void P##ARMCI_UNSET_AGGREGATE_HANDLE(armci_hdl_t *nb_handle);                                    \
  int P##ARMCI_Wait(armci_hdl_t *nb_handle);                                                       \
  int P##ARMCI_Test(armci_hdl_t *nb_handle);                                                       \
  int P##ARMCI_WaitAll(void);                                                                      \
  int P##ARMCI_WaitProc(int proc);                                                                 \
  void P##ARMCI_Fence(int proc);                                                                   \
  void P##ARMCI_AllFence(void);                                                                    \
  void P##ARMCI_GroupFence(ARMCI_Group *group);                                                    \
  void P##ARMCI_Barrier(void);                                                                     \
  /* atomics and mutexes */                                                                        \
  int P##ARMCI_Rmw(int op, void *ploc, void *prem, int extra, int proc);                           \
  int P##ARMCI_Create_mutexes(int num);                                                            \
  int P##ARMCI_Destroy_mutexes(void);                                                              \
  void P##ARMCI_Lock(int mutex, int proc);                                                         \
  void P##ARMCI_Unlock(int mutex, int proc);                                                       \
  /* groups */                                                                                     \
  void P##ARMCI_Group_create(int n, int *pid_list, ARMCI_Group *group_out);                        \
  void P##ARMCI_Group_create_child(int n, int *pid_list, ARMCI_Group *group_out,                   \
                                   ARMCI_Group *group_parent);                                     \
  void P##ARMCI_Group_free(ARMCI_Group *group);                                                    \
  int P##ARMCI_Group_rank(ARMCI_Group *group, int *rank);                                          \
  void P##ARMCI_Group_size(ARMCI_Group *group, int *size);                                         \
  void P##ARMCI_Group_set_default(ARMCI_Group *group);                                             \
  void P##ARMCI_Group_get_default(ARMCI_Group *group_out);                                         \
  void P##ARMCI_Group_get_world(ARMCI_Group *group_out);                                           \
  int P##ARMCI_Absolute_id(ARMCI_Group *group, int group_rank);                                    \
  /* local copies */                                                                               \
  void P##ARMCI_Copy(void *src, void *dst, int n);

ARMCI_DECLARE_API_()
ARMCI_DECLARE_API_(P)

/* ------------------------------------------------------------------ */
/* Not part of the profiling interface                                */
/* ------------------------------------------------------------------ */

/** The MPI communicator of a group (the caller must not free it);
 *  MPI_COMM_NULL for an invalid group. */
MPI_Comm armci_group_comm(ARMCI_Group *group);

/* Node structure (domain ARMCI_DOMAIN_SMP): the processes sharing a node.
 * Nodes are numbered 0..count-1 in the order of their lowest world rank;
 * within a node, processes are numbered in world-rank order. */
int armci_domain_count(armci_domain_t domain);
int armci_domain_id(armci_domain_t domain, int glob_proc_id);
int armci_domain_nprocs(armci_domain_t domain, int id);
int armci_domain_glob_proc_id(armci_domain_t domain, int id, int loc_proc_id);
int armci_domain_my_id(armci_domain_t domain);
int armci_domain_same_id(armci_domain_t domain, int proc);

/** Copy the local strided region at `ptr` (count[0] bytes per block,
 *  count[1..stride_levels] blocks per level, byte strides stride_arr[])
 *  into the contiguous buffer `buf`. */
void armci_read_strided(void *ptr, int stride_levels, int stride_arr[], int count[], char *buf);
/** The reverse of armci_read_strided: contiguous `buf` into the region. */
void armci_write_strided(void *ptr, int stride_levels, int stride_arr[], int count[], char *buf);

/* ------------------------------------------------------------------ */
/* ARMCI-MPI's extensions (also reachable through armcix.h)           */
/* ------------------------------------------------------------------ */

/* Access modes of an allocation (ARMCIX_Mode_set).  They are promises of
 * the program about how it will use the memory; this library needs none of
 * them to be correct and only records them (see doc/armci.md). */
enum armcix_access_mode_e {
  ARMCIX_MODE_ALL = 0x1,           /**< any access (the initial mode) */
  ARMCIX_MODE_CONFLICT_FREE = 0x2, /**< operations do not conflict */
  ARMCIX_MODE_NO_LOAD_STORE = 0x4  /**< no direct local load or store */
};

/** Collective over `group`, the group the allocation was made on: complete
 *  all communication, meet, and set the mode of the allocation holding
 *  `ptr` (NULL on a process whose block is empty).  0 or ARMCI_FAIL. */
int ARMCIX_Mode_set(int mode, void *ptr, ARMCI_Group *group);
/** The mode of the local allocation holding `ptr`; ARMCI_FAIL if none. */
int ARMCIX_Mode_get(void *ptr);

/** Collective over `parent`: processes passing the same `color` form a new
 *  group, ranked by `key` (ties by parent rank); color MPI_UNDEFINED gives
 *  ARMCI_GROUP_NULL.  0 or ARMCI_FAIL (on every process alike). */
int ARMCIX_Group_split(ARMCI_Group *parent, int color, int key, ARMCI_Group *new_group);
/** Collective over `parent`: a new group of the same processes, same ranks. */
int ARMCIX_Group_dup(ARMCI_Group *parent, ARMCI_Group *new_group);

/** A set of mutexes over a group: every member owns its own `count` of them.
 *  The handle is opaque. */
typedef struct armcix_mutex_hdl_s *armcix_mutex_hdl_t;

/** Collective over `group`: create `count` mutexes on the calling process
 *  (counts may differ between processes).  NULL on failure. */
armcix_mutex_hdl_t ARMCIX_Create_mutexes_hdl(int count, ARMCI_Group *group);
/** Collective over the handle's group: destroy the set.  0 or ARMCI_FAIL. */
int ARMCIX_Destroy_mutexes_hdl(armcix_mutex_hdl_t hdl);
/** Acquire mutex `mutex` of world rank `proc` (a member of the handle's
 *  group); waits until it is free. */
void ARMCIX_Lock_hdl(armcix_mutex_hdl_t hdl, int mutex, int proc);
/** Acquire the mutex if it is free: 0 when acquired, 1 when held by someone
 *  (this process included), ARMCI_FAIL on bad input. */
int ARMCIX_Trylock_hdl(armcix_mutex_hdl_t hdl, int mutex, int proc);
/** Release a mutex this process holds; the puts and accumulates it issued
 *  are complete at their targets before the next holder gets the mutex. */
void ARMCIX_Unlock_hdl(armcix_mutex_hdl_t hdl, int mutex, int proc);

/** The MPI communicator of the world group (the caller must not free it);
 *  ARMCI-MPI's profiler uses it. */
void ARMCIX_Get_world_comm(MPI_Comm *comm);

/** Make communication progress.  A progress thread serves every process
 *  here, so there is nothing left to do. */
void ARMCIX_Progress(void);

/** Profiling names of armci_msg_barrier and armci_msg_group_barrier. */
void parmci_msg_barrier(void);
void parmci_msg_group_barrier(ARMCI_Group *group);

#ifdef __cplusplus
}
#endif

/* As in ARMCI-MPI, armci.h brings the armci_msg_* declarations with it. */
#include "message.h"

#endif /* ARMCI_H_ */
