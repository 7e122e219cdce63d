#!/bin/bash
# nwchem_check.sh [options] NWCHEM_SRC GA_SRC PREFIX [BUILD]
#
# Check comex-mt's libarmci against NWChem: build a small NWChem (modules
# "nwdft driver solvation") on the ARMCI installed in PREFIX, with GA built
# inside NWChem from GA_SRC and nothing downloaded, then run a set of NWChem's
# QA tests (QA/runtests.mpi.unix) at 2 and 4 ranks with no environment
# settings of ours.  A run fails if the QA harness reports anything but OK, or
# if any line of its output or stderr holds "comex-mt[" or "armci[" (the
# start of every message of ComEx and libarmci).  Prints a table and totals;
# exits 1 if a run failed, 2 on a setup error.  See doc/nwchem.md.
#
#   NWCHEM_SRC  an exported NWChem source tree (7.3.1 measured): src/, QA/.
#               Only read: src/ is copied to BUILD/nwchem and built there
#               (NWChem builds in its source tree), the QA harness and the
#               chosen tests are copied to BUILD/run-*/QA.
#   GA_SRC      a GA 5.9.2 source tree (GlobalArrays/ga, tag v5.9.2).  Only
#               read: copied to BUILD/nwchem/src/tools/ga-5.9.2, where
#               NWChem's tools/nxtval.sh edits the copy.  Without ./configure,
#               `autoreconf -vif` runs in the copy.
#   PREFIX      where comex-mt is installed (`make install`): PREFIX/include/
#               armci.h and PREFIX/lib/libarmci.*
#   BUILD       working directory (default ./nwchem-build).  A finished build
#               there made from the same NWCHEM_SRC, GA_SRC, PREFIX and
#               settings, with no source file newer than the build, is reused:
#               a second run costs only the runs.
#
# Options:
#   --ranks "2 4"        rank counts to run each test at
#   --tests "T1 T2 ..."  QA tests (directories of NWCHEM_SRC/QA/tests); default:
#                        dft_he2+ h2o_opt scf_feco5 cosmo_h2o_dft h2o_dk h2o
#                        cosmo_h2o dft_bsse h2o_cg_to_diag
#   --repeat N           run everything N times, report median times (a cell
#                        passes only if every run passes)
#   --baseline BINARY    also run every test on another NWChem binary, e.g.
#                        Debian's nwchem.mpich unpacked with dpkg-deb -x,
#                        alternating with ours; prints both times.  It runs
#                        with ARMCI_USE_WIN_ALLOCATE=0 (Debian's ARMCI-MPI
#                        gives wrong answers on MPICH 4 without it), and, when
#                        they exist next to it, NWCHEM_BASIS_LIBRARY=
#                        BINARY/../share/nwchem/libraries/ and LD_LIBRARY_PATH=
#                        BINARY/../lib/x86_64-linux-gnu/openblas-serial.
#                        Its failures are reported but do not fail the check.
#   --baseline-qa DIR    the baseline's own QA directory (its release's
#                        QA/tests/<test>/ inputs and reference outputs); tests
#                        whose inputs differ from NWCHEM_SRC's are marked, and
#                        their times are left out of the comparable totals.
#                        Default: NWCHEM_SRC/QA.
#   --hosts              run across 2 hosts made of network namespaces
#                        (testing/hosts/run.sh, needs root): N ranks are N/2 on
#                        h1 and N/2 on h2; no baseline in this mode
#   --no-perturb         the harness copies do not export MALLOC_PERTURB_ (for
#                        timing both sides; see doc/nwchem.md)
#   --build-only         build (or check the reuse of) the build, run nothing
#   --rebuild            build from scratch even if BUILD could be reused
#
# Knobs: NWCHEM_CHECK_JOBS=2 (make -j), NWCHEM_CHECK_TIMEOUT=1200 (seconds per
# NWChem run, `timeout` around every mpiexec), MPIEXEC=mpiexec,
# NWCHEM_CHECK_BASELINE_ENV="V=x ..." (replaces the baseline's settings above).
set -u
set -o pipefail

JOBS=${NWCHEM_CHECK_JOBS:-2}
TMO=${NWCHEM_CHECK_TIMEOUT:-1200}
MPIEXEC=${MPIEXEC:-mpiexec}
RANKS="2 4"
TESTS="dft_he2+ h2o_opt scf_feco5 cosmo_h2o_dft h2o_dk h2o cosmo_h2o dft_bsse h2o_cg_to_diag"
REPEAT=1
BASE_BIN=
BASE_QA=
HOSTS=0
BUILD_ONLY=0
REBUILD=0
NO_PERTURB=0

