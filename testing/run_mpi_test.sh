#!/bin/sh
# Test driver for the *.mpi job files of `make check`.  A job file holds
# shell assignments:  np=N  prog=PATH (relative to the build tree)  and
# optionally  env="VAR=value ..."  and  args="...".  The job runs through
# run_mpi.sh, so every launch is under a timeout.
job=$1
np=1 prog= env= args=
. "$job" || exit 99
[ -n "$prog" ] || { echo "$job: no prog=" >&2; exit 99; }
here=$(dirname "$0")
echo "job: np=$np prog=$prog env=$env args=$args"
exec env $env "$here/run_mpi.sh" "$np" "${top_builddir:-.}/$prog" $args
