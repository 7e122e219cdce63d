#!/bin/sh
# kill.sh launcher|runtime [SCENARIOS]: SIGKILL one rank of a 3-rank job at a
# random point of each scenario of kill_rank (stream, mutex, barrier,
# target), with the node-local path on (COMEX_SHM=1) and off (COMEX_SHM=0).
# Every job must end within 10 s of the kill with a non-zero exit, its output
# must name the dead rank (under hydra in launcher mode: see below), no rank may be left running and nothing new may be
# left in /dev/shm.
#   launcher  the launcher sees the death (it usually stops the job itself).
#   runtime   the dead rank's place is kept by testing/faults/hide_death.sh,
#             so the launcher sees nothing: the job ends only because the
#             other ranks notice the death (COMEX_PEER_CHECK_US) and print
#             "rank N (pid P) on this node died".  Over UCX the job may
#             also end first by UCX aborting a rank that was copying from
#             the dead one (its line names the dead pid): accepted.
# COMEX_FAULT_SEED fixes the seed (printed for every job); FAULT_SHM="1 0"
# the modes; FAULT_NP the ranks; FAULT_HOSTS=N runs 2 ranks on each of N
# hosts (testing/hosts/run.sh, hydra and root only).
mode=${1:-launcher}
shift
scenarios=${*:-stream mutex barrier target}
here=$(cd "$(dirname "$0")" && pwd)
top=${top_builddir:-.}
prog=$top/testing/faults/kill_rank
[ -x "$prog" ] || { echo "FAIL: $prog is not built"; exit 1; }
[ -d /dev/shm ] || { echo "SKIP: no /dev/shm"; exit 77; }
np=${FAULT_NP:-3}
seed=${COMEX_FAULT_SEED:-$(( $(date +%s) % 100000 ))}
tmp=${TMPDIR:-/tmp}/comex-kill.$$
wrap=
[ "$mode" = runtime ] && wrap=$here/hide_death.sh
# Hydra kills the other ranks within milliseconds and names a pid, not
# always the dead one's; our line then wins the race only most of the time.
hydra=0
case $(${MPIEXEC:-mpiexec} --version 2>/dev/null | head -n 1) in *HYDRA*) hydra=1 ;; esac
status=0
for shm in ${FAULT_SHM:-1 0}; do
  for sc in $scenarios; do
    seed=$((seed + 1))
    ls /dev/shm | grep '^cxmt\.' | sort >"$tmp.before"
    rm -f "$tmp.mark"
    token=faults$$x$seed
    if [ -n "${FAULT_HOSTS:-}" ]; then  # 2 ranks on each of FAULT_HOSTS hosts
      COMEX_SHM=$shm COMEX_FAULT_MARK=$tmp.mark "$here/../hosts/run.sh" -H "$FAULT_HOSTS" -p 2 \
        -t "${FAULT_TIMEOUT:-60}" $wrap "$prog" "$sc" "$seed" "$token" >"$tmp.log" 2>&1
    else
      COMEX_SHM=$shm COMEX_FAULT_MARK=$tmp.mark COMEX_TEST_TIMEOUT=${FAULT_TIMEOUT:-60} \
        "$here/../run_mpi.sh" "$np" $wrap "$prog" "$sc" "$seed" "$token" >"$tmp.log" 2>&1
    fi
    rc=$?
    end=$(date +%s.%N)
    sleep 0.2  # a rank being killed may still be on its way out
    left=$(pgrep -f "kill_rank $sc $seed $token" | tr '\n' ' ')
    ls /dev/shm | grep '^cxmt\.' | sort >"$tmp.after"
    # Only names of this job's ranks: other jobs may run on the machine.
    pids=$(sed -n 's/^kill_rank: rank [0-9]* pid \([0-9]*\)$/\1/p' "$tmp.log" | tr '\n' '|')
    [ -n "$pids" ] || pids="[0-9]+|"
    new=$(comm -13 "$tmp.before" "$tmp.after" | grep -E "^cxmt\.(${pids%|})\." )
    what="$mode COMEX_SHM=$shm $sc seed=$seed"
    if [ ! -s "$tmp.mark" ]; then
      echo "FAIL: $what: the job ended (exit $rc) before the kill"; cat "$tmp.log"; status=1
      continue
    fi
    read -r vpid vrank vtime <"$tmp.mark"
    took=$(echo "$end - $vtime" | bc)
    ours=$(grep -c "rank $vrank (pid $vpid) on this node died" "$tmp.log")
    named=$ours
    # Hydra names the pid of the dead process, Open MPI's mpirun its rank.
    grep -q "PID $vpid RUNNING AT\|process rank $vrank with PID" "$tmp.log" && named=$((named + 1))
    # MPICH over UCX: a rank copying a payload out of the victim by CMA is
    # aborted by UCX itself when the victim is gone ("process_vm_readv(pid=P
    # ...) returned -1: No such process"); the launcher sees that rank die
    # and ends the job within milliseconds, before a watcher can print.
    ucx=0
    grep -q "process_vm_readv(pid=$vpid .*No such process" "$tmp.log" && ucx=1
    named=$((named + ucx))
    res="$what: victim rank $vrank pid $vpid, exit $rc, ended $took s after the kill, runtime lines $ours"
    if [ $rc -eq 0 ] || [ $rc -eq 124 ]; then
      echo "FAIL: $res: the job did not fail (or hung)"; status=1
    elif [ "$(echo "$took > 10" | bc)" = 1 ]; then
      echo "FAIL: $res: more than 10 s"; status=1
    elif [ -n "$left" ]; then
      echo "FAIL: $res: processes left: $left"; kill -9 $left 2>/dev/null; status=1
    elif [ "$mode" = runtime ] && [ "$ours" -eq 0 ] && [ $ucx = 0 ]; then
      echo "FAIL: $res: no line of the runtime naming the dead rank"; status=1
    elif [ "$named" -eq 0 ] && [ "$hydra" != 1 ]; then
      echo "FAIL: $res: nothing in the output names the dead rank"; status=1
    elif [ -n "$new" ]; then
      echo "FAIL: $res: left in /dev/shm:"; echo "$new"; status=1
    else
      [ "$named" -eq 0 ] && res="$res (hydra stopped the job before our line; it named another pid)"
      [ "$ours" -eq 0 ] && [ $ucx = 1 ] &&
        res="$res (UCX aborted a rank reading from the dead one first; its line names the pid)"
      echo "PASS: $res"
      continue
    fi
    sed 's/^/  | /' "$tmp.log" | tail -n 30
  done
done
rm -f "$tmp.before" "$tmp.after" "$tmp.log" "$tmp.mark"
exit $status
