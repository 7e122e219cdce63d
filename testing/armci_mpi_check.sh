#!/bin/bash
# armci_mpi_check.sh ARMCI_MPI_SRC PREFIX [BUILD_DIR]
#
# Check that programs written for ARMCI-MPI link against comex-mt's libarmci
# unchanged: build every test program of ARMCI-MPI (its tests/*.c) with
#   $MPICC prog.c -I$PREFIX/include -L$PREFIX/lib -larmci -Wl,-rpath,$PREFIX/lib
# run each at 2 and 4 ranks (every mpiexec under `timeout`), judge each run by
# its exit status and its output, and print one line per program and totals.
# Exits non-zero if any program fails to build or any run fails.  See
# doc/armci.md.
#
#   ARMCI_MPI_SRC  an ARMCI-MPI source tree (pmodels/armci-mpi); only read.
#                  Nothing of it belongs in this repository.
#   PREFIX         where comex-mt is installed (`make install`)
#   BUILD_DIR      where the programs, run directories and logs go
#                  (default ./armci-mpi-build)
#
# Field order.  ARMCI-MPI declares armci_giov_t as {src_ptr_array,
# dst_ptr_array, bytes, ptr_array_len}; GA's ARMCI, and so ours, as {...,
# ptr_array_len, bytes}.  A program that sets the fields by name is the same
# on both; one that fills the struct with a positional initialiser
# ({src, dst, bytes, len}) hands us the segment count as the length and the
# length as the count.  Such programs (found by looking for an initialiser
# `armci_giov_t x = {` in the source; in ARMCI-MPI's tests:
# test_location_consistency and test_acc_overlap) are reported as
# "field order", not as failures, and are not run as they are.  Instead a
# copy with the last two items of each such initialiser swapped is built and
# run, and its result is shown beside them.
#
# Profiler.  ARMCI-MPI's profiling library (profiler/profiling.c: an ARMCI_*
# wrapper for every call, over the PARMCI_* names) is built as a shared
# library, and test_onesided is linked through it (row "profiler"): the run
# must pass and the profile must count its puts.
#
# Expected failures.  ARMCI-MPI marks test_assert and test_malloc XFAIL
# (tests/Makefile.mk).  test_assert makes a get with NULL addresses: here the
# call must fail with one line per rank (comex_nbget: src is NULL) and the
# program end normally; test_malloc must pass.
#
# Knobs:
#   ARMCI_MPI_CHECK_NP="2 4"     rank counts
#   ARMCI_MPI_CHECK_TIMEOUT=120  seconds per run
#   ARMCI_MPI_CHECK_TESTS="..."  run only these programs (names without .c)
#   ARMCI_MPI_CHECK_ENV="V=x"    for experiments only: run the programs with
#                                these settings (e.g. COMEX_SHM=0); the report
#                                says so
#   MPICC, MPIEXEC               the compiler wrapper and the launcher
#                                (default: MPICH's, mpicc.mpich/mpiexec.mpich
#                                where installed, else mpicc/mpiexec)
#   CFLAGS                       default: -O2 -g plus errors for implicit
#                                declarations and pointer/int mismatches
set -u
set -o pipefail

NPS=${ARMCI_MPI_CHECK_NP:-2 4}
TMO=${ARMCI_MPI_CHECK_TIMEOUT:-120}
RUN_ENV=${ARMCI_MPI_CHECK_ENV:-}
MPICC=${MPICC:-$(command -v mpicc.mpich || echo mpicc)}
MPIEXEC=${MPIEXEC:-$(command -v mpiexec.mpich || echo mpiexec)}
CFLAGS=${CFLAGS:--O2 -g -Werror=implicit-function-declaration -Werror=incompatible-pointer-types -Werror=int-conversion}

die() { echo "armci_mpi_check: error: $*" >&2; exit 2; }
say() { echo "armci_mpi_check: $*"; }

usage() {
  sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 2 ] && [ $# -le 3 ] || usage
case "$1" in -h|--help) usage ;; esac

abspath() { (cd "$1" 2>/dev/null && pwd -P); }

SRC=$(abspath "$1") || die "ARMCI-MPI source directory '$1' does not exist"
PREFIX=$(abspath "$2") || die "install prefix '$2' does not exist"
mkdir -p "${3:-./armci-mpi-build}" || die "cannot create build directory '${3:-./armci-mpi-build}'"
BUILD=$(abspath "${3:-./armci-mpi-build}")
TESTS_DIR=$SRC/tests
# Which ARMCI-MPI: its commit if SRC is a git checkout.
SRC_ID='no git metadata'
[ "$(git -C "$SRC" rev-parse --show-toplevel 2>/dev/null)" = "$SRC" ] &&
  SRC_ID=$(git -C "$SRC" log -1 --format='commit %h of %cs')

