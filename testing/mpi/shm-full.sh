#!/bin/sh
# shm-full.sh: comex_malloc when /dev/shm is (nearly) full.  In a private
# mount namespace a 1 MiB tmpfs covers /dev/shm; test_shm's ShmFull suite
# then allocates a block that cannot fit (it must be reached by message, with
# a one-line notice) and one that fits (shared).  Needs root and unshare;
# otherwise the test is skipped (exit 77).  MPI's own shared-memory transport
# is kept off the tiny /dev/shm: UCX uses System V shared memory (not a
# /dev/shm file) and cma; TCP would risk MPICH 4.0.2's finalize hang over
# UCX TCP (doc/hosts.md).
here=$(cd "$(dirname "$0")" && pwd)
top=${top_builddir:-.}
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null 2>&1; then
  echo "SKIP: needs root and unshare"; exit 77
fi
if ! unshare -m true 2>/dev/null; then
  echo "SKIP: cannot create a mount namespace here"; exit 77
fi
log=${TMPDIR:-/tmp}/comex-shm-full.$$.log
unshare -m --propagation private sh -c '
  mount -t tmpfs -o size=1m comex-shm-full /dev/shm || exit 77
  exec env COMEX_TEST_SHM_FULL=1 UCX_TLS=sysv,cma,self "$0/../run_mpi.sh" 2 \
    "$1/testing/mpi/test_shm" --gtest_filter="ShmFull.*:ShmNode.NoNames*"
' "$here" "$top" >"$log" 2>&1
rc=$?
cat "$log"
if [ $rc -eq 0 ] && ! grep -q "is reached by message instead" "$log"; then
  echo "FAIL: no notice that the large block fell back to messages"; rc=1
fi
if [ $rc -eq 0 ] && grep -q "ShmFull.*SKIPPED\|\[  SKIPPED \]" "$log"; then
  echo "FAIL: the ShmFull test was skipped"; rc=1
fi
rm -f "$log"
exit $rc
