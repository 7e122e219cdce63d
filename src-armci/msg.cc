// msg.cc -- armci_msg_*: collectives and point-to-point messages over MPI,
// on the communicators of ComEx's groups (comex_group_comm).
//
// The world-group functions work on the ComEx world communicator; a scope
// picks the group's communicator, its node communicator or its masters
// communicator (made when the group was created, see groups.cc).  Ranks are
// world ranks throughout.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "armci_impl.h"

using armci::fail;
using armci::GroupComms;
using armci::mpi_ok;
using armci::state;

namespace {

// ---------------------------------------------------------------------------
// Element types and reduction operations
// ---------------------------------------------------------------------------

struct TypeInfo {
  MPI_Datatype mpi;
  size_t size;
  bool integer;
};

bool type_info(const char *fn, int type, TypeInfo *t) {
  switch (type) {
    case ARMCI_INT:
      *t = {MPI_INT, sizeof(int), true};
      return true;
    case ARMCI_LONG:
      *t = {MPI_LONG, sizeof(long), true};
      return true;
    case ARMCI_LONG_LONG:
      *t = {MPI_LONG_LONG, sizeof(long long), true};
      return true;
    case ARMCI_FLOAT:
      *t = {MPI_FLOAT, sizeof(float), false};
      return true;
    case ARMCI_DOUBLE:
      *t = {MPI_DOUBLE, sizeof(double), false};
      return true;
    default:
      fail(fn, "type=%d is not ARMCI_INT, ARMCI_LONG, ARMCI_LONG_LONG, ARMCI_FLOAT or ARMCI_DOUBLE",
           type);
      return false;
  }
}

// One row per operation string: the MPI operation, whether the values are
// first replaced by their absolute values, whether only integers may use it.
struct OpInfo {
  const char *name;
  MPI_Op mpi;
  bool abs;
  bool integer_only;
  bool logical;  // results are 0 or 1 (also when one process reduces alone)
};

// Is `op` the operation `name`?  Decided by its leading characters, as ARMCI
// always has: Fortran callers (GA's ga_dgop) pass strings without a NUL, and
// strncmp reads no further than the first difference.  No name is a prefix
// of another.
bool op_is(const char *op, const char *name) {
  return std::strncmp(op, name, std::strlen(name)) == 0;
}

bool op_info(const char *fn, const char *op, const TypeInfo &t, OpInfo *out) {
  const OpInfo table[] = {
      {"+", MPI_SUM, false, false, false},     {"*", MPI_PROD, false, false, false},
      {"max", MPI_MAX, false, false, false},   {"min", MPI_MIN, false, false, false},
      {"absmax", MPI_MAX, true, false, false}, {"absmin", MPI_MIN, true, false, false},
      {"or", MPI_BOR, false, true, false},     {"&&", MPI_LAND, false, true, true},
      {"||", MPI_LOR, false, true, true},
  };
  if (!op) return fail(fn, "op is NULL"), false;
  for (const OpInfo &o : table) {
    if (!op_is(op, o.name)) continue;
    if (o.integer_only && !t.integer)
      return fail(fn, "op \"%s\" is defined for integer types only", o.name), false;
    *out = o;
    return true;
  }
  return fail(fn,
              "op \"%.8s\" does not begin with \"+\", \"*\", \"max\", \"min\", \"absmax\", "
              "\"absmin\", \"or\", \"&&\" or \"||\"",
              op),
         false;
}

template <class T>
void abs_in_place(void *x, int n) {
  T *p = static_cast<T *>(x);
  for (int i = 0; i < n; ++i)
    if (p[i] < 0) p[i] = -p[i];
}

template <class T>
void truth_in_place(void *x, int n) {
  T *p = static_cast<T *>(x);
  for (int i = 0; i < n; ++i) p[i] = p[i] != 0;
}

// Logical operations see 0 or 1 (integer types only).
void truth_in_place(int type, void *x, int n) {
  switch (type) {
    case ARMCI_INT:
      truth_in_place<int>(x, n);
      break;
    case ARMCI_LONG:
      truth_in_place<long>(x, n);
      break;
    default:
      truth_in_place<long long>(x, n);
      break;
  }
}

void abs_in_place(int type, void *x, int n) {
  switch (type) {
    case ARMCI_INT:
      abs_in_place<int>(x, n);
      break;
    case ARMCI_LONG:
      abs_in_place<long>(x, n);
      break;
    case ARMCI_LONG_LONG:
      abs_in_place<long long>(x, n);
      break;
    case ARMCI_FLOAT:
      abs_in_place<float>(x, n);
      break;
    default:
      abs_in_place<double>(x, n);
      break;
  }
}

// a < b for the leading element of type `type` (raw bytes).
template <class T>
bool less_as(const unsigned char *a, const unsigned char *b) {
  T x, y;
  std::memcpy(&x, a, sizeof(T));
  std::memcpy(&y, b, sizeof(T));
  return x < y;
}

bool less_typed(int type, const unsigned char *a, const unsigned char *b) {
  switch (type) {
    case ARMCI_INT:
      return less_as<int>(a, b);
    case ARMCI_LONG:
      return less_as<long>(a, b);
    case ARMCI_LONG_LONG:
      return less_as<long long>(a, b);
    case ARMCI_FLOAT:
      return less_as<float>(a, b);
    default:
      return less_as<double>(a, b);
  }
}

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
// Waiting for MPI without holding the core
// ---------------------------------------------------------------------------

// Complete a non-blocking MPI operation.  The collectives here are the
// non-blocking MPI call plus this wait, not the blocking call: a blocking MPI
// call polls MPI's progress engine without pause, competing with ComEx's
// progress thread for MPI's lock and, with more threads than cores (2 ranks,
// each with its progress thread, on 2 cores), keeping the core from the very
// peer it waits for.  This wait polls without pause for a few microseconds,
// then yields the core between polls.  (The barriers are comex_barrier, which
// waits the same way and also lets the progress thread rest meanwhile.)
//
// Poller: the pause after a fruitless poll (none for the first polls and
// 20 us, then a yield of the core).
class Poller {
 public:
  /// Call after each fruitless poll.
  void idle() {
    if (++n_ < 16) return;
    const auto now = clock::now();
    if (n_ == 16) start_ = now;
    if (now - start_ > std::chrono::microseconds(20)) std::this_thread::yield();
  }

