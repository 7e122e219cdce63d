#!/bin/sh
# shm-abort.sh: a job whose rank 1 aborts (comex_error -> MPI_Abort) while
# comex_malloc blocks and mutexes are live must leave nothing in /dev/shm.
# Names are unlinked as soon as every peer has mapped them, so there is
# nothing to clean up when a rank dies.
top=${top_builddir:-.}
here=$(cd "$(dirname "$0")" && pwd)
[ -d /dev/shm ] || { echo "SKIP: no /dev/shm"; exit 77; }
tmp=${TMPDIR:-/tmp}/comex-shm-abort.$$
ls /dev/shm | grep '^cxmt\.' | sort >"$tmp.before"
rm -f "$tmp.mark"
COMEX_TEST_SHM_ABORT="$tmp.mark" COMEX_TEST_TIMEOUT=120 "$here/../run_mpi.sh" 2 \
  "$top/testing/mpi/test_shm" --gtest_filter='ShmAbort.*' >"$tmp.log" 2>&1
rc=$?
ls /dev/shm | grep '^cxmt\.' | sort >"$tmp.after"
new=$(comm -13 "$tmp.before" "$tmp.after")
status=0
if [ $rc -eq 0 ]; then
  echo "FAIL: the job did not abort"; status=1
elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
  echo "FAIL: the job hung instead of aborting"; status=1
elif [ ! -e "$tmp.mark" ]; then
  echo "FAIL: the job failed before the deliberate abort"; cat "$tmp.log"; status=1
elif [ -n "$new" ]; then
  echo "FAIL: left in /dev/shm after the abort:"; echo "$new"; status=1
else
  echo "PASS: job aborted (exit $rc), nothing left in /dev/shm"
fi
rm -f "$tmp.before" "$tmp.after" "$tmp.log" "$tmp.mark"
exit $status
