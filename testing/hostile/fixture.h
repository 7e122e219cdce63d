// fixture.h -- the target's memory as the hostile suites use it.  Every rank
// allocates 3 * S bytes with comex_malloc; rank 0 (the target) narrows its
// own table to the middle S bytes, the window, so the S bytes before and
// after it are real, readable memory outside every allocation: guards whose
// every byte is checked.  The block starts filled with a pattern.
#ifndef COMEX_TESTING_HOSTILE_FIXTURE_H_
#define COMEX_TESTING_HOSTILE_FIXTURE_H_

#include <mpi.h>
#include <unistd.h>

#include <cstdint>
#include <numeric>
#include <optional>
#include <vector>

#include "checks.h"
#include "comex.h"
#include "core/runtime.h"
#include "util/alloc_table.h"

namespace hostile {

inline MPI_Comm World() {
  MPI_Comm c = MPI_COMM_NULL;
  comex_group_comm(COMEX_GROUP_WORLD, &c);
  return c;
}
inline int Rank() {
  int r = -1;
  comex_group_rank(COMEX_GROUP_WORLD, &r);
  return r;
}
inline int Size() {
  int s = 0;
  comex_group_size(COMEX_GROUP_WORLD, &s);
  return s;
}

/// A barrier that sleeps while it waits (idle ranks leave the cores to the
/// ranks at work; MPI_Barrier would poll).
inline void QuietBarrier(MPI_Comm c = World()) {
  MPI_Request r;
  MPI_Ibarrier(c, &r);
  for (int flag = 0; !flag;) {
    MPI_Test(&r, &flag, MPI_STATUS_IGNORE);
    if (!flag) usleep(200);
  }
}

/// MPI_Recv that sleeps while it waits (the progress thread of this rank
/// gets the core).
inline void QuietRecv(void *buf, int n, int from, int tag, MPI_Comm c, MPI_Status *st) {
  MPI_Request r;
  MPI_Irecv(buf, n, MPI_BYTE, from, tag, c, &r);
  for (int flag = 0; !flag;) {
    MPI_Test(&r, &flag, st);
    if (!flag) usleep(20);
  }
}

class Window {
 public:
  explicit Window(size_t s) : s_(s), ptrs_(size_t(Size())) {
    rc_ = comex_malloc(ptrs_.data(), 3 * s, COMEX_GROUP_WORLD);
    if (rc_ != COMEX_SUCCESS) return;
    if (Rank() == 0) {
      for (size_t i = 0; i < 3 * s; ++i) mine()[i] = char(Initial(i));
      comex::AllocTable &t = comex::Runtime::instance()->allocs();
      std::vector<int> ranks(ptrs_.size());
      std::iota(ranks.begin(), ranks.end(), 0);
      std::vector<uintptr_t> p;
      for (void *q : ptrs_) p.push_back(uintptr_t(q));
      whole_ = t.take(*t.find(ranks, p));
      comex::AllocTable::Alloc n = *whole_;
      n.ptrs[0] += s;
      n.sizes[0] = s;
      narrowed_ = t.add(n.ranks, n.ptrs, n.sizes, n.mapped);
    }
    QuietBarrier();
  }
  ~Window() {
    if (rc_ != COMEX_SUCCESS) return;
    QuietBarrier();
    if (Rank() == 0) {
      comex::AllocTable &t = comex::Runtime::instance()->allocs();
      t.remove(narrowed_);
      t.add(whole_->ranks, whole_->ptrs, whole_->sizes, whole_->mapped);
    }
    comex_free(ptrs_[size_t(Rank())], COMEX_GROUP_WORLD);
  }
  bool ok() const { return rc_ == COMEX_SUCCESS; }
  size_t size() const { return s_; }
  /// The window's address in the target (rank 0).
  uint64_t window() const { return uint64_t(uintptr_t(ptrs_[0])) + s_; }
  uint64_t block() const { return uint64_t(uintptr_t(ptrs_[0])); }
  char *mine() const { return static_cast<char *>(ptrs_[size_t(Rank())]); }
  /// The byte at offset i of the block before anything changed it.
  static uint8_t Initial(size_t i) { return testutil::Pattern(0, 0, 99, i); }
  /// Rank 0: bytes of the block that differ from the guards' initial bytes and
  /// from `window` (the expected window); *first receives the first offset.
  uint64_t Differences(const uint8_t *window, size_t *first) const {
    uint64_t bad = 0;
    const uint8_t *b = reinterpret_cast<const uint8_t *>(mine());
    for (size_t i = 0; i < 3 * s_; ++i) {
      const bool in = i >= s_ && i < 2 * s_;
      if (b[i] != (in ? window[i - s_] : Initial(i)) && bad++ == 0) *first = i;
    }
    return bad;
  }
  /// The window as it starts.
  std::vector<uint8_t> InitialWindow() const {
    std::vector<uint8_t> w(s_);
    for (size_t i = 0; i < s_; ++i) w[i] = Initial(s_ + i);
    return w;
  }

 private:
  size_t s_;
  std::vector<void *> ptrs_;
  int rc_ = COMEX_FAILURE;
  std::optional<comex::AllocTable::Alloc> whole_;
  uint64_t narrowed_ = 0;
};

}  // namespace hostile

#endif  // COMEX_TESTING_HOSTILE_FIXTURE_H_
