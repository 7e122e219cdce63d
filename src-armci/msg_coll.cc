// msg_coll.cc -- armci_msg_* collectives (barrier, broadcast, reductions,
// selection, the binary tree) over MPI, on the communicators of ComEx's
// groups (comex_group_comm).
//
// The world-group functions work on the ComEx world communicator; a scope
// picks the group's communicator, its node communicator or its masters
// communicator (made when the group was created, see groups.cc).  Ranks are
// world ranks throughout.
#include <cstring>
#include <vector>

#include "msg.h"

using namespace armci;

namespace {

// ---------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------

struct Scope {
  MPI_Comm comm = MPI_COMM_NULL;
  const std::vector<int> *members = nullptr;  // world ranks in comm order
  bool member = false;                        // false: not in this scope
};

bool scope_of(const char *fn, const GroupComms &g, int scope, Scope *s) {
  switch (scope) {
    case SCOPE_ALL:
      *s = {g.comm, &g.world, true};
      return true;
    case SCOPE_NODE:
      *s = {g.node, &g.node_world, true};
      return true;
    case SCOPE_MASTERS:
      *s = {g.masters, &g.masters_world, g.masters != MPI_COMM_NULL};
      return true;
    default:
      fail(fn, "scope=%d is not SCOPE_ALL (%d), SCOPE_NODE (%d) or SCOPE_MASTERS (%d)", scope,
           SCOPE_ALL, SCOPE_NODE, SCOPE_MASTERS);
      return false;
  }
}

int index_of(const std::vector<int> &members, int world) {
  for (size_t i = 0; i < members.size(); ++i)
    if (members[i] == world) return int(i);
  return -1;
}

GroupComms *world_comms(const char *fn) {
  const ARMCI_Group world = COMEX_GROUP_WORLD;
  return armci::group_comms(fn, &world);
}

// ---------------------------------------------------------------------------
// The collectives, for any group and scope
// ---------------------------------------------------------------------------

// Checks the arguments of a reduction; true when this process has values to
// reduce (false, with a message, when an argument is bad).
bool reduction(const char *fn, GroupComms *g, int scope, void *x, int n, const char *op, int type,
               TypeInfo *t, OpInfo *o, Scope *s) {
  if (!g || !type_info(fn, type, t) || !op_info(fn, op, *t, o) || !scope_of(fn, *g, scope, s))
    return false;
  if (n < 0) return fail(fn, "n=%d is negative", n), false;
  if (n > 0 && !x) return fail(fn, "x is NULL"), false;
  return s->member && n > 0;
}

void gop(const char *fn, GroupComms *g, int scope, void *x, int n, const char *op, int type) {
  TypeInfo t;
  OpInfo o;
  Scope s;
  if (!reduction(fn, g, scope, x, n, op, type, &t, &o, &s)) return;
  if (o.abs) abs_in_place(type, x, n);
  if (o.logical) truth_in_place(type, x, n);
  MPI_Request req;
  if (mpi_ok(fn, MPI_Iallreduce(MPI_IN_PLACE, x, n, t.mpi, o.mpi, s.comm, &req), "MPI_Iallreduce"))
    wait_request(fn, &req, "MPI_Iallreduce");
}

// Reduction to the first process of the scope; the others keep their x.
void reduce(const char *fn, GroupComms *g, int scope, void *x, int n, const char *op, int type) {
  TypeInfo t;
  OpInfo o;
  Scope s;
  if (!reduction(fn, g, scope, x, n, op, type, &t, &o, &s)) return;
  std::vector<char> work(static_cast<char *>(x), static_cast<char *>(x) + size_t(n) * t.size);
  if (o.abs) abs_in_place(type, work.data(), n);
  if (o.logical) truth_in_place(type, work.data(), n);
  int rank = 0;
  MPI_Comm_rank(s.comm, &rank);
  MPI_Request req;
  if (rank == 0) {
    if (mpi_ok(fn, MPI_Ireduce(MPI_IN_PLACE, work.data(), n, t.mpi, o.mpi, 0, s.comm, &req),
               "MPI_Ireduce") &&
        wait_request(fn, &req, "MPI_Ireduce"))
      std::memcpy(x, work.data(), work.size());
  } else {
    if (mpi_ok(fn, MPI_Ireduce(work.data(), nullptr, n, t.mpi, o.mpi, 0, s.comm, &req),
               "MPI_Ireduce"))
      wait_request(fn, &req, "MPI_Ireduce");
  }
}

void bcast(const char *fn, GroupComms *g, int scope, void *buf, int len, int root) {
  Scope s;
  if (!g || !scope_of(fn, *g, scope, &s)) return;
  if (len < 0) return (void)fail(fn, "len=%d is negative", len);
  if (len > 0 && !buf) return (void)fail(fn, "buffer is NULL");
  if (!s.member) return;
  const int r = index_of(*s.members, root);
  if (r < 0) return (void)fail(fn, "root=%d is not a process of the scope", root);
  if (len == 0) return;
  MPI_Request req;
  if (mpi_ok(fn, MPI_Ibcast(buf, len, MPI_BYTE, r, s.comm, &req), "MPI_Ibcast"))
    wait_request(fn, &req, "MPI_Ibcast");
}

void select(const char *fn, GroupComms *g, int scope, void *x, int n, const char *op, int type,
            int contribute) {
  TypeInfo t;
  Scope s;
  if (!g || !type_info(fn, type, &t) || !scope_of(fn, *g, scope, &s)) return;
  if (!op || (!op_is(op, "min") && !op_is(op, "max")))
    return (void)fail(fn, "op \"%.8s\" does not begin with \"min\" or \"max\"", op ? op : "(null)");
  if (n < 0) return (void)fail(fn, "n=%d is negative", n);
  if (n > 0 && size_t(n) < t.size)
    return (void)fail(fn, "n=%d bytes cannot hold the leading value (%zu bytes)", n, t.size);
  if (n > 0 && !x) return (void)fail(fn, "x is NULL");
  if (!s.member || n == 0) return;

  // Everyone learns who contributes and with which leading value.
  struct Entry {
    int contribute;
    int pad;
    unsigned char key[8];
  } mine{contribute ? 1 : 0, 0, {0}};
  if (contribute) std::memcpy(mine.key, x, t.size);
  int size = 0;
  MPI_Comm_size(s.comm, &size);
  std::vector<Entry> all(size);
  MPI_Request req;
  if (!mpi_ok(fn,
              MPI_Iallgather(&mine, int(sizeof(Entry)), MPI_BYTE, all.data(), int(sizeof(Entry)),
                             MPI_BYTE, s.comm, &req),
              "MPI_Iallgather") ||
      !wait_request(fn, &req, "MPI_Iallgather"))
    return;
  const bool want_min = op_is(op, "min");
  int winner = -1;
  for (int i = 0; i < size; ++i) {
    if (!all[i].contribute) continue;
    if (winner < 0 || (want_min ? less_typed(type, all[i].key, all[winner].key)
                                : less_typed(type, all[winner].key, all[i].key)))
      winner = i;  // strictly better only: ties stay with the lowest rank
  }
  if (winner < 0) return;  // nobody contributed
  if (mpi_ok(fn, MPI_Ibcast(x, n, MPI_BYTE, winner, s.comm, &req), "MPI_Ibcast"))
    wait_request(fn, &req, "MPI_Ibcast");
}

}  // namespace

