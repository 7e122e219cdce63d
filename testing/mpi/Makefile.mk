# Multi-rank GoogleTest suites, each run at 1, 2 and 4 ranks (job files *.mpi).
if HAVE_GTEST
# The one main of the multi-rank suites with the ComEx start and end, and
# the helpers every ComEx suite uses.
COMEX_TEST_MAIN = $(TEST_MAIN) testing/mpi/comex_start.cc
COMEX_TEST_UTIL = testing/mpi/test_util.h testing/common/checks.h
check_PROGRAMS += testing/mpi/test_core testing/mpi/test_errors

MPI_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/testing/common $(GTEST_CFLAGS)
MPI_TEST_LDADD = libcomex.la $(GTEST_LIBS) $(HWLOC_LIBS)

testing_mpi_test_core_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_core.cc \
  $(COMEX_TEST_UTIL)
testing_mpi_test_core_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_core_LDADD = $(MPI_TEST_LDADD)

testing_mpi_test_errors_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_errors.cc \
  $(COMEX_TEST_UTIL)
testing_mpi_test_errors_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_errors_LDADD = $(MPI_TEST_LDADD)

MPI_JOBS = \
  testing/mpi/core-np1.mpi testing/mpi/core-np2.mpi testing/mpi/core-np4.mpi \
  testing/mpi/errors-np1.mpi testing/mpi/errors-np2.mpi testing/mpi/errors-np4.mpi
TESTS += $(MPI_JOBS)
EXTRA_DIST += $(MPI_JOBS) testing/run_mpi_test.sh

# Strided, vector, mutex and multi-threading suites; strided and vector also
# run with tiny split sizes so every transfer is cut into many pieces/rounds.
check_PROGRAMS += testing/mpi/test_strided testing/mpi/test_vector \
  testing/mpi/test_mutex testing/mpi/test_threads testing/mpi/test_shm

testing_mpi_test_shm_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_shm.cc \
  $(COMEX_TEST_UTIL)
testing_mpi_test_shm_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_shm_LDADD = $(MPI_TEST_LDADD)

testing_mpi_test_strided_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_strided.cc \
  testing/mpi/test_legal.cc $(COMEX_TEST_UTIL) testing/mpi/strided_util.h
testing_mpi_test_strided_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_strided_LDADD = $(MPI_TEST_LDADD)

testing_mpi_test_vector_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_vector.cc \
  $(COMEX_TEST_UTIL) testing/mpi/strided_util.h
testing_mpi_test_vector_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_vector_LDADD = $(MPI_TEST_LDADD)

testing_mpi_test_mutex_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_mutex.cc \
  $(COMEX_TEST_UTIL) testing/mpi/strided_util.h
testing_mpi_test_mutex_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_mutex_LDADD = $(MPI_TEST_LDADD)

testing_mpi_test_threads_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_threads.cc \
  $(COMEX_TEST_UTIL) testing/mpi/strided_util.h
testing_mpi_test_threads_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_threads_LDADD = $(MPI_TEST_LDADD)

MPI_JOBS += \
  testing/mpi/strided-np1.mpi testing/mpi/strided-np2.mpi testing/mpi/strided-np4.mpi \
  testing/mpi/strided-np2-split.mpi \
  testing/mpi/vector-np1.mpi testing/mpi/vector-np2.mpi testing/mpi/vector-np4.mpi \
  testing/mpi/vector-np2-split.mpi \
  testing/mpi/mutex-np1.mpi testing/mpi/mutex-np2.mpi testing/mpi/mutex-np4.mpi \
  testing/mpi/threads-np1.mpi testing/mpi/threads-np2.mpi testing/mpi/threads-np4.mpi \
  testing/mpi/threads-np4-nb1.mpi testing/mpi/core-np2-nb1.mpi \
  testing/mpi/shm-np1.mpi testing/mpi/shm-np2.mpi testing/mpi/shm-np4.mpi

