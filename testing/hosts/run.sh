#!/usr/bin/env bash
# run.sh -- run one MPI job across several hosts made of network namespaces
# on this machine (testing/hosts/hosts.sh; design in doc/hosts.md).
#
#   testing/hosts/run.sh [options] PROG [ARGS...]
#     -H N         hosts h1..hN (default 2)
#     -p PPN       ranks per host (default 2); hydra places them in blocks:
#                  ranks 0..PPN-1 on h1, the next PPN on h2, ...
#     -n NP        ranks in total (default N*PPN)
#     -e VAR=VAL   environment for the ranks (repeatable).  The ranks also
#                  inherit this script's environment (hydra passes it on), so
#                  `COMEX_SHM=0 testing/hosts/run.sh ...` works as well.
#     -t SEC       time limit of the job (default $COMEX_TEST_TIMEOUT or 300)
#     -m REGEX     output line (grep -E) that says the job's work is done and
#                  passed (default: GoogleTest's "[  PASSED  ] N tests");
#                  used to tell a hang in MPI_Finalize from other hangs
#
# Exit: the job's exit code; 77 (skip) if hosts cannot be made here (not
# root, no iproute2, no namespaces); 0 with a "FINALIZE HANG" report if the
# job's work passed and every rank was found stuck inside MPI_Finalize (set
# COMEX_HOSTS_FINALIZE_HANG=fail to fail instead).
#
# Environment:
#   MPIEXEC                    MPICH hydra's mpiexec (default mpiexec)
#   COMEX_HOSTS_SHIM           finalize_shim library preloaded into the ranks
#                              (default: the one built in the build tree, if any;
#                              empty: none)
#   COMEX_HOSTS_CLOSE_WAIT     seconds the shim lets MPI_Finalize wait for UCX
#                              endpoint closes (default 2)
#   COMEX_HOSTS_UCX            UCX settings for the ranks (default
#                              "UCX_TLS=tcp,self,sm UCX_NET_DEVICES=eth0")
#   COMEX_HOSTS_FINALIZE_GRACE seconds after the done-line before the job is
#                              declared stuck (default 30)
#   COMEX_HOSTS_LOCK_WAIT      seconds to wait for another run to finish (default 900)
#
# One run at a time per machine (a lock): hosts are global to the machine.
# Hosts are made at start (after removing leftovers of an aborted run) and
# removed at exit, also on failure or Ctrl-C.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
hosts=2 ppn=2 np= tlimit=${COMEX_TEST_TIMEOUT:-300}
marker='^\[  PASSED  \] [0-9]+ test'
extra_env=()
while getopts H:p:n:e:t:m:h opt; do
  case $opt in
    H) hosts=$OPTARG ;;
    p) ppn=$OPTARG ;;
    n) np=$OPTARG ;;
    e) case "$OPTARG" in *=*) extra_env+=("$OPTARG") ;; *) echo "run.sh: -e needs VAR=VALUE" >&2; exit 2 ;; esac ;;
    t) tlimit=$OPTARG ;;
    m) marker=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "run.sh: no program given (-h for help)" >&2; exit 2; }
