// init.cc -- life cycle and environment: ARMCI_Init*, ARMCI_Finalize,
// ARMCI_Error, shared-memory queries.
#include <cerrno>
#include <cstdlib>

#include "armci_impl.h"

using armci::fail;
using armci::state;

namespace {

// ARMCI_TEST_NODE_SIZE=k splits every node into nodes of k processes, so the
// node-scoped functions can be tested on one machine.  0 (unset): real nodes.
// This is the only environment variable of the layer, read once at init.
int test_node_size(const char *fn) {
  const char *v = std::getenv("ARMCI_TEST_NODE_SIZE");
  if (!v || !*v) return 0;
  errno = 0;
  char *end = nullptr;
  long k = std::strtol(v, &end, 10);
  if (errno || *end || k < 1 || k > 1 << 20) {
    fail(fn, "ARMCI_TEST_NODE_SIZE=\"%s\" is not a positive integer; using the real nodes", v);
    return 0;
  }
  return int(k);
}

// Everything ARMCI keeps beside ComEx: the world communicator, the node
// structure and the scope communicators of the world group.
bool set_up(const char *fn) {
  armci::State &st = state();
  MPI_Comm world = MPI_COMM_NULL;
  if (comex_group_comm(COMEX_GROUP_WORLD, &world) != COMEX_SUCCESS) return false;
  st.world = world;
  MPI_Comm_rank(world, &st.me);
  MPI_Comm_size(world, &st.nproc);
  st.default_group = COMEX_GROUP_WORLD;
  // The node structure and the world's scope communicators are collective
  // over the world; initialized is set first because they use the layer.
  st.initialized = true;
  if (!armci::build_node_structure(st, test_node_size(fn))) {
    st.initialized = false;
    return false;
  }
  auto world_comms = armci::make_group_comms(fn, world);
  if (!world_comms) {
    st.initialized = false;
    return false;
  }
  st.groups[COMEX_GROUP_WORLD] = std::move(world_comms);
  return true;
}

template <class InitComex>
int start(const char *fn, InitComex init_comex) {
  if (state().initialized) return 0;  // a second init is harmless
  if (init_comex() != COMEX_SUCCESS) return ARMCI_FAIL;
  if (!set_up(fn)) {
    fail(fn, "could not set up the ARMCI layer; ARMCI stays uninitialised");
    state().groups.clear();
    comex_finalize();
    return ARMCI_FAIL;
  }
  return 0;
}

}  // namespace

extern "C" {

int PARMCI_Init(void) {
  return start("ARMCI_Init", [] { return comex_init(); });
}
ARMCI_WEAK_ALIAS(ARMCI_Init)

int PARMCI_Init_args(int *argc, char ***argv) {
  return start("ARMCI_Init_args", [&] { return comex_init_args(argc, argv); });
}
ARMCI_WEAK_ALIAS(ARMCI_Init_args)

// GA tests the result as "initialised": 1 on success, 0 on failure.
int PARMCI_Init_mpi_comm(MPI_Comm comm) {
  return start("ARMCI_Init_mpi_comm", [&] { return comex_init_comm(comm); }) == 0 ? 1 : 0;
}
ARMCI_WEAK_ALIAS(ARMCI_Init_mpi_comm)

int PARMCI_Initialized(void) { return state().initialized ? 1 : 0; }
ARMCI_WEAK_ALIAS(ARMCI_Initialized)

int PARMCI_Finalize(void) {
  armci::State &st = state();
  if (!st.initialized) return 0;  // GA and TCGMSG may both finalize
  armci::drain_pending_sends();
  armci::forget_mutex_handles();
  armci::forget_allocations();
  st.groups.clear();  // frees our scope communicators
  st.initialized = false;
  st.default_group = COMEX_GROUP_WORLD;
  st.node_of.clear();
  st.node_members.clear();
  st.world = MPI_COMM_NULL;
  return armci::status(comex_finalize());
}
ARMCI_WEAK_ALIAS(ARMCI_Finalize)

// Classic ARMCI removes shared-memory segments here; we own none.
void PARMCI_Cleanup(void) {}
ARMCI_WEAK_ALIAS(ARMCI_Cleanup)

void PARMCI_Error(const char *msg, int code) { comex_error(msg, code); }
ARMCI_WEAK_ALIAS(ARMCI_Error)

// ComEx allocates from the heap: there is no shared-memory segment to limit.
void PARMCI_Set_shm_limit(unsigned long shmemlimit) { (void)shmemlimit; }
ARMCI_WEAK_ALIAS(ARMCI_Set_shm_limit)

// 1: global memory must come from ARMCI_Malloc (only that memory can be the
// remote side of a transfer).  GA reads 0 as "any memory will do" and would
// then allocate global arrays from its local heap.
int PARMCI_Uses_shm(void) { return 1; }
ARMCI_WEAK_ALIAS(ARMCI_Uses_shm)

int PARMCI_Uses_shm_grp(ARMCI_Group *group) {
  (void)group;
  return 1;
}
ARMCI_WEAK_ALIAS(ARMCI_Uses_shm_grp)

}  // extern "C"
