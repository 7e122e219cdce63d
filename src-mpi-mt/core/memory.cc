// core/memory.cc -- collective allocation of global memory.
#include <cstdlib>
#include <cstring>
#include <exception>

#include "core/runtime.h"
#include "util/log.h"

namespace comex {

namespace {
constexpr uint64_t kFailed = ~uint64_t(0);  // marks a member whose allocation failed
constexpr size_t kAlign = 64;
// A member's third word: 0 (ordinary memory), the sequence number of its
// segment, or kInArena | the block's offset in its arena.
constexpr uint64_t kInArena = uint64_t(1) << 63;
}  // namespace

void Runtime::release_block(void *ptr, const OwnBlock &b) {
  switch (b.kind) {
    case OwnBlock::kArena:
      node_->arena_give(ptr);
      break;
    case OwnBlock::kSegment:
      Node::unmap(ptr, b.bytes);
      break;
    case OwnBlock::kHeap:
      std::free(ptr);
      break;
  }
}

void Runtime::unmap_peers(const AllocTable::Alloc &a) {
  for (size_t i = 0; i < a.ranks.size(); ++i)
    if (a.ranks[i] != rank_ && a.mapped[i] &&
        !node_->in_arenas(reinterpret_cast<void *>(a.mapped[i])))
      Node::unmap(reinterpret_cast<void *>(a.mapped[i]), a.sizes[i]);
}

void Runtime::malloc_collective(void **ptr_arr, size_t bytes, Group &g) {
  // With node peers in the group, the block is a shared-memory segment they
  // map; if /dev/shm cannot provide it, it is ordinary memory reached by
  // message, and only this allocation is affected.
  bool peers = false;
  for (int r : g.world) peers = peers || (r != rank_ && node_->on_node(r));
  void *mine = nullptr;
  uint64_t seq = 0;  // what peers need to map our block (kInArena: where in our arena)
  OwnBlock::Kind kind = OwnBlock::kHeap;
  uint64_t offset = 0;
  if (bytes > 0 && peers && bytes <= size_t(cfg_.SHM_ARENA_BLOCK) &&
      (mine = node_->arena_take(bytes, &offset))) {
    seq = kInArena | offset;  // small: no segment to make, map, unmap
    kind = OwnBlock::kArena;
  } else if (bytes > 0 && peers) {
    std::string why;
    seq = node_->next_seq();
    mine = node_->create(bytes, seq, &why);
    kind = OwnBlock::kSegment;
    if (!mine) {
      log_line("comex_malloc: %s; this block is reached by message instead", why.c_str());
      seq = 0;
      kind = OwnBlock::kHeap;
    }
  }
  if (bytes > 0 && !mine && posix_memalign(&mine, kAlign, bytes) != 0) mine = nullptr;
  const bool own_segment = kind == OwnBlock::kSegment;
  uint64_t entry[3] = {uint64_t(uintptr_t(mine)), bytes > 0 && !mine ? kFailed : uint64_t(bytes),
                       seq};
  std::vector<uint64_t> all(3 * size_t(g.size()));
  MPI_Request req;
  COMEX_MPI(MPI_Iallgather(entry, 3, MPI_UINT64_T, all.data(), 3, MPI_UINT64_T, g.comm, &req));
  collective_wait(&req);

  std::vector<uintptr_t> ptrs(g.size()), mapped(g.size(), 0);
  std::vector<uint64_t> sizes(g.size());
  int failed = -1;
  for (int i = 0; i < g.size(); ++i) {
    ptrs[i] = uintptr_t(all[3 * i]);
    sizes[i] = all[3 * i + 1];
    if (sizes[i] == kFailed) failed = i;
  }
  const OwnBlock own{bytes, kind};
  if (failed >= 0) {  // every member sees it: all fail together
    if (mine) release_block(mine, own);
    if (own_segment) node_->unlink(seq);
    throw Error(format("bytes: allocation failed on group rank %d (out of memory)", failed));
  }
  for (int i = 0; i < g.size(); ++i) {
    const int r = g.world[i];
    const uint64_t peer_seq = all[3 * i + 2];
    if (r == rank_ || peer_seq == 0 || sizes[i] == 0 || !node_->maps(r)) continue;
    std::string why;
    void *p = nullptr;
    if (peer_seq & kInArena) {
      p = node_->arena_block(r, peer_seq & ~kInArena, sizes[i]);
      if (!p) why = format("rank %d's block is not inside its arena", r);
    } else {
      p = node_->attach(r, peer_seq, sizes[i], &why);
    }
    if (!p)
      log_line("comex_malloc: %s; the block of rank %d is reached by message instead", why.c_str(),
               r);
    mapped[i] = uintptr_t(p);
  }
  allocs_.add(g.world, ptrs, sizes, mapped);
  if (mine) {
    std::lock_guard<std::mutex> lock(own_mu_);
    own_blocks_[mine] = own;
  }
  for (int i = 0; i < g.size(); ++i) ptr_arr[i] = reinterpret_cast<void *>(ptrs[i]);
  COMEX_DEBUG("comex_malloc: %zu bytes at %p (group of %d, %s)", bytes, mine, g.size(),
              kind == OwnBlock::kArena     ? "in the arena"
              : kind == OwnBlock::kSegment ? "shared"
                                           : "private");
  // Nobody targets the new memory before every member has registered it (and
  // mapped ours, so its name can go).
  COMEX_MPI(MPI_Ibarrier(g.comm, &req));
  collective_wait(&req);
  if (own_segment) node_->unlink(seq);
}

void Runtime::free_collective(void *ptr, Group &g) {
  // Everything this rank sent is applied before anyone frees; the allgather
  // below then proves every member got here.
  // A failure of our own operations is reported after the collective part.
  const std::exception_ptr failed = settle_before_collective(g);
  uint64_t mine = uint64_t(uintptr_t(ptr));
  std::vector<uint64_t> all(g.size());
  MPI_Request req;
  COMEX_MPI(MPI_Iallgather(&mine, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, g.comm, &req));
  collective_wait(&req);
  std::vector<uintptr_t> ptrs(all.begin(), all.end());
  auto id = allocs_.find(g.world, ptrs);
  if (!id)
    throw Error(
        format("ptr=%p: not a block returned by comex_malloc on this group "
               "(or the members passed blocks of different allocations)",
               ptr));
  if (auto a = allocs_.take(*id)) unmap_peers(*a);
  if (ptr) {
    std::lock_guard<std::mutex> lock(own_mu_);
    auto it = own_blocks_.find(ptr);
    if (it != own_blocks_.end()) {
      release_block(ptr, it->second);
      own_blocks_.erase(it);
    }
  }
  COMEX_DEBUG("comex_free: %p", ptr);
  if (failed) std::rethrow_exception(failed);
}

}  // namespace comex
