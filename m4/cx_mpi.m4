# CX_MPI_WRAPPERS: choose the MPI (--with-mpi=mpich|openmpi) and its compiler
# wrappers and launcher before the compilers are probed.  MPICC, MPICXX and
# MPIEXEC, when given, win over the choice.  Without --with-mpi: MPICH's
# wrappers when they are installed (Debian's mpicc.mpich), else mpicc.
AC_DEFUN([CX_MPI_WRAPPERS], [
  AC_ARG_VAR([MPICC], [MPI C compiler wrapper])
  AC_ARG_VAR([MPICXX], [MPI C++ compiler wrapper])
  AC_ARG_VAR([MPIEXEC], [MPI launcher used by make check and make bench])
  AC_ARG_WITH([mpi],
    [AS_HELP_STRING([--with-mpi=mpich|openmpi],
      [build against this MPI, through its compiler wrappers (Debian's mpicc.mpich or
       mpicc.openmpi, ...) [default: MPICH's when installed, else mpicc]])],
    [], [with_mpi=default])
  AS_CASE([$with_mpi],
    [mpich], [cx_mpi_suffix=.mpich],
    [openmpi|ompi|open-mpi], [cx_mpi_suffix=.openmpi],
    [default|yes], [cx_mpi_suffix=],
    [AC_MSG_ERROR([--with-mpi=$with_mpi: say mpich or openmpi])])
  AS_IF([test -n "$cx_mpi_suffix"], [
    AS_IF([test -z "$MPICC"], [AC_PATH_PROGS([MPICC], [mpicc$cx_mpi_suffix], [])])
    AS_IF([test -z "$MPICXX"], [AC_PATH_PROGS([MPICXX], [mpicxx$cx_mpi_suffix mpic++$cx_mpi_suffix], [])])
    AS_IF([test -z "$MPIEXEC"], [AC_PATH_PROGS([MPIEXEC], [mpiexec$cx_mpi_suffix mpirun$cx_mpi_suffix], [])])
    AS_IF([test -z "$MPICC" || test -z "$MPICXX"],
          [AC_MSG_ERROR([--with-mpi=$with_mpi: mpicc$cx_mpi_suffix or mpicxx$cx_mpi_suffix not found (Debian: libmpich-dev or libopenmpi-dev)])])
  ], [
    AS_IF([test -z "$MPICC"], [AC_PATH_PROGS([MPICC], [mpicc.mpich mpicc], [])])
    AS_IF([test -z "$MPICXX"], [AC_PATH_PROGS([MPICXX], [mpicxx.mpich mpicxx mpic++], [])])
  ])
  AS_IF([test -z "$MPICC" || test -z "$MPICXX"],
        [AC_MSG_ERROR([MPI compiler wrappers not found: install mpich and libmpich-dev (or libopenmpi-dev and --with-mpi=openmpi), or set MPICC and MPICXX])])
  AS_IF([test -z "$CC"], [CC="$MPICC"])
  AS_IF([test -z "$CXX"], [CXX="$MPICXX"])
])

# CX_MPI_CHECK: MPI headers link, MPI-3 is present, which MPI it is (MPICH or
# Open MPI, and its version), and a launcher of the same MPI exists.
AC_DEFUN([CX_MPI_CHECK], [
  AC_MSG_CHECKING([for an MPI-3 library behind $CXX])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>]],
      [[MPI_Message m; int f; MPI_Improbe(0, 0, MPI_COMM_WORLD, &f, &m, MPI_STATUS_IGNORE);
        MPI_Init_thread(0, 0, MPI_THREAD_MULTIPLE, &f);]])],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$CXX cannot build MPI-3 programs (MPI_Improbe); install libmpich-dev or libopenmpi-dev])])

  AC_MSG_CHECKING([which MPI $CXX uses])
  cx_mpi=other
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>
#ifndef OPEN_MPI
#error not Open MPI
#endif]], [])], [cx_mpi=openmpi])
  AC_COMPILE_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>
