# Unit tests without MPI processes: config parsing, handle pool, accumulate
# kernels, address checks, the progress thread's placement choice.  (Compiled
# with the MPI wrapper; never calls MPI_Init.)
if HAVE_GTEST
check_PROGRAMS += testing/unit/test_unit
testing_unit_test_unit_SOURCES = \
  testing/unit/test_config.cc testing/unit/test_handle_pool.cc \
  testing/unit/test_acc.cc testing/unit/test_alloc_table.cc testing/unit/test_layout.cc \
  testing/unit/test_topology.cc testing/unit/test_liveness.cc testing/unit/test_arena_heap.cc
testing_unit_test_unit_CPPFLAGS = $(AM_CPPFLAGS) $(GTEST_CFLAGS)
testing_unit_test_unit_LDADD = libcomex.la -lgtest_main $(GTEST_LIBS) $(HWLOC_LIBS)
TESTS += testing/unit/test_unit
endif
