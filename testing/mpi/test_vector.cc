// Multi-rank tests of vector transfers: comex_putv/getv/accv and their nb
// forms with many small descriptors (1000 pairs of 8 bytes; several giov
// entries of different byte sizes in one call; blocks of 32 KiB and more),
// addresses scattered in random order and laid out differently at origin and
// target, zero-length descriptors, from every rank to every rank (itself
// included).  Every origin writes only its own region of each target; the
// whole block is compared with a local model element by element.  Also every
// bad-input case: each fails and writes nothing.
//
// The same binary runs in a job with tiny split sizes (see test_strided.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <complex>
#include <cstdint>
#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "comex.h"
#include "strided_util.h"
#include "test_util.h"

namespace {

using mpitest::AllBytesAre;
using mpitest::BytesEqual;
using mpitest::ElementsEqual;
using mpitest::FillPattern;
using mpitest::MatchesPattern;
using mpitest::PatternVector;
using mpitest::SharedBlock;
using mpitest::WorldRank;
using mpitest::WorldSize;
using stridedtest::AccType;
using stridedtest::CompleteVariously;
using stridedtest::Desc;
using stridedtest::DrawVecPlan;
using stridedtest::GiovSet;
using stridedtest::kWorld;
using stridedtest::MakeRng;
using stridedtest::MulAdd;
using stridedtest::RandInt;
using stridedtest::RoundUp;
using stridedtest::VecPlan;

struct VecCase {
  int id;
  std::string name;
  std::vector<Desc> descs;  // byte sizes for put/get; rounded up to elements for acc
};

// Printed by GoogleTest for a failing parameterized test.
void PrintTo(const VecCase &c, std::ostream *os) { *os << c.name; }

std::vector<VecCase> AllCases() {
  std::vector<VecCase> cases;
  int id = 0;
  auto add = [&](const std::string &name, std::vector<Desc> d) {
    cases.push_back({id++, name, std::move(d)});
  };
  add("Small8x1000", {{8, 1000}});
  add("Single", {{13, 1}});
  add("MixedSizes",
      {{1, 37}, {3, 50}, {8, 1000}, {16, 200}, {24, 10}, {100, 20}, {4096, 3}, {40000, 2}});
  add("LargeBlocks", {{33000, 3}, {40000, 2}});
  add("ZeroLength", {{8, 0}, {16, 50}, {0, 20}, {5, 0}, {0, 0}, {24, 30}, {0, 1}});
  {
    auto rng = MakeRng({4242});
    std::vector<Desc> d;
    for (int i = 0; i < 150; ++i) d.push_back({RandInt(rng, 1, 48), RandInt(rng, 1, 12)});
    add("ManyDescriptors", d);
  }
  return cases;
}

class Vector : public ::testing::TestWithParam<VecCase> {
 protected:
  void SetUp() override {
    me_ = WorldRank();
    n_ = WorldSize();
  }

  // The plan origin o uses towards target t; byte sizes are rounded up to
  // multiples of `unit` (zero stays zero), addresses aligned to it.
  VecPlan PlanFor(int o, int t, int salt, int unit) const {
    auto rng = MakeRng({GetParam().id, o, t, salt, unit});
    std::vector<Desc> d = GetParam().descs;
    for (Desc &x : d) x.bytes = static_cast<int>(RoundUp(x.bytes, unit));
    return DrawVecPlan(rng, d, unit);
  }
  std::vector<std::vector<VecPlan>> AllPlans(int salt, int unit, size_t *region) const {
    std::vector<std::vector<VecPlan>> p(n_, std::vector<VecPlan>(n_));
    size_t r = 0;
    for (int o = 0; o < n_; ++o)
      for (int t = 0; t < n_; ++t) {
        p[o][t] = PlanFor(o, t, salt, unit);
        r = std::max(r, p[o][t].remote_size);
      }
    *region = std::max(*region, RoundUp(r + 1, 64));
    return p;
  }

  void RunPut(bool nb);
  void RunGet(bool nb);
  template <class T>
  void RunAcc(int type_index);

