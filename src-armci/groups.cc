// groups.cc -- process groups: ARMCI_Group_* and armci_group_comm.
//
// An ARMCI_Group is the ComEx group handle.  Beside it we keep, per group,
// the communicators of its node and master scopes for the armci_msg_group_*
// collectives; they are made when the group is created (a collective call),
// so scoped collectives never need a communicator-creating collective.
#include <algorithm>

#include "armci_impl.h"

using armci::fail;
using armci::state;

namespace armci {

std::unique_ptr<GroupComms> make_group_comms(const char *fn, MPI_Comm comm) {
  State &st = state();
  auto g = std::make_unique<GroupComms>();
  g->comm = comm;
  int rank = 0, size = 0;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  g->world.resize(size);
  if (!mpi_ok(fn, MPI_Allgather(&st.me, 1, MPI_INT, g->world.data(), 1, MPI_INT, comm),
              "MPI_Allgather"))
    return nullptr;

  // Members on my node, and the first member of each node, in group order.
  const int my_node = st.node_of[st.me];
  std::vector<char> node_seen(st.node_members.size(), 0);
  for (int w : g->world) {
    if (st.node_of[w] == my_node) g->node_world.push_back(w);
    if (!node_seen[st.node_of[w]]++) g->masters_world.push_back(w);
  }
  const bool master = g->node_world.front() == st.me;
  if (!mpi_ok(fn, MPI_Comm_split(comm, my_node, rank, &g->node), "MPI_Comm_split (node)") ||
      !mpi_ok(fn, MPI_Comm_split(comm, master ? 0 : MPI_UNDEFINED, rank, &g->masters),
              "MPI_Comm_split (masters)"))
    return nullptr;
  return g;
}

ARMCI_Group add_group(const char *fn, int n, int *list, ARMCI_Group parent) {
  comex_group_t g = COMEX_GROUP_NULL;
  if (comex_group_create(n, list, parent, &g) != COMEX_SUCCESS) return ARMCI_GROUP_NULL;
  MPI_Comm comm = MPI_COMM_NULL;
  std::unique_ptr<GroupComms> comms;
  if (comex_group_comm(g, &comm) == COMEX_SUCCESS) comms = make_group_comms(fn, comm);
  if (!comms) {
    comex_group_free(g);
    return ARMCI_GROUP_NULL;
  }
  state().groups[g] = std::move(comms);
  return g;
}

}  // namespace armci

namespace {

// Create a group of `n` ranks of `parent` (collective over the parent: a
// process not listed receives ARMCI_GROUP_NULL and takes no further part).
void create_group(const char *fn, int n, int *pid_list, ARMCI_Group *group_out,
                  const ARMCI_Group *parent) {
  if (!armci::ready(fn)) return;
  if (!group_out) {
    fail(fn, "group_out is NULL");
    return;
  }
  *group_out = ARMCI_GROUP_NULL;
  armci::GroupComms *pg = armci::group_comms(fn, parent);
  if (!pg) return;
  const int psize = int(pg->world.size());
  if (n < 1 || n > psize) {
    fail(fn, "n=%d is out of range [1, %d] (the size of group %d)", n, psize, *parent);
    return;
  }
  if (!pid_list) {
    fail(fn, "pid_list is NULL");
    return;
  }
  const int me = int(std::find(pg->world.begin(), pg->world.end(), state().me) - pg->world.begin());
  std::vector<char> seen(psize, 0);
  bool member = false;
  for (int i = 0; i < n; ++i) {
    const int p = pid_list[i];
    if (p < 0 || p >= psize) {
      fail(fn, "pid_list[%d]=%d is out of range [0, %d) of group %d", i, p, psize, *parent);
      return;
    }
    if (seen[p]++) {
      fail(fn, "pid_list[%d]=%d is listed twice", i, p);
      return;
    }
    member = member || p == me;
  }
  if (!member) return;
  *group_out = armci::add_group(fn, n, pid_list, *parent);
}

}  // namespace

