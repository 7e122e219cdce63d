// msg_common.cc -- element types and reduction operations of the armci_msg_*
// collectives, and their wait for MPI.
#include <cstring>

#include "msg.h"

namespace armci {
namespace {

template <class T>
void abs_as(void *x, int n) {
  T *p = static_cast<T *>(x);
  for (int i = 0; i < n; ++i)
    if (p[i] < 0) p[i] = -p[i];
}

template <class T>
void truth_as(void *x, int n) {
  T *p = static_cast<T *>(x);
  for (int i = 0; i < n; ++i) p[i] = p[i] != 0;
}

template <class T>
bool less_as(const unsigned char *a, const unsigned char *b) {
  T x, y;
  std::memcpy(&x, a, sizeof(T));
  std::memcpy(&y, b, sizeof(T));
  return x < y;
}

}  // namespace

bool type_info(const char *fn, int type, TypeInfo *t) {
  switch (type) {
    case ARMCI_INT:
      *t = {MPI_INT, sizeof(int), true};
      return true;
    case ARMCI_LONG:
      *t = {MPI_LONG, sizeof(long), true};
      return true;
    case ARMCI_LONG_LONG:
      *t = {MPI_LONG_LONG, sizeof(long long), true};
      return true;
    case ARMCI_FLOAT:
      *t = {MPI_FLOAT, sizeof(float), false};
      return true;
    case ARMCI_DOUBLE:
      *t = {MPI_DOUBLE, sizeof(double), false};
      return true;
    default:
      fail(fn, "type=%d is not ARMCI_INT, ARMCI_LONG, ARMCI_LONG_LONG, ARMCI_FLOAT or ARMCI_DOUBLE",
           type);
      return false;
  }
}

bool op_is(const char *op, const char *name) {
  return std::strncmp(op, name, std::strlen(name)) == 0;
}

bool op_info(const char *fn, const char *op, const TypeInfo &t, OpInfo *out) {
  const OpInfo table[] = {
      {"+", MPI_SUM, false, false, false},     {"*", MPI_PROD, false, false, false},
      {"max", MPI_MAX, false, false, false},   {"min", MPI_MIN, false, false, false},
      {"absmax", MPI_MAX, true, false, false}, {"absmin", MPI_MIN, true, false, false},
      {"or", MPI_BOR, false, true, false},     {"&&", MPI_LAND, false, true, true},
      {"||", MPI_LOR, false, true, true},
  };
  if (!op) return fail(fn, "op is NULL"), false;
  for (const OpInfo &o : table) {
    if (!op_is(op, o.name)) continue;
    if (o.integer_only && !t.integer)
      return fail(fn, "op \"%s\" is defined for integer types only", o.name), false;
    *out = o;
    return true;
  }
  return fail(fn,
              "op \"%.8s\" does not begin with \"+\", \"*\", \"max\", \"min\", \"absmax\", "
              "\"absmin\", \"or\", \"&&\" or \"||\"",
              op),
         false;
}

void truth_in_place(int type, void *x, int n) {
  switch (type) {
    case ARMCI_INT:
      return truth_as<int>(x, n);
    case ARMCI_LONG:
      return truth_as<long>(x, n);
    default:
      return truth_as<long long>(x, n);
  }
}

void abs_in_place(int type, void *x, int n) {
  switch (type) {
    case ARMCI_INT:
      return abs_as<int>(x, n);
    case ARMCI_LONG:
      return abs_as<long>(x, n);
    case ARMCI_LONG_LONG:
      return abs_as<long long>(x, n);
    case ARMCI_FLOAT:
      return abs_as<float>(x, n);
    default:
      return abs_as<double>(x, n);
  }
}

bool less_typed(int type, const unsigned char *a, const unsigned char *b) {
  switch (type) {
    case ARMCI_INT:
      return less_as<int>(a, b);
    case ARMCI_LONG:
      return less_as<long>(a, b);
    case ARMCI_LONG_LONG:
      return less_as<long long>(a, b);
    case ARMCI_FLOAT:
      return less_as<float>(a, b);
    default:
      return less_as<double>(a, b);
  }
}

bool wait_request(const char *fn, MPI_Request *req, const char *what) {
  return wait_for([&] {
    int done = 0;
    if (!mpi_ok(fn, MPI_Test(req, &done, MPI_STATUS_IGNORE), what)) return -1;
    return done ? 1 : 0;
  });
}

bool mpi_running() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  return init && !fin;
}

}  // namespace armci
