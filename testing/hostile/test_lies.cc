// test_lies.cc -- ranks that lie about their payload pieces (4 ranks,
// COMEX_PEER_TIMEOUT_MS short).  Rank 1 sends a piece longer than promised,
// rank 2 a shorter one, rank 3 never sends its last piece (then sends it
// late).  Each is refused from then on (gets answered with empty pieces,
// rmw refused, puts dropped; fences still answered) and fails fast through the API, while
// the ranks that have not lied are still served; rank 0 checks its block
// byte for byte: only what the lying requests legally covered changed.
#include <gtest/gtest.h>

#include <cstdlib>

#include "fixture.h"
#include "judge.h"

namespace hostile {
namespace {

constexpr size_t kWindow = 16 << 10;
constexpr size_t kRegion = 4096;  // rank r's part of the window: [(r - 1) * kRegion, r * kRegion)

std::vector<char> PatternOf(int r, int salt, size_t n) {
  std::vector<char> v(n);
  testutil::FillPattern(v.data(), n, r, 0, salt);
  return v;
}

// The put of 2048 bytes in two pieces of 1024 that each liar starts with.
Request TwoPieces(Raw &raw, uint64_t at) {
  Request r;
  r.h.op = Op::kPut;
  r.h.tag = raw.fresh_tag();
  r.h.addr = at;
  r.h.bytes = 2048;
  r.h.piece = 1024;
  return r;
}

// A rank that lied: every request refused, nothing written, no hang.
void ExpectRefused(Raw &raw, const Window &w, uint64_t at) {
  Request g;  // a legal get: an empty message for each of its 3 pieces
  g.h.op = Op::kGet;
  g.h.tag = raw.fresh_tag();
  g.h.addr = at;
  g.h.bytes = 3000;
  g.h.piece = 1024;
  raw.send(g);
  char buf[1025];
  for (int i = 0; i < 3; ++i) EXPECT_EQ(raw.answer(buf, sizeof buf, g.h.tag), 0) << "piece " << i;
  Request m;  // an rmw
  m.h.op = Op::kRmw;
  m.h.elem = uint8_t(comex::RmwKind::kFaddLong);
  m.h.tag = raw.fresh_tag();
  m.h.addr = at;
  m.h.bytes = 8;
  m.h.operand = 5;
  raw.send(m);
  comex::Reply rep{};
  ASSERT_EQ(raw.answer(&rep, sizeof rep, m.h.tag), int(sizeof rep));
  EXPECT_EQ(rep.status, 1);
  Request p = TwoPieces(raw, at);  // a put with pieces: swept, never written
  raw.send(p);
  std::vector<char> junk(1024, 'x');
  raw.piece(junk.data(), 1024, p.h.tag);
  raw.piece(junk.data(), 1024, p.h.tag);
  raw.piece(junk.data(), 77, raw.fresh_tag());  // stray data: swept too
  EXPECT_EQ(raw.fence(), 0) << "a fence still orders";
  // Through the API: refused at once, no hang.
  long v = 0;
  EXPECT_EQ(comex_get(reinterpret_cast<void *>(at), &v, sizeof v, 0, COMEX_GROUP_WORLD),
            COMEX_FAILURE);
  (void)w;
}

TEST(Lies, BrokenRanksAreRefusedOthersServed) {
  const int rank = Rank();
  ASSERT_EQ(Size(), 4) << "a 4-rank suite";
  Window w(kWindow);
  ASSERT_TRUE(w.ok());
  const uint64_t region = w.window() + uint64_t(rank - 1) * kRegion;
  auto served = [&](int salt) {  // the ranks that have not lied: a put and a get
    std::vector<char> mine = PatternOf(rank, salt, 256), back(256);
    void *at = reinterpret_cast<void *>(region + kRegion - 256);
    EXPECT_EQ(comex_put(mine.data(), at, 256, 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_EQ(comex_get(at, back.data(), 256, 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_TRUE(testutil::BytesEqual(back.data(), mine.data(), 256)) << "rank " << rank;
  };
  for (int liar = 1; liar <= 3; ++liar) {
    if (rank > liar) served(liar);
    QuietBarrier();
    if (rank == liar) {
      Raw raw(0);
      Request r = TwoPieces(raw, region);
      raw.send(r);
      std::vector<char> a = PatternOf(rank, 0, 1024), b = PatternOf(rank, 1, 1500);
      raw.piece(a.data(), 1024, r.h.tag);
      if (liar == 1) raw.piece(b.data(), 1500, r.h.tag);  // longer: never written
      if (liar == 2) raw.piece(b.data(), 500, r.h.tag);   // shorter: its 500 bytes land
      if (liar == 3) {  // missing: the target gives up after COMEX_PEER_TIMEOUT_MS
        EXPECT_EQ(raw.fence(), 0) << "a fence is answered after the deadline";
        raw.piece(b.data(), 1024, r.h.tag);  // too late: swept
      }
      ExpectRefused(raw, w, region);
      if (liar == 1) {  // larger than COMEX_MAX_MSG_BYTES: held, received at finalize
        static std::vector<char> huge(64 << 10, 'h');
        MPI_Request q;
        comex::Engine &e = comex::Runtime::instance()->engine();
        MPI_Isend(huge.data(), int(huge.size()), MPI_BYTE, 0, 5, e.data_comm(), &q);
        MPI_Request_free(&q);
      }
    }
    QuietBarrier();
  }
  if (rank == 0) {  // everything the liars legally covered, the rest as it was
    std::vector<uint8_t> expect = w.InitialWindow();
    for (int r = 1; r <= 3; ++r) {
      uint8_t *at = expect.data() + (r - 1) * kRegion;
      std::vector<char> a = PatternOf(r, 0, 1024), b = PatternOf(r, 1, 1500);
      std::memcpy(at, a.data(), 1024);
      if (r == 2) std::memcpy(at + 1024, b.data(), 500);
      if (r >= 2)  // the last put it was served, in round r - 1
        std::memcpy(at + kRegion - 256, PatternOf(r, r - 1, 256).data(), 256);
    }
    size_t first = 0;
    EXPECT_EQ(w.Differences(expect.data(), &first), 0u) << "first at block offset " << first;
  }
}

}  // namespace
}  // namespace hostile