extern "C" {

void PARMCI_Group_create(int n, int *pid_list, ARMCI_Group *group_out) {
  const char *fn = "ARMCI_Group_create";
  if (!armci::ready(fn)) return;
  const ARMCI_Group parent = state().default_group;
  create_group(fn, n, pid_list, group_out, &parent);
}
ARMCI_WEAK_ALIAS(ARMCI_Group_create)

void PARMCI_Group_create_child(int n, int *pid_list, ARMCI_Group *group_out,
                               ARMCI_Group *group_parent) {
  create_group("ARMCI_Group_create_child", n, pid_list, group_out, group_parent);
}
ARMCI_WEAK_ALIAS(ARMCI_Group_create_child)

void PARMCI_Group_free(ARMCI_Group *group) {
  const char *fn = "ARMCI_Group_free";
  if (!armci::ready(fn)) return;
  if (!group) {
    fail(fn, "group is NULL");
    return;
  }
  if (*group == ARMCI_GROUP_NULL) return;  // not a member: nothing to free
  if (*group == COMEX_GROUP_WORLD) {
    fail(fn, "the world group cannot be freed");
    return;
  }
  auto it = state().groups.find(*group);
  if (it == state().groups.end()) {
    fail(fn, "group=%d is not a group this process belongs to", *group);
    return;
  }
  state().groups.erase(it);
  comex_group_free(*group);
  if (state().default_group == *group) state().default_group = COMEX_GROUP_WORLD;
  *group = ARMCI_GROUP_NULL;
}
ARMCI_WEAK_ALIAS(ARMCI_Group_free)

int PARMCI_Group_rank(ARMCI_Group *group, int *rank) {
  const char *fn = "ARMCI_Group_rank";
  if (!armci::group_comms(fn, group)) return ARMCI_FAIL;
  if (!rank) return fail(fn, "rank is NULL");
  return armci::status(comex_group_rank(*group, rank));
}
ARMCI_WEAK_ALIAS(ARMCI_Group_rank)

void PARMCI_Group_size(ARMCI_Group *group, int *size) {
  const char *fn = "ARMCI_Group_size";
  if (!armci::group_comms(fn, group)) return;
  if (!size) {
    fail(fn, "size is NULL");
    return;
  }
  comex_group_size(*group, size);
}
ARMCI_WEAK_ALIAS(ARMCI_Group_size)

void PARMCI_Group_set_default(ARMCI_Group *group) {
  if (!armci::group_comms("ARMCI_Group_set_default", group)) return;
  state().default_group = *group;
}
ARMCI_WEAK_ALIAS(ARMCI_Group_set_default)

void PARMCI_Group_get_default(ARMCI_Group *group_out) {
  const char *fn = "ARMCI_Group_get_default";
  if (!armci::ready(fn)) return;
  if (!group_out) {
    fail(fn, "group_out is NULL");
    return;
  }
  *group_out = state().default_group;
}
ARMCI_WEAK_ALIAS(ARMCI_Group_get_default)

void PARMCI_Group_get_world(ARMCI_Group *group_out) {
  const char *fn = "ARMCI_Group_get_world";
  if (!armci::ready(fn)) return;
  if (!group_out) {
    fail(fn, "group_out is NULL");
    return;
  }
  *group_out = COMEX_GROUP_WORLD;
}
ARMCI_WEAK_ALIAS(ARMCI_Group_get_world)

int PARMCI_Absolute_id(ARMCI_Group *group, int group_rank) {
  const char *fn = "ARMCI_Absolute_id";
  armci::GroupComms *g = armci::group_comms(fn, group);
  if (!g) return -1;
  if (group_rank < 0 || group_rank >= int(g->world.size())) {
    fail(fn, "group_rank=%d is out of range [0, %d) of group %d", group_rank, int(g->world.size()),
         *group);
    return -1;
  }
  int world = -1;
  if (comex_group_translate_world(*group, group_rank, &world) != COMEX_SUCCESS) return -1;
  return world;
}
ARMCI_WEAK_ALIAS(ARMCI_Absolute_id)

MPI_Comm armci_group_comm(ARMCI_Group *group) {
  armci::GroupComms *g = armci::group_comms("armci_group_comm", group);
  return g ? g->comm : MPI_COMM_NULL;
}

}  // extern "C"
