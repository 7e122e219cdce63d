/*
 * message.h -- ARMCI's message-passing helpers (libarmci), over MPI.
 *
 * Ranks are world ranks, as in the rest of ARMCI.  The functions without a
 * group argument work on the world group; the armci_msg_group_* functions on
 * the given group (whose members must all call them).  A scope narrows a
 * collective: SCOPE_ALL is every process of the group, SCOPE_NODE the
 * processes of the caller's node, SCOPE_MASTERS the lowest rank of each node
 * (other processes return at once, their buffers untouched).
 *
 * Reductions (`op`): "+", "*", "max", "min", "absmax", "absmin" for every
 * type; "or" (bitwise), "&&" and "||" (logical) for the integer types.
 * Bad input prints one line naming the function and returns without
 * touching the buffers.
 */
#ifndef ARMCI_MESSAGE_H_
#define ARMCI_MESSAGE_H_

#include "armci.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Element types of the typed collectives. */
#define ARMCI_INT -99
#define ARMCI_LONG -101
#define ARMCI_LONG_LONG -102
#define ARMCI_FLOAT -306
#define ARMCI_DOUBLE -307

/* Scopes. */
#define SCOPE_ALL 333
#define SCOPE_NODE 337
#define SCOPE_MASTERS 339

/** This process's world rank, and the number of processes. */
int armci_msg_me(void);
int armci_msg_nproc(void);
/** Seconds since an arbitrary point (MPI_Wtime). */
double armci_timer(void);
/** Print the code and abort the whole job. */
void armci_msg_abort(int code);
/** Start MPI (with MPI_THREAD_MULTIPLE) if nobody has; finalize it. */
void armci_msg_init(int *argc, char ***argv);
void armci_msg_finalize(void);

/** Synchronise the world (a plain barrier: no ARMCI fence). */
void armci_msg_barrier(void);
/** Broadcast `len` bytes from world rank `root`. */
void armci_msg_bcast(void *buffer, int len, int root);
void armci_msg_brdcst(void *buffer, int len, int root);
void armci_msg_bcast_scope(int scope, void *buffer, int len, int root);

/** Send `len` bytes to world rank `to`; returns at once (the data is
 *  copied), so a process may send to itself before it receives. */
void armci_msg_snd(int tag, void *buffer, int len, int to);
/** Receive at most `buflen` bytes with `tag` from world rank `from`; the
 *  length received goes to *msglen (if msglen is not NULL). */
void armci_msg_rcv(int tag, void *buffer, int buflen, int *msglen, int from);
/** As armci_msg_rcv from any process; returns the sender's rank. */
int armci_msg_rcvany(int tag, void *buffer, int buflen, int *msglen);

/** In-place all-reduce of `n` elements over the world. */
void armci_msg_igop(int *x, int n, const char *op);
void armci_msg_lgop(long *x, int n, const char *op);
void armci_msg_llgop(long long *x, int n, const char *op);
void armci_msg_fgop(float *x, int n, const char *op);
void armci_msg_dgop(double *x, int n, const char *op);
/** The same for a scope and an element type (ARMCI_INT ... ARMCI_DOUBLE). */
void armci_msg_gop_scope(int scope, void *x, int n, const char *op, int type);
/** Reduction whose result lands on world rank 0 only (other ranks' `x` is
 *  left as it was). */
void armci_msg_reduce(void *x, int n, const char *op, int type);
void armci_msg_reduce_scope(int scope, void *x, int n, const char *op, int type);
/** Every process of the scope ends with the `n`-byte buffer `x` of the
 *  process whose leading value (of `type`) is the smallest ("min") or
 *  largest ("max"); processes with contribute == 0 take no part in the
 *  choice.  Ties go to the lowest rank. */
void armci_msg_sel_scope(int scope, void *x, int n, const char *op, int type, int contribute);
/** armci_msg_sel_scope over SCOPE_ALL. */
void armci_msg_sel(void *x, int n, const char *op, int type, int contribute);
/** A binary tree over the scope (world ranks; -1 where there is none). */
void armci_msg_bintree(int scope, int *root, int *up, int *left, int *right);

/* Group versions: collective over the members of `group`; `root` of the
 * broadcast is a world rank. */
void armci_msg_group_barrier(ARMCI_Group *group);
void armci_msg_group_bcast_scope(int scope, void *buf, int len, int root, ARMCI_Group *group);
void armci_msg_group_gop_scope(int scope, void *x, int n, const char *op, int type,
                               ARMCI_Group *group);
void armci_msg_group_igop(int *x, int n, const char *op, ARMCI_Group *group);
void armci_msg_group_lgop(long *x, int n, const char *op, ARMCI_Group *group);
void armci_msg_group_llgop(long long *x, int n, const char *op, ARMCI_Group *group);
void armci_msg_group_fgop(float *x, int n, const char *op, ARMCI_Group *group);
void armci_msg_group_dgop(double *x, int n, const char *op, ARMCI_Group *group);

#ifdef __cplusplus
}
#endif

#endif /* ARMCI_MESSAGE_H_ */