# ---------------------------------------------------------------- prerequisites
[ -f "$TESTS_DIR/test_onesided.c" ] && [ -f "$SRC/src/armci.h" ] ||
  die "$SRC does not look like an ARMCI-MPI source tree (no tests/test_onesided.c, src/armci.h)"
[ -f "$PREFIX/include/armci.h" ] && [ -f "$PREFIX/include/armcix.h" ] ||
  die "$PREFIX/include/armci.h or armcix.h is missing: run 'make install' in comex-mt first"
ls "$PREFIX"/lib/libarmci.* >/dev/null 2>&1 ||
  die "$PREFIX/lib/libarmci.* is missing: run 'make install' in comex-mt first"
for t in "$MPICC" "$MPIEXEC" timeout awk; do
  command -v "$t" >/dev/null 2>&1 || die "not found: $t (Debian: apt-get install mpich libmpich-dev)"
done

# The runs see no ComEx, ARMCI or MPICH tuning variable of the caller's shell.
for v in $(env | sed -n 's/^\(\(COMEX\|ARMCI\|MPIR_CVAR\|MPICH\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
  say "unsetting $v for the runs"
  unset "$v"
done
[ -z "${LD_PRELOAD:-}" ] || { say "unsetting LD_PRELOAD=$LD_PRELOAD"; unset LD_PRELOAD; }

# ------------------------------------------------------------- the programs
# Every tests/*.c with a main(); test_parmci_lib.c is the profiling library
# that test_parmci is linked with.
ALL=
for f in "$TESTS_DIR"/*.c; do
  b=$(basename "$f" .c)
  grep -q -E '^int[[:space:]]+main[[:space:]]*\(' "$f" || continue
  ALL="$ALL $b"
done
[ -f "$SRC/profiler/profiling.c" ] && ALL="$ALL profiler"
PROGS=${ARMCI_MPI_CHECK_TESTS:-$ALL}
for p in $PROGS; do
  case " $ALL " in *" $p "*) ;; *) die "no program '$p' in $TESTS_DIR (or no profiler)" ;; esac
done
XFAIL=$(sed -n '/^XFAIL_TESTS/,/# end/p' "$TESTS_DIR/Makefile.mk" 2>/dev/null |
  grep -o -E 'tests/[A-Za-z0-9_]+' | sed 's|tests/||' | tr '\n' ' ')

extra_sources() { [ "$1" = test_parmci ] && echo "$TESTS_DIR/test_parmci_lib.c"; }

# A positional armci_giov_t initialiser: `armci_giov_t name = {`.
GIOV_INIT_RE='armci_giov_t[[:space:]]+[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=[[:space:]]*\{'
field_order() { [ -f "$TESTS_DIR/$1.c" ] && grep -q -E "$GIOV_INIT_RE" "$TESTS_DIR/$1.c"; }

# Copy of a program with every multi-line four-item armci_giov_t initialiser
# in our field order (items 3 and 4 swapped).  Prints how many it swapped.
SWAP_AWK='
function flush(   i, t) {
  if (n == 4) { t = item[3]; item[3] = item[4]; item[4] = t; swapped++ }
  print head
  for (i = 1; i <= n; i++) print item[i] (i < n ? "," : "")
  print $0
  inblock = 0; n = 0
}
inblock && /^[ \t]*\};/ { flush(); next }
inblock { line = $0; sub(/,[ \t]*$/, "", line); item[++n] = line; next }
$0 ~ re && /\{[ \t]*$/ { head = $0; inblock = 1; n = 0; next }
{ print }
END { print swapped + 0 > "/dev/stderr" }'
reorder() { awk -v re="$GIOV_INIT_RE" "$SWAP_AWK" "$1" >"$2" 2>"$2.swapped"; cat "$2.swapped"; }

LOGDIR=$BUILD/logs
BINDIR=$BUILD/bin
mkdir -p "$LOGDIR" "$BINDIR" "$BUILD/src"

# build NAME SOURCE...: compile and link one program; 0 on success.
build() {
  local name=$1
  shift
  # shellcheck disable=SC2086
  "$MPICC" $CFLAGS -I"$PREFIX/include" -I"$TESTS_DIR" "$@" -o "$BINDIR/$name" \
    -L"$PREFIX/lib" -larmci -Wl,-rpath,"$PREFIX/lib" >"$LOGDIR/$name.build.log" 2>&1
}

say "ARMCI-MPI: $SRC ($SRC_ID); libarmci: $PREFIX/lib"
say "building with $MPICC; logs in $LOGDIR"
# The profiler: libarmciprof.so, and test_onesided linked with it first.
build_profiler() {
  "$MPICC" $CFLAGS -shared -fPIC -I"$PREFIX/include" "$SRC/profiler/profiling.c" \
    -o "$BINDIR/libarmciprof.so" -L"$PREFIX/lib" -larmci -Wl,-rpath,"$PREFIX/lib" \
    >"$LOGDIR/profiler.build.log" 2>&1 &&
    "$MPICC" $CFLAGS -I"$PREFIX/include" -I"$TESTS_DIR" "$TESTS_DIR/test_onesided.c" \
      -o "$BINDIR/profiler" -L"$BINDIR" -larmciprof -L"$PREFIX/lib" -larmci \
      -Wl,-rpath,"$BINDIR:$PREFIX/lib" >>"$LOGDIR/profiler.build.log" 2>&1
}

declare -A BUILT SWAPPED
for p in $PROGS; do
  if [ "$p" = profiler ]; then
    if build_profiler; then BUILT[$p]=1; else BUILT[$p]=0; fi
    continue
  fi
  if build "$p" "$TESTS_DIR/$p.c" $(extra_sources "$p"); then BUILT[$p]=1; else BUILT[$p]=0; fi
  if field_order "$p"; then
    SWAPPED[$p]=$(reorder "$TESTS_DIR/$p.c" "$BUILD/src/$p.c")
    if [ "${SWAPPED[$p]}" -gt 0 ] &&
      build "$p.reordered" "$BUILD/src/$p.c" $(extra_sources "$p"); then
      BUILT[$p.reordered]=1
    else
      BUILT[$p.reordered]=0
    fi
  fi
done

# The programs must load PREFIX's libarmci and one MPI library only.
first=$(for p in $PROGS; do [ "$p" != profiler ] && [ "${BUILT[$p]}" = 1 ] && echo "$p" && break; done)
if [ -n "$first" ]; then
  libs=$(ldd "$BINDIR/$first" 2>/dev/null)
  echo "$libs" | grep -q "libarmci[^ ]* => $PREFIX/lib/" ||
    die "$first does not load libarmci from $PREFIX/lib:
$(echo "$libs" | grep libarmci)"
  if echo "$libs" | grep -q 'libmpich' && echo "$libs" | grep -q 'libmpi\.so'; then
    die "$first loads two MPI libraries (libarmci was built with another MPI than $MPICC)"
  fi
fi

# -------------------------------------------------------------------- judging
# judge PROG NP LOG RC: "ok" or why the run failed.  Every run must exit 0
# and print no failure marker (the tests print these on wrong data; armci[r]
# and comex-mt[r] begin every error line of libarmci and ComEx); a program
# whose source prints PASS, Success or Pass. must print it.
FAIL_RE='armci\[[0-9?]+\]|comex-mt\[[0-9?]+\]|expected|Err:|Error|FAIL|Fail|failed|does not equal|BAD TERMINATION|Segmentation fault|Assertion|MPI_Abort|Fatal error'
judge() {
  local p=$1 np=$2 log=$3 rc=$4 src=$TESTS_DIR/$1.c filtered n
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "timeout (${TMO}s)"; return; fi
  [ "$rc" = 0 ] || { echo "exit status $rc"; return; }
  if [ "$p" = profiler ]; then  # test_onesided through the profiler
    src=$TESTS_DIR/test_onesided.c
    grep -q -E '^Put called [1-9][0-9]* times' "$log" || { echo "no 'Put called N times' profile"; return; }
  fi
  filtered=$log
  if [ "$p" = test_assert ]; then
    # The NULL get fails on every rank, with one line each.
    n=$(grep -c -E 'comex-mt\[[0-9]+\] comex_nbget: src is NULL' "$log")
    [ "$n" = "$np" ] || { echo "$n of $np 'comex_nbget: src is NULL' lines"; return; }
    filtered=$log.filtered
    grep -v -E 'comex-mt\[[0-9]+\] comex_nbget: src is NULL' "$log" >"$filtered"
  fi
  if grep -q -E -- "$FAIL_RE" "$filtered"; then
    echo "failure marker: $(grep -m1 -E -- "$FAIL_RE" "$filtered" | cut -c1-70)"
    return
  fi
  for marker in PASS Success 'Pass\.'; do
    if grep -q -E "\"[^\"]*$marker" "$src"; then
      grep -q -E "$marker" "$log" || { echo "no '$marker'"; return; }
      break
    fi
  done
  echo ok
}

# run NAME NP LOG: one run under the timeout in its own directory; sets
# RUN_RC and RUN_SECS.
RUN_RC=0 RUN_SECS=0
run() {
  local name=$1 np=$2 log=$3 dir t0 t1
  dir=$BUILD/runs/$name.np$np
  mkdir -p "$dir"
  t0=$(date +%s.%N)
  # shellcheck disable=SC2086
  (cd "$dir" && env $RUN_ENV timeout -k 10 "$TMO" "$MPIEXEC" -n "$np" "$BINDIR/$name") \
    >"$log" 2>&1 </dev/null
  RUN_RC=$?
  t1=$(date +%s.%N)
  RUN_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", b-a}')
}

say "running at $NPS ranks, timeout ${TMO}s each"
[ -z "$RUN_ENV" ] || say "EXPERIMENT: the programs run with $RUN_ENV (ARMCI_MPI_CHECK_ENV)"
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

declare -A CELL NOTE
declare -A NPASS NFAIL NFIELD
status=0
for np in $NPS; do NPASS[$np]=0 NFAIL[$np]=0 NFIELD[$np]=0; done
for p in $PROGS; do
  note=
  case " $XFAIL " in *" $p "*) note="XFAIL in ARMCI-MPI" ;; esac
  [ "$p" = test_assert ] && note="$note; the NULL get is rejected with a message"
  [ "$p" = profiler ] && note="ARMCI-MPI's profiler/profiling.c around test_onesided"
  for np in $NPS; do
    if field_order "$p"; then
      NFIELD[$np]=$((NFIELD[$np] + 1))
      CELL[$p.$np]="field order"
      if [ "${BUILT[$p.reordered]}" = 1 ]; then
        log=$LOGDIR/$p.reordered.np$np.log
        run "$p.reordered" "$np" "$log"
        v=$(judge "$p" "$np" "$log" "$RUN_RC")
        [ "$v" = ok ] && v=pass
        note="${note:+$note; }np=$np in our field order: $v ($RUN_SECS s)"
      else
        note="${note:+$note; }np=$np: could not be rebuilt in our field order"
      fi
      continue
    fi
    if [ "${BUILT[$p]}" != 1 ]; then
      CELL[$p.$np]="BUILD FAIL"
      NFAIL[$np]=$((NFAIL[$np] + 1))
      [ "$np" = "${NPS%% *}" ] &&
        note="${note:+$note; }build: $(grep -m1 -E 'error|undefined' "$LOGDIR/$p.build.log" | cut -c1-70)"
      status=1
      continue
    fi
    log=$LOGDIR/$p.np$np.log
    run "$p" "$np" "$log"
    v=$(judge "$p" "$np" "$log" "$RUN_RC")
    if [ "$v" = ok ]; then
      CELL[$p.$np]="pass $RUN_SECS s"
      NPASS[$np]=$((NPASS[$np] + 1))
    else
      CELL[$p.$np]="FAIL $RUN_SECS s"
      NFAIL[$np]=$((NFAIL[$np] + 1))
      note="${note:+$note; }np=$np: $v (log: $log)"
      status=1
    fi
  done
  NOTE[$p]=${note#; }
  line=$(printf '%-26s' "$p")
  for np in $NPS; do line="$line $(printf '%-14s' "${CELL[$p.$np]}")"; done
  echo "armci_mpi_check: $line ${NOTE[$p]}"
done

# ---------------------------------------------------------------------- report
echo
echo "ARMCI-MPI's tests ($SRC_ID) on comex-mt libarmci ($PREFIX)"
[ -z "$RUN_ENV" ] || echo "EXPERIMENT, not the check: programs ran with $RUN_ENV"
header=$(printf '%-26s' program)
rule=$(printf '%-26s' -------------------------- | tr ' ' '-')
for np in $NPS; do
  header="$header $(printf '%-14s' "np=$np")"
  rule="$rule $(printf '%-14s' -------------- | tr ' ' '-')"
done
echo "$header note"
echo "$rule ----"
for p in $PROGS; do
  line=$(printf '%-26s' "$p")
  for np in $NPS; do line="$line $(printf '%-14s' "${CELL[$p.$np]}")"; done
  echo "$line ${NOTE[$p]}"
done
echo
for np in $NPS; do
  echo "np=$np: ${NPASS[$np]} passed, ${NFAIL[$np]} failed, ${NFIELD[$np]} field order (of $(echo $PROGS | wc -w) rows)"
done
[ $status = 0 ] && echo "armci_mpi_check: all passed" || echo "armci_mpi_check: FAILED"
exit $status
