# CX_MPI_WRAPPERS: use MPICH's compiler wrappers (honours MPICC, MPICXX).
AC_DEFUN([CX_MPI_WRAPPERS], [
  AC_ARG_VAR([MPICC], [MPI C compiler wrapper])
  AC_ARG_VAR([MPICXX], [MPI C++ compiler wrapper])
  AC_ARG_VAR([MPIEXEC], [MPI launcher used by make check and make bench])
  AS_IF([test -z "$MPICC"], [AC_PATH_PROGS([MPICC], [mpicc.mpich mpicc], [])])
  AS_IF([test -z "$MPICXX"], [AC_PATH_PROGS([MPICXX], [mpicxx.mpich mpicxx mpic++], [])])
  AS_IF([test -z "$MPICC" || test -z "$MPICXX"],
        [AC_MSG_ERROR([MPI compiler wrappers not found: install mpich and libmpich-dev, or set MPICC and MPICXX])])
  AS_IF([test -z "$CC"], [CC="$MPICC"])
  AS_IF([test -z "$CXX"], [CXX="$MPICXX"])
])

# CX_MPI_CHECK: MPI headers link, MPI-3 is present, and a launcher exists.
AC_DEFUN([CX_MPI_CHECK], [
  AC_MSG_CHECKING([for an MPI-3 library behind $CXX])
  AC_LINK_IFELSE([AC_LANG_PROGRAM([[#include <mpi.h>]],
      [[MPI_Message m; int f; MPI_Improbe(0, 0, MPI_COMM_WORLD, &f, &m, MPI_STATUS_IGNORE);
        MPI_Init_thread(0, 0, MPI_THREAD_MULTIPLE, &f);]])],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$CXX cannot build MPI-3 programs (MPI_Improbe); install libmpich-dev])])
  cx_mpi_version=`$MPICC -v 2>/dev/null | head -n 1`
  AS_IF([test -z "$MPIEXEC"], [AC_PATH_PROGS([MPIEXEC], [mpiexec.mpich mpiexec mpirun], [])])
  AS_IF([test -z "$MPIEXEC"], [AC_MSG_WARN([no mpiexec found: make check will fail])])
])
