// util/mpi_util.cc -- MPI error conversion and the communicator wrapper.
#include "util/mpi_util.h"

namespace comex {

void mpi_fail(int rc, const char *call) {
  char msg[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, msg, &len) != MPI_SUCCESS) len = 0;
  msg[len] = '\0';
  throw Error(format("MPI error in %s: %s", call, len ? msg : "unknown error"));
}

int Comm::rank() const {
  int r = -1;
  COMEX_MPI(MPI_Comm_rank(comm_, &r));
  return r;
}

int Comm::size() const {
  int s = 0;
  COMEX_MPI(MPI_Comm_size(comm_, &s));
  return s;
}

void Comm::set_errors_return() {
  if (comm_ != MPI_COMM_NULL) COMEX_MPI(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN));
}

void Comm::reset() {
  if (comm_ != MPI_COMM_NULL) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);  // destructor path: nothing to report to
    comm_ = MPI_COMM_NULL;
  }
}

}  // namespace comex
