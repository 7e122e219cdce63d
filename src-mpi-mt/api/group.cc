// api/group.cc -- process groups.
#include <algorithm>

#include "api/api.h"

using namespace comex;

extern "C" {

int comex_group_create(int n, int *pid_list, comex_group_t group, comex_group_t *new_group) {
  return api_call("comex_group_create", [&](Runtime &rt) {
    auto parent = need_group(rt, group);
    need_ptr(new_group, "new_group");
    *new_group = COMEX_GROUP_NULL;
    if (n < 1 || n > parent->size())
      throw Error(format("n=%d is out of range [1, %d]", n, parent->size()));
    need_ptr(pid_list, "pid_list");
    std::vector<int> world(n);
    std::vector<char> seen(parent->size(), 0);
    bool member = false;
    for (int i = 0; i < n; ++i) {
      int p = pid_list[i];
      if (p < 0 || p >= parent->size())
        throw Error(format("pid_list[%d]=%d is out of range [0, %d) of group %d", i, p,
                           parent->size(), group));
      if (seen[p]++) throw Error(format("pid_list[%d]=%d is listed twice", i, p));
      world[i] = parent->world[p];
      member = member || p == parent->rank;
    }
    // A process outside pid_list takes no part (the call is collective over
    // the members only) and gets COMEX_GROUP_NULL, as GA's ComEx returns
    // success there: GA calls it on every rank of the parent group.
    if (!member) return;
    MPI_Group pg, ng;
    COMEX_MPI(MPI_Comm_group(parent->comm, &pg));
    COMEX_MPI(MPI_Group_incl(pg, n, pid_list, &ng));
    MPI_Comm c;
    int rc = MPI_Comm_create_group(parent->comm, ng, 0, &c);
    MPI_Group_free(&ng);
    MPI_Group_free(&pg);
    mpi_check(rc, "MPI_Comm_create_group");
    *new_group = rt.groups().add(Group::make(Comm(c), std::move(world), rt.size()));
  });
}

int comex_group_free(comex_group_t group) {
  return api_call("comex_group_free", [&](Runtime &rt) {
    if (group == COMEX_GROUP_WORLD) throw Error("group=0: the world group cannot be freed");
    auto g = need_group(rt, group);
    rt.barrier(*g);  // outstanding work within the group is done first
    rt.groups().remove(group);
  });
}

int comex_group_rank(comex_group_t group, int *rank) {
  return api_call("comex_group_rank", [&](Runtime &rt) {
    auto g = need_group(rt, group);
    need_ptr(rank, "rank");
    *rank = g->rank;
  });
}

int comex_group_size(comex_group_t group, int *size) {
  return api_call("comex_group_size", [&](Runtime &rt) {
    auto g = need_group(rt, group);
    need_ptr(size, "size");
    *size = g->size();
  });
}

int comex_group_comm(comex_group_t group, MPI_Comm *comm) {
  return api_call("comex_group_comm", [&](Runtime &rt) {
    auto g = need_group(rt, group);
    need_ptr(comm, "comm");
    *comm = g->comm.get();
  });
}

int comex_group_translate_ranks(int n, comex_group_t group_from, int *ranks_from,
                                comex_group_t group_to, int *ranks_to) {
  return api_call("comex_group_translate_ranks", [&](Runtime &rt) {
    auto from = need_group(rt, group_from);
    auto to = need_group(rt, group_to);
    need_bytes(n, "n");
    if (n == 0) return;
    need_ptr(ranks_from, "ranks_from");
    need_ptr(ranks_to, "ranks_to");
    for (int i = 0; i < n; ++i) {
      int r = ranks_from[i];
      if (r < 0 || r >= from->size())
        throw Error(format("ranks_from[%d]=%d is out of range [0, %d) of group %d", i, r,
                           from->size(), group_from));
    }
    for (int i = 0; i < n; ++i) {
      int l = to->local[from->world[ranks_from[i]]];
      ranks_to[i] = l < 0 ? MPI_UNDEFINED : l;
    }
  });
}

int comex_group_translate_world(comex_group_t group, int group_rank, int *world_rank) {
  return api_call("comex_group_translate_world", [&](Runtime &rt) {
    auto g = need_group(rt, group);
    need_ptr(world_rank, "world_rank");
    *world_rank = need_proc(*g, group_rank, group);
  });
}

}  // extern "C"
