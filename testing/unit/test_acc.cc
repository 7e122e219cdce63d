// Unit tests of the accumulate kernels and read-modify-write.
#include <gtest/gtest.h>

#include <complex>
#include <vector>

#include "comex.h"
#include "util/acc.h"

using namespace comex;

template <class T>
void check_real(int op, T scale) {
  ElemType t;
  ASSERT_TRUE(acc_elem_type(op, &t));
  ASSERT_EQ(elem_size(t), sizeof(T));
  std::vector<T> dst(37), src(37);
  for (int i = 0; i < 37; ++i) {
    dst[i] = T(i);
    src[i] = T(100 + i);
  }
  accumulate(t, &scale, dst.data(), src.data(), dst.size() * sizeof(T));
  for (int i = 0; i < 37; ++i) EXPECT_EQ(dst[i], T(i) + scale * T(100 + i)) << i;
}

TEST(Accumulate, RealTypes) {
  check_real<int>(COMEX_ACC_INT, 3);
  check_real<long>(COMEX_ACC_LNG, -2);
  check_real<double>(COMEX_ACC_DBL, 0.5);
  check_real<float>(COMEX_ACC_FLT, 2.0f);
}

template <class T>
void check_complex(int op) {
  ElemType t;
  ASSERT_TRUE(acc_elem_type(op, &t));
  ASSERT_EQ(elem_size(t), 2 * sizeof(T));
  std::complex<T> scale(2, 1);
  std::vector<std::complex<T>> dst(9), src(9);
  for (int i = 0; i < 9; ++i) {
    dst[i] = {T(i), T(-i)};
    src[i] = {T(1 + i), T(3 - i)};
  }
  accumulate(t, &scale, dst.data(), src.data(), dst.size() * sizeof(dst[0]));
  for (int i = 0; i < 9; ++i) {
    std::complex<T> want =
        std::complex<T>(T(i), T(-i)) + scale * std::complex<T>(T(1 + i), T(3 - i));
    EXPECT_EQ(dst[i], want) << i;
  }
}

TEST(Accumulate, ComplexTypes) {
  check_complex<float>(COMEX_ACC_CPL);
  check_complex<double>(COMEX_ACC_DCP);
}

TEST(Accumulate, UnalignedBuffers) {
  std::vector<char> d(8 * 5 + 1), s(8 * 5 + 1);
  for (int i = 0; i < 5; ++i) {
    double a = i, b = 10 * i;
    std::memcpy(&d[1 + 8 * i], &a, 8);
    std::memcpy(&s[1 + 8 * i], &b, 8);
  }
  double scale = 2;
  accumulate(ElemType::kDbl, &scale, &d[1], &s[1], 40);
  for (int i = 0; i < 5; ++i) {
    double v;
    std::memcpy(&v, &d[1 + 8 * i], 8);
    EXPECT_EQ(v, i + 20.0 * i);
  }
}

TEST(Accumulate, UnknownOpsAreRejected) {
  ElemType t;
  EXPECT_FALSE(acc_elem_type(COMEX_ACC_OFF, &t));
  EXPECT_FALSE(acc_elem_type(COMEX_ACC_LNG + 1, &t));
  EXPECT_FALSE(acc_elem_type(0, &t));
  RmwKind k;
  EXPECT_FALSE(rmw_kind(COMEX_ACC_INT, &k));
  EXPECT_FALSE(rmw_kind(14, &k));
}

TEST(Rmw, FetchAddAndSwap) {
  RmwKind k;
  int i = 5;
  ASSERT_TRUE(rmw_kind(COMEX_FETCH_AND_ADD, &k));
  EXPECT_EQ(rmw_width(k), sizeof(int));
  EXPECT_EQ(rmw_apply(k, &i, 3), 5);
  EXPECT_EQ(i, 8);
  long l = 1L << 40;
  ASSERT_TRUE(rmw_kind(COMEX_FETCH_AND_ADD_LONG, &k));
  EXPECT_EQ(rmw_apply(k, &l, -1), 1L << 40);
  EXPECT_EQ(l, (1L << 40) - 1);
  ASSERT_TRUE(rmw_kind(COMEX_SWAP, &k));
  EXPECT_EQ(rmw_apply(k, &i, 42), 8);
  EXPECT_EQ(i, 42);
  ASSERT_TRUE(rmw_kind(COMEX_SWAP_LONG, &k));
  EXPECT_EQ(rmw_apply(k, &l, 7), (1L << 40) - 1);
  EXPECT_EQ(l, 7);
}