# What the build uses.  Changing any of it makes the next run rebuild.
NW_TARGET=LINUX64
NW_MODULES="nwdft driver solvation"
OPENBLAS64_DIR=/usr/lib/x86_64-linux-gnu/openblas64-serial
BLASOPT_VAL="-L$OPENBLAS64_DIR -lopenblas64"
GA_DIRNAME=ga-5.9.2
BUILD_FORMAT=1   # bump when the way of building changes

die() { echo "nwchem_check: error: $*" >&2; exit 2; }
say() { echo "nwchem_check: $*"; }

usage() {
  sed -n '2,/^set -u/p' "$0" | sed -e '/^set -u/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage ;;
    --ranks) [ $# -ge 2 ] || usage; RANKS=$2; shift 2 ;;
    --tests) [ $# -ge 2 ] || usage; TESTS=$2; shift 2 ;;
    --repeat) [ $# -ge 2 ] || usage; REPEAT=$2; shift 2 ;;
    --baseline) [ $# -ge 2 ] || usage; BASE_BIN=$2; shift 2 ;;
    --baseline-qa) [ $# -ge 2 ] || usage; BASE_QA=$2; shift 2 ;;
    --hosts) HOSTS=1; shift ;;
    --no-perturb) NO_PERTURB=1; shift ;;
    --build-only) BUILD_ONLY=1; shift ;;
    --rebuild) REBUILD=1; shift ;;
    --) shift; args+=("$@"); break ;;
    -*) echo "nwchem_check: unknown option $1" >&2; usage ;;
    *) args+=("$1"); shift ;;
  esac
done
[ ${#args[@]} -ge 3 ] && [ ${#args[@]} -le 4 ] || usage
case "$REPEAT" in ''|*[!0-9]*|0) die "--repeat takes a positive number" ;; esac
for n in $RANKS; do
  case "$n" in ''|*[!0-9]*|0) die "--ranks takes positive numbers, not '$n'" ;; esac
  [ "$HOSTS" = 0 ] || [ $((n % 2)) = 0 ] || die "--hosts splits the ranks over 2 hosts: '$n' is odd"
done
[ -n "$(echo $TESTS)" ] || die "--tests is empty"
[ "$HOSTS" = 0 ] || [ -z "$BASE_BIN" ] || die "--hosts and --baseline do not go together"

abspath() { (cd "$1" 2>/dev/null && pwd -P); }

NW_SRC=$(abspath "${args[0]}") || die "NWChem source directory '${args[0]}' does not exist"
GA_SRC=$(abspath "${args[1]}") || die "GA source directory '${args[1]}' does not exist"
PREFIX=$(abspath "${args[2]}") || die "install prefix '${args[2]}' does not exist"
BUILD_ARG=${args[3]:-./nwchem-build}
HERE=$(cd "$(dirname "$0")" && pwd -P)

# ---------------------------------------------------------------- prerequisites
[ -f "$NW_SRC/src/config/makefile.h" ] && [ -f "$NW_SRC/QA/runtests.mpi.unix" ] ||
  die "$NW_SRC does not look like an NWChem source tree (no src/config/makefile.h, QA/runtests.mpi.unix)"
[ -e "$NW_SRC/src/tools/build" ] || [ -e "$NW_SRC/bin" ] || [ -e "$NW_SRC/src/nwchem_config.h" ] &&
  say "note: $NW_SRC holds build products; they are copied along but not used"
[ -f "$GA_SRC/configure.ac" ] && [ -d "$GA_SRC/global" ] && [ -d "$GA_SRC/tcgmsg/tcgmsg-mpi" ] ||
  die "$GA_SRC does not look like a GA source tree (no configure.ac, global/, tcgmsg/tcgmsg-mpi/)"
ga_ver=$(awk '/^#define +GA_VERSION_(MAJOR|MINOR|PATCH) +[0-9]+$/ {v = v (v == "" ? "" : ".") $3} END {print v}' \
  "$GA_SRC/global/src/gacommon.h" 2>/dev/null)
[ "$ga_ver" = 5.9.2 ] ||
  say "warning: GA_SRC is GA '${ga_ver:-?}', NWChem 7.3.1 expects 5.9.2 (it is placed at src/tools/$GA_DIRNAME anyway)"
[ -f "$PREFIX/include/armci.h" ] ||
  die "$PREFIX/include/armci.h is missing: run 'make install' in comex-mt first"
ls "$PREFIX"/lib/libarmci.* >/dev/null 2>&1 ||
  die "$PREFIX/lib/libarmci.* is missing: run 'make install' in comex-mt first"

missing=
for t in mpicc mpif90 gfortran "$MPIEXEC" timeout make perl python3; do
  command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
done
[ -z "$missing" ] ||
  die "not found:$missing (Debian: apt-get install mpich libmpich-dev gfortran make perl python3)"
