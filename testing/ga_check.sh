#!/bin/bash
# ga_check.sh GA_SRC_DIR PREFIX [BUILD_DIR]
#
# Check comex-mt's libarmci against Global Arrays (GA): configure GA out of
# tree on the ARMCI installed in PREFIX (--with-armci=PREFIX), build it, build
# 18 programs of GA's global/testing, run each on 2 ranks with no environment
# settings of ours, judge each by its exit status and its output, then run
# nbtest 20 times in a row.  Prints a table and totals; exits non-zero if any
# run fails.  See doc/ga.md.
#
#   GA_SRC_DIR  a GA source tree (GlobalArrays/ga).  Nothing of GA belongs in
#               this repository; the tree is only read, except that a git
#               checkout without ./configure gets `autoreconf -vif` run in it.
#   PREFIX      where comex-mt is installed (`make install`): PREFIX/include/
#               armci.h and PREFIX/lib/libarmci.*
#   BUILD_DIR   GA's build directory (default ./ga-build).  If it already holds
#               a GA configured with --with-armci=PREFIX and Fortran enabled,
#               configure is skipped and make only rebuilds what changed.
#               It may be GA_SRC_DIR itself for a tree configured in place.
#
# Knobs (of the script; none reaches the programs but GA_CHECK_ENV):
#   GA_CHECK_JOBS=2          parallel make jobs
#   GA_CHECK_TIMEOUT=300     seconds per run (`timeout` around every mpiexec)
#   GA_CHECK_NBTEST_RUNS=20  how many times nbtest runs in the repeat phase
#   GA_CHECK_REPEAT=1        run the 18 programs this many times and report the
#                            median time (a program passes only if all runs do)
#   GA_CHECK_PROGRAMS="..."  run only these of the 18 (for investigating)
#   GA_CHECK_ENV="V=x ..."   for experiments only: run the programs with these
#                            settings (e.g. COMEX_PROGRESS_SLEEP_MIN_US=20); the
#                            report then says so, and it is not the check
#   MPIEXEC=mpiexec          the launcher
set -u
set -o pipefail

NP=2
JOBS=${GA_CHECK_JOBS:-2}
TMO=${GA_CHECK_TIMEOUT:-300}
NBRUNS=${GA_CHECK_NBTEST_RUNS:-20}
REPEAT=${GA_CHECK_REPEAT:-1}
MPIEXEC=${MPIEXEC:-mpiexec}

ALL_PROGS="testc ntestc nbtestc mtest lock simple_groups_commc ga-mpi j_iter
test ga_shift patch nbtest mulmatpatch ngatest nga-scatter nga-onesided
testmatmultc read_only"
PROGS=${GA_CHECK_PROGRAMS:-$ALL_PROGS}
RUN_ENV=${GA_CHECK_ENV:-}

die() { echo "ga_check: error: $*" >&2; exit 2; }
say() { echo "ga_check: $*"; }

usage() {
  sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 2 ] && [ $# -le 3 ] || usage
case "$1" in -h|--help) usage ;; esac

abspath() { (cd "$1" 2>/dev/null && pwd -P); }

GA_SRC=$(abspath "$1") || die "GA source directory '$1' does not exist"
PREFIX=$(abspath "$2") || die "install prefix '$2' does not exist"
BUILD_ARG=${3:-./ga-build}

# ---------------------------------------------------------------- prerequisites
[ -f "$GA_SRC/configure.ac" ] && [ -d "$GA_SRC/global/testing" ] ||
  die "$GA_SRC does not look like a GA source tree (no configure.ac, global/testing)"
[ -f "$PREFIX/include/armci.h" ] ||
  die "$PREFIX/include/armci.h is missing: run 'make install' in comex-mt first"
ls "$PREFIX"/lib/libarmci.* >/dev/null 2>&1 ||
  die "$PREFIX/lib/libarmci.* is missing: run 'make install' in comex-mt first"

