# ARMCI tests (GoogleTest and plain C programs), run by make check.
# Each job file (*.mpi: np=, prog=, optional env=/args=) runs through
# testing/run_mpi_test.sh under a timeout.  test_armci takes --init=MODE
# (mpi, thread, armci, comm, armci-thread, thread-comm: how MPI and ARMCI
# are started).

# Plain C programs: started with MPI_Init, MPI_Init_thread, or ARMCI_Init only.
ARMCI_C_CPPFLAGS = -I$(top_srcdir)/include
ARMCI_C_CHECKS = testing/armci/c_checks.c testing/armci/c_checks.h
check_PROGRAMS += testing/armci/test_c_init_mpi testing/armci/test_c_init_thread testing/armci/test_c_init_armci
testing_armci_test_c_init_mpi_SOURCES = testing/armci/test_c_init_mpi.c $(ARMCI_C_CHECKS)
testing_armci_test_c_init_mpi_CPPFLAGS = $(ARMCI_C_CPPFLAGS)
testing_armci_test_c_init_mpi_LDADD = libarmci.la
testing_armci_test_c_init_thread_SOURCES = testing/armci/test_c_init_thread.c $(ARMCI_C_CHECKS)
testing_armci_test_c_init_thread_CPPFLAGS = $(ARMCI_C_CPPFLAGS)
testing_armci_test_c_init_thread_LDADD = libarmci.la
testing_armci_test_c_init_armci_SOURCES = testing/armci/test_c_init_armci.c $(ARMCI_C_CHECKS)
testing_armci_test_c_init_armci_CPPFLAGS = $(ARMCI_C_CPPFLAGS)
testing_armci_test_c_init_armci_LDADD = libarmci.la

ARMCI_JOBS = \
  testing/armci/c-mpi-np1.mpi testing/armci/c-mpi-np2.mpi testing/armci/c-mpi-np4.mpi \
  testing/armci/c-thread-np1.mpi testing/armci/c-thread-np2-single.mpi \
  testing/armci/c-thread-np4.mpi \
  testing/armci/c-armci-np1.mpi testing/armci/c-armci-np2.mpi testing/armci/c-armci-np4.mpi

# The installed-style link line: $(MPICC) prog.c -larmci, nothing else.
TEST_EXTENSIONS += .armci
ARMCI_LOG_COMPILER = env MPICC='$(MPICC)' ARMCI_CFLAGS='$(CFLAGS)' ARMCI_LDFLAGS='$(LDFLAGS)' \
  $(SHELL)
ARMCI_LINK_TESTS = testing/armci/mpicc-link.armci

if HAVE_GTEST
check_PROGRAMS += testing/armci/test_armci
testing_armci_test_armci_SOURCES = $(TEST_MAIN) testing/armci/armci_start.cc \
  testing/armci/armci_test_util.h testing/common/checks.h \
  testing/armci/test_rma.cc testing/armci/test_msg.cc testing/armci/test_errors.cc \
  testing/armci/test_armcix.cc testing/armci/test_mutex_hdl.cc
testing_armci_test_armci_CPPFLAGS = -I$(top_srcdir)/include -I$(top_srcdir)/testing/common $(GTEST_CFLAGS)
testing_armci_test_armci_LDADD = libarmci.la $(GTEST_LIBS)

ARMCI_JOBS += \
  testing/armci/gtest-mpi-np1.mpi testing/armci/gtest-mpi-np2.mpi \
  testing/armci/gtest-mpi-np4.mpi testing/armci/gtest-thread-np2.mpi \
  testing/armci/gtest-thread-np4-node3.mpi testing/armci/gtest-armci-np1.mpi \
  testing/armci/gtest-armci-np4.mpi testing/armci/gtest-comm-np4-node2.mpi \
  testing/armci/gtest-armcithread-np2.mpi testing/armci/gtest-threadcomm-np4.mpi \
  testing/armci/gtest-armcix-np4-noshm.mpi
endif

TESTS += $(ARMCI_JOBS) $(ARMCI_LINK_TESTS)
EXTRA_DIST += $(ARMCI_JOBS) $(ARMCI_LINK_TESTS)

# Run only the ARMCI jobs:  make check-armci
check-armci:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(ARMCI_JOBS) $(ARMCI_LINK_TESTS)'
.PHONY: check-armci
