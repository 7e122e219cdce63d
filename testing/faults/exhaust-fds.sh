#!/bin/sh
# exhaust-fds.sh: descriptors run out.  Under ulimit -n 32 (measured: MPICH
# 4.0.2 with 2 ranks starts with 32 and fails with 24; Open MPI needs more,
# then the limit is raised to what it needs), each rank of
# Exhaust.DescriptorsRunOut takes every descriptor left, then allocates and
# creates mutexes: shm_open fails, the blocks and mutexes are reached by
# message (one line each), and the data is checked.
here=$(cd "$(dirname "$0")" && pwd)
top=${top_builddir:-.}
log=${TMPDIR:-/tmp}/comex-exhaust-fds.$$.log
limit=32
case $(${MPIEXEC:-mpiexec} --version 2>/dev/null | head -n 1) in
  *"Open MPI"* | *OpenRTE*) limit=128 ;;
esac
(ulimit -n $limit && COMEX_TEST_TIMEOUT=${COMEX_TEST_TIMEOUT:-120} "$here/../run_mpi.sh" 2 \
  "$top/testing/faults/test_exhaust" --gtest_filter=Exhaust.DescriptorsRunOut) >"$log" 2>&1
rc=$?
cat "$log"
if [ $rc -eq 0 ] && ! grep -q "Too many open files; this block is reached by message instead" "$log"; then
  echo "FAIL: no notice that the block fell back to messages"; rc=1
fi
rm -f "$log"
exit $rc