case "$hosts$ppn" in *[!0-9]*) echo "run.sh: -H and -p take numbers" >&2; exit 2 ;; esac
[ "$hosts" -ge 1 ] && [ "$hosts" -le 8 ] || { echo "run.sh: -H 1..8" >&2; exit 2; }
: "${np:=$((hosts * ppn))}"
prog=$1; shift
case "$prog" in /*) ;; *) prog=$PWD/$prog ;; esac
[ -x "$prog" ] || { echo "run.sh: $prog: not an executable" >&2; exit 2; }

: "${MPIEXEC:=mpiexec}"
: "${COMEX_HOSTS_UCX=UCX_TLS=tcp,self,sm UCX_NET_DEVICES=eth0}"
: "${COMEX_HOSTS_FINALIZE_GRACE:=30}"
: "${COMEX_HOSTS_LOCK_WAIT:=900}"
: "${COMEX_HOSTS_FINALIZE_HANG:=pass}"
if [ -z "${COMEX_HOSTS_SHIM+set}" ]; then
  COMEX_HOSTS_SHIM=
  for f in "${top_builddir:-.}/testing/hosts/.libs/libcomex_hosts_shim.so" \
           "$here/.libs/libcomex_hosts_shim.so"; do
    [ -f "$f" ] && { COMEX_HOSTS_SHIM=$(cd "$(dirname "$f")" && pwd)/$(basename "$f"); break; }
  done
fi
export COMEX_HOSTS_PREFIX="${COMEX_HOSTS_PREFIX:-cmxh}"
export COMEX_HOSTS_BRIDGE="${COMEX_HOSTS_BRIDGE:-cmxbr0}"

say() { echo "hosts: $*"; }

# --- can hosts be made here? (77 = skip for automake)
why=$("$here/hosts.sh" check) || { echo "$why (skipped)"; exit 77; }
mpiexec_version=$($MPIEXEC --version 2>/dev/null || true)   # (no pipe into grep -q: SIGPIPE + pipefail)
if ! grep -q HYDRA <<<"$mpiexec_version"; then
  say "'$MPIEXEC' is not MPICH's hydra mpiexec (skipped)"; exit 77
fi

# --- one run at a time
lockfile=/run/lock/comex-hosts.lock
[ -d /run/lock ] || lockfile=/tmp/comex-hosts.lock
exec 9>"$lockfile"
if ! flock -n 9; then
  say "waiting for another several-hosts run (lock $lockfile) ..."
  flock -w "$COMEX_HOSTS_LOCK_WAIT" 9 || { say "lock not free after ${COMEX_HOSTS_LOCK_WAIT} s"; exit 1; }
fi

work=$(mktemp -d /tmp/comex-hosts.XXXXXX)
out=$work/out
jobpid= tailpid=
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$jobpid" ] && kill -0 "$jobpid" 2>/dev/null; then kill -TERM "$jobpid" 2>/dev/null || true; sleep 1; fi
  [ -n "$tailpid" ] && kill "$tailpid" 2>/dev/null || true
  "$here/hosts.sh" down || echo "hosts: cleanup failed; run '$here/hosts.sh down' as root" >&2
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "hosts: interrupted" >&2; exit 130' INT TERM

# --- hosts (hosts.sh up removes leftovers of an aborted run first)
"$here/hosts.sh" up "$hosts"
hostlist=$(seq -s, -f 'h%.0f' 1 "$hosts")

genv=(-genv COMEX_HOSTS_PPN "$ppn")
for kv in $COMEX_HOSTS_UCX "${extra_env[@]}"; do genv+=(-genv "${kv%%=*}" "${kv#*=}"); done
[ -n "$COMEX_HOSTS_SHIM" ] && genv+=(-genv LD_PRELOAD "$COMEX_HOSTS_SHIM")

say "$hosts host(s) $hostlist, $ppn rank(s) per host, $np rank(s); env: $COMEX_HOSTS_UCX ${extra_env[*]:-}"
say "finalize shim: ${COMEX_HOSTS_SHIM:-none}"
say "job: $prog $*"

# --- the job, under timeout (a backstop: the watcher below acts first)
: > "$out"
timeout -k 10 $((tlimit + 60)) $MPIEXEC -launcher ssh -launcher-exec "$here/ssh" \
  -iface "$COMEX_HOSTS_BRIDGE" -hosts "$hostlist" -ppn "$ppn" -n "$np" "${genv[@]}" \
  "$prog" "$@" > "$out" 2>&1 < /dev/null &
jobpid=$!
tail -n +1 -f --pid="$jobpid" "$out" &
tailpid=$!

# --- watch: done-line seen, then no exit within the grace time = stuck
start=$SECONDS done_at= stuck=
while kill -0 "$jobpid" 2>/dev/null; do
  sleep 1
  if [ -z "$done_at" ] && grep -Eq "$marker" "$out"; then done_at=$SECONDS; fi
  if [ -n "$done_at" ] && [ $((SECONDS - done_at)) -ge "$COMEX_HOSTS_FINALIZE_GRACE" ]; then stuck=after-done; break; fi
  if [ $((SECONDS - start)) -ge "$tlimit" ]; then stuck=timeout; break; fi
done

# Rank processes: what runs inside our namespaces with libmpich mapped.
rank_pids() {
  local ns pid
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^${COMEX_HOSTS_PREFIX}[0-9]+$"); do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
      grep -q libmpich "/proc/$pid/maps" 2>/dev/null && echo "$pid"
    done
  done
}

rc=0 in_finalize=0 nranks=0
if [ -n "$stuck" ]; then
  sleep 1   # let tail print what is there
  kill "$tailpid" 2>/dev/null || true
  if [ "$stuck" = timeout ]; then say "TIMEOUT: job still running after $tlimit s"
  else say "job printed its done-line but has not exited after $COMEX_HOSTS_FINALIZE_GRACE s"; fi
  if command -v gdb >/dev/null 2>&1; then
    for pid in $(rank_pids); do
      nranks=$((nranks + 1))
      gdb -p "$pid" -batch -ex 'thread apply all bt 12' > "$work/bt.$pid" 2>/dev/null || true
      if grep -q 'MPI_Finalize' "$work/bt.$pid"; then in_finalize=$((in_finalize + 1)); f=yes; else f=no; fi
      say "rank process $pid: in MPI_Finalize: $f"
      # the main thread's innermost frames
      awk '/^Thread 1 /{p=1; next} /^Thread /{p=0} p && /^#[0-9]/' "$work/bt.$pid" | head -n 10 | cut -c1-160 | sed 's/^/    /'
    done
  else
    say "(gdb not installed: cannot look where the ranks are)"
  fi
  kill -TERM "$jobpid" 2>/dev/null || true
  wait "$jobpid" 2>/dev/null || true
  jobpid=
  failed_lines=$(grep -c -E '^\[  FAILED  \]|^\[rank [0-9]+\]|FAILED' "$out" || true)
  if [ "$stuck" = after-done ] && [ "$nranks" -gt 0 ] && [ "$in_finalize" -eq "$nranks" ] && [ "$failed_lines" -eq 0 ]; then
    say "FINALIZE HANG: the job's work passed and all $nranks rank processes are inside MPI_Finalize"
    say "(MPICH 4.0.2 + UCX over TCP, see doc/hosts.md); job killed"
    [ "$COMEX_HOSTS_FINALIZE_HANG" = fail ] && rc=1
  else
    say "FAILED: job hung ($in_finalize of $nranks rank processes in MPI_Finalize, $failed_lines failure line(s))"
    rc=1
  fi
else
  wait "$jobpid" && rc=0 || rc=$?
  jobpid=
  wait "$tailpid" 2>/dev/null || true
  [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && say "TIMEOUT (backstop)"
  shimmed=$(grep -c '^finalize_shim:' "$out" || true)
  [ "$shimmed" -gt 0 ] && say "finalize shim gave up waiting for endpoint closes on $shimmed rank(s)"
  if [ "$rc" -eq 0 ]; then say "job passed"; else say "FAILED: job exit code $rc"; fi
fi
tailpid=
exit "$rc"
