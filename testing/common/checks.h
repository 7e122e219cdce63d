// checks.h -- what the ComEx and ARMCI GoogleTest suites check data with:
// byte patterns that name their origin, target and phase; comparisons that
// name the first difference; bounded waits; a gather of every rank's values;
// the accumulate element types with values exact in every type.
#ifndef COMEX_TESTING_COMMON_CHECKS_H_
#define COMEX_TESTING_COMMON_CHECKS_H_

#include <gtest/gtest.h>
#include <mpi.h>
#include <sched.h>

#include <chrono>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "comex.h"

namespace testutil {

// A byte that depends on who sent it (origin), where it went (target), which
// phase of a test it belongs to (salt) and its position, so that data that
// lands in the wrong place or from the wrong rank is caught.
inline uint8_t Pattern(int origin, int target, int salt, size_t i) {
  uint64_t x = i * 0x9E3779B97F4A7C15ull +
               static_cast<uint64_t>(origin + 1) * 0xC2B2AE3D27D4EB4Full +
               static_cast<uint64_t>(target + 1) * 0x165667B19E3779F9ull +
               static_cast<uint64_t>(salt + 1) * 0x27D4EB2F165667C5ull;
  x ^= x >> 29;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 32;
  return static_cast<uint8_t>(x);
}

inline void FillPattern(void *p, size_t n, int origin, int target, int salt) {
  uint8_t *b = static_cast<uint8_t *>(p);
  for (size_t i = 0; i < n; ++i) b[i] = Pattern(origin, target, salt, i);
}

inline std::vector<uint8_t> PatternVector(size_t n, int origin, int target, int salt) {
  std::vector<uint8_t> v(n);
  FillPattern(v.data(), n, origin, target, salt);
  return v;
}

// Compares n bytes element by element; on a mismatch names the first bad
// index and how many bytes differ.
inline ::testing::AssertionResult BytesEqual(const void *got, const void *expected, size_t n) {
  const uint8_t *g = static_cast<const uint8_t *>(got);
  const uint8_t *e = static_cast<const uint8_t *>(expected);
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    if (g[i] != e[i]) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << n << " bytes differ; first at byte " << first << ": got "
         << static_cast<int>(g[first]) << ", expected " << static_cast<int>(e[first]);
}

inline ::testing::AssertionResult MatchesPattern(const void *got, size_t n, int origin, int target,
                                                 int salt) {
  std::vector<uint8_t> e = PatternVector(n, origin, target, salt);
  return BytesEqual(got, e.data(), n)
         << " (pattern origin=" << origin << " target=" << target << " salt=" << salt << ")";
}

inline ::testing::AssertionResult AllBytesAre(const void *got, size_t n, uint8_t value) {
  std::vector<uint8_t> e(n, value);
  return BytesEqual(got, e.data(), n);
}

// Element-wise comparison for typed arrays (exact, also for floating point).
template <class T>
::testing::AssertionResult ElementsEqual(const T *got, const T *expected, size_t n) {
  size_t bad = 0, first = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!(got[i] == expected[i])) {
      if (bad++ == 0) first = i;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << bad << " of " << n << " elements differ; first at element " << first << ": got "
         << ::testing::PrintToString(got[first]) << ", expected "
         << ::testing::PrintToString(expected[first]);
}

template <class T>
::testing::AssertionResult ElementsEqual(const std::vector<T> &got,
                                         const std::vector<T> &expected) {
  if (got.size() != expected.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " != " << expected.size();
  return ElementsEqual(got.data(), expected.data(), got.size());
}

// Spins (yielding the core) until pred() holds or `seconds` pass.
template <class Pred>
bool WaitUntil(Pred pred, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    sched_yield();
  }
  return true;
}

// Reads of memory that another thread (a progress thread, a server) writes
// while this thread waits outside the library: no lock orders them, by
// design, so ThreadSanitizer is told to ignore this thread's reads within
// the scope.
#if defined(__SANITIZE_THREAD__)
extern "C" void AnnotateIgnoreReadsBegin(const char *file, int line);
extern "C" void AnnotateIgnoreReadsEnd(const char *file, int line);
struct UnorderedReads {
  UnorderedReads() { AnnotateIgnoreReadsBegin(__FILE__, __LINE__); }
  ~UnorderedReads() { AnnotateIgnoreReadsEnd(__FILE__, __LINE__); }
};
#else
struct UnorderedReads {};
#endif

// Every rank contributes `mine` (same length everywhere); returns the
// concatenation in rank order.
template <class T>
std::vector<T> AllGather(const std::vector<T> &mine, MPI_Comm comm) {
  int size = 0;
  MPI_Comm_size(comm, &size);
  std::vector<T> all(mine.size() * size);
  MPI_Allgather(mine.data(), static_cast<int>(mine.size() * sizeof(T)), MPI_BYTE, all.data(),
                static_cast<int>(mine.size() * sizeof(T)), MPI_BYTE, comm);
  return all;
}

// ---------------------------------------------------------------------------
// Accumulate element types with exact arithmetic
// ---------------------------------------------------------------------------

// Small integers, exact in every element type.
inline long SmallValue(int who, size_t i, int salt) {
  return static_cast<long>(((who + 1) * 7 + i * 13 + salt * 5) % 61) - 30;
}

template <class T>
struct AccType;
template <>
struct AccType<int> {
  static constexpr int kOp = COMEX_ACC_INT;
  static constexpr const char *kName = "INT";
  static int Scale() { return 2; }
  static int Make(int who, size_t i, int salt) {
    return static_cast<int>(SmallValue(who, i, salt));
  }
};
template <>
struct AccType<long> {
  static constexpr int kOp = COMEX_ACC_LNG;
  static constexpr const char *kName = "LNG";
  static long Scale() { return 3; }
  // Values beyond 32 bits so a 4-byte kernel would be caught.
  static long Make(int who, size_t i, int salt) {
    return SmallValue(who, i, salt) * (1L << 33) + SmallValue(who, i, salt + 1);
  }
};
template <>
struct AccType<double> {
  static constexpr int kOp = COMEX_ACC_DBL;
  static constexpr const char *kName = "DBL";
  static double Scale() { return 2.5; }
  static double Make(int who, size_t i, int salt) { return SmallValue(who, i, salt) * 0.5; }
};
template <>
struct AccType<float> {
  static constexpr int kOp = COMEX_ACC_FLT;
  static constexpr const char *kName = "FLT";
  static float Scale() { return -1.5f; }
  static float Make(int who, size_t i, int salt) {
    return static_cast<float>(SmallValue(who, i, salt)) * 0.25f;
  }
};
template <>
struct AccType<std::complex<float>> {
  static constexpr int kOp = COMEX_ACC_CPL;
  static constexpr const char *kName = "CPL";
  static std::complex<float> Scale() { return {2.0f, 1.0f}; }
  static std::complex<float> Make(int who, size_t i, int salt) {
    return {static_cast<float>(SmallValue(who, i, salt)),
            static_cast<float>(SmallValue(who, i, salt + 3))};
  }
};
template <>
struct AccType<std::complex<double>> {
  static constexpr int kOp = COMEX_ACC_DCP;
  static constexpr const char *kName = "DCP";
  static std::complex<double> Scale() { return {-1.0, 2.0}; }
  static std::complex<double> Make(int who, size_t i, int salt) {
    return {static_cast<double>(SmallValue(who, i, salt)),
            static_cast<double>(SmallValue(who, i, salt + 3))};
  }
};

// dst + scale * src computed with explicit real arithmetic (exact here).
template <class T>
T MulAdd(T dst, T scale, T src) {
  return dst + scale * src;
}
template <class R>
std::complex<R> MulAdd(std::complex<R> dst, std::complex<R> scale, std::complex<R> src) {
  const R re = scale.real() * src.real() - scale.imag() * src.imag();
  const R im = scale.real() * src.imag() + scale.imag() * src.real();
  return {dst.real() + re, dst.imag() + im};
}

// Natural alignment used for accumulate buffers, offsets and strides.
template <class T>
constexpr int AccAlign() {
  return static_cast<int>(sizeof(T));
}

// Runs fn.template operator()<T>() for each of the six accumulate types.
template <class Fn>
void ForEachAccType(Fn &&fn) {
  fn(AccType<int>{});
  fn(AccType<long>{});
  fn(AccType<double>{});
  fn(AccType<float>{});
  fn(AccType<std::complex<float>>{});
  fn(AccType<std::complex<double>>{});
}

// The element type of an AccType tag.
template <class A>
struct ElemOf;
template <class T>
struct ElemOf<AccType<T>> {
  using type = T;
};

}  // namespace testutil

#endif  // COMEX_TESTING_COMMON_CHECKS_H_
