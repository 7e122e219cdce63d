// copy.cc -- local copies: between a strided region and a contiguous buffer
// (armci_read_strided / armci_write_strided), and ARMCI_Copy.
#include <cstring>

#include "armci_impl.h"

using armci::fail;

namespace {

// Visit every block of the strided region at `ptr` in order, calling
// visit(block_address, block_bytes).  False (with a message) on bad input.
template <class Visit>
bool for_each_block(const char *fn, void *ptr, int levels, const int *stride, const int *count,
                    const void *buf, Visit visit) {
  if (levels < 0 || levels > ARMCI_MAX_STRIDE_LEVEL)
    return fail(fn, "stride_levels=%d is out of range [0, %d]", levels, ARMCI_MAX_STRIDE_LEVEL),
           false;
  if (!count) return fail(fn, "count is NULL"), false;
  if (levels > 0 && !stride) return fail(fn, "stride_arr is NULL"), false;
  long long blocks = 1;
  for (int i = 0; i <= levels; ++i) {
    if (count[i] < 0) return fail(fn, "count[%d]=%d is negative", i, count[i]), false;
    if (i > 0) blocks *= count[i];
  }
  if (blocks == 0 || count[0] == 0) return true;
  if (!ptr) return fail(fn, "ptr is NULL"), false;
  if (!buf) return fail(fn, "buf is NULL"), false;

  int index[ARMCI_MAX_STRIDE_LEVEL + 1] = {0};
  for (long long b = 0; b < blocks; ++b) {
    long long offset = 0;
    for (int i = 1; i <= levels; ++i) offset += (long long)index[i] * stride[i - 1];
    visit(static_cast<char *>(ptr) + offset, size_t(count[0]));
    for (int i = 1; i <= levels; ++i) {  // odometer over levels 1..L
      if (++index[i] < count[i]) break;
      index[i] = 0;
    }
  }
  return true;
}

}  // namespace

extern "C" {

void armci_read_strided(void *ptr, int stride_levels, int stride_arr[], int count[], char *buf) {
  char *out = buf;
  for_each_block("armci_read_strided", ptr, stride_levels, stride_arr, count, buf,
                 [&](char *block, size_t n) {
                   std::memcpy(out, block, n);
                   out += n;
                 });
}

void armci_write_strided(void *ptr, int stride_levels, int stride_arr[], int count[], char *buf) {
  const char *in = buf;
  for_each_block("armci_write_strided", ptr, stride_levels, stride_arr, count, buf,
                 [&](char *block, size_t n) {
                   std::memcpy(block, in, n);
                   in += n;
                 });
}

// Copy `n` bytes of local memory.
void PARMCI_Copy(void *src, void *dst, int n) {
  const char *fn = "ARMCI_Copy";
  if (n < 0) {
    fail(fn, "n=%d is negative", n);
    return;
  }
  if (n == 0) return;
  if (!src || !dst) {
    fail(fn, "%s is NULL", src ? "dst" : "src");
    return;
  }
  std::memmove(dst, src, size_t(n));
}
ARMCI_WEAK_ALIAS(ARMCI_Copy)

}  // extern "C"