# NWChem takes MPI's flags from `mpif90 -show`, the ranks start with MPIEXEC:
# both must be MPICH's (Debian's alternatives may point mpif90 at Open MPI).
grep -q mpich <<<"$(mpif90 -show 2>/dev/null)" ||
  die "mpif90 is not MPICH's ($(mpif90 -show 2>&1 | cut -c1-80)); Debian: update-alternatives --set mpi /usr/bin/mpicc.mpich"
grep -q HYDRA <<<"$("$MPIEXEC" --version 2>/dev/null)" ||
  die "'$MPIEXEC' is not MPICH's hydra mpiexec; Debian: update-alternatives --set mpirun /usr/bin/mpirun.mpich"
[ -f "$OPENBLAS64_DIR/libopenblas64.so" ] ||
  die "$OPENBLAS64_DIR/libopenblas64.so is missing (Debian: apt-get install libopenblas64-serial-dev)"
if [ -n "$BASE_BIN" ]; then
  [ -x "$BASE_BIN" ] || die "baseline '$BASE_BIN' is not an executable"
  BASE_BIN=$(abspath "$(dirname "$BASE_BIN")")/$(basename "$BASE_BIN")
  if [ -n "$BASE_QA" ]; then
    BASE_QA=$(abspath "$BASE_QA") || die "baseline QA directory does not exist"
    [ -d "$BASE_QA/tests" ] || die "$BASE_QA has no tests/ (give the QA directory of the baseline's release)"
  fi
fi
[ -n "$BASE_QA" ] || BASE_QA=$NW_SRC/QA
for t in $TESTS; do
  [ -f "$NW_SRC/QA/tests/$t/$t.nw" ] || die "no QA test '$t' in $NW_SRC/QA/tests"
  [ -f "$NW_SRC/QA/tests/$t/$t.out" ] || die "QA test '$t' has no reference output $t.out"
  if [ -n "$BASE_BIN" ]; then
    [ -f "$BASE_QA/tests/$t/$t.nw" ] && [ -f "$BASE_QA/tests/$t/$t.out" ] ||
      die "no QA test '$t' (with reference output) in $BASE_QA/tests"
  fi
done
if [ "$HOSTS" = 1 ]; then
  [ "$(id -u)" = 0 ] || die "--hosts needs root (network namespaces)"
  [ -x "$HERE/hosts/run.sh" ] || die "$HERE/hosts/run.sh is missing"
  why=$("$HERE/hosts/hosts.sh" check) || die "cannot make hosts here: $why"
fi