  int me_ = -1, n_ = 0;
};

std::string CaseName(const ::testing::TestParamInfo<VecCase> &info) { return info.param.name; }

void Vector::RunPut(bool nb) {
  const int salt = nb ? 2 : 1;
  size_t R = 0;
  auto plans = AllPlans(salt, 1, &R);
  SharedBlock blk(n_ * R);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), n_ * R, me_, me_, 100 + salt);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<std::vector<uint8_t>> src(n_);
  std::vector<std::unique_ptr<GiovSet>> iov(n_);
  std::vector<comex_request_t> h(n_);
  for (int k = 0; k < n_; ++k) {
    const int t = (me_ + k) % n_;
    const VecPlan &p = plans[me_][t];
    src[t] = PatternVector(p.local_size + 16, me_, t, salt);
    iov[t].reset(new GiovSet(p, src[t].data(), blk.at(t, me_ * R), false));
    int rc = nb ? comex_nbputv(iov[t]->data(), iov[t]->len(), t, kWorld, &h[t])
                : comex_putv(iov[t]->data(), iov[t]->len(), t, kWorld);
    EXPECT_EQ(rc, COMEX_SUCCESS) << "to " << t;
    if (!nb) std::fill(src[t].begin(), src[t].end(), 0);
  }
  if (nb) {
    for (int t = 0; t < n_; ++t)
      if (CompleteVariously(&h[t], t, t + me_)) std::fill(src[t].begin(), src[t].end(), 0);
    EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<uint8_t> model = PatternVector(n_ * R, me_, me_, 100 + salt);
  for (int o = 0; o < n_; ++o) {
    const VecPlan &p = plans[o][me_];
    std::vector<uint8_t> from = PatternVector(p.local_size + 16, o, me_, salt);
    p.ForEachBlock([&](int bytes, size_t lo, size_t ro) {
      std::memcpy(&model[o * R + ro], &from[lo], bytes);
    });
  }
  for (int o = 0; o < n_; ++o)
    EXPECT_TRUE(BytesEqual(blk.mine() + o * R, model.data() + o * R, R))
        << "region of origin " << o << " on target " << me_;
}

void Vector::RunGet(bool nb) {
  const int salt = nb ? 4 : 3;
  size_t R = 0;
  auto plans = AllPlans(salt, 1, &R);
  SharedBlock blk(n_ * R);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), n_ * R, me_, me_, 200 + salt);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<std::vector<uint8_t>> dst(n_);
  std::vector<std::unique_ptr<GiovSet>> iov(n_);
  std::vector<comex_request_t> h(n_);
  for (int k = 0; k < n_; ++k) {
    const int t = (me_ + n_ - k) % n_;
    const VecPlan &p = plans[me_][t];
    dst[t] = PatternVector(p.local_size + 16, me_, t, 300 + salt);
    iov[t].reset(new GiovSet(p, dst[t].data(), blk.at(t, me_ * R), true));
    int rc = nb ? comex_nbgetv(iov[t]->data(), iov[t]->len(), t, kWorld, &h[t])
                : comex_getv(iov[t]->data(), iov[t]->len(), t, kWorld);
    EXPECT_EQ(rc, COMEX_SUCCESS) << "from " << t;
  }
  if (nb) {
    for (int t = 0; t < n_; ++t) CompleteVariously(&h[t], t, t + me_ + 1);
    EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  }
  for (int t = 0; t < n_; ++t) {
    const VecPlan &p = plans[me_][t];
    std::vector<uint8_t> model = PatternVector(p.local_size + 16, me_, t, 300 + salt);
    std::vector<uint8_t> remote = PatternVector(n_ * R, t, t, 200 + salt);
    p.ForEachBlock([&](int bytes, size_t lo, size_t ro) {
      std::memcpy(&model[lo], &remote[me_ * R + ro], bytes);
    });
    EXPECT_TRUE(BytesEqual(dst[t].data(), model.data(), model.size())) << "get from " << t;
  }
}

