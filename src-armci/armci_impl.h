// armci_impl.h -- what the ARMCI entry points share: the state of the layer,
// error reporting, the weak-alias macro and the blocking/non-blocking helpers.
//
// libarmci is built only on the public ComEx API (comex.h) and MPI.
#pragma once

#include <mpi.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "armci.h"
#include "comex.h"
#include "message.h"

// Define ARMCI_<name> as a weak alias of the implementation PARMCI_<name>
// (the profiling interface: a tool may define ARMCI_<name> itself and call
// PARMCI_<name>).  Must follow the definition, in the same file.
#define ARMCI_WEAK_ALIAS(name) \
  extern "C" __typeof__(P##name) name __attribute__((weak, alias("P" #name)));

namespace armci {

// ---------------------------------------------------------------------------
// Errors: one line "armci[rank] function: message" on stderr.
// ---------------------------------------------------------------------------

/// Print the line; returns ARMCI_FAIL so that `return fail(...)` reads naturally.
int fail(const char *fn, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/// printf-style formatting into a std::string.
std::string format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/// True if ARMCI is initialised; otherwise prints why `fn` cannot run.
bool ready(const char *fn);
/// True if `rc` is MPI_SUCCESS; otherwise prints `what` and MPI's message.
bool mpi_ok(const char *fn, int rc, const char *what);
/// Collective over `comm`: true if every process passed ok.  A process
/// that passed true while another did not prints so (naming `fn`), so a bad
/// argument on one process makes the call fail everywhere instead of hang.
bool all_ok(const char *fn, MPI_Comm comm, bool ok);

// ---------------------------------------------------------------------------
// State of the layer (one per process).
// ---------------------------------------------------------------------------

/// The communicators of one group, by scope, and who is in them (world
/// ranks, in communicator rank order).
struct GroupComms {
  MPI_Comm comm = MPI_COMM_NULL;     ///< the group's (ComEx's; not ours to free)
  MPI_Comm node = MPI_COMM_NULL;     ///< members on my node (ours)
  MPI_Comm masters = MPI_COMM_NULL;  ///< lowest member of each node (ours; NULL if not one)
  std::vector<int> world;            ///< group rank -> world rank
  std::vector<int> node_world;       ///< node rank -> world rank
  std::vector<int> masters_world;    ///< master rank -> world rank

  GroupComms() = default;
  GroupComms(const GroupComms &) = delete;
  GroupComms &operator=(const GroupComms &) = delete;
  ~GroupComms();
};

struct State {
  bool initialized = false;
  ARMCI_Group default_group = COMEX_GROUP_WORLD;
  int me = -1;    ///< world rank
  int nproc = 0;  ///< world size
  MPI_Comm world = MPI_COMM_NULL;
  // Node structure (ARMCI_DOMAIN_SMP).
  std::vector<int> node_of;                    ///< world rank -> node
  std::vector<std::vector<int>> node_members;  ///< node -> world ranks (ascending)
  // Every group this process belongs to, including the world (id 0).
  std::map<ARMCI_Group, std::unique_ptr<GroupComms>> groups;
};

State &state();

/// The communicators of `group` (NULL with a message naming `fn` if the
/// pointer is NULL or the group is not one this process belongs to).
GroupComms *group_comms(const char *fn, const ARMCI_Group *group);

// Set up by ARMCI_Init (domain.cc / groups.cc / msg_p2p.cc).
bool build_node_structure(State &st, int test_node_size);
std::unique_ptr<GroupComms> make_group_comms(const char *fn, MPI_Comm comm);
/// Complete or cancel the sends armci_msg_snd left in flight (finalize).
void drain_pending_sends();

/// Make a ComEx group of the `n` ranks `list` of `parent` (ranks in list
/// order), with its scope communicators, and register it.  Called by the
/// members only.  Returns the group, or ARMCI_GROUP_NULL (with a message).
ARMCI_Group add_group(const char *fn, int n, int *list, ARMCI_Group parent);

// Allocations from ARMCI_Malloc* (access.cc): the local block of each, for
// ARMCI_Access_* and ARMCIX_Mode_*.
/// Record the local block of a new allocation over `group`.
void note_allocation(void *const *ptr_arr, armci_size_t bytes, ARMCI_Group group);
/// Forget the allocation whose local block starts at `ptr` (freed).
void forget_allocation(void *ptr);
/// Forget them all, and every mutex handle (finalize: ComEx frees the memory).
void forget_allocations();
void forget_mutex_handles();

// ---------------------------------------------------------------------------
// Blocking = non-blocking + wait.
// ---------------------------------------------------------------------------

/// Marks an armci_hdl_t that holds an outstanding ComEx request.
constexpr int kHandleActive = 0x41524d43;

/// Start an operation (`start(comex_request_t*)` returns a ComEx status) and
/// wait for it.  Returns 0 or ARMCI_FAIL (ComEx has printed why).
template <class Start>
int blocking(const char *fn, Start start) {
  if (!ready(fn)) return ARMCI_FAIL;
  comex_request_t req;
  if (start(&req) != COMEX_SUCCESS) return ARMCI_FAIL;
  return comex_wait(&req) == COMEX_SUCCESS ? 0 : ARMCI_FAIL;
}

/// Start an operation into handle `h`.  A NULL handle is an implicit one:
/// the operation completes at ARMCI_WaitAll/ARMCI_WaitProc/a fence.  A handle
/// still holding an operation has that operation completed first.
template <class Start>
int nonblocking(const char *fn, armci_hdl_t *h, Start start) {
  if (!ready(fn)) return ARMCI_FAIL;
  comex_request_t req;
  if (h && h->state == kHandleActive) {
    comex_wait(&h->request);
    h->state = 0;
  }
  if (start(&req) != COMEX_SUCCESS) return ARMCI_FAIL;
  if (h) {
    h->request = req;
    h->state = kHandleActive;
  }
  return 0;
}

/// ComEx status -> ARMCI return value.
inline int status(int comex_rc) { return comex_rc == COMEX_SUCCESS ? 0 : ARMCI_FAIL; }

}  // namespace armci