# No environment workarounds: our runs see no ComEx, ARMCI or MPICH tuning
# variable and no preloaded library, whatever the caller's shell has set.
for v in $(env | sed -n 's/^\(\(COMEX\|ARMCI\|MPIR_CVAR\|MPICH\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
  say "unsetting $v for the runs (the check runs with no environment settings)"
  unset "$v"
done
[ -z "${LD_PRELOAD:-}" ] || { say "unsetting LD_PRELOAD=$LD_PRELOAD"; unset LD_PRELOAD; }
unset NWCHEM_BASIS_LIBRARY NWCHEM_NWPW_LIBRARY NWCHEM_EXECUTABLE MPIRUN_PATH MPIRUN_NPOPT NONSTD_MPI \
      USE_SLEEPLOOP USE_SIMINT NWPARSE BUILD_MPICH 2>/dev/null

mkdir -p "$BUILD_ARG" || die "cannot create build directory '$BUILD_ARG'"
BUILD=$(abspath "$BUILD_ARG")
case "$BUILD/" in "$NW_SRC"/*|"$GA_SRC"/*) die "BUILD must not be inside NWCHEM_SRC or GA_SRC" ;; esac
LOGS=$BUILD/logs
mkdir -p "$LOGS"

# ------------------------------------------------------------------------ build
NWTOP=$BUILD/nwchem
NWBIN=$NWTOP/bin/$NW_TARGET/nwchem
STAMP=$BUILD/build.stamp    # what the build in BUILD/nwchem was made from
DONE=$BUILD/build.done      # the build finished
desc=$(printf '%s\n' "format=$BUILD_FORMAT" "nwchem_src=$NW_SRC" "ga_src=$GA_SRC" "prefix=$PREFIX" \
  "target=$NW_TARGET" "modules=$NW_MODULES" "blas=$BLASOPT_VAL" \
  "fc=$(gfortran -dumpfullversion 2>/dev/null)" "mpi=$(mpichversion 2>/dev/null | sed -n 's/^MPICH Version: *//p')")

# make_env CMD...: run CMD with NWChem's build settings in the environment.
make_env() {
  env NWCHEM_TOP="$NWTOP" NWCHEM_TARGET="$NW_TARGET" NWCHEM_MODULES="$NW_MODULES" \
    USE_MPI=y BLAS_SIZE=8 USE_SERIALEIGENSOLVERS=y USE_NOIO=1 \
    BLASOPT="$BLASOPT_VAL" LAPACK_LIB="$BLASOPT_VAL" \
    ARMCI_NETWORK=ARMCI EXTERNAL_ARMCI_PATH="$PREFIX" \
    LDOPTIONS="-Wl,-rpath,$PREFIX/lib" \
    FC=gfortran CC=gcc \
    "$@"
}

reuse=0 why_build=
if [ "$REBUILD" = 1 ]; then why_build="--rebuild given"
elif [ ! -f "$STAMP" ]; then why_build="no build in $BUILD yet"
elif [ "$(cat "$STAMP")" != "$desc" ]; then why_build="the build in $BUILD was made from other sources, prefix or settings"
elif [ ! -f "$DONE" ] || [ ! -x "$NWBIN" ]; then why_build="the build in $BUILD did not finish: continuing it"; reuse=resume
else
  newer=$(find "$NW_SRC/src" "$GA_SRC" -newer "$STAMP" -type f -print -quit 2>/dev/null)
  if [ -n "$newer" ]; then why_build="a source file changed since the build (e.g. $newer)"
  else reuse=1
  fi
fi

if [ "$reuse" = 1 ]; then
  say "reusing the NWChem build in $NWTOP (built $(date -r "$DONE" '+%F %T'))"
  # A static libarmci is inside the binary: relink when the install is newer.
  if ! grep -q libarmci <<<"$(ldd "$NWBIN" 2>/dev/null)"; then
    if [ "$PREFIX/lib/libarmci.a" -nt "$NWBIN" ]; then
      say "libarmci is linked statically and $PREFIX/lib/libarmci.a is newer: relinking (log: $LOGS/link.log)"
      (cd "$NWTOP/src" && make_env make link) >"$LOGS/link.log" 2>&1 ||
        die "relinking NWChem failed; see $LOGS/link.log"
    fi
  fi
else
  say "building NWChem: $why_build"
  if [ "$reuse" != resume ]; then
    rm -f "$DONE" "$STAMP"
    rm -rf "$NWTOP"
    mkdir -p "$NWTOP"
    say "copying $NW_SRC/src to $NWTOP/src"
    cp -a "$NW_SRC/src" "$NWTOP/" || die "copying $NW_SRC/src failed"
    tools=$NWTOP/src/tools
    rm -rf "${tools:?}/$GA_DIRNAME"
    say "copying $GA_SRC to $tools/$GA_DIRNAME"
    cp -a "$GA_SRC" "$tools/$GA_DIRNAME" || die "copying $GA_SRC failed"
    rm -rf "$tools/$GA_DIRNAME/.git"
    if [ ! -x "$tools/$GA_DIRNAME/configure" ]; then
      command -v autoreconf >/dev/null 2>&1 ||
        die "$GA_SRC has no configure and autoreconf is missing (Debian: apt-get install autoconf automake libtool)"
      say "no configure in GA_SRC: autoreconf -vif in the copy (log: $LOGS/autoreconf.log)"
      (cd "$tools/$GA_DIRNAME" && autoreconf -vif) >"$LOGS/autoreconf.log" 2>&1 ||
        die "autoreconf failed; see $LOGS/autoreconf.log"
    fi
    # NWChem's tools/GNUmakefile fetches GA (get-tools-github) when a file of
    # the chain Makefile.in -> configure -> armci/Makefile.in -> armci/configure
    # is older than the one before it, which autoreconf's order leaves so.
    # Give them increasing times; then nothing is downloaded.
    n=0
    for f in Makefile.in configure armci/Makefile.in armci/configure; do
      [ -f "$tools/$GA_DIRNAME/$f" ] || die "$GA_DIRNAME/$f is missing in the copy of GA_SRC"
      touch -d "@$(( $(date +%s) - 10 + n ))" "$tools/$GA_DIRNAME/$f"; n=$((n + 1))
    done
    # What get-tools-github does after a download: disable GA's NXTVAL (NWChem
    # has its own) and mark the tree as patched (no patch download).
    (cd "$tools" && ./nxtval.sh "$GA_DIRNAME") >"$LOGS/nxtval.log" 2>&1 ||
      die "tools/nxtval.sh failed; see $LOGS/nxtval.log"
    touch "$tools/$GA_DIRNAME/patched"
    printf '%s\n' "$desc" >"$STAMP"
  fi
  say "make nwchem_config (log: $LOGS/config.log)"
  (cd "$NWTOP/src" && make_env make nwchem_config) >"$LOGS/config.log" 2>&1 ||
    die "make nwchem_config failed; see $LOGS/config.log"
  say "make -j$JOBS (15 minutes on 2 idle cores, an hour on busy ones; log: $LOGS/make.log)"
  t0=$SECONDS
  (cd "$NWTOP/src" && make_env make -j"$JOBS") >"$LOGS/make.log" 2>&1 ||
    die "building NWChem failed; see $LOGS/make.log (last lines:
$(grep -v '^make' "$LOGS/make.log" | tail -n 15))"
  [ -x "$NWBIN" ] || die "make finished but $NWBIN is missing; see $LOGS/make.log"
  if grep -q -E 'downloading|Attempting running ./get-tools' "$LOGS/make.log"; then
    die "the build tried to download something; see $LOGS/make.log"
  fi
  touch "$DONE"
  say "built $NWBIN in $((SECONDS - t0)) s"