// Two vector accumulates (one blocking, one nb, different plans) from every
// origin into its region of every target.
template <class T>
void Vector::RunAcc(int type_index) {
  using A = AccType<T>;
  SCOPED_TRACE(std::string("COMEX_ACC_") + A::kName);
  const int esz = sizeof(T);
  const int salt = 10 + 2 * type_index;
  size_t R = 0;
  auto p1 = AllPlans(salt, esz, &R);
  auto p2 = AllPlans(salt + 1, esz, &R);
  const size_t nelem = n_ * R / esz;
  SharedBlock blk(n_ * R);
  ASSERT_TRUE(blk.ok());
  T *mine = reinterpret_cast<T *>(blk.mine());
  for (size_t i = 0; i < nelem; ++i) mine[i] = A::Make(100 + me_, i, salt);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  T scale = A::Scale();
  auto src_values = [&](int o, int t, int which, const VecPlan &p) {
    std::vector<T> v(p.local_size / esz + 1);
    for (size_t i = 0; i < v.size(); ++i) v[i] = A::Make(o * 64 + t, i, salt + 1 + which);
    return v;
  };
  std::vector<std::vector<T>> a(n_), b(n_);
  std::vector<std::unique_ptr<GiovSet>> ia(n_), ib(n_);
  std::vector<comex_request_t> h(n_);
  for (int k = 0; k < n_; ++k) {
    const int t = (me_ + k) % n_;
    a[t] = src_values(me_, t, 0, p1[me_][t]);
    b[t] = src_values(me_, t, 1, p2[me_][t]);
    ia[t].reset(new GiovSet(p1[me_][t], a[t].data(), blk.at(t, me_ * R), false));
    ib[t].reset(new GiovSet(p2[me_][t], b[t].data(), blk.at(t, me_ * R), false));
    EXPECT_EQ(comex_accv(A::kOp, &scale, ia[t]->data(), ia[t]->len(), t, kWorld), COMEX_SUCCESS)
        << "to " << t;
    std::fill(a[t].begin(), a[t].end(), T{});
    EXPECT_EQ(comex_nbaccv(A::kOp, &scale, ib[t]->data(), ib[t]->len(), t, kWorld, &h[t]),
              COMEX_SUCCESS)
        << "nb to " << t;
  }
  for (int t = 0; t < n_; ++t)
    if (CompleteVariously(&h[t], t, t + type_index)) std::fill(b[t].begin(), b[t].end(), T{});
  EXPECT_EQ(comex_wait_all(kWorld), COMEX_SUCCESS);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);

  std::vector<T> model(nelem);
  for (size_t i = 0; i < nelem; ++i) model[i] = A::Make(100 + me_, i, salt);
  for (int o = 0; o < n_; ++o)
    for (int which = 0; which < 2; ++which) {
      const VecPlan &p = which == 0 ? p1[o][me_] : p2[o][me_];
      std::vector<T> from = src_values(o, me_, which, p);
      p.ForEachBlock([&](int bytes, size_t lo, size_t ro) {
        for (int k = 0; k < bytes / esz; ++k) {
          T &d = model[(o * R + ro) / esz + k];
          d = MulAdd(d, scale, from[lo / esz + k]);
        }
      });
    }
  for (int o = 0; o < n_; ++o)
    EXPECT_TRUE(ElementsEqual(mine + o * R / esz, model.data() + o * R / esz, R / esz))
        << "region of origin " << o << " on target " << me_;
}

TEST_P(Vector, Put) { RunPut(false); }
TEST_P(Vector, NbPut) { RunPut(true); }
TEST_P(Vector, Get) { RunGet(false); }
TEST_P(Vector, NbGet) { RunGet(true); }
TEST_P(Vector, AccAllTypes) {
  RunAcc<int>(0);
  RunAcc<long>(1);
  RunAcc<double>(2);
  RunAcc<float>(3);
  RunAcc<std::complex<float>>(4);
  RunAcc<std::complex<double>>(5);
}

INSTANTIATE_TEST_SUITE_P(Layouts, Vector, ::testing::ValuesIn(AllCases()), CaseName);

// ---------------------------------------------------------------------------
// Special cases
// ---------------------------------------------------------------------------

