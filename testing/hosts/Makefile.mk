# Several hosts on one machine (network namespaces; testing/hosts/run.sh,
# doc/hosts.md).  The *.hosts jobs are part of `make check` and skip (77) where
# hosts cannot be made (not root, no iproute2, no namespaces).
#   make check-hosts     only these jobs
#   make bench-hosts     perf_contig with its 2 ranks on 2 hosts (inter-host figures)
HOSTS_TOOL_FILES = testing/hosts/hosts.sh testing/hosts/ssh testing/hosts/run.sh \
  testing/hosts/run_hosts_test.sh
EXTRA_DIST += $(HOSTS_TOOL_FILES) testing/hosts/finalize_shim.c

TEST_EXTENSIONS += .hosts
HOSTS_LOG_COMPILER = $(top_srcdir)/testing/hosts/run_hosts_test.sh

# LD_PRELOAD library for the ranks: bounds MPICH 4.0.2's wait for UCX endpoint
# closes in MPI_Finalize (the hang of UCX over TCP between hosts).
if HAVE_UCP
check_LTLIBRARIES += testing/hosts/libcomex_hosts_shim.la
testing_hosts_libcomex_hosts_shim_la_SOURCES = testing/hosts/finalize_shim.c
testing_hosts_libcomex_hosts_shim_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere
testing_hosts_libcomex_hosts_shim_la_LIBADD = -ldl
endif

HOSTS_JOBS =
if HAVE_GTEST
check_PROGRAMS += testing/hosts/test_nodes
testing_hosts_test_nodes_SOURCES = testing/hosts/test_nodes.cc $(TEST_MAIN)
testing_hosts_test_nodes_CPPFLAGS = -I$(top_srcdir)/testing/common $(GTEST_CFLAGS)
testing_hosts_test_nodes_LDADD = $(GTEST_LIBS)

HOSTS_JOBS += \
  testing/hosts/nodes-2x2.hosts testing/hosts/nodes-3x2.hosts testing/hosts/nodes-2x1.hosts \
  testing/hosts/core-2x2.hosts testing/hosts/strided-2x2.hosts testing/hosts/vector-2x2.hosts \
  testing/hosts/mutex-2x2.hosts testing/hosts/errors-2x2.hosts testing/hosts/threads-2x2.hosts \
  testing/hosts/core-3x2.hosts testing/hosts/shm-2x2.hosts testing/hosts/core-2x2-msg.hosts \
  testing/hosts/netbell-2x2.hosts testing/hosts/netbell-2x2-msg.hosts
endif
HOSTS_JOBS += testing/hosts/perf_contig-2x1.hosts
TESTS += $(HOSTS_JOBS)
EXTRA_DIST += $(HOSTS_JOBS)

check-hosts:
	$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(HOSTS_JOBS)'
	@for t in $(HOSTS_JOBS); do l=$${t%.hosts}.log; \
	  printf '%-40s %s\n' "$$t" "$$(sed -n 's/^:test-result: //p' $${t%.hosts}.trs 2>/dev/null)$$(grep -h -E '^hosts: (FINALIZE HANG|finalize shim gave up)' $$l 2>/dev/null | sed 's/^hosts:/;/' | tr '\n' ' ')"; done

BENCH_HOSTS_ARGS ?=
bench-hosts: testing/perf_contig
	MPIEXEC='$(MPIEXEC)' top_builddir='$(top_builddir)' $(top_srcdir)/testing/hosts/run.sh -H 2 -p 1 \
	  -m '^targets:' testing/perf_contig $(BENCH_HOSTS_ARGS)
.PHONY: check-hosts bench-hosts