fi

# The binary must load libarmci from PREFIX (rpath), or hold it statically.
lib=$(ldd "$NWBIN" 2>/dev/null | sed -n 's/.*libarmci[^ ]* => \([^ ]*\).*/\1/p')
case "$lib" in
  "") say "libarmci: linked statically from $PREFIX/lib/libarmci.a" ;;
  "$PREFIX"/lib/*) say "libarmci: $lib (installed $(date -r "$lib" '+%F %T'))" ;;
  *) die "$NWBIN loads libarmci from '$lib', not from $PREFIX/lib" ;;
esac
if grep -q 'not found' <<<"$(ldd "$NWBIN" 2>&1)"; then
  die "$NWBIN misses libraries: $(ldd "$NWBIN" | grep 'not found' | tr -s ' \t' ' ')"
fi
[ "$BUILD_ONLY" = 0 ] || { say "build ready: $NWBIN"; exit 0; }

# ----------------------------------------------------------------- the QA runs
# One QA top per side: QA/ with the harness of NWCHEM_SRC and that side's
# tests/<test>/, so that the harness's scratchdir and testoutputs stay there.
setup_top() {  # setup_top DIR QA_SOURCE
  local top=$1 qa=$2 t
  rm -rf "$top"
  mkdir -p "$top/QA/tests" || die "cannot create $top"
  for f in runtests.mpi.unix qa_funcs.sh nwparse.pl round_esp.sh; do
    [ -f "$NW_SRC/QA/$f" ] && cp "$NW_SRC/QA/$f" "$top/QA/"
  done
  # NWChem's harness exports MALLOC_PERTURB_ (a random byte): glibc then
  # writes every block malloc returns, and NWChem's memory allocator takes its
  # whole heap and stack (400 MB per rank with 7.3.1's default) at start-up.
  if [ "$NO_PERTURB" = 1 ]; then
    sed -i 's/^\( *\)export MALLOC_PERTURB_=.*/\1unset MALLOC_PERTURB_  # nwchem_check --no-perturb/' \
      "$top/QA/runtests.mpi.unix"
    grep -q 'nwchem_check --no-perturb' "$top/QA/runtests.mpi.unix" ||
      die "--no-perturb: no 'export MALLOC_PERTURB_' line in $NW_SRC/QA/runtests.mpi.unix"
  fi
  for t in $TESTS; do cp -r "$qa/tests/$t" "$top/QA/tests/" || die "copying QA test $t failed"; done
}
TOP_OURS=$BUILD/run-ours
TOP_BASE=$BUILD/run-baseline
setup_top "$TOP_OURS" "$NW_SRC/QA"

# The launcher the harness calls ($MPIRUN -np N nwchem input): every mpiexec
# under timeout; records the run's exit status and wall time.
WRAP=$BUILD/mpirun-timeout
cat >"$WRAP" <<'EOF'
#!/bin/bash
# Called by NWChem's QA harness as: mpirun-timeout -np N PROGRAM ARGS...
# Runs mpiexec under timeout (or, with NWCHEM_CHECK_HOSTS=1, across 2 hosts
# made of network namespaces) and appends "status seconds" to
# $NWCHEM_CHECK_TIMES unless PROGRAM is the harness's "echo" probe.
np=1
[ "${1:-}" = -np ] && { np=$2; shift 2; }
prog=${1:-}
t0=$(date +%s.%N)
if [ "${NWCHEM_CHECK_HOSTS:-0}" = 1 ] && [ "$prog" != echo ]; then
  # run.sh prints the job's output and its own "hosts:" lines; an NWChem
  # output file ends with "Total times"
  COMEX_HOSTS_SHIM= COMEX_HOSTS_FINALIZE_GRACE=${COMEX_HOSTS_FINALIZE_GRACE:-15} \
    "$NWCHEM_CHECK_HOSTS_RUN" -H 2 -p $((np / 2)) -n "$np" -t "$NWCHEM_CHECK_TIMEOUT" \
    -m '^ Total times +cpu:' "$@" 2>&1
  rc=$?
else
  timeout -k 10 "$NWCHEM_CHECK_TIMEOUT" "$NWCHEM_CHECK_MPIEXEC" -np "$np" "$@"
  rc=$?
fi
t1=$(date +%s.%N)
[ "$prog" = echo ] || awk -v r="$rc" -v a="$t0" -v b="$t1" 'BEGIN{printf "%d %.2f\n", r, b-a}' >>"$NWCHEM_CHECK_TIMES"
exit $rc
EOF
chmod +x "$WRAP"

