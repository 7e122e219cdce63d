# Faults: ranks killed at random points, and exhausted resources
# (descriptors, mappings, memory).  doc/reliability.md says what each checks.
check_PROGRAMS += testing/faults/kill_rank
testing_faults_kill_rank_SOURCES = testing/faults/kill_rank.cc
testing_faults_kill_rank_LDADD = libcomex.la

FAULT_TESTS = testing/faults/kill-launcher.sh testing/faults/kill-runtime.sh \
  testing/faults/kill-hosts.sh
TESTS += $(FAULT_TESTS)
EXTRA_DIST += $(FAULT_TESTS) testing/faults/kill.sh testing/faults/hide_death.sh

# Exhausted resources.  fault_shim (LD_PRELOAD) makes large allocations or
# shared mappings fail once a test arms it; exhaust-fds.sh runs under a small
# ulimit -n.
check_LTLIBRARIES += testing/faults/libcomex_fault_shim.la
testing_faults_libcomex_fault_shim_la_SOURCES = testing/faults/fault_shim.c
testing_faults_libcomex_fault_shim_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
testing_faults_libcomex_fault_shim_la_LIBADD = -ldl
if HAVE_GTEST
check_PROGRAMS += testing/faults/test_exhaust
testing_faults_test_exhaust_SOURCES = $(COMEX_TEST_MAIN) testing/faults/test_exhaust.cc \
  $(COMEX_TEST_UTIL)
testing_faults_test_exhaust_CPPFLAGS = $(MPI_TEST_CPPFLAGS) -I$(top_srcdir)/testing/mpi
testing_faults_test_exhaust_LDADD = $(MPI_TEST_LDADD)
FAULT_JOBS = testing/faults/exhaust-np2-msg.mpi testing/faults/exhaust-target-np2-msg.mpi \
  testing/faults/exhaust-np4.mpi
TESTS += $(FAULT_JOBS) testing/faults/exhaust-fds.sh
EXTRA_DIST += $(FAULT_JOBS) testing/faults/exhaust-fds.sh testing/faults/with_shim.sh
endif
