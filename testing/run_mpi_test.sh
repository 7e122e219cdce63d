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
# A program is built in the build tree; a script (mixed_shm.sh) stays in the
# source tree, which differs from the build tree in a VPATH build.
path=${top_builddir:-.}/$prog
[ -e "$path" ] || [ ! -e "$here/../$prog" ] || path=$here/../$prog
exec env $env "$here/run_mpi.sh" "$np" "$path" $args