BASE_ENV=()
if [ -n "$BASE_BIN" ]; then
  setup_top "$TOP_BASE" "$BASE_QA"
  if [ -n "${NWCHEM_CHECK_BASELINE_ENV+set}" ]; then
    read -r -a BASE_ENV <<<"$NWCHEM_CHECK_BASELINE_ENV"
  else
    BASE_ENV=(ARMCI_USE_WIN_ALLOCATE=0)
    d=$(dirname "$BASE_BIN")/..
    [ -d "$d/share/nwchem/libraries" ] &&
      BASE_ENV+=("NWCHEM_BASIS_LIBRARY=$(abspath "$d/share/nwchem/libraries")/")
    [ -f "$d/lib/x86_64-linux-gnu/openblas-serial/libblas.so.3" ] &&
      BASE_ENV+=("LD_LIBRARY_PATH=$(abspath "$d/lib/x86_64-linux-gnu/openblas-serial")")
  fi
fi

# Are the inputs of a test the same for both sides (all but reference outputs)?
declare -A SAME
for t in $TESTS; do
  if [ -z "$BASE_BIN" ] || diff -r -q -x '*.out' -x '*.out-*' "$NW_SRC/QA/tests/$t" "$BASE_QA/tests/$t" >/dev/null 2>&1; then
    SAME[$t]=1
  else
    SAME[$t]=0
  fi
done

# Lines of our libraries' messages.  Every message of ComEx starts with
# "comex-mt[rank]", every one of libarmci with "armci[rank]".
OUR_RE='comex-mt\[|armci\['

# run_qa SIDE TEST NP REP: one harness run; sets RUN_VERDICT ("ok" or why
# not) and RUN_SECS (mpiexec's wall time, "-" if it did not run).
RUN_VERDICT= RUN_SECS= FINALIZE_HANGS=0
run_qa() {
  local side=$1 t=$2 np=$3 rep=$4 top bin log times rc st left
  local -a envs=()
  if [ "$side" = ours ]; then top=$TOP_OURS bin=$NWBIN
  else top=$TOP_BASE bin=$BASE_BIN envs=("${BASE_ENV[@]}")
  fi
  log=$LOGS/$side.$t.np$np.run$rep
  times=$log.times
  rm -f "$times" "$log".*
  (cd "$top/QA" && env ${envs[@]+"${envs[@]}"} \
      NWCHEM_TOP="$top" NWCHEM_TARGET="$NW_TARGET" NWCHEM_EXECUTABLE="$bin" MPIRUN_PATH="$WRAP" \
      NWCHEM_CHECK_TIMES="$times" NWCHEM_CHECK_TIMEOUT="$TMO" NWCHEM_CHECK_MPIEXEC="$MPIEXEC" \
      NWCHEM_CHECK_HOSTS="$HOSTS" NWCHEM_CHECK_HOSTS_RUN="$HERE/hosts/run.sh" \
      ./runtests.mpi.unix procs "$np" "$t") >"$log.harness" 2>&1 </dev/null
  rc=$?
  cp "$top/QA/testoutputs/$t.out" "$log.out" 2>/dev/null
  cp "$top/QA/testoutputs/$t.err" "$log.err" 2>/dev/null
  # never leave ranks behind (after a timeout, say): they are ours, by path
  left=$(pgrep -f "^$bin " || true)
  if [ -n "$left" ]; then
    say "killing leftover ranks of $t: $(echo $left)"
    kill -9 $left 2>/dev/null || true
  fi
  st=$(tail -n1 "$times" 2>/dev/null | cut -d' ' -f1)
  RUN_SECS=$(tail -n1 "$times" 2>/dev/null | cut -d' ' -f2)
  [ -n "$RUN_SECS" ] || RUN_SECS=-
  if [ "$st" = 124 ] || [ "$st" = 137 ]; then RUN_VERDICT="timeout (${TMO} s)"; return; fi
  if [ -z "$st" ]; then RUN_VERDICT="NWChem did not run (harness: $(grep -m1 -i 'failed' "$log.harness"))"; return; fi
  [ "$st" = 0 ] || { RUN_VERDICT="mpiexec exit status $st"; return; }
  local hit
  hit=$(cat "$log.harness" "$log.out" "$log.err" 2>/dev/null | grep -m1 -E -- "$OUR_RE")
  [ -z "$hit" ] || { RUN_VERDICT="our error line: $(echo "$hit" | cut -c1-150)"; return; }
  if [ "$HOSTS" = 1 ]; then
    if grep -q 'hosts: FAILED' "$log.out" 2>/dev/null; then
      RUN_VERDICT="$(grep -m1 'hosts: FAILED' "$log.out")"; return
    fi
    # MPICH 4.0.2 + UCX over TCP can hang in MPI_Finalize after the work is
    # done (doc/hosts.md); run.sh then kills the job and passes it: count them.
    grep -q 'FINALIZE HANG' "$log.out" 2>/dev/null && FINALIZE_HANGS=$((FINALIZE_HANGS + 1))
  fi
  [ "$rc" = 0 ] || { RUN_VERDICT="QA harness failed (exit $rc): $(grep -m1 -E 'failed|Failed' "$log.harness" | cut -c1-100)"; return; }
  # The harness prints "verifying output ... ", then the run's stderr, then OK.
  awk '/verifying output/ {v = 1} v && /OK *$/ {ok = 1} END {exit !ok}' "$log.harness" ||
    { RUN_VERDICT="QA harness did not say OK"; return; }
  RUN_VERDICT=ok
}

