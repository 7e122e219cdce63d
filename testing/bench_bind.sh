#!/bin/sh
# bench_bind.sh [ROUNDS] [CONFIG...]: compare progress-thread placements.
#
# Runs testing/perf_contig and testing/perf_amo at 2 ranks for every CONFIG,
# interleaved, ROUNDS times (default 5), and prints the median of the key
# numbers per config with testing/bench_bind_summary.py.  A CONFIG is
# MODE or MODE+bound: COMEX_PROGRESS_BIND=MODE, "+bound" also binds the ranks
# to cores (HYDRA_BINDING=core, i.e. mpiexec -bind-to core).  Default configs:
# none core none+bound core+bound.  Before each run it waits (up to
# BENCH_QUIET_WAIT seconds, default 60) for the machine to be quiet, since
# other load spoils the numbers; every run's "CPU used by other processes"
# line is kept and noisy runs are reported apart.
# Run from the build tree.  Outputs go to BENCH_OUT (default bench_bind.out/).
rounds=${1:-5}
[ $# -gt 0 ] && shift
configs=${*:-"none core none+bound core+bound"}
out=${BENCH_OUT:-bench_bind.out}
here=$(dirname "$0")
wait_max=${BENCH_QUIET_WAIT:-60}
contig_args=${BENCH_CONTIG_ARGS:-"-m 1048576"}
mkdir -p "$out"

# Busy share (percent) of all CPUs over one second, from /proc/stat.
busy() {
  set -- $(head -1 /proc/stat)
  t1=$(($2 + $3 + $4 + $5 + $6 + $7 + $8 + $9)); i1=$(($5 + $6))
  sleep 1
  set -- $(head -1 /proc/stat)
  t2=$(($2 + $3 + $4 + $5 + $6 + $7 + $8 + $9)); i2=$(($5 + $6))
  echo $(( 100 * ((t2 - t1) - (i2 - i1)) / (t2 - t1 + 1) ))
}

quiet() {
  waited=0
  while [ "$(busy)" -gt 15 ] && [ $waited -lt "$wait_max" ]; do
    sleep 4
    waited=$((waited + 5))
  done
}

for r in $(seq 1 "$rounds"); do
  for c in $configs; do
    mode=${c%+bound}
    envs="COMEX_PROGRESS_BIND=$mode"
    [ "$mode" != "$c" ] && envs="$envs HYDRA_BINDING=core"
    for prog in perf_contig perf_amo; do
      args=
      [ $prog = perf_contig ] && args=$contig_args
      quiet
      f="$out/$c.$prog.$r.txt"
      echo "round $r: $c $prog" >&2
      env $envs "$here/run_mpi.sh" 2 "testing/$prog" $args > "$f" 2>&1 || echo "  failed: $f" >&2
    done
  done
done
python3 "$here/bench_bind_summary.py" "$out"