 private:
  using clock = std::chrono::steady_clock;
  unsigned n_ = 0;
  clock::time_point start_;
};

bool wait_request(const char *fn, MPI_Request *req, const char *what) {
  for (Poller p;; p.idle()) {
    int done = 0;
    if (!mpi_ok(fn, MPI_Test(req, &done, MPI_STATUS_IGNORE), what)) return false;
    if (done) return true;
  }
}

// ---------------------------------------------------------------------------
// The collectives, for any group and scope
// ---------------------------------------------------------------------------

void gop(const char *fn, GroupComms *g, int scope, void *x, int n, const char *op, int type) {
  TypeInfo t;
  OpInfo o;
  Scope s;
  if (!g || !type_info(fn, type, &t) || !op_info(fn, op, t, &o) || !scope_of(fn, *g, scope, &s))
    return;
  if (n < 0) return (void)fail(fn, "n=%d is negative", n);
  if (n > 0 && !x) return (void)fail(fn, "x is NULL");
  if (!s.member || n == 0) return;
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
  if (!g || !type_info(fn, type, &t) || !op_info(fn, op, t, &o) || !scope_of(fn, *g, scope, &s))
    return;
  if (n < 0) return (void)fail(fn, "n=%d is negative", n);
  if (n > 0 && !x) return (void)fail(fn, "x is NULL");
  if (!s.member || n == 0) return;
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

// ---------------------------------------------------------------------------
// Point-to-point: sends are buffered, so a send never waits for its receive
// ---------------------------------------------------------------------------

struct PendingSend {
  MPI_Request request = MPI_REQUEST_NULL;
  std::vector<char> data;
};

std::mutex g_sends_mu;
std::list<PendingSend> g_sends;  // list: elements never move while MPI uses them

void reap_sends_locked() {
  for (auto it = g_sends.begin(); it != g_sends.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    it = done ? g_sends.erase(it) : std::next(it);
  }
}

bool tag_ok(const char *fn, int tag) {
  int *ub = nullptr, flag = 0;
  MPI_Comm_get_attr(state().world, MPI_TAG_UB, &ub, &flag);
  const int max = flag && ub ? *ub : 32767;
  if (tag >= 0 && tag <= max) return true;
  fail(fn, "tag=%d is out of range [0, %d]", tag, max);
  return false;
}

bool rank_ok(const char *fn, const char *name, int rank) {
  if (rank >= 0 && rank < state().nproc) return true;
  fail(fn, "%s=%d is out of range [0, %d)", name, rank, state().nproc);
  return false;
}

// Receive a message matching (source, tag); returns the source or -1.
int receive(const char *fn, int tag, void *buffer, int buflen, int *msglen, int source) {
  if (!armci::ready(fn) || !tag_ok(fn, tag)) return -1;
  if (source != MPI_ANY_SOURCE && !rank_ok(fn, "from", source)) return -1;
  if (buflen < 0) return fail(fn, "buflen=%d is negative", buflen), -1;
  if (buflen > 0 && !buffer) return fail(fn, "buffer is NULL"), -1;
  {
    std::lock_guard<std::mutex> lock(g_sends_mu);
    reap_sends_locked();
  }
  MPI_Message message;
  MPI_Status status;
  for (Poller p;; p.idle()) {  // MPI_Mprobe, without holding the core (see wait_request)
    int found = 0;
    if (!mpi_ok(fn, MPI_Improbe(source, tag, state().world, &found, &message, &status),
                "MPI_Improbe"))
      return -1;
    if (found) break;
  }
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  if (count <= buflen) {
    if (!mpi_ok(fn, MPI_Mrecv(buffer, count, MPI_BYTE, &message, MPI_STATUS_IGNORE), "MPI_Mrecv"))
      return -1;
  } else {
    // Too long: take it (so it cannot block later traffic), keep what fits.
    std::vector<char> whole(count);
    if (!mpi_ok(fn, MPI_Mrecv(whole.data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE),
                "MPI_Mrecv"))
      return -1;
    if (buflen > 0) std::memcpy(buffer, whole.data(), size_t(buflen));
    fail(fn, "the message from %d with tag %d has %d bytes, more than buflen=%d: truncated",
         status.MPI_SOURCE, tag, count, buflen);
    count = buflen;
  }
  if (msglen) *msglen = count;
  return status.MPI_SOURCE;
}

bool mpi_running() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

}  // namespace

namespace armci {

void drain_pending_sends() {
  std::lock_guard<std::mutex> lock(g_sends_mu);
  // After the barrier every receive that will ever be posted has been, so a
  // send still in flight has no receiver: release it, and leave its buffer
  // to MPI (finalize follows).
  MPI_Barrier(state().world);
  reap_sends_locked();
  for (PendingSend &s : g_sends) {
    MPI_Request_free(&s.request);
    new std::vector<char>(std::move(s.data));  // deliberately not freed
  }
  g_sends.clear();
}

}  // namespace armci

extern "C" {

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

int armci_msg_me(void) {
  if (state().initialized) return state().me;
  int r = -1;
  if (mpi_running())
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
  else
    fail("armci_msg_me", "called before ARMCI_Init, with MPI not running");
  return r;
}

int armci_msg_nproc(void) {
  if (state().initialized) return state().nproc;
  int n = 0;
  if (mpi_running())
    MPI_Comm_size(MPI_COMM_WORLD, &n);
  else
    fail("armci_msg_nproc", "called before ARMCI_Init, with MPI not running");
  return n;
}

double armci_timer(void) {
  if (mpi_running()) return MPI_Wtime();
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

void armci_msg_abort(int code) {
  fail("armci_msg_abort", "aborting the job with code %d", code);
  std::fflush(stderr);
  if (mpi_running()) MPI_Abort(MPI_COMM_WORLD, code ? code : 1);
  std::exit(code ? code : 1);
}

void armci_msg_init(int *argc, char ***argv) {
  int init = 0, provided = 0;
  MPI_Initialized(&init);
  if (!init) MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
}

void armci_msg_finalize(void) {
  if (mpi_running()) MPI_Finalize();
}

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

void armci_msg_igop(int *x, int n, const char *op) {
  const char *fn = "armci_msg_igop";
  gop(fn, world_comms(fn), SCOPE_ALL, x, n, op, ARMCI_INT);
}

void armci_msg_lgop(long *x, int n, const char *op) {
  const char *fn = "armci_msg_lgop";
  gop(fn, world_comms(fn), SCOPE_ALL, x, n, op, ARMCI_LONG);
}

void armci_msg_llgop(long long *x, int n, const char *op) {
  const char *fn = "armci_msg_llgop";
  gop(fn, world_comms(fn), SCOPE_ALL, x, n, op, ARMCI_LONG_LONG);
}

void armci_msg_fgop(float *x, int n, const char *op) {
  const char *fn = "armci_msg_fgop";
  gop(fn, world_comms(fn), SCOPE_ALL, x, n, op, ARMCI_FLOAT);
}

void armci_msg_dgop(double *x, int n, const char *op) {
  const char *fn = "armci_msg_dgop";
  gop(fn, world_comms(fn), SCOPE_ALL, x, n, op, ARMCI_DOUBLE);
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
// Point-to-point
// ---------------------------------------------------------------------------

void armci_msg_snd(int tag, void *buffer, int len, int to) {
  const char *fn = "armci_msg_snd";
  if (!armci::ready(fn) || !tag_ok(fn, tag) || !rank_ok(fn, "to", to)) return;
  if (len < 0) return (void)fail(fn, "len=%d is negative", len);
  if (len > 0 && !buffer) return (void)fail(fn, "buffer is NULL");
  std::lock_guard<std::mutex> lock(g_sends_mu);
  reap_sends_locked();
  g_sends.emplace_back();
  PendingSend &s = g_sends.back();
  s.data.assign(static_cast<char *>(buffer), static_cast<char *>(buffer) + len);
  if (!mpi_ok(fn, MPI_Isend(s.data.data(), len, MPI_BYTE, to, tag, state().world, &s.request),
              "MPI_Isend"))
    g_sends.pop_back();
}

void armci_msg_rcv(int tag, void *buffer, int buflen, int *msglen, int from) {
  receive("armci_msg_rcv", tag, buffer, buflen, msglen, from);
}

int armci_msg_rcvany(int tag, void *buffer, int buflen, int *msglen) {
  return receive("armci_msg_rcvany", tag, buffer, buflen, msglen, MPI_ANY_SOURCE);
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

void armci_msg_group_igop(int *x, int n, const char *op, ARMCI_Group *group) {
  const char *fn = "armci_msg_group_igop";
  gop(fn, armci::group_comms(fn, group), SCOPE_ALL, x, n, op, ARMCI_INT);
}

void armci_msg_group_lgop(long *x, int n, const char *op, ARMCI_Group *group) {
  const char *fn = "armci_msg_group_lgop";
  gop(fn, armci::group_comms(fn, group), SCOPE_ALL, x, n, op, ARMCI_LONG);
}

void armci_msg_group_llgop(long long *x, int n, const char *op, ARMCI_Group *group) {
  const char *fn = "armci_msg_group_llgop";
  gop(fn, armci::group_comms(fn, group), SCOPE_ALL, x, n, op, ARMCI_LONG_LONG);
}

void armci_msg_group_fgop(float *x, int n, const char *op, ARMCI_Group *group) {
  const char *fn = "armci_msg_group_fgop";
  gop(fn, armci::group_comms(fn, group), SCOPE_ALL, x, n, op, ARMCI_FLOAT);
}

void armci_msg_group_dgop(double *x, int n, const char *op, ARMCI_Group *group) {
  const char *fn = "armci_msg_group_dgop";
  gop(fn, armci::group_comms(fn, group), SCOPE_ALL, x, n, op, ARMCI_DOUBLE);
}

}  // extern "C"