missing=
for t in mpicc mpicxx mpif77 "$MPIEXEC" timeout make m4; do
  command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] ||
  die "not found:$missing (Debian: apt-get install mpich libmpich-dev gfortran m4 make coreutils)"

tmpd=$(mktemp -d) || die "mktemp failed"
trap 'rm -rf "$tmpd"' EXIT
# 8 of the 18 programs are Fortran (test, ga_shift, patch, nbtest, mulmatpatch,
# ngatest, nga-scatter, nga-onesided): Fortran must work.
printf '      program t\n      end\n' >"$tmpd/t.f"
mpif77 -o "$tmpd/tf" "$tmpd/t.f" >"$tmpd/f.log" 2>&1 ||
  die "mpif77 cannot build a Fortran program (Debian: apt-get install gfortran); see:
$(cat "$tmpd/f.log")"
printf 'void dgemm_(void); void dgetrf_(void);\nint main(void){dgemm_();dgetrf_();return 0;}\n' >"$tmpd/b.c"
mpicc -o "$tmpd/b" "$tmpd/b.c" -llapack -lblas >"$tmpd/b.log" 2>&1 ||
  die "cannot link -llapack -lblas (Debian: apt-get install libblas-dev liblapack-dev)"

# No environment workarounds: the programs run without any ComEx, ARMCI or
# MPICH tuning variable, whatever the caller's shell has set.
for v in $(env | sed -n 's/^\(\(COMEX\|ARMCI\|MPIR_CVAR\|MPICH\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
  say "unsetting $v for the runs (the check runs with no environment settings)"
  unset "$v"
done
[ -z "${LD_PRELOAD:-}" ] || { say "unsetting LD_PRELOAD=$LD_PRELOAD"; unset LD_PRELOAD; }

mkdir -p "$BUILD_ARG" || die "cannot create build directory '$BUILD_ARG'"
BUILD=$(abspath "$BUILD_ARG")

# -------------------------------------------------------------------- configure
if [ ! -x "$GA_SRC/configure" ]; then
  command -v autoreconf >/dev/null 2>&1 ||
    die "$GA_SRC has no configure script and autoreconf is missing (Debian: apt-get install autoconf automake libtool)"
  say "no configure in $GA_SRC: running autoreconf -vif there (log: $BUILD/ga_check-autoreconf.log)"
  (cd "$GA_SRC" && autoreconf -vif) >"$BUILD/ga_check-autoreconf.log" 2>&1 ||
    die "autoreconf failed in $GA_SRC; see $BUILD/ga_check-autoreconf.log"
fi

if [ "$BUILD" != "$GA_SRC" ] && [ -f "$GA_SRC/config.status" ]; then
  die "$GA_SRC is configured in place, so it cannot be configured out of tree.
  Either pass it as BUILD_DIR too (to reuse that build: $0 $GA_SRC $PREFIX $GA_SRC)
  or run 'make distclean' in it."
fi

configured_ok() {   # is BUILD a GA configured here: on PREFIX, rpath, Fortran?
  [ -f "$BUILD/config.status" ] && [ -f "$BUILD/Makefile" ] || return 1
  grep -q -- "--with-armci=$PREFIX'" "$BUILD/config.status" ||
    grep -q -- "--with-armci=$PREFIX " "$BUILD/config.status" || return 1
  grep -q '^S\["ENABLE_F77_TRUE"\]=""$' "$BUILD/config.status" || return 1
  grep -q -- "-Wl,-rpath,$PREFIX/lib" "$BUILD/config.status" || return 1
  return 0
}

if configured_ok; then
  say "reusing GA configured in $BUILD"
else
  [ -f "$BUILD/config.status" ] &&
    say "$BUILD holds a GA configured differently (other ARMCI, no rpath or no Fortran): configuring again"
  say "configuring GA in $BUILD (log: $BUILD/ga_check-configure.log)"
  (cd "$BUILD" && "$GA_SRC/configure" \
      --with-armci="$PREFIX" \
      MPICC=mpicc MPICXX=mpicxx MPIF77=mpif77 \
      --with-blas=-lblas --with-lapack=-llapack \
      LDFLAGS="-Wl,-rpath,$PREFIX/lib" \
      MPIEXEC="mpiexec -n %NP%" NPROCS=$NP) >"$BUILD/ga_check-configure.log" 2>&1 ||
    die "GA configure failed; see $BUILD/ga_check-configure.log and $BUILD/config.log"
  configured_ok || die "GA configured without Fortran (F77) support, which 8 of the
  18 programs need; see $BUILD/ga_check-configure.log"
fi

# ------------------------------------------------------------------------ build
say "building GA (make -j$JOBS; log: $BUILD/ga_check-make.log)"
make -C "$BUILD" -j"$JOBS" >"$BUILD/ga_check-make.log" 2>&1 ||
  die "building GA failed; see $BUILD/ga_check-make.log"

exe() { echo "$BUILD/global/testing/$1.x"; }
targets=
for p in $PROGS; do
  case " $(echo $ALL_PROGS) " in *" $p "*) ;; *) die "unknown program '$p'" ;; esac
  targets="$targets global/testing/$p.x"
