// nb.cc -- completion: handles (ARMCI_Wait, ARMCI_Test, ...), fences and
// the ARMCI barrier.
#include "armci_impl.h"

using armci::fail;
using armci::kHandleActive;

namespace {
constexpr comex_group_t kWorld = COMEX_GROUP_WORLD;
}  // namespace

extern "C" {

void PARMCI_INIT_HANDLE(armci_hdl_t *h) {
  if (!h) return;
  h->state = 0;
  h->request = 0;
  h->aggregate = 0;
  h->reserved = 0;
}
ARMCI_WEAK_ALIAS(ARMCI_INIT_HANDLE)

// Aggregation is a hint: operations issued into one handle complete at its
// ARMCI_Wait (an earlier one is completed when the next is issued).
void PARMCI_SET_AGGREGATE_HANDLE(armci_hdl_t *h) {
  if (h) h->aggregate = 1;
}
ARMCI_WEAK_ALIAS(ARMCI_SET_AGGREGATE_HANDLE)

void PARMCI_UNSET_AGGREGATE_HANDLE(armci_hdl_t *h) {
  if (h) h->aggregate = 0;
}
ARMCI_WEAK_ALIAS(ARMCI_UNSET_AGGREGATE_HANDLE)

int PARMCI_Wait(armci_hdl_t *h) {
  const char *fn = "ARMCI_Wait";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  if (!h) return fail(fn, "nb_handle is NULL");
  if (h->state != kHandleActive) return 0;  // nothing outstanding
  h->state = 0;
  return armci::status(comex_wait(&h->request));
}
ARMCI_WEAK_ALIAS(ARMCI_Wait)

// 0 when complete, 1 while in progress.
int PARMCI_Test(armci_hdl_t *h) {
  const char *fn = "ARMCI_Test";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  if (!h) return fail(fn, "nb_handle is NULL");
  if (h->state != kHandleActive) return 0;
  int in_progress = 0;
  if (comex_test(&h->request, &in_progress) != COMEX_SUCCESS) return ARMCI_FAIL;
  if (in_progress) return 1;
  h->state = 0;
  return 0;
}
ARMCI_WEAK_ALIAS(ARMCI_Test)

int PARMCI_WaitAll(void) {
  if (!armci::ready("ARMCI_WaitAll")) return ARMCI_FAIL;
  return armci::status(comex_wait_all(kWorld));
}
ARMCI_WEAK_ALIAS(ARMCI_WaitAll)

int PARMCI_WaitProc(int proc) {
  if (!armci::ready("ARMCI_WaitProc")) return ARMCI_FAIL;
  return armci::status(comex_wait_proc(proc, kWorld));
}
ARMCI_WEAK_ALIAS(ARMCI_WaitProc)

void PARMCI_Fence(int proc) {
  if (!armci::ready("ARMCI_Fence")) return;
  comex_fence_proc(proc, kWorld);
}
ARMCI_WEAK_ALIAS(ARMCI_Fence)

void PARMCI_AllFence(void) {
  if (!armci::ready("ARMCI_AllFence")) return;
  comex_fence_all(kWorld);
}
ARMCI_WEAK_ALIAS(ARMCI_AllFence)

// A NULL group, or ARMCI_GROUP_NULL, fences the world (as classic ARMCI).
void PARMCI_GroupFence(ARMCI_Group *group) {
  const char *fn = "ARMCI_GroupFence";
  if (!armci::ready(fn)) return;
  if (!group || *group == ARMCI_GROUP_NULL) {
    comex_fence_all(kWorld);
    return;
  }
  if (!armci::group_comms(fn, group)) return;
  comex_fence_all(*group);
}
ARMCI_WEAK_ALIAS(ARMCI_GroupFence)

// Every put and accumulate of every process is complete, then all meet.
void PARMCI_Barrier(void) {
  if (!armci::ready("ARMCI_Barrier")) return;
  comex_barrier(kWorld);
}
ARMCI_WEAK_ALIAS(ARMCI_Barrier)

}  // extern "C"
