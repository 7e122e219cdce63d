# The ARMCI layer on ComEx: libarmci (see doc/armci.md).  Built only on the
# public ComEx API; the shared library records its dependencies on libcomex
# and the C++ runtime, so `mpicc prog.c -larmci` is enough to link.
lib_LTLIBRARIES += libarmci.la
include_HEADERS += include/armci.h include/armcix.h include/message.h
pkgconfig_DATA += armci.pc

libarmci_la_SOURCES = \
  src-armci/armci_impl.h src-armci/state.cc \
  src-armci/init.cc src-armci/mpi_init.cc src-armci/memory.cc \
  src-armci/rma.cc src-armci/vector.cc src-armci/nb.cc src-armci/rmw.cc \
  src-armci/groups.cc src-armci/domain.cc src-armci/copy.cc \
  src-armci/msg.h src-armci/msg_common.cc src-armci/msg_coll.cc src-armci/msg_p2p.cc \
  src-armci/access.cc src-armci/armcix.cc src-armci/mutex_hdl.cc
# Only the public header directory: the engine's internals stay out of reach.
libarmci_la_CPPFLAGS = -I$(top_srcdir)/include
libarmci_la_LIBADD = libcomex.la -lstdc++
libarmci_la_LDFLAGS = -version-info 0:0:0
