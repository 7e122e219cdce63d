// armcix.cc -- ARMCI-MPI's extensions of the ARMCI API, so that programs
// written for ARMCI-MPI link unchanged: ARMCI_Init_thread*, ARMCIX_Group_split
// and _dup, ARMCIX_Get_world_comm, ARMCIX_Progress, the parmci_msg_*
// profiling names and armci_msg_sel as a function.  Mutex handles are in mutex_hdl.cc, direct
// local access and access modes in access.cc.
#include <algorithm>
#include <utility>
#include <vector>

#include "armci_impl.h"

using armci::fail;
using armci::state;

namespace {

// ARMCI_Init_thread's level names the MPI thread support the program needs;
// ComEx always runs MPI with MPI_THREAD_MULTIPLE, which covers every level.
bool valid_thread_level(const char *fn, int level) {
  if (level == MPI_THREAD_SINGLE || level == MPI_THREAD_FUNNELED ||
      level == MPI_THREAD_SERIALIZED || level == MPI_THREAD_MULTIPLE)
    return true;
  return fail(fn, "armci_requested=%d is not an MPI thread level", level), false;
}

// What each member of the parent tells the others in a split.
struct SplitEntry {
  int color;
  int key;
  int ok;  // 0: this process passed a bad argument
};

// Collective over `parent`: the members with the same color make a group,
// ranked by key, then by parent rank.  Every member gathers every member's
// choice, so a bad argument anywhere fails the call everywhere.
int split(const char *fn, ARMCI_Group *parent, int color, int key, ARMCI_Group *new_group) {
  if (!armci::ready(fn)) return ARMCI_FAIL;
  if (!parent) return fail(fn, "parent is NULL");
  armci::GroupComms *pg = armci::group_comms(fn, parent);
  if (!pg) return ARMCI_FAIL;
  bool ok = true;
  if (!new_group) {
    ok = false;
    fail(fn, "new_group is NULL");
  } else if (color < 0 && color != MPI_UNDEFINED) {
    ok = false;
    fail(fn, "color=%d is negative (and not MPI_UNDEFINED)", color);
  }
  if (new_group) *new_group = ARMCI_GROUP_NULL;

  const int n = int(pg->world.size());
  SplitEntry mine{color, key, ok ? 1 : 0};
  std::vector<SplitEntry> all(n);
  if (!armci::mpi_ok(fn, MPI_Allgather(&mine, 3, MPI_INT, all.data(), 3, MPI_INT, pg->comm),
                     "MPI_Allgather"))
    return ARMCI_FAIL;
  const bool all_ok =
      std::all_of(all.begin(), all.end(), [](const SplitEntry &e) { return e.ok != 0; });
  if (!all_ok) {
    if (ok) fail(fn, "another process of group %d passed a bad argument; failing with it", *parent);
    return ARMCI_FAIL;
  }
  if (color == MPI_UNDEFINED) return 0;

  std::vector<std::pair<int, int>> order;  // (key, parent rank) of my color
  for (int r = 0; r < n; ++r)
    if (all[r].color == color) order.push_back({all[r].key, r});
  std::sort(order.begin(), order.end());
  std::vector<int> list;
  for (const auto &o : order) list.push_back(o.second);
  const ARMCI_Group g = armci::add_group(fn, int(list.size()), list.data(), *parent);
  if (g == ARMCI_GROUP_NULL) return ARMCI_FAIL;
  *new_group = g;
  return 0;
}

}  // namespace

extern "C" {

int PARMCI_Init_thread(int armci_requested) {
  const char *fn = "ARMCI_Init_thread";
  if (!valid_thread_level(fn, armci_requested)) return ARMCI_FAIL;
  return PARMCI_Init();
}
ARMCI_WEAK_ALIAS(ARMCI_Init_thread)

// 0 on success, as ARMCI_Init (ARMCI_Init_mpi_comm answers 1 for GA).
int PARMCI_Init_thread_comm(int armci_requested, MPI_Comm comm) {
  const char *fn = "ARMCI_Init_thread_comm";
  if (!valid_thread_level(fn, armci_requested)) return ARMCI_FAIL;
  return PARMCI_Init_mpi_comm(comm) == 1 ? 0 : ARMCI_FAIL;
}
ARMCI_WEAK_ALIAS(ARMCI_Init_thread_comm)

int ARMCIX_Group_split(ARMCI_Group *parent, int color, int key, ARMCI_Group *new_group) {
  return split("ARMCIX_Group_split", parent, color, key, new_group);
}

int ARMCIX_Group_dup(ARMCI_Group *parent, ARMCI_Group *new_group) {
  const char *fn = "ARMCIX_Group_dup";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  if (!parent) return fail(fn, "parent is NULL");
  armci::GroupComms *pg = armci::group_comms(fn, parent);
  if (!pg) return ARMCI_FAIL;
  const int rank =
      int(std::find(pg->world.begin(), pg->world.end(), state().me) - pg->world.begin());
  return split(fn, parent, 0, rank, new_group);
}

// The world's communicator (ARMCI-MPI's profiler reaches it this way); the
// caller must not free it.
void ARMCIX_Get_world_comm(MPI_Comm *comm) {
  const char *fn = "ARMCIX_Get_world_comm";
  if (!armci::ready(fn)) return;
  if (!comm) {
    fail(fn, "comm is NULL");
    return;
  }
  *comm = state().world;
}

// The progress thread serves every request; a waiting call serves too.
void ARMCIX_Progress(void) { armci::ready("ARMCIX_Progress"); }

// The barriers themselves, not calls of armci_msg_barrier: a tool that
// defines armci_msg_barrier and calls parmci_msg_barrier must not recurse.
void parmci_msg_barrier(void) {
  if (armci::ready("parmci_msg_barrier")) comex_barrier(COMEX_GROUP_WORLD);
}

void parmci_msg_group_barrier(ARMCI_Group *group) {
  if (armci::group_comms("parmci_msg_group_barrier", group)) comex_barrier(*group);
}

void armci_msg_sel(void *x, int n, const char *op, int type, int contribute) {
  armci_msg_sel_scope(SCOPE_ALL, x, n, op, type, contribute);
}

}  // extern "C"
