// memory.cc -- global (collective) and local memory: ARMCI_Malloc*, ARMCI_Free*.
//
// ARMCI_Malloc and ARMCI_Free are collective over the default group
// (ARMCI_Group_set_default); ptr_arr is indexed by rank in that group.
// Every allocation's local block is recorded (access.cc) for
// ARMCI_Access_begin/end and the ARMCIX_Mode_* calls.
#include "armci_impl.h"

using armci::fail;
using armci::state;

namespace {

// Collective allocation over `group`; `device` NULL for host memory.
int malloc_on(const char *fn, void *ptr_arr[], armci_size_t bytes, ARMCI_Group group,
              const char *device) {
  if (bytes < 0) return fail(fn, "bytes=%ld is negative", bytes);
  if (!ptr_arr) return fail(fn, "ptr_arr is NULL");
  const int rc = device ? comex_malloc_mem_dev(ptr_arr, size_t(bytes), group, device)
                        : comex_malloc(ptr_arr, size_t(bytes), group);
  if (rc != COMEX_SUCCESS) return ARMCI_FAIL;
  armci::note_allocation(ptr_arr, bytes, group);
  return 0;
}

// A collective free; the allocation is forgotten once ComEx has freed it.
int free_on(void *ptr, int comex_rc) {
  if (comex_rc != COMEX_SUCCESS) return ARMCI_FAIL;
  armci::forget_allocation(ptr);
  return 0;
}

}  // namespace

extern "C" {

int PARMCI_Malloc(void *ptr_arr[], armci_size_t bytes) {
  const char *fn = "ARMCI_Malloc";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  return malloc_on(fn, ptr_arr, bytes, state().default_group, nullptr);
}
ARMCI_WEAK_ALIAS(ARMCI_Malloc)

int PARMCI_Malloc_memdev(void *ptr_arr[], armci_size_t bytes, const char *device) {
  const char *fn = "ARMCI_Malloc_memdev";
  if (!armci::ready(fn)) return ARMCI_FAIL;
  return malloc_on(fn, ptr_arr, bytes, state().default_group, device ? device : "");
}
ARMCI_WEAK_ALIAS(ARMCI_Malloc_memdev)

int PARMCI_Malloc_group(void *ptr_arr[], armci_size_t bytes, ARMCI_Group *group) {
  const char *fn = "ARMCI_Malloc_group";
  if (!armci::group_comms(fn, group)) return ARMCI_FAIL;
  return malloc_on(fn, ptr_arr, bytes, *group, nullptr);
}
ARMCI_WEAK_ALIAS(ARMCI_Malloc_group)

int PARMCI_Malloc_group_memdev(void *ptr_arr[], armci_size_t bytes, ARMCI_Group *group,
                               const char *device) {
  const char *fn = "ARMCI_Malloc_group_memdev";
  if (!armci::group_comms(fn, group)) return ARMCI_FAIL;
  return malloc_on(fn, ptr_arr, bytes, *group, device ? device : "");
}
ARMCI_WEAK_ALIAS(ARMCI_Malloc_group_memdev)

int PARMCI_Free(void *ptr) {
  if (!armci::ready("ARMCI_Free")) return ARMCI_FAIL;
  return free_on(ptr, comex_free(ptr, state().default_group));
}
ARMCI_WEAK_ALIAS(ARMCI_Free)

int PARMCI_Free_memdev(void *ptr) {
  if (!armci::ready("ARMCI_Free_memdev")) return ARMCI_FAIL;
  return free_on(ptr, comex_free_dev(ptr, state().default_group));
}
ARMCI_WEAK_ALIAS(ARMCI_Free_memdev)

int PARMCI_Free_group(void *ptr, ARMCI_Group *group) {
  if (!armci::group_comms("ARMCI_Free_group", group)) return ARMCI_FAIL;
  return free_on(ptr, comex_free(ptr, *group));
}
ARMCI_WEAK_ALIAS(ARMCI_Free_group)

void *PARMCI_Malloc_local(armci_size_t bytes) {
  const char *fn = "ARMCI_Malloc_local";
  if (bytes < 0) {
    fail(fn, "bytes=%ld is negative", bytes);
    return nullptr;
  }
  return comex_malloc_local(size_t(bytes));
}
ARMCI_WEAK_ALIAS(ARMCI_Malloc_local)

int PARMCI_Free_local(void *ptr) { return armci::status(comex_free_local(ptr)); }
ARMCI_WEAK_ALIAS(ARMCI_Free_local)

}  // extern "C"
