// test_fuzz.cc -- rank 1 sends rank 0's progress thread random and mutated
// requests (seeded: HOSTILE_SEED, else the time; HOSTILE_ITERS requests),
// every piece it promised, and checks every answer.  After each request a
// legal get of the window must come back right, and rank 0 compares its
// whole block (guards and window) with rank 1's copy, byte for byte: a
// served request changed exactly what it names, a refused one nothing.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>

#include "fixture.h"
#include "judge.h"

namespace hostile {
namespace {

constexpr size_t kWindow = 16 << 10;

struct Fuzzer {
  std::mt19937_64 rng;
  Raw &raw;
  uint64_t win;
  uint64_t block;
  uint64_t u(uint64_t n) { return n ? rng() % n : 0; }
  bool coin(int pct) { return int(u(100)) < pct; }

  // An address near the window: inside it, in a guard, across an edge.
  uint64_t addr(uint64_t len) {
    len = std::min<uint64_t>(len, kWindow);
    switch (u(10)) {
      case 0:
        return block + u(kWindow);  // the guard before
      case 1:
        return win + kWindow + u(kWindow - len + 1);  // the guard after
      case 2:
        return win - 1 - u(len);  // across the start
      case 3:
        return win + kWindow - len + 1 + u(len);  // across the end
      default:
        return win + u(kWindow - len + 1);
    }
  }

  Layout layout(uint64_t *total) {
    if (coin(50)) {  // strided, one or two levels
      int count[3] = {int(1 + u(48)), int(2 + u(5)), int(2 + u(3))};
      int levels = int(1 + u(2));
      int stride[2] = {count[0] + int(u(24)), 0};
      if (coin(10)) stride[0] = int(u(count[0]));  // overlapping blocks
      stride[1] = stride[0] * count[1] + int(u(16));
      uint64_t span = uint64_t(stride[levels - 1]) * uint64_t(count[levels]) + 64;
      Layout l = Layout::strided(addr(span), stride, count, levels);
      *total = l.total();
      return l;
    }
    Layout l;
    l.kind = Layout::Kind::kVector;
    l.groups.resize(1 + u(3));
    for (Layout::Group &g : l.groups) {
      g.bytes = 1 + u(80);
      for (uint64_t i = 0, n = 1 + u(8); i < n; ++i) g.addrs.push_back(addr(g.bytes));
    }
    *total = l.total();
    return l;
  }

  Request request() {
    Request r;
    Header &h = r.h;
    const int pick = int(u(20));
    h.op = pick < 7    ? Op::kPut
           : pick < 12 ? Op::kAcc
           : pick < 16 ? Op::kGet
           : pick < 18 ? Op::kRmw
                       : Op(uint8_t(Op::kFence) + u(4));
    h.tag = raw.fresh_tag();
    h.piece = coin(50) ? 1024 : 64 + u(4096);
    if (h.op == Op::kRmw) {
      h.elem = uint8_t(u(4));
      h.bytes = comex::rmw_width(comex::RmwKind(h.elem));
      h.addr = addr(8) & ~uint64_t(h.bytes - 1);
      h.operand = int64_t(u(1000)) - 500;
      return r;
    }
    if (h.op == Op::kLock || h.op == Op::kUnlock) h.mutex = int(u(4)) - 1;
    if (h.op != Op::kPut && h.op != Op::kAcc && h.op != Op::kGet) return r;
    const comex::ElemType types[3] = {comex::ElemType::kInt, comex::ElemType::kDbl,
                                      comex::ElemType::kLng};
    const comex::ElemType type = types[u(3)];
    h.elem = uint8_t(type);
    const uint64_t es = comex::elem_size(type);
    uint64_t total = 0;
    if (coin(40)) {
      Layout l = layout(&total);
      l.encode(&r.layout);
      if (coin(30)) h.flags |= comex::kFlagBlocks;
      if (!(h.flags & comex::kFlagBlocks) && coin(30)) h.offset = u(total);
      h.bytes = total - h.offset;
    } else {
      h.bytes = 1 + u(coin(70) ? 256 : 6000);
      h.addr = addr(h.bytes);
    }
    if (h.op == Op::kAcc) {
      h.bytes -= h.bytes % es;
      if (type == comex::ElemType::kDbl) {
        const double s = double(int(u(5)) - 2);
        std::memcpy(h.scale, &s, sizeof s);
      } else {
        const int64_t s = int64_t(u(5)) - 2;
        std::memcpy(h.scale, &s, es);
      }
    }
    if (h.op != Op::kGet && coin(60)) {
      h.flags |= comex::kFlagEager;
      r.payload = stream(h.op, type, h.bytes);
    }
    return r;
  }

