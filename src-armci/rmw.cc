// rmw.cc -- atomic read-modify-write and mutexes.
#include "armci_impl.h"

extern "C" {

// ARMCI_FETCH_AND_ADD[_LONG]: remote *prem += extra, old value to *ploc;
// ARMCI_SWAP[_LONG]: exchange *ploc and *prem.  The codes are ComEx's.
int PARMCI_Rmw(int op, void *ploc, void *prem, int extra, int proc) {
  if (!armci::ready("ARMCI_Rmw")) return ARMCI_FAIL;
  return armci::status(comex_rmw(op, ploc, prem, extra, proc, COMEX_GROUP_WORLD));
}
ARMCI_WEAK_ALIAS(ARMCI_Rmw)

// Collective on the world: `num` mutexes on this process.
int PARMCI_Create_mutexes(int num) {
  if (!armci::ready("ARMCI_Create_mutexes")) return ARMCI_FAIL;
  return armci::status(comex_create_mutexes(num));
}
ARMCI_WEAK_ALIAS(ARMCI_Create_mutexes)

int PARMCI_Destroy_mutexes(void) {
  if (!armci::ready("ARMCI_Destroy_mutexes")) return ARMCI_FAIL;
  return armci::status(comex_destroy_mutexes());
}
ARMCI_WEAK_ALIAS(ARMCI_Destroy_mutexes)

void PARMCI_Lock(int mutex, int proc) {
  if (!armci::ready("ARMCI_Lock")) return;
  comex_lock(mutex, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_Lock)

void PARMCI_Unlock(int mutex, int proc) {
  if (!armci::ready("ARMCI_Unlock")) return;
  comex_unlock(mutex, proc);
}
ARMCI_WEAK_ALIAS(ARMCI_Unlock)

}  // extern "C"
