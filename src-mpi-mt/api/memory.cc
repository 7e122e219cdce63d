// api/memory.cc -- global (collective) and local memory.
#include <cstdlib>
#include <cstring>

#include "api/api.h"

using namespace comex;

namespace {
void need_device(const char *device) {
  // Host memory is the only device: accept NULL, "" and host-like names.
  if (device && *device && std::strcmp(device, "host") && std::strcmp(device, "cpu") &&
      std::strcmp(device, "CPU") && std::strcmp(device, "HOST"))
    throw Error(format("device=\"%s\": only host memory is supported", device));
}
/// comex_malloc and comex_malloc_mem_dev: the same checks, one allocation.
void malloc_checked(Runtime &rt, void **ptr_arr, size_t bytes, comex_group_t group) {
  auto g = need_group(rt, group);
  need_ptr(ptr_arr, "ptr_arr");
  if (bytes > (size_t(1) << 62)) throw Error(format("bytes=%zu is too large", bytes));
  rt.malloc_collective(ptr_arr, bytes, *g);
}
}  // namespace

extern "C" {

int comex_malloc(void **ptr_arr, size_t bytes, comex_group_t group) {
  return api_call("comex_malloc", [&](Runtime &rt) { malloc_checked(rt, ptr_arr, bytes, group); });
}

int comex_malloc_mem_dev(void **ptr_arr, size_t bytes, comex_group_t group, const char *device) {
  return api_call("comex_malloc_mem_dev", [&](Runtime &rt) {
    need_device(device);
    malloc_checked(rt, ptr_arr, bytes, group);
  });
}

int comex_free(void *ptr, comex_group_t group) {
  return api_call("comex_free",
                  [&](Runtime &rt) { rt.free_collective(ptr, *need_group(rt, group)); });
}

int comex_free_dev(void *ptr, comex_group_t group) {
  return api_call("comex_free_dev",
                  [&](Runtime &rt) { rt.free_collective(ptr, *need_group(rt, group)); });
}

void *comex_malloc_local(size_t bytes) {
  void *p = nullptr;
  if (posix_memalign(&p, 64, bytes ? bytes : 1) != 0) {
    report("comex_malloc_local", format("bytes=%zu: out of memory", bytes).c_str());
    return nullptr;
  }
  return p;
}

int comex_free_local(void *ptr) {
  std::free(ptr);
  return COMEX_SUCCESS;
}

}  // extern "C"