  // A payload of small values, exact in every element type.
  std::vector<char> stream(Op op, comex::ElemType type, uint64_t n) {
    std::vector<char> s(n);
    if (op != Op::kAcc) {
      for (char &c : s) c = char(rng());
      return s;
    }
    const uint64_t es = comex::elem_size(type);
    for (uint64_t i = 0; i + es <= n; i += es) {
      const int64_t v = int64_t(u(9)) - 4;
      if (type == comex::ElemType::kDbl) {
        const double d = double(v);
        std::memcpy(&s[i], &d, es);
      } else {
        std::memcpy(&s[i], &v, es);
      }
    }
    return s;
  }

  // One to three changes, any of which may make the request malformed.
  void mutate(std::vector<char> *m) {
    Header h;
    std::memcpy(&h, m->data(), sizeof h);
    for (uint64_t k = 0, n = 1 + u(3); k < n; ++k) {
      switch (u(13)) {
        case 0:
          h.op = Op(uint8_t(Op::kCount) + u(248));
          break;
        case 1:
          h.elem = uint8_t(rng());
          break;
        case 2:
          h.addr = coin(50) ? rng() : ~uint64_t(0) - u(64);
          break;
        case 3:
          h.addr = addr(h.bytes);
          break;
        case 4:
          h.bytes = coin(50) ? h.bytes + 1 + u(64) : rng() >> u(64);
          break;
        case 5:
          h.offset += 1 + u(64);
          break;
        case 6:
          h.layout_bytes += uint32_t(1 + u(200));
          break;
        case 7:
          h.flags = uint8_t(u(8));
          break;
        case 8:
          h.tag = coin(50) ? -1 - int(u(1000)) : raw.tag_ub() + 1;
          break;
        case 9:
          h.piece = u(4) == 0 ? 0 : u(20000);
          break;
        case 10:  // flip bytes of the layout descriptor or the payload
          if (m->size() > sizeof h)
            for (uint64_t i = 0, f = 1 + u(4); i < f; ++i)
              (*m)[sizeof h + u(m->size() - sizeof h)] ^= char(1 + u(255));
          break;
        case 11:
          m->resize(sizeof h + u(m->size() - sizeof h + 1));
          break;  // cut the message
        default:
          h.mutex = int(rng());
          break;
      }
    }
    std::memcpy(m->data(), &h, sizeof h);
    if (coin(3)) m->resize(u(sizeof h));  // shorter than a header
  }
};

TEST(Fuzz, MalformedAndLegalRequests) {
  const int rank = Rank();
  Window w(kWindow);
  ASSERT_TRUE(w.ok());
  uint64_t seed = std::getenv("HOSTILE_SEED") ? std::strtoull(std::getenv("HOSTILE_SEED"), 0, 10)
                                              : uint64_t(std::time(nullptr));
  int iters = std::getenv("HOSTILE_ITERS") ? std::atoi(std::getenv("HOSTILE_ITERS")) : 1000;
  MPI_Bcast(&seed, 1, MPI_UINT64_T, 0, World());
  SCOPED_TRACE("HOSTILE_SEED=" + std::to_string(seed));
  std::vector<uint8_t> shadow = w.InitialWindow();
  uint64_t checked = 0, served = 0, changed_outside = 0;
  if (rank == 0) {
    for (int i = 0; i < iters; ++i) {  // compare after each request
      MPI_Status st;
      QuietRecv(shadow.data(), int(kWindow), 1, MPI_ANY_TAG, World(), &st);
      if (st.MPI_TAG != 7) break;  // rank 1 stopped on a failure
      size_t first = 0;
      uint64_t bad = w.Differences(shadow.data(), &first);
      changed_outside += bad;
      EXPECT_EQ(bad, 0u) << "after request " << i << ": first at block offset " << first;
      MPI_Send(&bad, 1, MPI_UINT64_T, 1, 8, World());
      ++checked;
    }
    std::printf("fuzz seed %llu: block compared after %llu requests, %llu bytes differed\n",
                (unsigned long long)seed, (unsigned long long)checked,
                (unsigned long long)changed_outside);
  } else if (rank == 1) {
    Raw raw(0);
    Fuzzer f{std::mt19937_64(seed), raw, w.window(), w.block()};
    int i = 0;
    struct Stop {  // a failed assertion returns early: let rank 0 stop too
      const int &i, iters;
      ~Stop() {
        if (i < iters) MPI_Send(nullptr, 0, MPI_BYTE, 0, 9, World());
      }
    } stop{i, iters};
    bool refused_since_fence = false;  // the target's next fence reply reports a refusal
    for (; i < iters; ++i) {
      SCOPED_TRACE("request " + std::to_string(i));
      Verdict v;
      std::vector<char> m, stream;
      do {  // nothing that would mark us broken (too many pieces) or take long
        Request r = f.request();
        m = r.bytes();
        Header h = r.h;
        h.layout_bytes = uint32_t(r.layout.size());
        std::memcpy(m.data(), &h, sizeof h);
        if (f.coin(60)) f.mutate(&m);
        v = Judge(m, w.window(), kWindow, raw.tag_ub());
      } while (v.cost() > 64 || (v.h.op == Op::kGet && v.served && v.h.bytes > (1 << 20)));
      // Only a fence the target serves reports (and so clears) a refusal; a
      // malformed one is refused itself and leaves the report for the next.
      const bool fence_served = v.h.op == Op::kFence && v.status == 0;
      if (fence_served) v.status = refused_since_fence ? 1 : 0;
      if (fence_served) refused_since_fence = false;
      if (v.refused_data) refused_since_fence = true;
      if (!v.pieces.empty())
        stream = f.stream(v.h.op, comex::ElemType(v.h.elem < 6 ? v.h.elem : 0),
                          v.pieces.back().first + v.pieces.back().second);
      std::vector<char> expect =
          v.served && v.h.op == Op::kGet ? Expected(v, f.win, shadow) : std::vector<char>();
      raw.send(m);
      for (const auto &[off, n] : v.pieces) raw.piece(stream.data() + off, n, v.h.tag);
      std::vector<char> got;
      for (uint64_t a = 0; a < v.answers; ++a) {
        const uint64_t most = v.status >= 0 ? sizeof(comex::Reply)
                              : v.served    ? std::min(v.h.bytes, v.h.piece)
                                            : 0;
        std::vector<char> buf(most + 1);
        int n = raw.answer(buf.data(), int(buf.size()), v.h.tag);
        ASSERT_GE(n, 0) << "no answer " << a << " of " << v.answers;
        if (v.status >= 0) {
          comex::Reply rep;
          ASSERT_EQ(n, int(sizeof rep));
          std::memcpy(&rep, buf.data(), sizeof rep);
          EXPECT_EQ(rep.status, v.status) << "op " << int(v.h.op);
          if (v.h.op == Op::kRmw && v.served) {
            void *at = shadow.data() + (v.h.addr - f.win);
            EXPECT_EQ(rep.value, comex::rmw_apply(comex::RmwKind(v.h.elem), at, v.h.operand));
          }
        } else {
          if (!v.served) {
            EXPECT_EQ(n, 0) << "a refused get's piece is empty";
          }
          got.insert(got.end(), buf.begin(), buf.begin() + n);
        }
      }
      if (v.served && v.h.op == Op::kGet) {
        EXPECT_TRUE(testutil::BytesEqual(got.data(), expect.data(), expect.size()));
      }
      if (v.served && (v.h.op == Op::kPut || v.h.op == Op::kAcc)) Apply(v, stream, f.win, &shadow);
      served += v.served;
      // Still alive, and everything so far applied: a legal get of the window.
      const uint64_t off = f.u(kWindow - 64), n = 1 + f.u(64);
      Request g;
      g.h.op = Op::kGet;
      g.h.tag = raw.fresh_tag();
      g.h.addr = f.win + off;
      g.h.bytes = n;
      g.h.piece = 1024;
      raw.send(g);
      char buf[64];
      ASSERT_EQ(raw.answer(buf, sizeof buf, g.h.tag), int(n)) << "the target stopped serving";
      EXPECT_TRUE(testutil::BytesEqual(buf, shadow.data() + off, n));
      MPI_Send(shadow.data(), int(kWindow), MPI_BYTE, 0, 7, World());
      uint64_t bad = 0;
      MPI_Recv(&bad, 1, MPI_UINT64_T, 0, 8, World(), MPI_STATUS_IGNORE);
      ASSERT_EQ(bad, 0u) << "rank 0's block differs after this request (seed " << seed << ")";
      ++checked;
    }
    std::printf("fuzz seed %llu: %llu requests checked, %llu served, the rest refused\n",
                (unsigned long long)seed, (unsigned long long)checked, (unsigned long long)served);
  }
}

}  // namespace
}  // namespace hostile
