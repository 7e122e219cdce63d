# Benchmarks: built by `make`, run by `make bench` (2 ranks), not part of `make check`.
#   make bench                          all three, 2 ranks, default options
#   make bench BENCH_ARGS="-r 9 -t 20"  options passed to perf_contig and perf_amo
#   make bench BENCH_NP=4               more ranks (ranks >= 2 only join collectives)
# Every launch goes through testing/run_mpi.sh (timeout, COMEX_TEST_TIMEOUT).
BENCH_BINS = testing/perf_contig testing/perf_amo testing/perf_idle testing/perf_strided
noinst_PROGRAMS += $(BENCH_BINS)
testing_perf_contig_SOURCES = testing/perf_contig.cc testing/bench_util.h
testing_perf_contig_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_amo_SOURCES = testing/perf_amo.cc testing/bench_util.h
testing_perf_amo_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_idle_SOURCES = testing/perf_idle.cc testing/bench_util.h
testing_perf_idle_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_strided_SOURCES = testing/perf_strided.cc testing/bench_util.h
testing_perf_strided_LDADD = libcomex.la $(HWLOC_LIBS)

BENCH_NP ?= 2
BENCH_ARGS ?=
BENCH_IDLE_ARGS ?=
bench: $(BENCH_BINS)
	MPIEXEC='$(MPIEXEC)' $(top_srcdir)/testing/run_mpi.sh $(BENCH_NP) testing/perf_contig $(BENCH_ARGS)
	MPIEXEC='$(MPIEXEC)' $(top_srcdir)/testing/run_mpi.sh $(BENCH_NP) testing/perf_amo $(BENCH_ARGS)
	MPIEXEC='$(MPIEXEC)' $(top_srcdir)/testing/run_mpi.sh $(BENCH_NP) testing/perf_strided $(BENCH_ARGS)
	MPIEXEC='$(MPIEXEC)' $(top_srcdir)/testing/run_mpi.sh $(BENCH_NP) testing/perf_idle $(BENCH_IDLE_ARGS)
.PHONY: bench

# Progress thread placements compared (COMEX_PROGRESS_BIND; doc/topology.md):
#   testing/bench_bind.sh [ROUNDS] [CONFIG...]   (from the build tree)
EXTRA_DIST += testing/bench_bind.sh testing/bench_bind_summary.py