// len 0, and calls whose every descriptor moves nothing, succeed (blocking
// and nb) and write nothing.
TEST(VectorSpecial, NothingToMove) {
  const int me = WorldRank(), n = WorldSize();
  const size_t kBytes = 1024;
  SharedBlock blk(kBytes);
  ASSERT_TRUE(blk.ok());
  FillPattern(blk.mine(), kBytes, me, me, 50);
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<uint8_t> local(kBytes, 0x77);
  int iscale = 1;
  for (int t = 0; t < n; ++t) {
    SCOPED_TRACE("target " + std::to_string(t));
    void *l[4] = {&local[0], &local[64], &local[128], &local[192]};
    void *r[4] = {blk.at(t, 0), blk.at(t, 64), blk.at(t, 128), blk.at(t, 192)};
    // Put/acc: src local, dst remote; get: the reverse.
    comex_giov_t put_iov[3] = {{l, r, 0, 16}, {l, r, 4, 0}, {l, r, 0, 0}};
    comex_giov_t get_iov[3] = {{r, l, 0, 16}, {r, l, 4, 0}, {r, l, 0, 0}};
    for (int len : {0, 1, 3}) {
      SCOPED_TRACE("len " + std::to_string(len));
      comex_request_t h[3];
      EXPECT_EQ(comex_putv(put_iov, len, t, kWorld), COMEX_SUCCESS);
      EXPECT_EQ(comex_getv(get_iov, len, t, kWorld), COMEX_SUCCESS);
      EXPECT_EQ(comex_accv(COMEX_ACC_INT, &iscale, put_iov, len, t, kWorld), COMEX_SUCCESS);
      EXPECT_EQ(comex_nbputv(put_iov, len, t, kWorld, &h[0]), COMEX_SUCCESS);
      EXPECT_EQ(comex_nbgetv(get_iov, len, t, kWorld, &h[1]), COMEX_SUCCESS);
      EXPECT_EQ(comex_nbaccv(COMEX_ACC_INT, &iscale, put_iov, len, t, kWorld, &h[2]),
                COMEX_SUCCESS);
      EXPECT_EQ(comex_wait(&h[0]), COMEX_SUCCESS);
      EXPECT_TRUE(stridedtest::TestUntilDone(&h[1]));
      EXPECT_EQ(comex_wait(&h[2]), COMEX_SUCCESS);
    }
  }
  EXPECT_TRUE(AllBytesAre(local.data(), kBytes, 0x77));
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  EXPECT_TRUE(MatchesPattern(blk.mine(), kBytes, me, me, 50));
}

// One accumulate call whose pairs hit the same few remote elements many
// times: every pair is applied (the sums are exact), from every origin.
TEST(VectorSpecial, AccRepeatedTargets) {
  const int me = WorldRank(), n = WorldSize();
  const int kSlots = 10, kPairs = 500;
  SharedBlock blk(kSlots * sizeof(long));
  ASSERT_TRUE(blk.ok());
  long *mine = reinterpret_cast<long *>(blk.mine());
  for (int i = 0; i < kSlots; ++i) mine[i] = 1000 * i;
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<long> vals(kPairs);
  for (int j = 0; j < kPairs; ++j) vals[j] = (me + 1) * 100000L + j;
  long scale = 2;
  for (int t = 0; t < n; ++t) {
    std::vector<void *> src(kPairs), dst(kPairs);
    for (int j = 0; j < kPairs; ++j) {
      src[j] = &vals[j];
      dst[j] = blk.at(t, ((j * 7) % kSlots) * sizeof(long));
    }
    comex_giov_t iov = {src.data(), dst.data(), kPairs, sizeof(long)};
    EXPECT_EQ(comex_accv(COMEX_ACC_LNG, &scale, &iov, 1, t, kWorld), COMEX_SUCCESS);
  }
  ASSERT_EQ(comex_barrier(kWorld), COMEX_SUCCESS);
  std::vector<long> expect(kSlots);
  for (int i = 0; i < kSlots; ++i) expect[i] = 1000 * i;
  for (int o = 0; o < n; ++o)
    for (int j = 0; j < kPairs; ++j) expect[(j * 7) % kSlots] += 2 * ((o + 1) * 100000L + j);
  EXPECT_TRUE(ElementsEqual(mine, expect.data(), kSlots));
}

// ---------------------------------------------------------------------------
// Bad input: each call returns COMEX_FAILURE and writes nothing
// ---------------------------------------------------------------------------

#define EXPECT_FAIL(call) EXPECT_EQ((call), COMEX_FAILURE) << #call

// Three descriptors: 4 x 8 bytes, 10 x 16 bytes, 2 x 100 bytes, at distinct
// places of the remote block and of the local buffers.  The arrays are
// public so each case can spoil one entry.
struct IovSet {
  static constexpr int kDescs = 3;
  std::vector<void *> src[kDescs], dst[kDescs];
  comex_giov_t iov[kDescs];

  IovSet(char *local, char *remote, bool get) {
    const int bytes[kDescs] = {8, 16, 100};
    const int lbase[kDescs] = {0, 256, 1024}, rbase[kDescs] = {0, 512, 1024};
    const int step[kDescs] = {64, 32, 128};
    for (int d = 0; d < kDescs; ++d) {
      for (int j = 0; j < Count(d); ++j) {
        char *l = local + lbase[d] + j * step[d];
        char *r = remote + rbase[d] + j * step[d];
        src[d].push_back(get ? r : l);
        dst[d].push_back(get ? l : r);
      }
      iov[d] = {src[d].data(), dst[d].data(), Count(d), bytes[d]};
    }
  }
  static int Count(int d) { return d == 0 ? 4 : d == 1 ? 10 : 2; }
  // The remote address of pair j of descriptor d.
  void *&remote(int d, int j, bool get) { return get ? src[d][j] : dst[d][j]; }
};

