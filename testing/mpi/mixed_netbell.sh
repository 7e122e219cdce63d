#!/bin/sh
# mixed_netbell.sh PROGRAM [ARGS...]: run PROGRAM with COMEX_NET_BELL=0 on the
# ranks listed in COMEX_TEST_NOBELL_RANKS (default "0") and the network
# doorbell on the others: ranks that ring and ranks that must be polled for
# meet in one job.  Hydra gives every process its rank in PMI_RANK, Open MPI
# in OMPI_COMM_WORLD_RANK.
case " ${COMEX_TEST_NOBELL_RANKS:-0} " in
  *" ${PMI_RANK:-${OMPI_COMM_WORLD_RANK:-x}} "*) COMEX_NET_BELL=0; export COMEX_NET_BELL ;;
esac
exec "$@"
