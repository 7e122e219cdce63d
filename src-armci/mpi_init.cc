// mpi_init.cc -- the thread level: MPI always starts with MPI_THREAD_MULTIPLE.
//
// The ComEx engine runs a progress thread next to the program, so it needs
// MPI_THREAD_MULTIPLE; comex_init fails if the program started MPI at a lower
// level.  Programs written for ARMCI (GA's test programs among them) start
// MPI with plain MPI_Init.  libarmci therefore defines MPI_Init and
// MPI_Init_thread through the MPI profiling interface: a program linked with
// -larmci (which mpicc places before MPI's own library) reaches these, and
// they start MPI with PMPI_Init_thread(..., MPI_THREAD_MULTIPLE, ...).
// Fortran's MPI_INIT reaches them too (libmpichfort calls MPI_Init).
#include <mpi.h>

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
