#!/bin/sh
# run_mpi.sh NP PROGRAM [ARGS...]: launch PROGRAM on NP ranks under a timeout,
# so that a hang fails fast.  COMEX_TEST_TIMEOUT (seconds, default 300)
# bounds the whole job; MPIEXEC names the launcher (default mpiexec).
np=$1; shift
: "${MPIEXEC:=mpiexec}"
: "${COMEX_TEST_TIMEOUT:=300}"
exec timeout -k 10 "$COMEX_TEST_TIMEOUT" $MPIEXEC -n "$np" "$@"