done
say "building the test programs (log: $BUILD/ga_check-make-tests.log)"
make -C "$BUILD" -j"$JOBS" $targets >"$BUILD/ga_check-make-tests.log" 2>&1 ||
  die "building the test programs failed; see $BUILD/ga_check-make-tests.log"
for p in $PROGS; do [ -x "$(exe "$p")" ] || die "$(exe "$p") was not built"; done

# Are the programs linked against PREFIX's libarmci?
# (GA links libarmci.so when there is one; with only libarmci.a it is static.)
if ldd "$(exe testc)" 2>/dev/null | grep -q 'libarmci'; then
  lib=$(ldd "$(exe testc)" | sed -n 's/.*libarmci[^ ]* => \([^ ]*\).*/\1/p')
  case "$lib" in
    "$PREFIX"/lib/*) ;;
    *) die "testc.x loads libarmci from '$lib', not from $PREFIX/lib (LD_LIBRARY_PATH?)" ;;
  esac
fi

# -------------------------------------------------------------------- judging
# judge PROG LOG RC: print "ok" or the reason for failure.  Every program must
# exit 0 and print none of the generic failure markers; in addition each must
# print what its source prints on success (several, nbtest and nbtestc among
# them, report a wrong result on stdout and still exit 0).
FAIL_RE='armci\[[0-9?]+\]|comex-mt\[[0-9?]+\]|GA_Error|ga_error|ARMCI Error|MPI_Abort|application called|BAD TERMINATION|Segmentation fault|Assertion|Fatal error|[Mm]ismatch|wrong|incorrect|FAILED|[Ff]ailed|fails|Error found|ERROR'
count() { grep -c -E -- "$1" "$2" 2>/dev/null || true; }
judge() {
  local p=$1 log=$2 rc=$3 n
  if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then echo "timeout (${TMO}s)"; return; fi
  [ "$rc" = 0 ] || { echo "exit status $rc"; return; }
  # Generic markers (case-sensitive: j_iter prints "error:" for its residual,
  # testc "Error=0.000000", test "failure" for an allocation meant to fail).
  # armci[r] / comex-mt[r] start every message of libarmci and ComEx.
  if grep -q -E -- "$FAIL_RE" "$log"; then
    echo "failure marker: $(grep -m1 -E -- "$FAIL_RE" "$log" | cut -c1-70)"
    return
  fi
  case $p in
    testc|ntestc|simple_groups_commc|test|patch|mulmatpatch|ngatest|nga-scatter|nga-onesided|testmatmultc)
      grep -q 'All tests successful' "$log" || { echo "no 'All tests successful'"; return; } ;;
    nbtestc)
      n=$(count 'test( with [a-z ]+)? is OK$' "$log")
      [ "$n" = 4 ] || { echo "$n of 4 'is OK' lines"; return; }
      grep -q '^Success$' "$log" || { echo "no 'Success'"; return; } ;;
    mtest)
      grep -q '^Success$' "$log" || { echo "no 'Success'"; return; } ;;
    lock)   # process 1 reads, under the lock, the ten 7.0 process 0 put
      n=$(count '^p2\[ *[0-9]+\] = +7\.0000000000$' "$log")
      [ "$n" = 10 ] || { echo "$n of 10 values p2[i] = 7.0"; return; }
      grep -q '^0: MPI_Finalize$' "$log" || { echo "did not reach MPI_Finalize"; return; } ;;
    ga-mpi)
      n=$(count '^OK$' "$log")
      [ "$n" = 3 ] || { echo "$n of 3 'OK' lines"; return; }
      grep -q '^Terminating' "$log" || { echo "did not reach 'Terminating'"; return; } ;;
    j_iter)
      grep -q 'Conjugate gradient solution converged' "$log" || { echo "CG did not converge"; return; }
      grep -q 'Elapsed time in Asynchronous CG solver' "$log" || { echo "async CG did not finish"; return; }
      grep -q 'Bin center' "$log" || { echo "no error histogram"; return; } ;;
    ga_shift)  # prints 'mismatch' per wrong element (caught above)
      grep -q 'Time spent destroying GA' "$log" || { echo "did not finish"; return; } ;;
    nbtest)
      n=$(count '^OK for (simple|Non-Blocking) (PUT|GET|ACC) test$' "$log")
      [ "$n" = 6 ] || { echo "$n of 6 'OK for ... test' lines"; return; } ;;
    read_only)
      grep -q 'Read-only test succeeded' "$log" || { echo "no 'Read-only test succeeded'"; return; }
      grep -q 'Regular array test succeeded' "$log" || { echo "no 'Regular array test succeeded'"; return; } ;;
  esac
  echo ok
}

# run PROG LOG: run one program at NP ranks in its own directory (some write
# files) under the timeout; sets RUN_RC and RUN_SECS.
RUN_RC=0 RUN_SECS=0
run() {
  local p=$1 log=$2 dir t0 t1 left
  dir="$BUILD/ga_check-runs/$p"
  mkdir -p "$dir"
  t0=$(date +%s.%N)
  (cd "$dir" && env $RUN_ENV timeout -k 10 "$TMO" "$MPIEXEC" -n "$NP" "$(exe "$p")") \
    >"$log" 2>&1 </dev/null
  RUN_RC=$?
  t1=$(date +%s.%N)
  RUN_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  # never leave ranks behind (after a timeout, say): they are ours, by path
  left=$(pgrep -f "^$(exe "$p")" || true)
  if [ -n "$left" ]; then
    say "killing leftover ranks of $p: $(echo $left)"
    kill -9 $left 2>/dev/null || true
  fi
}

LOGDIR="$BUILD/ga_check-logs"
mkdir -p "$LOGDIR"
say "running ${NP} ranks each, timeout ${TMO}s; logs in $LOGDIR"
[ -z "$RUN_ENV" ] || say "EXPERIMENT: the programs run with $RUN_ENV (GA_CHECK_ENV)"
say "libarmci: $(ls "$PREFIX"/lib/libarmci.so* 2>/dev/null | head -n1)"
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; other jobs inflate the times)"

median() { tr ' ' '\n' | grep . | sort -n | awk '{v[NR]=$1} END{ if (NR%2) printf "%.2f", v[(NR+1)/2]; else printf "%.2f", (v[NR/2]+v[NR/2+1])/2 }'; }

declare -A RESULT TIMES WHY
for r in $(seq 1 "$REPEAT"); do
  [ "$REPEAT" = 1 ] || say "round $r of $REPEAT"
  for p in $PROGS; do
    log="$LOGDIR/$p.log"
    [ "$REPEAT" = 1 ] || log="$LOGDIR/$p.$r.log"
    run "$p" "$log"
    verdict=$(judge "$p" "$log" "$RUN_RC")
    TIMES[$p]="${TIMES[$p]:-} $RUN_SECS"
    if [ "$verdict" = ok ]; then
      [ "${RESULT[$p]:-PASS}" = FAIL ] || RESULT[$p]=PASS
    else
      RESULT[$p]=FAIL
      WHY[$p]="${WHY[$p]:-run $r: $verdict (log: $log)}"
    fi
    printf 'ga_check:   %-20s %-4s %7.2f s%s\n' "$p" "$([ "$verdict" = ok ] && echo pass || echo FAIL)" \
      "$RUN_SECS" "$([ "$verdict" = ok ] || echo "  $verdict")"
  done
done

# ------------------------------------------------------------ nbtest repeated
NB_PASS=0 NB_FIRST_FAIL=
if [ "$NBRUNS" -gt 0 ]; then
  say "running nbtest $NBRUNS times in a row"
  nbtimes=
  for i in $(seq 1 "$NBRUNS"); do
    log="$LOGDIR/nbtest.repeat.$i.log"
    run nbtest "$log"
    verdict=$(judge nbtest "$log" "$RUN_RC")
    nbtimes="$nbtimes $RUN_SECS"
    if [ "$verdict" = ok ]; then
      NB_PASS=$((NB_PASS + 1))
    else
      [ -n "$NB_FIRST_FAIL" ] || NB_FIRST_FAIL="run $i: $verdict (log: $log)"
      say "  nbtest run $i: FAIL ($verdict)"
    fi
  done
fi

# ---------------------------------------------------------------------- report
echo
ga_version=$(sed -n 's/^PACKAGE_VERSION=.\(.*\).$/\1/p' "$GA_SRC/configure" 2>/dev/null | head -n1)
if [ -n "$RUN_ENV" ]; then
  echo "GA ${ga_version:-?} on comex-mt libarmci ($PREFIX), $NP ranks"
  echo "EXPERIMENT, not the check: programs ran with $RUN_ENV"
else
  echo "GA ${ga_version:-?} on comex-mt libarmci ($PREFIX), $NP ranks, no environment settings"
fi
[ "$REPEAT" = 1 ] || echo "(times: median of $REPEAT runs)"
printf '%-20s %-6s %9s\n' program result seconds
printf '%-20s %-6s %9s\n' -------------------- ------ ---------
npass=0 nprog=0 total=0
for p in $PROGS; do
  nprog=$((nprog + 1))
  t=$(echo "${TIMES[$p]}" | median)
  total=$(awk -v a="$total" -v b="$t" 'BEGIN{printf "%.2f", a+b}')
  [ "${RESULT[$p]}" = PASS ] && npass=$((npass + 1))
  printf '%-20s %-6s %9s\n' "$p" "${RESULT[$p]}" "$t"
done
printf '%-20s %-6s %9s\n' -------------------- ------ ---------
printf '%-20s %-6s %9s\n' "total" "$npass/$nprog" "$total"
echo
echo "passed: $npass of $nprog; total wall time of the $nprog: $total s"
if [ "$NBRUNS" -gt 0 ]; then
  echo "nbtest repeated: $NB_PASS of $NBRUNS runs correct (median $(echo "$nbtimes" | median) s, max $(echo "$nbtimes" | tr ' ' '\n' | grep . | sort -n | tail -n1) s)"
fi
status=0
for p in $PROGS; do
  if [ "${RESULT[$p]}" != PASS ]; then echo "FAIL $p: ${WHY[$p]}"; status=1; fi
done
if [ "$NBRUNS" -gt 0 ] && [ "$NB_PASS" != "$NBRUNS" ]; then
  echo "FAIL nbtest repeated: first failure $NB_FIRST_FAIL"; status=1
fi
[ $status = 0 ] && echo "ga_check: all passed" || echo "ga_check: FAILED"
exit $status
