/*
 * fault_shim.c -- LD_PRELOAD library that makes allocations fail on demand,
 * for the exhaustion tests (testing/faults/test_exhaust.cc).  Nothing fails
 * until the test arms it, so MPI starts as usual:
 *
 *   comex_fault_fail_allocs_over(n)  from now on malloc, calloc, realloc,
 *                                    posix_memalign, aligned_alloc and
 *                                    memalign of at least n bytes return
 *                                    NULL (ENOMEM), as when memory is
 *                                    exhausted (C++'s operator new calls
 *                                    malloc: it throws std::bad_alloc).  0 disarms.
 *   comex_fault_fail_maps_after(n)   after n more successful shared file
 *                                    mappings (mmap with MAP_SHARED and a
 *                                    descriptor, as of /dev/shm segments),
 *                                    every one fails with ENOMEM, as when
 *                                    vm.max_map_count is reached.  -1 disarms.
 *
 * The test finds these with dlsym(RTLD_DEFAULT, ...); without the shim it
 * skips.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/types.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static volatile size_t fail_over;       /* 0: allocations never fail */
static volatile long maps_left = -1;    /* < 0: mappings never fail */

void comex_fault_fail_allocs_over(size_t n) { __atomic_store_n(&fail_over, n, __ATOMIC_SEQ_CST); }
void comex_fault_fail_maps_after(long n) { __atomic_store_n(&maps_left, n, __ATOMIC_SEQ_CST); }

static int refuse(size_t n) {
  size_t limit = __atomic_load_n(&fail_over, __ATOMIC_RELAXED);
  if (limit == 0 || n < limit) return 0;
  errno = ENOMEM;
  return 1;
}

void *malloc(size_t n) { return refuse(n) ? NULL : __libc_malloc(n); }
void *calloc(size_t k, size_t n) {
  if (n && k > SIZE_MAX / n) {
    errno = ENOMEM;
    return NULL;
  }
  return refuse(k * n) ? NULL : __libc_calloc(k, n);
}
void *realloc(void *p, size_t n) { return refuse(n) ? NULL : __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { return refuse(n) ? NULL : __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { return refuse(n) ? NULL : __libc_memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
  if (refuse(n)) return ENOMEM;
  void *p = __libc_memalign(a, n);
  if (!p) return ENOMEM;
  *out = p;
  return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  static void *(*real)(void *, size_t, int, int, int, off_t);
  if (!real) real = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(RTLD_NEXT, "mmap");
  if ((flags & MAP_SHARED) && fd >= 0 && __atomic_load_n(&maps_left, __ATOMIC_RELAXED) >= 0) {
    if (__atomic_fetch_sub(&maps_left, 1, __ATOMIC_SEQ_CST) <= 0) {
      __atomic_store_n(&maps_left, 0, __ATOMIC_SEQ_CST);
      errno = ENOMEM;
      return MAP_FAILED;
    }
  }
  return real(addr, len, prot, flags, fd, off);
}
void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));
