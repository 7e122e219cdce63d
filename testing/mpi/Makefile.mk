# Multi-rank GoogleTest suites, each run at 1, 2 and 4 ranks (job files *.mpi).
if HAVE_GTEST
check_PROGRAMS += testing/mpi/test_core testing/mpi/test_errors

MPI_TEST_CPPFLAGS = $(AM_CPPFLAGS) $(GTEST_CFLAGS)
MPI_TEST_LDADD = libcomex.la $(GTEST_LIBS) $(HWLOC_LIBS)

testing_mpi_test_core_SOURCES = testing/mpi/mpi_main.cc testing/mpi/test_core.cc \
  testing/mpi/test_util.h
testing_mpi_test_core_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_core_LDADD = $(MPI_TEST_LDADD)

testing_mpi_test_errors_SOURCES = testing/mpi/mpi_main.cc testing/mpi/test_errors.cc \
  testing/mpi/test_util.h
testing_mpi_test_errors_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_errors_LDADD = $(MPI_TEST_LDADD)

MPI_JOBS = \
  testing/mpi/core-np1.mpi testing/mpi/core-np2.mpi testing/mpi/core-np4.mpi \
  testing/mpi/errors-np1.mpi testing/mpi/errors-np2.mpi testing/mpi/errors-np4.mpi
TESTS += $(MPI_JOBS)
EXTRA_DIST += $(MPI_JOBS) testing/run_mpi_test.sh
endif
