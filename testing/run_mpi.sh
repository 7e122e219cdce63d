#!/bin/sh
# run_mpi.sh NP PROGRAM [ARGS...]: launch PROGRAM on NP ranks under a timeout,
# so that a hang fails fast.  COMEX_TEST_TIMEOUT (seconds, default 300)
# bounds the whole job; MPIEXEC names the launcher (default mpiexec).
#
# Either MPI's launcher works.  MPICH's (hydra) takes the job as it is and
# binds ranks when HYDRA_BINDING=core is set.  Open MPI's is given what the
# jobs need of it: more ranks than cores (--oversubscribe), running as root
# when we are root, and the same binding as hydra's: none unless
# HYDRA_BINDING=core.
np=$1; shift
: "${MPIEXEC:=mpiexec}"
: "${COMEX_TEST_TIMEOUT:=300}"
opts=
case $($MPIEXEC --version 2>/dev/null | head -n 1) in
  *"Open MPI"* | *OpenRTE*)
    # Its ranks write to a terminal of mpiexec's: no GoogleTest colours
    # in the logs (testing/summarize.sh reads them).
    GTEST_COLOR=no; export GTEST_COLOR
    opts="--oversubscribe"
    [ "$(id -u)" = 0 ] && opts="$opts --allow-run-as-root"
    case ${HYDRA_BINDING:-} in
      core) opts="$opts --bind-to core" ;;
      *) opts="$opts --bind-to none" ;;
    esac ;;
esac
exec timeout -k 10 "$COMEX_TEST_TIMEOUT" $MPIEXEC $opts -n "$np" "$@"
