// msg.h -- what the armci_msg_* files share: element types, reduction
// operations, and the wait for MPI operations.
#pragma once

#include <mpi.h>

#include <cstddef>

#include "armci_impl.h"

namespace armci {

struct TypeInfo {
  MPI_Datatype mpi;
  size_t size;
  bool integer;
};

/// The MPI type of an ARMCI element type (ARMCI_INT ... ARMCI_DOUBLE).
bool type_info(const char *fn, int type, TypeInfo *t);

/// One row per operation string: the MPI operation, whether the values are
/// first replaced by their absolute values, whether only integers may use it.
struct OpInfo {
  const char *name;
  MPI_Op mpi;
  bool abs;
  bool integer_only;
  bool logical;  ///< results are 0 or 1 (also when one process reduces alone)
};

/// Is `op` the operation `name`?  Decided by its leading characters, as ARMCI
/// always has: Fortran callers (GA's ga_dgop) pass strings without a NUL, and
/// strncmp reads no further than the first difference.  No name is a prefix
/// of another.
bool op_is(const char *op, const char *name);
bool op_info(const char *fn, const char *op, const TypeInfo &t, OpInfo *out);

void abs_in_place(int type, void *x, int n);
/// Logical operations see 0 or 1 (integer types only).
void truth_in_place(int type, void *x, int n);
/// a < b for the leading element of type `type` (raw bytes).
bool less_typed(int type, const unsigned char *a, const unsigned char *b);

/// Wait until poll() returns 1 (done) or -1 (failed, already reported), the
/// way ComEx waits for its own operations (comex_wait_until).
///
/// The collectives here are the non-blocking MPI call plus this wait, not the
/// blocking call: a blocking MPI call polls MPI's progress engine without
/// pause, competing with ComEx's progress thread for MPI's lock and, with
/// more threads than cores (2 ranks, each with its progress thread, on 2
/// cores), keeping the core from the very peer it waits for.  ComEx's wait
/// polls without pause for COMEX_WAIT_SPIN_US, then yields the core between
/// polls, and serves incoming requests meanwhile so the progress thread can
/// rest.  True when poll() said done.
template <class Poll>
bool wait_for(Poll poll) {
  struct Context {
    Poll *poll;
    int result;
  } c{&poll, 0};
  auto step = [](void *arg) -> int {
    Context *c = static_cast<Context *>(arg);
    c->result = (*c->poll)();
    return c->result != 0;
  };
  return comex_wait_until(step, &c) == COMEX_SUCCESS && c.result > 0;
}

/// Complete a non-blocking MPI operation with wait_for.
bool wait_request(const char *fn, MPI_Request *req, const char *what);

/// MPI initialised and not yet finalised.
bool mpi_running();

}  // namespace armci