extern "C" {

// ---------------------------------------------------------------------------
// World collectives
// ---------------------------------------------------------------------------

void armci_msg_barrier(void) {
  const char *fn = "armci_msg_barrier";
  if (!armci::ready(fn)) return;
  // ComEx's barrier (it also completes and fences this process's operations,
  // which a message barrier may do): its wait lets the progress thread rest
  // and yields the core, where MPI_Barrier spins against the progress thread.
  // GA synchronises through this call; in its ngatest on 2 cores MPI_Barrier
  // averaged 3 ms here.
  comex_barrier(COMEX_GROUP_WORLD);
}

void armci_msg_bcast_scope(int scope, void *buffer, int len, int root) {
  const char *fn = "armci_msg_bcast_scope";
  bcast(fn, world_comms(fn), scope, buffer, len, root);
}

void armci_msg_bcast(void *buffer, int len, int root) {
  const char *fn = "armci_msg_bcast";
  bcast(fn, world_comms(fn), SCOPE_ALL, buffer, len, root);
}

void armci_msg_brdcst(void *buffer, int len, int root) {
  const char *fn = "armci_msg_brdcst";
  bcast(fn, world_comms(fn), SCOPE_ALL, buffer, len, root);
}

void armci_msg_gop_scope(int scope, void *x, int n, const char *op, int type) {
  const char *fn = "armci_msg_gop_scope";
  gop(fn, world_comms(fn), scope, x, n, op, type);
}

void armci_msg_reduce(void *x, int n, const char *op, int type) {
  const char *fn = "armci_msg_reduce";
  reduce(fn, world_comms(fn), SCOPE_ALL, x, n, op, type);
}

void armci_msg_reduce_scope(int scope, void *x, int n, const char *op, int type) {
  const char *fn = "armci_msg_reduce_scope";
  reduce(fn, world_comms(fn), scope, x, n, op, type);
}

void armci_msg_sel_scope(int scope, void *x, int n, const char *op, int type, int contribute) {
  const char *fn = "armci_msg_sel_scope";
  select(fn, world_comms(fn), scope, x, n, op, type, contribute);
}

void armci_msg_bintree(int scope, int *root, int *up, int *left, int *right) {
  const char *fn = "armci_msg_bintree";
  GroupComms *g = world_comms(fn);
  Scope s;
  if (!g || !scope_of(fn, *g, scope, &s)) return;
  if (!root || !up || !left || !right)
    return (void)fail(fn, "%s is NULL", !root ? "root" : !up ? "up" : !left ? "left" : "right");
  const std::vector<int> &m = *s.members;
  *root = m.empty() ? -1 : m[0];
  *up = *left = *right = -1;
  if (!s.member) return;  // not a master: not in the tree
  const int i = index_of(m, state().me);
  const int n = int(m.size());
  if (i > 0) *up = m[(i - 1) / 2];
  if (2 * i + 1 < n) *left = m[2 * i + 1];
  if (2 * i + 2 < n) *right = m[2 * i + 2];
}

// ---------------------------------------------------------------------------
// Group collectives
// ---------------------------------------------------------------------------

void armci_msg_group_barrier(ARMCI_Group *group) {
  const char *fn = "armci_msg_group_barrier";
  GroupComms *g = armci::group_comms(fn, group);
  if (g) comex_barrier(*group);  // as armci_msg_barrier
}

void armci_msg_group_bcast_scope(int scope, void *buf, int len, int root, ARMCI_Group *group) {
  const char *fn = "armci_msg_group_bcast_scope";
  bcast(fn, armci::group_comms(fn, group), scope, buf, len, root);
}

void armci_msg_group_gop_scope(int scope, void *x, int n, const char *op, int type,
                               ARMCI_Group *group) {
  const char *fn = "armci_msg_group_gop_scope";
  gop(fn, armci::group_comms(fn, group), scope, x, n, op, type);
}

// The typed reductions over the world and over a group:
// armci_msg_{i,l,ll,f,d}gop and armci_msg_group_{i,l,ll,f,d}gop.
#define ARMCI_TYPED_GOPS(prefix, T, type)                                               \
  void armci_msg_##prefix##gop(T *x, int n, const char *op) {                           \
    const char *fn = "armci_msg_" #prefix "gop";                                        \
    gop(fn, world_comms(fn), SCOPE_ALL, x, n, op, type);                                \
  }                                                                                     \
  void armci_msg_group_##prefix##gop(T *x, int n, const char *op, ARMCI_Group *group) { \
    const char *fn = "armci_msg_group_" #prefix "gop";                                  \
    gop(fn, armci::group_comms(fn, group), SCOPE_ALL, x, n, op, type);                  \
  }
ARMCI_TYPED_GOPS(i, int, ARMCI_INT)
ARMCI_TYPED_GOPS(l, long, ARMCI_LONG)
ARMCI_TYPED_GOPS(ll, long long, ARMCI_LONG_LONG)
ARMCI_TYPED_GOPS(f, float, ARMCI_FLOAT)
ARMCI_TYPED_GOPS(d, double, ARMCI_DOUBLE)
#undef ARMCI_TYPED_GOPS

}  // extern "C"