class VectorErrors : public mpitest::BadCallTest {
 protected:
  VectorErrors() : BadCallTest(79) {}

  // For each of put, get, acc (int) and the nb forms: builds a fresh IovSet
  // towards t, lets `spoil` break it, and expects the call to fail.
  template <class Spoil>
  void ExpectAllFail(int t, const std::string &what, Spoil spoil, int proc = -2) {
    SCOPED_TRACE(what + " (target " + std::to_string(t) + ")");
    if (proc == -2) proc = t;
    int iscale = 1;
    comex_request_t h;
    for (int op = 0; op < 6; ++op) {
      const bool get = op == 1 || op == 4;
      IovSet s(reinterpret_cast<char *>(get ? dst_.data() : src_.data()), remote(t), get);
      int len = IovSet::kDescs;
      comex_giov_t *darr = s.iov;
      spoil(s, get, &len, &darr);
      switch (op) {
        case 0:
          EXPECT_FAIL(comex_putv(darr, len, proc, kWorld));
          break;
        case 1:
          EXPECT_FAIL(comex_getv(darr, len, proc, kWorld));
          break;
        case 2:
          EXPECT_FAIL(comex_accv(COMEX_ACC_INT, &iscale, darr, len, proc, kWorld));
          break;
        case 3:
          EXPECT_FAIL(comex_nbputv(darr, len, proc, kWorld, &h));
          break;
        case 4:
          EXPECT_FAIL(comex_nbgetv(darr, len, proc, kWorld, &h));
          break;
        case 5:
          EXPECT_FAIL(comex_nbaccv(COMEX_ACC_INT, &iscale, darr, len, proc, kWorld, &h));
          break;
      }
    }
  }
};

using Spoiled = IovSet;

TEST_F(VectorErrors, NegativeLengthsAndCounts) {
  for (int t : targets_) {
    for (int bad : {-1, -7, INT_MIN})
      ExpectAllFail(t, "len " + std::to_string(bad),
                    [&](Spoiled &, bool, int *len, comex_giov_t **) { *len = bad; });
    for (int d = 0; d < IovSet::kDescs; ++d)
      for (int bad : {-1, INT_MIN}) {
        ExpectAllFail(t, "darr[" + std::to_string(d) + "].count " + std::to_string(bad),
                      [&](Spoiled &s, bool, int *, comex_giov_t **) { s.iov[d].count = bad; });
        ExpectAllFail(t, "darr[" + std::to_string(d) + "].bytes " + std::to_string(bad),
                      [&](Spoiled &s, bool, int *, comex_giov_t **) { s.iov[d].bytes = bad; });
      }
  }
}

TEST_F(VectorErrors, NullDescriptorsAndAddresses) {
  for (int t : targets_) {
    for (int len : {1, 3})
      ExpectAllFail(t, "darr NULL, len " + std::to_string(len),
                    [&](Spoiled &, bool, int *l, comex_giov_t **darr) {
                      *l = len;
                      *darr = nullptr;
                    });
    for (int d = 0; d < IovSet::kDescs; ++d) {
      const std::string dn = "darr[" + std::to_string(d) + "]";
      ExpectAllFail(t, dn + ".src NULL",
                    [&](Spoiled &s, bool, int *, comex_giov_t **) { s.iov[d].src = nullptr; });
      ExpectAllFail(t, dn + ".dst NULL",
                    [&](Spoiled &s, bool, int *, comex_giov_t **) { s.iov[d].dst = nullptr; });
      const int j = IovSet::Count(d) - 1;
      ExpectAllFail(t, dn + ".src[last] NULL",
                    [&](Spoiled &s, bool, int *, comex_giov_t **) { s.src[d][j] = nullptr; });
      ExpectAllFail(t, dn + ".dst[last] NULL",
                    [&](Spoiled &s, bool, int *, comex_giov_t **) { s.dst[d][j] = nullptr; });
      ExpectAllFail(t, dn + ".dst[0] NULL",
                    [&](Spoiled &s, bool, int *, comex_giov_t **) { s.dst[d][0] = nullptr; });
    }
  }
}

