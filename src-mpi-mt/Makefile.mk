# The MPI-MT engine: libcomex.
lib_LTLIBRARIES += libcomex.la
libcomex_la_SOURCES = \
  src-mpi-mt/api.h src-mpi-mt/api_common.cc src-mpi-mt/api_init.cc \
  src-mpi-mt/api_group.cc src-mpi-mt/api_memory.cc src-mpi-mt/api_rma.cc \
  src-mpi-mt/api_sync.cc src-mpi-mt/api_strided.cc src-mpi-mt/api_vector.cc \
  src-mpi-mt/api_mutex.cc src-mpi-mt/mutex.h src-mpi-mt/mutex.cc src-mpi-mt/mutex_ops.cc \
  src-mpi-mt/runtime.h src-mpi-mt/runtime.cc src-mpi-mt/memory.cc \
  src-mpi-mt/group.h src-mpi-mt/group.cc \
  src-mpi-mt/handle_pool.h src-mpi-mt/handle_pool.cc \
  src-mpi-mt/engine.h src-mpi-mt/engine.cc src-mpi-mt/handlers.cc src-mpi-mt/packet.h \
  src-mpi-mt/acc.h src-mpi-mt/acc.cc src-mpi-mt/layout.h src-mpi-mt/layout.cc \
  src-mpi-mt/alloc_table.h src-mpi-mt/alloc_table.cc src-mpi-mt/shm.h src-mpi-mt/shm.cc \
  src-mpi-mt/config.h src-mpi-mt/config_defs.h src-mpi-mt/config.cc \
  src-mpi-mt/mpi_util.h src-mpi-mt/mpi_util.cc \
  src-mpi-mt/log.h src-mpi-mt/log.cc src-mpi-mt/error.h \
  src-mpi-mt/topology.h src-mpi-mt/topology.cc
libcomex_la_LIBADD = $(HWLOC_LIBS)
libcomex_la_LDFLAGS = -version-info 0:0:0

bin_PROGRAMS += src-mpi-mt/comex_info
src_mpi_mt_comex_info_SOURCES = src-mpi-mt/comex_info.cc
src_mpi_mt_comex_info_LDADD = libcomex.la

# doc/env.md is generated from the registry (a unit test checks it is current).
env-doc: src-mpi-mt/comex_info
	src-mpi-mt/comex_info --markdown > $(top_srcdir)/doc/env.md
.PHONY: env-doc
