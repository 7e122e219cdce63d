// mutex_hdl.cc -- ARMCI-MPI's mutex handles (ARMCIX_*_mutexes_hdl,
// ARMCIX_Lock_hdl, ARMCIX_Trylock_hdl, ARMCIX_Unlock_hdl): sets of mutexes
// over a group, any number of sets at a time, each independent of the world
// set of ARMCI_Create_mutexes.
//
// Built on the public ComEx API only.  A set is a ComEx group of its own over
// the processes of the user's group (so freeing the user's group does not
// break it) and one comex_malloc allocation on that group holding every
// process's lock words, one int per mutex: 0 free, 1 held.  Acquiring swaps
// 1 in with comex_rmw (atomic with respect to every other rmw on the word):
// an old value of 0 means acquired, 1 means held by someone, and the swap
// changed nothing.  Releasing first fences every target, so the holder's
// puts and accumulates are complete before the next holder can start, then
// swaps 0 in.  A waiting ARMCIX_Lock_hdl retries with a growing pause; it is
// not first come, first served.
//
// Each process remembers which mutexes it holds: locking one it holds, or
// unlocking one it does not, is reported instead of deadlocking or freeing
// somebody else's mutex.
#include <sched.h>
#include <time.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <utility>
#include <vector>

#include "armci_impl.h"

using armci::fail;
using armci::state;

struct armcix_mutex_hdl_s {
  comex_group_t group = COMEX_GROUP_NULL;  ///< ours, over the user's group
  MPI_Comm comm = MPI_COMM_NULL;           ///< its communicator (ComEx's)
  int my_rank = -1;                        ///< rank in `group`
  std::vector<int> counts;                 ///< group rank -> mutexes it owns
  std::vector<void *> words;               ///< group rank -> its lock words
  std::vector<int> rank_of;                ///< world rank -> group rank, -1
  std::mutex held_lock;                    ///< guards `held`
  std::set<std::pair<int, int>> held;      ///< (group rank, mutex) held here
};

namespace {

using Handle = armcix_mutex_hdl_s;

// Every live handle of this process, so that a stale or foreign pointer is
// reported instead of followed.
struct Registry {
  std::mutex lock;
  std::set<Handle *> live;
};

Registry &registry() {
  static Registry r;
  return r;
}

bool is_live(Handle *h) {
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  return r.live.count(h) != 0;
}

// The handle, the target's group rank and the address of the lock word, or
// false (with a message) on bad input.
struct Target {
  Handle *h;
  int rank;
  int *word;
};

bool target(const char *fn, armcix_mutex_hdl_t hdl, int mutex, int proc, Target *t) {
  if (!armci::ready(fn)) return false;
  if (!hdl) return fail(fn, "hdl is NULL"), false;
  if (!is_live(hdl))
    return fail(fn, "hdl=%p is not a live mutex handle (destroyed, or never created)",
                static_cast<void *>(hdl)),
           false;
  if (proc < 0 || proc >= int(hdl->rank_of.size()))
    return fail(fn, "proc=%d is out of range [0, %d) of the world", proc, int(hdl->rank_of.size())),
           false;
  const int rank = hdl->rank_of[proc];
  if (rank < 0) return fail(fn, "proc=%d is not a member of the handle's group", proc), false;
  if (mutex < 0 || mutex >= hdl->counts[rank])
    return fail(fn, "mutex=%d is out of range [0, %d) of the mutexes of proc %d", mutex,
                hdl->counts[rank], proc),
           false;
  *t = {hdl, rank, static_cast<int *>(hdl->words[rank]) + mutex};
  return true;
}

bool holds(const Target &t, int mutex) {
  std::lock_guard<std::mutex> guard(t.h->held_lock);
  return t.h->held.count({t.rank, mutex}) != 0;
}

void set_held(const Target &t, int mutex, bool held) {
  std::lock_guard<std::mutex> guard(t.h->held_lock);
  if (held)
    t.h->held.insert({t.rank, mutex});
  else
    t.h->held.erase({t.rank, mutex});
}

// Swap `value` into the lock word; the old value, or -1 if ComEx failed.
int swap(const Target &t, int value) {
  if (comex_rmw(COMEX_SWAP, &value, t.word, 0, t.rank, t.h->group) != COMEX_SUCCESS) return -1;
  return value;
}

// Pause between attempts: yield the core a few times, then sleep, doubling
// from 1 us up to 128 us (a holder on an oversubscribed node needs the core).
void back_off(int attempt) {
  if (attempt < 8) {
    sched_yield();
    return;
  }
  const long us = 1L << std::min(attempt - 8, 7);
  const struct timespec ts = {0, us * 1000L};
  nanosleep(&ts, nullptr);
}

void destroy(Handle *h) {
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  r.live.erase(h);
  delete h;
}

}  // namespace

namespace armci {

// At finalize ComEx frees the groups and the memory; the handles go too.
void forget_mutex_handles() {
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  for (Handle *h : r.live) delete h;
  r.live.clear();
}

}  // namespace armci

