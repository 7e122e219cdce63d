// util/mpi_util.h -- MPI behind small RAII wrappers; every return code checked.
#pragma once

#include <mpi.h>

#include <string>

#include "util/error.h"

namespace comex {

/// Throw comex::Error with MPI_Error_string unless rc == MPI_SUCCESS.
void mpi_fail(int rc, const char *call);
inline void mpi_check(int rc, const char *call) {
  if (__builtin_expect(rc != MPI_SUCCESS, 0)) mpi_fail(rc, call);
}
#define COMEX_MPI(call) ::comex::mpi_check((call), #call)

/// An owned communicator: duplicated (or created) here, freed on destruction.
/// Errors on it are returned, not fatal, so mpi_check sees them.
class Comm {
 public:
  Comm() = default;
  explicit Comm(MPI_Comm adopt) : comm_(adopt) { set_errors_return(); }
  static Comm dup(MPI_Comm parent) {
    MPI_Comm c;
    COMEX_MPI(MPI_Comm_dup(parent, &c));
    return Comm(c);
  }
  Comm(Comm &&o) noexcept : comm_(o.comm_) { o.comm_ = MPI_COMM_NULL; }
  Comm &operator=(Comm &&o) noexcept {
    if (this != &o) {
      reset();
      comm_ = o.comm_;
      o.comm_ = MPI_COMM_NULL;
    }
    return *this;
  }
  Comm(const Comm &) = delete;
  Comm &operator=(const Comm &) = delete;
  ~Comm() { reset(); }

  MPI_Comm get() const { return comm_; }
  operator MPI_Comm() const { return comm_; }
  int rank() const;
  int size() const;
  void reset();

 private:
  void set_errors_return();
  MPI_Comm comm_ = MPI_COMM_NULL;
};

}  // namespace comex