TEST_F(VectorErrors, RemoteAddressOutsideMemory) {
  uint8_t stack_buf[256];
  for (int t : targets_) {
    // Pair 7 of descriptor 1 (16 bytes) moved; the other pairs stay valid.
    struct Where {
      const char *what;
      char *addr;
    } cases[] = {
        {"before the block", remote(t, -64)},
        {"1 byte before the block", remote(t, -1)},
        {"last byte 1 past the end", remote(t, kBytes - 16 + 1)},
        {"at the end", remote(t, kBytes)},
        {"far past the end", remote(t, 1 << 20)},
        {"not comex_malloc memory", reinterpret_cast<char *>(stack_buf)},
    };
    for (const Where &w : cases)
      ExpectAllFail(
          t, std::string("pair 7 of darr[1] ") + w.what,
          [&](Spoiled &s, bool get, int *, comex_giov_t **) { s.remote(1, 7, get) = w.addr; });
    ExpectAllFail(
        t, "first pair of darr[0] before the block",
        [&](Spoiled &s, bool get, int *, comex_giov_t **) { s.remote(0, 0, get) = remote(t, -8); });
    ExpectAllFail(t, "darr[2].bytes past the end of the block",
                  [&](Spoiled &s, bool, int *, comex_giov_t **) { s.iov[2].bytes = 3000 + 4; });
    // Pair 3 of descriptor 0 inside another rank's block (where it does not
    // happen to sit at the same addresses as t's).
    for (int u = 0; u < n_; ++u) {
      const uintptr_t a = reinterpret_cast<uintptr_t>(blk_->at(u));
      const uintptr_t b = reinterpret_cast<uintptr_t>(blk_->at(t));
      if (u == t || (a + kBytes > b && a < b + kBytes)) continue;
      ExpectAllFail(t, "pair 3 of darr[0] in rank " + std::to_string(u) + "'s block",
                    [&](Spoiled &s, bool get, int *, comex_giov_t **) {
                      s.remote(0, 3, get) = remote(u, 256);
                    });
    }
  }
}

TEST_F(VectorErrors, BadProcOpScaleAndHandle) {
  int iscale = 1;
  for (int p : {-1, n_, n_ + 3})
    ExpectAllFail(
        right_, "proc " + std::to_string(p), [](Spoiled &, bool, int *, comex_giov_t **) {}, p);
  for (int t : targets_) {
    SCOPED_TRACE("target " + std::to_string(t));
    IovSet s(reinterpret_cast<char *>(src_.data()), remote(t), false);
    for (int op : {0, COMEX_ACC_OFF, COMEX_ACC_OFF + 7, COMEX_SWAP, -1})
      EXPECT_FAIL(comex_accv(op, &iscale, s.iov, IovSet::kDescs, t, kWorld)) << "op " << op;
    EXPECT_FAIL(comex_accv(COMEX_ACC_INT, nullptr, s.iov, IovSet::kDescs, t, kWorld));
    comex_request_t h;
    EXPECT_FAIL(comex_nbaccv(COMEX_ACC_DBL, nullptr, s.iov, IovSet::kDescs, t, kWorld, &h));
    // (Blocks that are not whole elements are accepted as in GA's ComEx:
    // Accumulate.PartialElementsLeftAlone in test_core.cc.)
    IovSet g(reinterpret_cast<char *>(dst_.data()), remote(t), true);
    IovSet p(reinterpret_cast<char *>(src_.data()), remote(t), false);
    EXPECT_FAIL(comex_nbputv(p.iov, IovSet::kDescs, t, kWorld, nullptr));
    EXPECT_FAIL(comex_nbgetv(g.iov, IovSet::kDescs, t, kWorld, nullptr));
    EXPECT_FAIL(comex_nbaccv(COMEX_ACC_INT, &iscale, p.iov, IovSet::kDescs, t, kWorld, nullptr));
    for (comex_group_t grp : {12345, COMEX_GROUP_NULL}) {
      EXPECT_FAIL(comex_putv(p.iov, IovSet::kDescs, t, grp));
      EXPECT_FAIL(comex_getv(g.iov, IovSet::kDescs, t, grp));
      EXPECT_FAIL(comex_accv(COMEX_ACC_INT, &iscale, p.iov, IovSet::kDescs, t, grp));
    }
  }
}

}  // namespace
