// access.cc -- the allocations of this process and what ARMCI-MPI programs
// ask of them: direct local access (ARMCI_Access_begin/end) and access modes
// (ARMCIX_Mode_set/get).
//
// Local memory here is plain memory: the progress thread and the node's
// other processes write into it while the owner computes, so direct loads
// and stores need no epoch.  The calls still check that the pointer lies in
// this process's block of an ARMCI_Malloc allocation and keep count of open
// accesses, so that a program that is wrong for ARMCI-MPI is told so here.
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>

#include "armci_impl.h"

using armci::fail;

namespace {

struct Allocation {
  size_t bytes = 0;
  ARMCI_Group group = ARMCI_GROUP_NULL;
  int mode = ARMCIX_MODE_ALL;
  int open_accesses = 0;  ///< ARMCI_Access_begin without its _end yet
};

// Local blocks by start address.  Empty blocks (NULL) are not recorded.
struct Allocations {
  std::mutex mutex;
  std::map<uintptr_t, Allocation> by_base;

  // The allocation whose local block holds `ptr`, or nullptr.  Call with
  // `mutex` held.
  Allocation *holding(const void *ptr) {
    const uintptr_t p = reinterpret_cast<uintptr_t>(ptr);
    auto it = by_base.upper_bound(p);
    if (it == by_base.begin()) return nullptr;
    --it;
    return p - it->first < it->second.bytes ? &it->second : nullptr;
  }
};

Allocations &allocations() {
  static Allocations a;
  return a;
}

bool valid_mode(int mode) {
  return mode == ARMCIX_MODE_ALL || mode == ARMCIX_MODE_CONFLICT_FREE ||
         mode == ARMCIX_MODE_NO_LOAD_STORE;
}

}  // namespace

namespace armci {

void note_allocation(void *const *ptr_arr, armci_size_t bytes, ARMCI_Group group) {
  int rank = -1;
  if (bytes <= 0 || comex_group_rank(group, &rank) != COMEX_SUCCESS) return;
  void *mine = ptr_arr[rank];
  if (!mine) return;
  Allocations &a = allocations();
  std::lock_guard<std::mutex> lock(a.mutex);
  Allocation &entry = a.by_base[reinterpret_cast<uintptr_t>(mine)];
  entry = Allocation{};
  entry.bytes = size_t(bytes);
  entry.group = group;
}

void forget_allocation(void *ptr) {
  Allocations &a = allocations();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.by_base.erase(reinterpret_cast<uintptr_t>(ptr));
}

void forget_allocations() {
  Allocations &a = allocations();
  std::lock_guard<std::mutex> lock(a.mutex);
  a.by_base.clear();
}

}  // namespace armci

namespace {

// The allocation whose local block holds `ptr` (a.mutex held), or NULL with a
// message naming `fn`.
Allocation *held_block(const char *fn, Allocations &a, void *ptr) {
  if (!ptr) return fail(fn, "ptr is NULL"), nullptr;
  Allocation *m = a.holding(ptr);
  if (!m) fail(fn, "ptr=%p is not in a local block of ARMCI_Malloc memory", ptr);
  return m;
}

}  // namespace

extern "C" {

// Begin direct loads and stores on the local block holding `ptr`.  The full
// fence orders them after every earlier access of this thread.
void PARMCI_Access_begin(void *ptr) {
  const char *fn = "ARMCI_Access_begin";
  if (!armci::ready(fn)) return;
  Allocations &a = allocations();
  {
    std::lock_guard<std::mutex> lock(a.mutex);
    Allocation *m = held_block(fn, a, ptr);
    if (!m) return;
    if (m->mode == ARMCIX_MODE_NO_LOAD_STORE) {
      fail(fn, "ptr=%p is in an allocation in ARMCIX_MODE_NO_LOAD_STORE", ptr);
      return;
    }
    ++m->open_accesses;
  }
  std::atomic_thread_fence(std::memory_order_seq_cst);
}
ARMCI_WEAK_ALIAS(ARMCI_Access_begin)

// End them: the stores are ordered before every later access of this thread.
void PARMCI_Access_end(void *ptr) {
  const char *fn = "ARMCI_Access_end";
  if (!armci::ready(fn)) return;
  std::atomic_thread_fence(std::memory_order_seq_cst);
  Allocations &a = allocations();
  std::lock_guard<std::mutex> lock(a.mutex);
  Allocation *m = held_block(fn, a, ptr);
  if (!m) return;
  if (m->open_accesses == 0) {
    fail(fn, "ptr=%p: no ARMCI_Access_begin is open on its allocation", ptr);
    return;
  }
  --m->open_accesses;
}
ARMCI_WEAK_ALIAS(ARMCI_Access_end)

// Collective over the allocation's group.  A process whose block is empty
// passes NULL and only takes part.  A bad mode or pointer on any member makes
// the call fail on all of them.
int ARMCIX_Mode_set(int mode, void *ptr, ARMCI_Group *group) {
  const char *fn = "ARMCIX_Mode_set";
  armci::GroupComms *g = armci::group_comms(fn, group);
  if (!g) return ARMCI_FAIL;
  Allocations &a = allocations();
  auto check = [&]() -> bool {
    if (!valid_mode(mode))
      return fail(fn,
                  "mode=%d is not ARMCIX_MODE_ALL, ARMCIX_MODE_CONFLICT_FREE or "
                  "ARMCIX_MODE_NO_LOAD_STORE",
                  mode),
             false;
    if (!ptr) return true;
    std::lock_guard<std::mutex> lock(a.mutex);
    const Allocation *m = a.holding(ptr);
    if (!m) return fail(fn, "ptr=%p is not in a local block of ARMCI_Malloc memory", ptr), false;
    if (m->group != *group)
      return fail(fn, "group=%d is not the group of the allocation (%d)", *group, m->group), false;
    if (m->open_accesses > 0)
      return fail(fn, "ptr=%p: an ARMCI_Access_begin is still open on its allocation", ptr), false;
    return true;
  };
  if (!armci::all_ok(fn, g->comm, check())) return ARMCI_FAIL;
  // Everything issued before the change completes, and all members meet.
  if (comex_barrier(*group) != COMEX_SUCCESS) return ARMCI_FAIL;
  if (ptr) {
    std::lock_guard<std::mutex> lock(a.mutex);
    if (Allocation *m = a.holding(ptr)) m->mode = mode;
  }
  return 0;
}

int ARMCIX_Mode_get(void *ptr) {
  const char *fn = "ARMCIX_Mode_get";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  if (!ptr) return fail(fn, "ptr is NULL");
  Allocations &a = allocations();
  std::lock_guard<std::mutex> lock(a.mutex);
  Allocation *m = a.holding(ptr);
  if (!m) return fail(fn, "ptr=%p is not in a local block of ARMCI_Malloc memory", ptr);
  return m->mode;
}

}  // extern "C"