extern "C" {

armcix_mutex_hdl_t ARMCIX_Create_mutexes_hdl(int count, ARMCI_Group *group) {
  const char *fn = "ARMCIX_Create_mutexes_hdl";
  armci::GroupComms *g = armci::group_comms(fn, group);
  if (!g) return nullptr;
  const bool ok = count >= 0 || (fail(fn, "count=%d is negative", count), false);
  // Everyone's count, and whether everyone's argument was good.
  const int n = int(g->world.size());
  int mine[2] = {count, ok ? 1 : 0};
  std::vector<int> all(2 * size_t(n));
  if (!armci::mpi_ok(fn, MPI_Allgather(mine, 2, MPI_INT, all.data(), 2, MPI_INT, g->comm),
                     "MPI_Allgather"))
    return nullptr;
  for (int r = 0; r < n; ++r)
    if (!all[2 * r + 1]) {
      if (ok)
        fail(fn, "another process of group %d passed a bad argument; failing with it", *group);
      return nullptr;
    }

  auto h = std::make_unique<Handle>();
  std::vector<int> members(n);
  for (int r = 0; r < n; ++r) {
    members[r] = r;
    h->counts.push_back(all[2 * r]);
  }
  if (comex_group_create(n, members.data(), *group, &h->group) != COMEX_SUCCESS) return nullptr;
  h->rank_of.assign(state().nproc, -1);
  for (int r = 0; r < n; ++r) h->rank_of[g->world[r]] = r;
  h->words.assign(n, nullptr);
  if (comex_group_rank(h->group, &h->my_rank) != COMEX_SUCCESS ||
      comex_group_comm(h->group, &h->comm) != COMEX_SUCCESS ||
      comex_malloc(h->words.data(), size_t(count) * sizeof(int), h->group) != COMEX_SUCCESS) {
    comex_group_free(h->group);
    return nullptr;
  }
  if (count > 0) std::fill_n(static_cast<int *>(h->words[h->my_rank]), count, 0);
  // Nobody locks before every word is cleared.
  if (comex_barrier(h->group) != COMEX_SUCCESS) {
    comex_free(h->words[h->my_rank], h->group);
    comex_group_free(h->group);
    return nullptr;
  }
  Registry &r = registry();
  std::lock_guard<std::mutex> guard(r.lock);
  r.live.insert(h.get());
  return h.release();
}

// Collective over the handle's group.  Fails everywhere if any process still
// holds one of the set's mutexes.
int ARMCIX_Destroy_mutexes_hdl(armcix_mutex_hdl_t hdl) {
  const char *fn = "ARMCIX_Destroy_mutexes_hdl";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  if (!hdl) return fail(fn, "hdl is NULL");
  if (!is_live(hdl))
    return fail(fn, "hdl=%p is not a live mutex handle (destroyed, or never created)",
                static_cast<void *>(hdl));
  size_t held = 0;
  {
    std::lock_guard<std::mutex> guard(hdl->held_lock);
    held = hdl->held.size();
  }
  if (held) fail(fn, "this process still holds %zu of the handle's mutexes", held);
  if (!armci::all_ok(fn, hdl->comm, held == 0)) return ARMCI_FAIL;
  const int rc_free = comex_free(hdl->words[hdl->my_rank], hdl->group);
  const int rc_group = comex_group_free(hdl->group);
  destroy(hdl);
  return rc_free == COMEX_SUCCESS && rc_group == COMEX_SUCCESS ? 0 : ARMCI_FAIL;
}

void ARMCIX_Lock_hdl(armcix_mutex_hdl_t hdl, int mutex, int proc) {
  const char *fn = "ARMCIX_Lock_hdl";
  Target t;
  if (!target(fn, hdl, mutex, proc, &t)) return;
  if (holds(t, mutex)) {
    fail(fn, "mutex=%d of proc %d is already held by this process", mutex, proc);
    return;
  }
  for (int attempt = 0;; ++attempt) {
    const int old = swap(t, 1);
    if (old < 0) return;  // ComEx has said why
    if (old == 0) break;
    back_off(attempt);
  }
  set_held(t, mutex, true);
}

int ARMCIX_Trylock_hdl(armcix_mutex_hdl_t hdl, int mutex, int proc) {
  Target t;
  if (!target("ARMCIX_Trylock_hdl", hdl, mutex, proc, &t)) return ARMCI_FAIL;
  if (holds(t, mutex)) return 1;
  const int old = swap(t, 1);
  if (old < 0) return ARMCI_FAIL;
  if (old != 0) return 1;
  set_held(t, mutex, true);
  return 0;
}

void ARMCIX_Unlock_hdl(armcix_mutex_hdl_t hdl, int mutex, int proc) {
  const char *fn = "ARMCIX_Unlock_hdl";
  Target t;
  if (!target(fn, hdl, mutex, proc, &t)) return;
  if (!holds(t, mutex)) {
    fail(fn, "mutex=%d of proc %d is not held by this process", mutex, proc);
    return;
  }
  // What the critical section wrote is in place before the mutex is free.
  if (comex_fence_all(COMEX_GROUP_WORLD) != COMEX_SUCCESS) return;
  set_held(t, mutex, false);
  swap(t, 0);
}

}  // extern "C"
