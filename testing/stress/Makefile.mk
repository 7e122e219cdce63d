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

# The same under the sanitizers, in a copy of the distribution (as check-tsan
# and check-asan): make check-stress-tsan / check-stress-asan.  The ASan
# build also checks for leaks (LeakSanitizer); stress.sh counts only leaks
# with a frame in comex-mt or in the program (MPICH leaks 1016 bytes in 9
# blocks in MPI_Init/MPI_Finalize alone, from a module it has unloaded).
check-stress-tsan check-stress-asan: distdir
	@kind=$$(echo $@ | sed 's/check-stress-//'); \
	case $$kind in tsan) list=thread;; asan) list=address,undefined;; esac; \
	dir=_stress-$$kind; rm -rf $$dir; mv $(distdir) $$dir; \
	cd $$dir && ./configure $(SAN_CONFIGURE) --enable-sanitize=$$list >/dev/null && \
	$(MAKE) -j2 testing/stress/stress_model >/dev/null && \
	UCX_MEM_EVENTS=no TSAN_OPTIONS="suppressions=$$PWD/testing/tsan.supp halt_on_error=1 history_size=7 $$TSAN_OPTIONS" \
	ASAN_OPTIONS="detect_leaks=1 fast_unwind_on_malloc=0 $$ASAN_OPTIONS" \
	UBSAN_OPTIONS="halt_on_error=1 print_stacktrace=1" \
	COMEX_STRESS_SECONDS=60 $(MAKE) check-stress STRESS_MINUTES=$(STRESS_MINUTES)
.PHONY: check-stress-tsan check-stress-asan
