#!/bin/sh
# mixed_shm.sh PROGRAM [ARGS...]: run PROGRAM with COMEX_SHM=0 on the ranks
# listed in COMEX_TEST_MSG_RANKS (default "0 2") and the node-local path on
# the others, so message and shared-memory operations meet on the same memory.
# Hydra gives every process its rank in PMI_RANK, Open MPI in
# OMPI_COMM_WORLD_RANK.
case " ${COMEX_TEST_MSG_RANKS:-0 2} " in
  *" ${PMI_RANK:-${OMPI_COMM_WORLD_RANK:-x}} "*) COMEX_SHM=0; export COMEX_SHM ;;
esac
exec "$@"
