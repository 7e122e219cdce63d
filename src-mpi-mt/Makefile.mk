# The MPI-MT engine: libcomex.
lib_LTLIBRARIES += libcomex.la
libcomex_la_SOURCES = \
  src-mpi-mt/api/api.h src-mpi-mt/api/common.cc src-mpi-mt/api/init.cc \
  src-mpi-mt/api/group.cc src-mpi-mt/api/memory.cc src-mpi-mt/api/rma.cc \
  src-mpi-mt/api/sync.cc src-mpi-mt/api/strided.cc src-mpi-mt/api/vector.cc \
  src-mpi-mt/api/mutex.cc \
  src-mpi-mt/core/runtime.h src-mpi-mt/core/runtime.cc src-mpi-mt/core/direct.cc \
  src-mpi-mt/core/memory.cc \
  src-mpi-mt/core/mutex_ops.cc src-mpi-mt/core/group.h src-mpi-mt/core/group.cc \
  src-mpi-mt/core/handle_pool.h src-mpi-mt/core/handle_pool.cc \
  src-mpi-mt/am/packet.h src-mpi-mt/am/origin.h src-mpi-mt/am/origin.cc \
  src-mpi-mt/am/engine.h src-mpi-mt/am/engine.cc src-mpi-mt/am/handlers.cc \
  src-mpi-mt/am/guard.cc src-mpi-mt/am/netbell.h src-mpi-mt/am/netbell.cc \
  src-mpi-mt/node/shm.h src-mpi-mt/node/shm.cc src-mpi-mt/node/mutex.h \
  src-mpi-mt/node/liveness.h src-mpi-mt/node/liveness.cc \
  src-mpi-mt/node/mutex.cc src-mpi-mt/node/topology.h src-mpi-mt/node/topology.cc \
  src-mpi-mt/util/config.h src-mpi-mt/util/config_defs.h src-mpi-mt/util/config.cc \
  src-mpi-mt/util/log.h src-mpi-mt/util/log.cc src-mpi-mt/util/error.h \
  src-mpi-mt/util/mpi_util.h src-mpi-mt/util/mpi_util.cc \
  src-mpi-mt/util/layout.h src-mpi-mt/util/layout.cc src-mpi-mt/util/acc.h \
  src-mpi-mt/util/acc.cc src-mpi-mt/util/alloc_table.h src-mpi-mt/util/alloc_table.cc
libcomex_la_LIBADD = $(HWLOC_LIBS)
libcomex_la_LDFLAGS = -version-info 0:0:0

bin_PROGRAMS += src-mpi-mt/comex_info
src_mpi_mt_comex_info_SOURCES = src-mpi-mt/comex_info.cc
src_mpi_mt_comex_info_LDADD = libcomex.la

# The layers of src-mpi-mt/ include only downwards (api > core > am > node > util).
TESTS += testing/check_layers.sh
EXTRA_DIST += testing/check_layers.sh

# doc/env.md is generated from the registry (a unit test checks it is current).
env-doc: src-mpi-mt/comex_info
	src-mpi-mt/comex_info --markdown > $(top_srcdir)/doc/env.md
.PHONY: env-doc