#ifndef MPICH
#error not MPICH
#endif]], [])], [cx_mpi=mpich])
  cat > conftest.$ac_ext <<_CXEOF
#include <mpi.h>
#if defined(OPEN_MPI)
cx_version=OMPI_MAJOR_VERSION.OMPI_MINOR_VERSION.OMPI_RELEASE_VERSION
#elif defined(MPICH_VERSION)
cx_version=MPICH_VERSION
#endif
_CXEOF
  cx_mpi_version=`$CXXCPP $CPPFLAGS conftest.$ac_ext 2>/dev/null | sed -n 's/^cx_version=//p' | tr -d ' "'`
  rm -f conftest.$ac_ext
  AS_CASE([$cx_mpi],
    [openmpi], [cx_mpi_version="Open MPI $cx_mpi_version"],
    [mpich], [cx_mpi_version="MPICH $cx_mpi_version"],
    [cx_mpi_version="unknown MPI"])
  AC_MSG_RESULT([$cx_mpi_version])
  AS_IF([test "$with_mpi" = mpich && test "$cx_mpi" != mpich],
        [AC_MSG_ERROR([--with-mpi=mpich, but $CXX uses $cx_mpi_version])])
  AS_IF([test "$with_mpi" = openmpi && test "$cx_mpi" != openmpi],
        [AC_MSG_ERROR([--with-mpi=openmpi, but $CXX uses $cx_mpi_version])])

  AS_IF([test -z "$MPIEXEC"], [
    AS_CASE([$cx_mpi],
      [openmpi], [AC_PATH_PROGS([MPIEXEC], [mpiexec.openmpi mpirun.openmpi mpiexec mpirun], [])],
      [AC_PATH_PROGS([MPIEXEC], [mpiexec.mpich mpiexec mpirun], [])])])
  AS_IF([test -z "$MPIEXEC"], [AC_MSG_WARN([no mpiexec found: make check will fail])], [
    AC_MSG_CHECKING([whether $MPIEXEC is $cx_mpi's launcher])
    cx_launcher=`$MPIEXEC --version 2>&1 | head -n 3`
    AS_CASE([$cx_mpi:$cx_launcher],
      [openmpi:*"Open MPI"* | openmpi:*OpenRTE*], [AC_MSG_RESULT([yes])],
      [mpich:*HYDRA* | mpich:*hydra*], [AC_MSG_RESULT([yes])],
      [other:*], [AC_MSG_RESULT([not checked])],
      [AC_MSG_RESULT([no])
       AC_MSG_WARN([$MPIEXEC does not look like $cx_mpi's launcher; set MPIEXEC])])])
  # The pkg-config module of this MPI, required by comex.pc and armci.pc
  # (comex.h includes mpi.h): Debian's mpich.pc or ompi-c.pc.
  AS_CASE([$cx_mpi], [openmpi], [cx_mpi_pc=ompi-c], [mpich], [cx_mpi_pc=mpich], [cx_mpi_pc=])
  AC_MSG_CHECKING([for the pkg-config module of $cx_mpi_version])
  AS_IF([test -n "$cx_mpi_pc" && test -n "$PKG_CONFIG" && $PKG_CONFIG --exists "$cx_mpi_pc"],
        [AC_MSG_RESULT([$cx_mpi_pc])],
        [AC_MSG_RESULT([none (comex.pc and armci.pc leave MPI to the compiler wrapper)])
         cx_mpi_pc=])
  AC_SUBST([MPI_PC], [$cx_mpi_pc])
  AC_SUBST([MPI_FLAVOR], [$cx_mpi])
  AC_SUBST([MPI_DESCRIPTION], [$cx_mpi_version])
  AM_CONDITIONAL([MPI_IS_OPENMPI], [test "$cx_mpi" = openmpi])
])
