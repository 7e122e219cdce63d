#!/bin/sh
# with_shim.sh PROGRAM [ARGS...]: run PROGRAM (relative to the build tree) as
# an MPI rank with fault_shim preloaded.  A sanitizer build gets no shim (the
# sanitizer's allocator must come first); the tests that need it then skip.
top=${top_builddir:-.}
prog=$top/$1
shift
[ -n "${COMEX_SANITIZE:-}" ] && exec "$prog" "$@"
LD_PRELOAD=$top/testing/faults/.libs/libcomex_fault_shim.so exec "$prog" "$@"
