// state.cc -- the state of the ARMCI layer and its error reporting.
#include <cstdarg>
#include <cstdio>
#include <string>

#include "armci_impl.h"

namespace armci {

namespace {

std::string vformat(const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap2);
  va_end(ap2);
  std::string s(n > 0 ? n : 0, '\0');
  if (n > 0) std::vsnprintf(&s[0], n + 1, fmt, ap);
  return s;
}

// The world rank for message prefixes, also before ARMCI_Init if MPI runs.
int rank_for_messages() {
  if (state().initialized) return state().me;
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  int r = -1;
  if (init && !fin) MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

}  // namespace

std::string format(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string s = vformat(fmt, ap);
  va_end(ap);
  return s;
}

int fail(const char *fn, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::string body = vformat(fmt, ap);
  va_end(ap);
  const int r = rank_for_messages();
  std::string line = r >= 0 ? format("armci[%d] %s: %s\n", r, fn, body.c_str())
                            : format("armci[?] %s: %s\n", fn, body.c_str());
  std::fwrite(line.data(), 1, line.size(), stderr);  // one write: lines of ranks do not mix
  return ARMCI_FAIL;
}

bool ready(const char *fn) {
  if (state().initialized) return true;
  fail(fn, "called before ARMCI_Init (or after ARMCI_Finalize)");
  return false;
}

bool mpi_ok(const char *fn, int rc, const char *what) {
  if (rc == MPI_SUCCESS) return true;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) len = 0;
  text[len] = '\0';
  fail(fn, "%s failed: %s", what, len ? text : "unknown MPI error");
  return false;
}

bool all_ok(const char *fn, MPI_Comm comm, bool ok) {
  int all = ok ? 1 : 0;
  if (!mpi_ok(fn, MPI_Allreduce(MPI_IN_PLACE, &all, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce"))
    return false;
  if (ok && !all) fail(fn, "another process passed a bad argument; failing with it");
  return all != 0;
}

State &state() {
  static State st;
  return st;
}

GroupComms::~GroupComms() {
  int fin = 0;
  MPI_Finalized(&fin);
  if (fin) return;
  if (node != MPI_COMM_NULL) MPI_Comm_free(&node);
  if (masters != MPI_COMM_NULL) MPI_Comm_free(&masters);
}

GroupComms *group_comms(const char *fn, const ARMCI_Group *group) {
  if (!ready(fn)) return nullptr;
  if (!group) {
    fail(fn, "group is NULL");
    return nullptr;
  }
  auto it = state().groups.find(*group);
  if (it == state().groups.end()) {
    fail(fn, "group=%d is not a group this process belongs to", *group);
    return nullptr;
  }
  return it->second.get();
}

}  // namespace armci