median() { tr ' ' '\n' | grep -v '^-\?$' | sort -n | awk '{v[NR]=$1} END{ if (NR==0) printf "-"; else if (NR%2) printf "%.1f", v[(NR+1)/2]; else printf "%.1f", (v[NR/2]+v[NR/2+1])/2 }'; }

nw_ver=$(sed -n 's/^RELEASE *:= *//p' "$NW_SRC/src/config/makefile.h" | head -n1)
say "tests: $(echo $TESTS); ranks: $RANKS; repetitions: $REPEAT; timeout ${TMO} s per run"
say "ours: $NWBIN (no environment settings)"
if [ -n "$BASE_BIN" ]; then
  say "baseline: $BASE_BIN with: ${BASE_ENV[*]:-(nothing)}"
  say "baseline inputs: $BASE_QA/tests"
  for t in $TESTS; do [ "${SAME[$t]}" = 1 ] || say "  $t: inputs differ from NWCHEM_SRC's; the baseline runs its own"; done
fi
[ "$HOSTS" = 0 ] || say "across 2 hosts (testing/hosts/run.sh): N ranks = N/2 on h1 + N/2 on h2"
[ "$NO_PERTURB" = 0 ] || say "--no-perturb: the harness does not export MALLOC_PERTURB_ (either side)"
say "logs: $LOGS"
say "load average now: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores; other jobs inflate the times)"

INST_TIME=$(stat -L -c %Y "$PREFIX"/lib/libarmci.* "$PREFIX"/lib/libcomex.* 2>/dev/null | sort -n | tail -n1)
declare -A RES TIMES WHY BRES BTIMES BWHY
for r in $(seq 1 "$REPEAT"); do
  [ "$REPEAT" = 1 ] || say "round $r of $REPEAT"
  for t in $TESTS; do
    for np in $RANKS; do
      k="$t $np"
      sides=ours
      if [ -n "$BASE_BIN" ]; then
        # alternate who goes first, so that neither always runs on a warm cache
        if [ $((r % 2)) = 1 ]; then sides="ours baseline"; else sides="baseline ours"; fi
      fi
      for side in $sides; do
        run_qa "$side" "$t" "$np" "$r"
        if [ "$side" = ours ]; then
          TIMES[$k]="${TIMES[$k]:-} $RUN_SECS"
          if [ "$RUN_VERDICT" = ok ]; then [ "${RES[$k]:-PASS}" = FAIL ] || RES[$k]=PASS
          else RES[$k]=FAIL; WHY[$k]="${WHY[$k]:-run $r: $RUN_VERDICT (logs: $LOGS/$side.$t.np$np.run$r.*)}"; fi
        else
          BTIMES[$k]="${BTIMES[$k]:-} $RUN_SECS"
          if [ "$RUN_VERDICT" = ok ]; then [ "${BRES[$k]:-PASS}" = FAIL ] || BRES[$k]=PASS
          else BRES[$k]=FAIL; BWHY[$k]="${BWHY[$k]:-run $r: $RUN_VERDICT (logs: $LOGS/$side.$t.np$np.run$r.*)}"; fi
        fi
        printf 'nwchem_check:   %-8s %-16s %2s ranks  %-4s %8s s%s\n' "$side" "$t" "$np" \
          "$([ "$RUN_VERDICT" = ok ] && echo pass || echo FAIL)" "$RUN_SECS" \
          "$([ "$RUN_VERDICT" = ok ] || echo "  $RUN_VERDICT")"
      done
    done
  done
done

