#!/bin/sh
# A rank SIGKILLed on one of 2 hosts (2 ranks each; testing/hosts): its node
# peer notices (the death hidden from the launcher), the whole job ends.
# Needs root and MPICH's hydra (exit 77 otherwise), as the other hosts jobs.
here=$(dirname "$0")
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
case $(${MPIEXEC:-mpiexec} --version 2>/dev/null | head -n 1) in
  *HYDRA*) ;;
  *) echo "SKIP: needs MPICH's hydra"; exit 77 ;;
esac
[ -z "${COMEX_SANITIZE:-}" ] || { echo "SKIP: sanitizer build"; exit 77; }
FAULT_HOSTS=2 FAULT_SHM="1" "$here/kill.sh" runtime stream mutex
rc1=$?
[ $rc1 -eq 77 ] && exit 77
FAULT_HOSTS=2 FAULT_SHM="0" "$here/kill.sh" runtime barrier target
rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
