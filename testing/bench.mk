# Benchmarks: built by `make`, run by `make bench` (2 ranks), not part of `make check`.
#   make bench                          all seven, 2 ranks (perf_busy also at 4), default options
#   make bench BENCH_ARGS="-r 9 -t 20"  options passed to perf_contig, perf_amo, perf_strided
#   make bench BENCH_ARGS="-M msg"      only COMEX_SHM=0 (default: shm and msg in one run)
#   make bench BENCH_CSV_DIR=out        also write out/perf_{contig,amo,strided}.csv
#   make bench BENCH_NP=4               more ranks (ranks >= 2 only join collectives)
#   make plots                          perf_contig -> bench-plots/*.csv, *.txt, *.png (needs gnuplot)
#   make plots PLOT_CSV=my.csv          only plot an existing CSV (no benchmark run)
# Every launch goes through testing/run_mpi.sh (timeout: COMEX_TEST_TIMEOUT,
# default 900 s here, since each program runs ComEx twice).
BENCH_BINS = testing/perf_contig testing/perf_amo testing/perf_idle testing/perf_strided \
  testing/perf_alloc testing/perf_busy testing/perf_wake
noinst_PROGRAMS += $(BENCH_BINS)
testing_perf_contig_SOURCES = testing/perf_contig.cc testing/bench_util.h
testing_perf_contig_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_amo_SOURCES = testing/perf_amo.cc testing/bench_util.h
testing_perf_amo_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_idle_SOURCES = testing/perf_idle.cc testing/bench_util.h
testing_perf_idle_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_strided_SOURCES = testing/perf_strided.cc testing/bench_util.h
testing_perf_strided_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_alloc_SOURCES = testing/perf_alloc.cc testing/bench_util.h
testing_perf_alloc_LDADD = libcomex.la $(HWLOC_LIBS)
testing_perf_busy_SOURCES = testing/perf_busy.cc testing/bench_util.h
testing_perf_busy_LDADD = libcomex.la $(HWLOC_LIBS)
# The machine's wake-up floor: plain threads, no MPI (run without mpiexec).
testing_perf_wake_SOURCES = testing/perf_wake.cc
testing_perf_wake_LDADD = -lpthread
EXTRA_DIST += testing/plot_bench.py

BENCH_NP ?= 2
BENCH_ARGS ?=
BENCH_IDLE_ARGS ?=
BENCH_BUSY_ARGS ?=
BENCH_CSV_DIR ?=
BENCH_PLOT_DIR ?= bench-plots
PLOT_CSV ?=
PYTHON3 ?= python3
BENCH_RUN = MPIEXEC='$(MPIEXEC)' COMEX_TEST_TIMEOUT=$${COMEX_TEST_TIMEOUT:-900} \
	$(top_srcdir)/testing/run_mpi.sh $(BENCH_NP)
# -c DIR/NAME.csv when BENCH_CSV_DIR is set
bench_csv = $(if $(BENCH_CSV_DIR),-c $(BENCH_CSV_DIR)/$(1).csv)

bench: $(BENCH_BINS)
	$(if $(BENCH_CSV_DIR),$(MKDIR_P) $(BENCH_CSV_DIR))
	$(BENCH_RUN) testing/perf_contig $(BENCH_ARGS) $(call bench_csv,perf_contig)
	$(BENCH_RUN) testing/perf_amo $(BENCH_ARGS) $(call bench_csv,perf_amo)
	$(BENCH_RUN) testing/perf_strided $(BENCH_ARGS) $(call bench_csv,perf_strided)
	$(BENCH_RUN) testing/perf_idle $(BENCH_IDLE_ARGS)
	$(BENCH_RUN) testing/perf_alloc
	$(BENCH_RUN) testing/perf_busy $(BENCH_BUSY_ARGS) $(call bench_csv,perf_busy)
	MPIEXEC='$(MPIEXEC)' COMEX_TEST_TIMEOUT=$${COMEX_TEST_TIMEOUT:-900} \
	  $(top_srcdir)/testing/run_mpi.sh 4 testing/perf_busy $(BENCH_BUSY_ARGS) $(call bench_csv,perf_busy_np4)

plots: $(if $(PLOT_CSV),,testing/perf_contig)
	$(MKDIR_P) $(BENCH_PLOT_DIR)
	$(if $(PLOT_CSV),,$(BENCH_RUN) testing/perf_contig $(BENCH_ARGS) -c $(BENCH_PLOT_DIR)/perf_contig.csv > $(BENCH_PLOT_DIR)/perf_contig.txt)
	$(PYTHON3) $(top_srcdir)/testing/plot_bench.py -o $(BENCH_PLOT_DIR) $(or $(PLOT_CSV),$(BENCH_PLOT_DIR)/perf_contig.csv)
.PHONY: bench plots

# Progress thread placements compared (COMEX_PROGRESS_BIND; doc/topology.md):
#   testing/bench_bind.sh [ROUNDS] [CONFIG...]   (from the build tree)
EXTRA_DIST += testing/bench_bind.sh testing/bench_bind_summary.py
