# Random programs checked against a sequential model (testing/stress/model.h):
# short runs with fixed seeds in make check; `make check-stress` runs random
# seeds over 2-8 ranks, 1-3 threads and every node-local mode for
# STRESS_MINUTES (default 10).
check_PROGRAMS += testing/stress/stress_model
testing_stress_stress_model_SOURCES = testing/stress/stress.cc testing/stress/check.cc \
  testing/stress/model.cc testing/stress/generate.cc testing/stress/model.h
testing_stress_stress_model_LDADD = libcomex.la $(HWLOC_LIBS)

STRESS_JOBS = testing/stress/stress-np2.mpi testing/stress/stress-np3-msg.mpi \
  testing/stress/stress-np4-mixed.mpi testing/stress/stress-np2-nb1-split.mpi
TESTS += $(STRESS_JOBS)
EXTRA_DIST += $(STRESS_JOBS) testing/stress/stress.sh

STRESS_MINUTES = 10
check-stress: testing/stress/stress_model
	MPIEXEC='$(MPIEXEC)' top_builddir='$(top_builddir)' \
	  $(top_srcdir)/testing/stress/stress.sh $(STRESS_MINUTES)
.PHONY: check-stress
