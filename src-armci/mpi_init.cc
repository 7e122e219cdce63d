// mpi_init.cc -- the thread level: MPI always starts with MPI_THREAD_MULTIPLE.
//
// The ComEx engine runs a progress thread next to the program, so it needs
// MPI_THREAD_MULTIPLE; comex_init fails if the program started MPI at a lower
// level.  Programs written for ARMCI (GA's test programs among them) start
// MPI with plain MPI_Init.  libarmci therefore defines MPI_Init and
// MPI_Init_thread through the MPI profiling interface: a program linked with
// -larmci (which mpicc places before MPI's own library) reaches these, and
// they start MPI with PMPI_Init_thread(..., MPI_THREAD_MULTIPLE, ...).
//
// Fortran's MPI_INIT reaches MPI_Init in MPICH (libmpichfort calls it), but
// not in Open MPI, whose Fortran library calls PMPI_Init.  So libarmci also
// defines the Fortran entry points MPI_INIT and MPI_INIT_THREAD (under the
// names compilers give them) and hands them to the MPI's own Fortran
// MPI_INIT_THREAD with MPI_THREAD_MULTIPLE, so that the MPI's Fortran side
// (constants such as MPI_STATUS_IGNORE) is set up as it would be.
#include <dlfcn.h>
#include <mpi.h>

namespace {

using FortranInitThread = void (*)(MPI_Fint *required, MPI_Fint *provided, MPI_Fint *ierr);

// Start MPI from Fortran through the next definition of `init_thread` (the
// MPI's Fortran library), asking for MPI_THREAD_MULTIPLE.
void fortran_init_thread(const char *init_thread, MPI_Fint *provided, MPI_Fint *ierr) {
  MPI_Fint required = MPI_THREAD_MULTIPLE, level = 0;
  auto next = reinterpret_cast<FortranInitThread>(dlsym(RTLD_NEXT, init_thread));
  if (next) {
    next(&required, &level, ierr);
  } else {  // no Fortran MPI library loaded: the C call does the same
    int c_level = 0;
    *ierr = PMPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &c_level);
    level = c_level;
  }
  if (provided) *provided = level;
}

}  // namespace

// Fortran MPI_INIT(ierr) and MPI_INIT_THREAD(required, provided, ierr).
#define ARMCI_FORTRAN_INIT(init, init_thread)                                                \
  extern "C" void init(MPI_Fint *ierr) { fortran_init_thread(#init_thread, nullptr, ierr); } \
  extern "C" void init_thread(MPI_Fint *, MPI_Fint *provided, MPI_Fint *ierr) {              \
    fortran_init_thread(#init_thread, provided, ierr);                                       \
  }
ARMCI_FORTRAN_INIT(mpi_init_, mpi_init_thread_)
ARMCI_FORTRAN_INIT(mpi_init__, mpi_init_thread__)
ARMCI_FORTRAN_INIT(mpi_init, mpi_init_thread)
ARMCI_FORTRAN_INIT(MPI_INIT, MPI_INIT_THREAD)
#undef ARMCI_FORTRAN_INIT

extern "C" {

int MPI_Init(int *argc, char ***argv) {
  int provided = 0;
  return PMPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
}

// `provided` reports the level MPI gives, which may be higher than `required`
// (the MPI standard allows that).
int MPI_Init_thread(int *argc, char ***argv, int required, int *provided) {
  (void)required;
  int level = 0;
  const int rc = PMPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &level);
  if (provided) *provided = level;
  return rc;
}

}  // extern "C"
