#!/bin/sh
# stress.sh [MINUTES]: random programs checked against the model
# (testing/stress/stress_model) for MINUTES (default 10).  Each run draws a
# new seed, 2-8 ranks, 1-3 threads, a node-local mode (on, off, or mixed:
# ranks 0 and 2 without it) and sometimes a handle pool of one with tiny
# message pieces; it runs for COMEX_STRESS_SECONDS (default 20).  Any
# difference, failure, leak or hang stops the script with the run's command
# line, which repeats it.
minutes=${1:-10}
top=${top_builddir:-.}
here=$(cd "$(dirname "$0")" && pwd)
prog=$top/testing/stress/stress_model
[ -x "$prog" ] || { echo "stress.sh: build $prog first" >&2; exit 2; }
end=$(( $(date +%s) + minutes * 60 ))
runs=0 ops=0 gets=0 fetched=0 bytes=0
log=${TMPDIR:-/tmp}/comex-stress.$$.log
rand() { od -An -N4 -tu4 /dev/urandom | tr -d ' '; }
# A run passes when it reports no difference and exits 0.  Under
# LeakSanitizer, MPICH's own leaks (MPI_Init_thread alone leaks 1016 bytes
# in hwloc plugins it has unloaded) make every rank exit non-zero: such a run
# still passes if no other sanitizer error is in its log and no leaked block
# was allocated by comex-mt or by the program (the innermost frame past the
# allocator and the C++ library decides).
passed() {
  grep -q "no difference" "$1" || return 1
  [ "$2" -eq 0 ] && return 0
  grep -q "LeakSanitizer: detected memory leaks" "$1" || return 1
  grep -q "ERROR: AddressSanitizer\|runtime error:\|WARNING: ThreadSanitizer" "$1" && return 1
  own=$(awk '/^(Direct|Indirect) leak/ { block = 1; decided = 0; next }
             /^$/ { block = 0 }
             block && !decided && /^ *#[0-9]+ / {
               if ($0 ~ /asan|sanitizer|interceptor|libstdc\+\+|\/c\+\+\//) next
               decided = 1
               if ($0 ~ /src-mpi-mt|src-armci|testing\//) n++
             }
             END { print n + 0 }' "$1")
  [ "$own" -eq 0 ] || return 1
  mpi_leaks=$((mpi_leaks + 1))
}
mpi_leaks=0
while [ "$runs" -eq 0 ] || [ "$(date +%s)" -lt "$end" ]; do
  seed=$(( $(rand) % 1000000007 + 1 ))
  np=$(( $(rand) % 7 + 2 ))
  threads=$(( $(rand) % 3 + 1 ))
  env="" wrap=""
  case $(( $(rand) % 3 )) in
    0) mode=shm ;;
    1) mode=msg; env="COMEX_SHM=0" ;;
    2) mode=mixed; wrap="$here/../mpi/mixed_shm.sh" ;;
  esac
  if [ $(( $(rand) % 4 )) -eq 0 ]; then
    env="$env COMEX_MAX_NB_OUTSTANDING=1 COMEX_MAX_LOCK_WAITERS=1 COMEX_MAX_MSG_BYTES=4K"
    env="$env COMEX_PACK_CHUNK=1K COMEX_PACK_BUFFER=8K COMEX_EAGER_THRESHOLD=64"
    mode="$mode,nb1,split"
  fi
  cmd="env $env COMEX_TEST_TIMEOUT=240 $here/../run_mpi.sh $np $wrap $prog --seed $seed --seconds ${COMEX_STRESS_SECONDS:-20} --threads $threads"
  runs=$((runs + 1))
  echo "stress.sh: run $runs: np=$np threads=$threads mode=$mode seed=$seed"
  $cmd >"$log" 2>&1
  if ! passed "$log" $?; then
    cat "$log"
    echo "stress.sh: FAILED after $runs runs; repeat with:"
    echo "  $cmd"
    rm -f "$log"
    exit 1
  fi
  line=$(grep "no difference" "$log")
  set -- $(echo "$line" | sed 's/[^0-9 ]//g')
  # "after E epochs: O operations, G gets (B bytes) checked, F fetched values ..."
  ops=$((ops + $2)) gets=$((gets + $3)) fetched=$((fetched + $5)) bytes=$((bytes + $6))
done
rm -f "$log"
echo "stress.sh: $runs runs in $minutes min, no difference: $ops operations, $gets gets checked," \
  "$fetched fetched values sequenced, $bytes bytes of memory compared"
[ "$mpi_leaks" -eq 0 ] || echo "stress.sh: $mpi_leaks runs showed only MPI's own leaks"
