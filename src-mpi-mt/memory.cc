// memory.cc -- collective allocation of global memory.
#include <cstdlib>
#include <cstring>

#include "log.h"
#include "runtime.h"

namespace comex {

namespace {
constexpr uint64_t kFailed = ~uint64_t(0);  // marks a member whose allocation failed
constexpr size_t kAlign = 64;
}  // namespace

void Runtime::malloc_collective(void **ptr_arr, size_t bytes, Group &g) {
  void *mine = nullptr;
  if (bytes > 0 && posix_memalign(&mine, kAlign, bytes) != 0) mine = nullptr;
  uint64_t entry[2] = {uint64_t(uintptr_t(mine)), bytes > 0 && !mine ? kFailed : uint64_t(bytes)};
  std::vector<uint64_t> all(2 * size_t(g.size()));
  MPI_Request req;
  COMEX_MPI(MPI_Iallgather(entry, 2, MPI_UINT64_T, all.data(), 2, MPI_UINT64_T, g.comm, &req));
  collective_wait(&req);

  std::vector<uintptr_t> ptrs(g.size());
  std::vector<uint64_t> sizes(g.size());
  int failed = -1;
  for (int i = 0; i < g.size(); ++i) {
    ptrs[i] = uintptr_t(all[2 * i]);
    sizes[i] = all[2 * i + 1];
    if (sizes[i] == kFailed) failed = i;
  }
  if (failed >= 0) {  // every member sees it: all fail together
    std::free(mine);
    throw Error(format("bytes: allocation failed on group rank %d (out of memory)", failed));
  }
  allocs_.add(g.world, ptrs, sizes);
  if (mine) {
    std::lock_guard<std::mutex> lock(own_mu_);
    own_blocks_[mine] = bytes;
  }
  for (int i = 0; i < g.size(); ++i) ptr_arr[i] = reinterpret_cast<void *>(ptrs[i]);
  COMEX_DEBUG("comex_malloc: %zu bytes at %p (group of %d)", bytes, mine, g.size());
  // Nobody targets the new memory before every member has registered it.
  COMEX_MPI(MPI_Ibarrier(g.comm, &req));
  collective_wait(&req);
}

void Runtime::free_collective(void *ptr, Group &g) {
  // Everything this rank sent is applied before anyone frees; the allgather
  // below then proves every member got here.
  wait_all();
  fence(g.world);
  uint64_t mine = uint64_t(uintptr_t(ptr));
  std::vector<uint64_t> all(g.size());
  MPI_Request req;
  COMEX_MPI(MPI_Iallgather(&mine, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, g.comm, &req));
  collective_wait(&req);
  std::vector<uintptr_t> ptrs(all.begin(), all.end());
  auto id = allocs_.find(g.world, ptrs);
  if (!id)
    throw Error(format("ptr=%p: not a block returned by comex_malloc on this group "
                       "(or the members passed blocks of different allocations)",
                       ptr));
  allocs_.remove(*id);
  if (ptr) {
    std::lock_guard<std::mutex> lock(own_mu_);
    own_blocks_.erase(ptr);
    std::free(ptr);
  }
  COMEX_DEBUG("comex_free: %p", ptr);
}

}  // namespace comex