# Both modes of the node-local path: the jobs above use shared memory
# (COMEX_SHM=1, the default); *-msg run everything through the engine
# (COMEX_SHM=0); *-mixed give ranks 0 and 2 COMEX_SHM=0, so message and
# shared-memory operations meet on the same memory (testing/mpi/mixed_shm.sh).
MPI_JOBS += \
  testing/mpi/core-np2-msg.mpi testing/mpi/core-np4-msg.mpi testing/mpi/core-np4-mixed.mpi \
  testing/mpi/errors-np4-msg.mpi \
  testing/mpi/strided-np4-msg.mpi testing/mpi/strided-np4-mixed.mpi \
  testing/mpi/vector-np4-msg.mpi testing/mpi/vector-np4-mixed.mpi \
  testing/mpi/mutex-np2-msg.mpi testing/mpi/mutex-np4-msg.mpi testing/mpi/mutex-np4-mixed.mpi \
  testing/mpi/threads-np4-msg.mpi testing/mpi/threads-np4-mixed.mpi \
  testing/mpi/shm-np2-msg.mpi testing/mpi/shm-np4-msg.mpi testing/mpi/shm-np4-mixed.mpi
# Every block a segment of its own (no arenas for small blocks).
MPI_JOBS += testing/mpi/shm-np2-noarena.mpi
# /dev/shm full: a tiny tmpfs in a private mount namespace (root only, else skipped).
TESTS += testing/mpi/shm-full.sh testing/mpi/shm-abort.sh
EXTRA_DIST += testing/mpi/mixed_shm.sh testing/mpi/shm-full.sh testing/mpi/shm-abort.sh
endif

# Placement of the progress thread (COMEX_PROGRESS_BIND): each job checks the
# thread's real affinity for one mode, unbound and bound by the launcher
# (HYDRA_BINDING=core is mpiexec -bind-to core), with the engine doing all
# the data movement (COMEX_SHM=0).
if HAVE_GTEST
check_PROGRAMS += testing/mpi/test_topology
testing_mpi_test_topology_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_topology.cc \
  $(COMEX_TEST_UTIL)
testing_mpi_test_topology_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_topology_LDADD = $(MPI_TEST_LDADD)
TOPO_JOBS = \
  testing/mpi/topo-none-np2.mpi testing/mpi/topo-core-np2.mpi testing/mpi/topo-core-np4.mpi \
  testing/mpi/topo-spare-np1.mpi testing/mpi/topo-spare-np2.mpi \
  testing/mpi/topo-auto-np1.mpi testing/mpi/topo-auto-np2.mpi \
  testing/mpi/topo-core-np2-bound.mpi testing/mpi/topo-spare-np1-bound.mpi \
  testing/mpi/topo-spare-np2-bound.mpi
TESTS += $(TOPO_JOBS)
EXTRA_DIST += $(TOPO_JOBS)
endif

# The life cycle of a C program written for GA's ComEx: comex_finalize leaves
# MPI up, a second comex_init works, the program's own MPI_Finalize succeeds.
check_PROGRAMS += testing/mpi/test_c_lifecycle
testing_mpi_test_c_lifecycle_SOURCES = testing/mpi/test_c_lifecycle.c
testing_mpi_test_c_lifecycle_CPPFLAGS = $(AM_CPPFLAGS)
testing_mpi_test_c_lifecycle_LDADD = libcomex.la
LIFECYCLE_JOBS = testing/mpi/lifecycle-np1.mpi testing/mpi/lifecycle-np2.mpi \
  testing/mpi/lifecycle-np4.mpi testing/mpi/lifecycle-np2-msg.mpi
TESTS += $(LIFECYCLE_JOBS)
EXTRA_DIST += $(LIFECYCLE_JOBS)

# The network doorbell (COMEX_NET_BELL): every rank hears every other; with
# the targets' progress threads asleep (COMEX_SHM=0) their requests are
# served right, also when some ranks have the bell off (mixed_netbell.sh),
# when ranks are bound, and on one node sharing memory, where the bell is not
# used (np4-mixed-shm; several hosts use both bells: testing/hosts).
if HAVE_GTEST
check_PROGRAMS += testing/mpi/test_netbell
testing_mpi_test_netbell_SOURCES = $(COMEX_TEST_MAIN) testing/mpi/test_netbell.cc \
  $(COMEX_TEST_UTIL)
testing_mpi_test_netbell_CPPFLAGS = $(MPI_TEST_CPPFLAGS)
testing_mpi_test_netbell_LDADD = $(MPI_TEST_LDADD)
NETBELL_JOBS = testing/mpi/netbell-np2-msg.mpi testing/mpi/netbell-np2-msg-bound.mpi \
  testing/mpi/netbell-np3-mixed.mpi testing/mpi/netbell-np4-mixed-shm.mpi
TESTS += $(NETBELL_JOBS)
EXTRA_DIST += $(NETBELL_JOBS) testing/mpi/mixed_netbell.sh
endif
