// domain.cc -- the node structure: armci_domain_* and ARMCI_Same_node.
//
// Processes share a node when MPI_Comm_split_type(MPI_COMM_TYPE_SHARED) puts
// them together.  Nodes are numbered in the order of their lowest world rank;
// within a node, processes are numbered in world-rank order.
#include <algorithm>

#include "armci_impl.h"

using armci::fail;
using armci::state;

namespace armci {

bool build_node_structure(State &st, int test_node_size) {
  const char *fn = "ARMCI_Init";
  MPI_Comm shm = MPI_COMM_NULL;
  if (!mpi_ok(fn, MPI_Comm_split_type(st.world, MPI_COMM_TYPE_SHARED, st.me, MPI_INFO_NULL, &shm),
              "MPI_Comm_split_type"))
    return false;
  int local = 0, local_size = 0;
  MPI_Comm_rank(shm, &local);
  MPI_Comm_size(shm, &local_size);
  std::vector<int> local_world(local_size);
  bool ok = mpi_ok(fn, MPI_Allgather(&st.me, 1, MPI_INT, local_world.data(), 1, MPI_INT, shm),
                   "MPI_Allgather");
  MPI_Comm_free(&shm);
  if (!ok) return false;

  // My node is named by its lowest world rank (the shared-memory
  // communicator is ordered by world rank).
  const int first = test_node_size > 0 ? (local / test_node_size) * test_node_size : 0;
  int leader = local_world[first];
  std::vector<int> leader_of(st.nproc);
  if (!mpi_ok(fn, MPI_Allgather(&leader, 1, MPI_INT, leader_of.data(), 1, MPI_INT, st.world),
              "MPI_Allgather"))
    return false;

  std::vector<int> leaders = leader_of;
  std::sort(leaders.begin(), leaders.end());
  leaders.erase(std::unique(leaders.begin(), leaders.end()), leaders.end());
  st.node_of.assign(st.nproc, -1);
  st.node_members.assign(leaders.size(), {});
  for (int r = 0; r < st.nproc; ++r) {
    int node =
        int(std::lower_bound(leaders.begin(), leaders.end(), leader_of[r]) - leaders.begin());
    st.node_of[r] = node;
    st.node_members[node].push_back(r);
  }
  return true;
}

}  // namespace armci

namespace {

// Checks shared by the domain queries; false (with a message) on bad input.
bool domain_ok(const char *fn, armci_domain_t domain) {
  if (!armci::ready(fn)) return false;
  if (domain != ARMCI_DOMAIN_SMP) {
    fail(fn, "domain=%d is not ARMCI_DOMAIN_SMP (0)", domain);
    return false;
  }
  return true;
}

bool proc_ok(const char *fn, int proc) {
  if (proc >= 0 && proc < state().nproc) return true;
  fail(fn, "proc=%d is out of range [0, %d)", proc, state().nproc);
  return false;
}

bool node_ok(const char *fn, int node) {
  const int count = int(state().node_members.size());
  if (node >= 0 && node < count) return true;
  fail(fn, "id=%d is not a node: there are %d (0..%d)", node, count, count - 1);
  return false;
}

}  // namespace

extern "C" {

int armci_domain_count(armci_domain_t domain) {
  if (!domain_ok("armci_domain_count", domain)) return -1;
  return int(state().node_members.size());
}

int armci_domain_id(armci_domain_t domain, int glob_proc_id) {
  const char *fn = "armci_domain_id";
  if (!domain_ok(fn, domain) || !proc_ok(fn, glob_proc_id)) return -1;
  return state().node_of[glob_proc_id];
}

// A negative id means the caller's node, as in classic ARMCI (GA's
// ga_cluster_nprocs(-1), which GA's test.x calls, relies on it).
int armci_domain_nprocs(armci_domain_t domain, int id) {
  const char *fn = "armci_domain_nprocs";
  if (!domain_ok(fn, domain)) return -1;
  if (id < 0) id = state().node_of[state().me];
  if (!node_ok(fn, id)) return -1;
  return int(state().node_members[id].size());
}

int armci_domain_glob_proc_id(armci_domain_t domain, int id, int loc_proc_id) {
  const char *fn = "armci_domain_glob_proc_id";
  if (!domain_ok(fn, domain) || !node_ok(fn, id)) return -1;
  const std::vector<int> &members = state().node_members[id];
  if (loc_proc_id < 0 || loc_proc_id >= int(members.size())) {
    fail(fn, "loc_proc_id=%d is out of range [0, %d) of node %d", loc_proc_id, int(members.size()),
         id);
    return -1;
  }
  return members[loc_proc_id];
}

int armci_domain_my_id(armci_domain_t domain) {
  if (!domain_ok("armci_domain_my_id", domain)) return -1;
  return state().node_of[state().me];
}

int armci_domain_same_id(armci_domain_t domain, int proc) {
  const char *fn = "armci_domain_same_id";
  if (!domain_ok(fn, domain) || !proc_ok(fn, proc)) return 0;
  return state().node_of[proc] == state().node_of[state().me] ? 1 : 0;
}

int PARMCI_Same_node(int proc) {
  const char *fn = "ARMCI_Same_node";
  if (!armci::ready(fn) || !proc_ok(fn, proc)) return 0;
  return state().node_of[proc] == state().node_of[state().me] ? 1 : 0;
}
ARMCI_WEAK_ALIAS(ARMCI_Same_node)

}  // extern "C"