# ---------------------------------------------------------------------- report
echo
where="on comex-mt libarmci ($PREFIX)"
[ "$HOSTS" = 0 ] || where="$where, across 2 hosts"
echo "NWChem ${nw_ver:-?} QA tests $where, no environment settings; $(date '+%F')"
[ "$REPEAT" = 1 ] || echo "(times: median of $REPEAT runs; wall time of mpiexec)"
[ "$REPEAT" = 1 ] && echo "(times: wall time of mpiexec)"
[ "$NO_PERTURB" = 0 ] || echo "(the harness ran without MALLOC_PERTURB_: --no-perturb)"
if [ -n "$BASE_BIN" ]; then
  echo "baseline: $BASE_BIN (${BASE_ENV[*]:-})"
  printf '%-16s %5s %-6s %9s | %-8s %9s %6s  %s\n' test ranks result seconds baseline seconds ratio inputs
  printf '%-16s %5s %-6s %9s | %-8s %9s %6s  %s\n' ---------------- ----- ------ --------- -------- --------- ------ ------
else
  printf '%-16s %5s %-6s %9s\n' test ranks result seconds
  printf '%-16s %5s %-6s %9s\n' ---------------- ----- ------ ---------
fi
npass=0 nrun=0 total=0 bpass=0 btotal=0 ctotal=0 cbtotal=0 ncomp=0
for t in $TESTS; do
  for np in $RANKS; do
    k="$t $np"
    nrun=$((nrun + 1))
    m=$(echo "${TIMES[$k]}" | median)
    [ "${RES[$k]}" = PASS ] && npass=$((npass + 1))
    [ "$m" = - ] || total=$(awk -v a="$total" -v b="$m" 'BEGIN{printf "%.1f", a+b}')
    if [ -n "$BASE_BIN" ]; then
      bm=$(echo "${BTIMES[$k]}" | median)
      [ "${BRES[$k]}" = PASS ] && bpass=$((bpass + 1))
      [ "$bm" = - ] || btotal=$(awk -v a="$btotal" -v b="$bm" 'BEGIN{printf "%.1f", a+b}')
      ratio=-
      if [ "${SAME[$t]}" = 1 ] && [ "${RES[$k]}" = PASS ] && [ "${BRES[$k]}" = PASS ]; then
        ratio=$(awk -v a="$m" -v b="$bm" 'BEGIN{ if (b > 0) printf "%.2f", a/b; else print "-" }')
        ctotal=$(awk -v a="$ctotal" -v b="$m" 'BEGIN{printf "%.1f", a+b}')
        cbtotal=$(awk -v a="$cbtotal" -v b="$bm" 'BEGIN{printf "%.1f", a+b}')
        ncomp=$((ncomp + 1))
      fi
      printf '%-16s %5s %-6s %9s | %-8s %9s %6s  %s\n' "$t" "$np" "${RES[$k]}" "$m" "${BRES[$k]}" "$bm" "$ratio" \
        "$([ "${SAME[$t]}" = 1 ] && echo same || echo "differ (baseline ran its own)")"
    else
      printf '%-16s %5s %-6s %9s\n' "$t" "$np" "${RES[$k]}" "$m"
    fi
  done
done
if [ -n "$BASE_BIN" ]; then
  printf '%-16s %5s %-6s %9s | %-8s %9s\n' ---------------- ----- ------ --------- -------- ---------
  printf '%-16s %5s %-6s %9s | %-8s %9s\n' total "" "$npass/$nrun" "$total" "$bpass/$nrun" "$btotal"
  echo
  echo "passed: ours $npass of $nrun, baseline $bpass of $nrun"
  echo "comparable runs (same inputs, both passed): $ncomp; wall time ours $ctotal s, baseline $cbtotal s"
else
  printf '%-16s %5s %-6s %9s\n' ---------------- ----- ------ ---------
  printf '%-16s %5s %-6s %9s\n' total "" "$npass/$nrun" "$total"
  echo
  echo "passed: $npass of $nrun; total wall time: $total s"
fi
# The binary loads libarmci and libcomex at every start: an install made
# while the runs went on means they did not all run the same library.
inst_now=$(stat -L -c %Y "$PREFIX"/lib/libarmci.* "$PREFIX"/lib/libcomex.* 2>/dev/null | sort -n | tail -n1)
[ "$inst_now" = "$INST_TIME" ] ||
  echo "WARNING: $PREFIX/lib changed during the runs ($(date -d "@$inst_now" '+%F %T')): the runs mix library versions"
status=0
for t in $TESTS; do
  for np in $RANKS; do
    k="$t $np"
    if [ "${RES[$k]}" != PASS ]; then echo "FAIL $t at $np ranks: ${WHY[$k]}"; status=1; fi
    if [ -n "$BASE_BIN" ] && [ "${BRES[$k]}" != PASS ]; then
      echo "baseline failed $t at $np ranks (not counted): ${BWHY[$k]}"
    fi
  done
done
[ "$FINALIZE_HANGS" = 0 ] ||
  echo "note: $FINALIZE_HANGS run(s) hung in MPI_Finalize after their work was done (MPICH + UCX over TCP, doc/hosts.md); counted as passed"
[ $status = 0 ] && echo "nwchem_check: all passed" || echo "nwchem_check: FAILED"
exit $status
