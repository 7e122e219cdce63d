# A hostile or broken peer: rank 1 fuzzes rank 0's progress thread with
# random and mutated requests (test_fuzz), ranks that lie about their payload
# pieces (test_lies), and a broken rank flooding a target while honest ranks
# work on it (test_flood).  The tests reach the engine's communicators through
# the internal headers (-I src-mpi-mt).
if HAVE_GTEST
HOSTILE_UTIL = testing/hostile/raw.h testing/hostile/fixture.h testing/hostile/judge.h
check_PROGRAMS += testing/hostile/test_fuzz testing/hostile/test_lies testing/hostile/test_flood

testing_hostile_test_fuzz_SOURCES = $(COMEX_TEST_MAIN) testing/hostile/test_fuzz.cc \
  $(COMEX_TEST_UTIL) $(HOSTILE_UTIL)
testing_hostile_test_fuzz_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_hostile_test_fuzz_LDADD = $(MPI_TEST_LDADD)

testing_hostile_test_lies_SOURCES = $(COMEX_TEST_MAIN) testing/hostile/test_lies.cc \
  $(COMEX_TEST_UTIL) $(HOSTILE_UTIL)
testing_hostile_test_lies_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_hostile_test_lies_LDADD = $(MPI_TEST_LDADD)

testing_hostile_test_flood_SOURCES = $(COMEX_TEST_MAIN) testing/hostile/test_flood.cc \
  $(COMEX_TEST_UTIL) $(HOSTILE_UTIL)
testing_hostile_test_flood_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_hostile_test_flood_LDADD = $(MPI_TEST_LDADD)

HOSTILE_JOBS = testing/hostile/fuzz-np2-msg.mpi testing/hostile/lies-np4-msg.mpi \
  testing/hostile/flood-np4-msg.mpi testing/hostile/flood-np4.mpi
TESTS += $(HOSTILE_JOBS)
EXTRA_DIST += $(HOSTILE_JOBS)
endif
