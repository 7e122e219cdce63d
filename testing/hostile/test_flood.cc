// test_flood.cc -- a broken rank floods a target while honest ranks work on
// it (4 ranks).  Rank 3 sends rank 0 bad requests of every kind (unknown
// ops, short messages, addresses outside every allocation, bad element and
// rmw kinds, malformed and cut layouts, cut payloads, bad tags, locks of no
// mutex, unlocks of mutexes it does not hold, terminates) and one put whose
// last piece is short, as fast as the target answers, until ranks 1 and 2
// are done: puts, gets, strided transfers, accumulates, rmw and a
// lock-protected counter, each checked.  Rank 0 checks every byte of its
// block, and that its log holds a bounded number of lines about rank 3 and
// none about the honest ranks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "fixture.h"
#include "judge.h"

namespace hostile {
namespace {

constexpr size_t kWindow = 16 << 10, kRegion = 4096;
constexpr uint64_t kCounters = 8192;             // window offsets: 64 ints of accumulates,
constexpr uint64_t kRmw = 8704, kLocked = 8712;  // an rmw counter, a locked counter
constexpr int kRounds = 20, kFlood = 600;

// One bad request (kind k % 15) from the flooder; answers are taken.
void Bad(Raw &raw, const Window &w, int k) {
  Request r;
  r.h.tag = raw.fresh_tag();
  r.h.op = Op::kPut;
  r.h.flags = comex::kFlagEager;
  r.h.addr = w.block() + 64;  // the guard before the window
  r.h.bytes = 8;
  r.payload.assign(8, 'b');
  int answers = 0, cap = 16;
  switch (k % 15) {
    case 0:
      r.h.op = Op(200);
      break;
    case 1:
      raw.send(std::vector<char>(17, 'x'));
      return;
    case 2:
      break;  // put into the guard
    case 3:
      r.h.op = Op::kGet, r.h.flags = 0, r.h.piece = 4, answers = 2;
      break;
    case 4:
      r.h.op = Op::kRmw, r.h.elem = 1, answers = 1;
      break;
    case 5:
      r.h.op = Op::kAcc, r.h.elem = 77, r.h.addr = w.window();
      break;
    case 6:
      r.h.op = Op::kRmw, r.h.elem = 9, r.h.addr = w.window(), answers = 1;
      break;
    case 7:
      r.layout.assign(17, char(7));
      break;  // a layout of no kind
    case 8:
      r.h.op = Op::kAcc, r.h.elem = 0, r.h.bytes = 800;
      break;  // payload cut short
    case 9:
      r.h.op = Op::kGet, r.h.flags = 0, r.h.tag = -5;
      break;
    case 10:
      r.h.op = Op::kLock, r.h.mutex = 99, answers = 1;
      break;
    case 11:
      r.h.op = Op::kUnlock, r.h.mutex = 0;
      break;
    case 12:
      r.h.op = Op::kTerminate;
      break;
    case 14:
      r.layout.assign(40, char(1));
      break;    // cut short below
    default: {  // a strided layout reaching past the window's end
      int count[2] = {64, 40}, stride[1] = {128};
      Layout::strided(w.window() + kWindow - 1024, stride, count, 1).encode(&r.layout);
      r.h.bytes = 64 * 40;
      r.payload.assign(r.h.bytes, 's');
    }
  }
  Request sent = r;
  sent.h.layout_bytes = uint32_t(r.layout.size());
  std::vector<char> m = sent.bytes();
  if (k % 15 == 14) std::memcpy(m.data() + offsetof(Header, layout_bytes), "\xff\x00\x00\x00", 4);
  raw.send(m);
  char buf[16];
  for (int a = 0; a < answers; ++a) EXPECT_GE(raw.answer(buf, cap, r.h.tag), 0) << "kind " << k;
}

// Ranks 1 and 2: everything checked as it goes, at least kRounds rounds and
// until the flood is over (`flood` completes).  Returns the rounds done.
int Honest(const Window &w, int rank, std::vector<char> *region, MPI_Request *flood) {
  const uint64_t mine = w.window() + uint64_t(rank - 1) * kRegion;
  int round = 0;
  for (int over = 0; round < kRounds || !over; ++round) {
    if (round >= kRounds) MPI_Test(flood, &over, MPI_STATUS_IGNORE);
    std::vector<char> a(1 + (round * 97) % 2048), back(a.size());
    testutil::FillPattern(a.data(), a.size(), rank, 0, round);
    void *at = reinterpret_cast<void *>(mine + uint64_t(round % 7) * 64);
    EXPECT_EQ(comex_put(a.data(), at, int(a.size()), 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_EQ(comex_get(at, back.data(), int(a.size()), 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_TRUE(testutil::BytesEqual(back.data(), a.data(), a.size())) << "round " << round;
    std::memcpy(region->data() + (round % 7) * 64, a.data(), a.size());
    int count[2] = {24, 8}, src_stride[1] = {24}, dst_stride[1] = {200};  // strided, 8 rows
    std::vector<char> s(24 * 8), sb(24 * 8);
    testutil::FillPattern(s.data(), s.size(), rank, 1, round);
    void *row = reinterpret_cast<void *>(mine + 2400);
    EXPECT_EQ(comex_puts(s.data(), src_stride, row, dst_stride, count, 1, 0, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    EXPECT_EQ(comex_gets(row, dst_stride, sb.data(), src_stride, count, 1, 0, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    EXPECT_TRUE(testutil::BytesEqual(sb.data(), s.data(), s.size())) << "strided " << round;
    for (int i = 0; i < 8; ++i) std::memcpy(region->data() + 2400 + i * 200, &s[i * 24], 24);
    std::vector<int> add(64);
    for (int i = 0; i < 64; ++i) add[i] = i + 1;
    int one = 1;
    void *counters = reinterpret_cast<void *>(w.window() + kCounters);
    EXPECT_EQ(comex_acc(COMEX_ACC_INT, &one, add.data(), counters, 256, 0, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    long old = 0, inc = 1;
    EXPECT_EQ(comex_rmw(COMEX_FETCH_AND_ADD_LONG, &old, reinterpret_cast<void *>(w.window() + kRmw),
                        int(inc), 0, COMEX_GROUP_WORLD),
              COMEX_SUCCESS);
    void *locked = reinterpret_cast<void *>(w.window() + kLocked);
    EXPECT_EQ(comex_lock(0, 0), COMEX_SUCCESS);
    long v = 0;
    EXPECT_EQ(comex_get(locked, &v, sizeof v, 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    ++v;
    EXPECT_EQ(comex_put(&v, locked, sizeof v, 0, COMEX_GROUP_WORLD), COMEX_SUCCESS);
    EXPECT_EQ(comex_unlock(0, 0), COMEX_SUCCESS);
  }
  return round;
}

TEST(Flood, HonestRanksAreServedWhileABrokenRankFloods) {
  const int rank = Rank();
  ASSERT_EQ(Size(), 4) << "a 4-rank suite";
  Window w(kWindow);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(comex_create_mutexes(1), COMEX_SUCCESS);
  std::vector<char> region(kRegion);
  if (rank == 1 || rank == 2)
    std::memcpy(region.data(), w.InitialWindow().data() + (rank - 1) * kRegion, kRegion);
  std::FILE *log = nullptr;
  int saved = -1;
  if (rank == 0) {  // the target's log lines go to a file while the flood lasts
    std::fflush(stderr);
    log = std::tmpfile();
    saved = dup(2);
    dup2(fileno(log), 2);
  }
  QuietBarrier();
  MPI_Request flood;  // complete once rank 3 has sent all its requests
  if (rank != 3) MPI_Ibarrier(World(), &flood);
  int rounds = 0;
  if (rank == 1 || rank == 2) rounds = Honest(w, rank, &region, &flood);
  if (rank == 3) {
    Raw raw(0);
    for (int bad = 0; bad < kFlood; ++bad) {
      Bad(raw, w, bad);
      if (bad % 16 == 15) {
        EXPECT_GE(raw.fence(), 0) << "the target stopped answering";
      }
      if (bad == kFlood / 2) {  // a put whose second piece is short: rank 3 is broken
        Request p;
        p.h.op = Op::kPut, p.h.tag = raw.fresh_tag(), p.h.piece = 1024, p.h.bytes = 2048;
        p.h.addr = w.window() + 3 * kRegion;
        raw.send(p);
        std::vector<char> data(2048);
        testutil::FillPattern(data.data(), data.size(), 3, 0, 9);
        raw.piece(data.data(), 1024, p.h.tag);
        raw.piece(data.data() + 1024, 1000, p.h.tag);
      }
    }
    MPI_Ibarrier(World(), &flood);
  }
  for (int flag = 0; !flag;) {
    MPI_Test(&flood, &flag, MPI_STATUS_IGNORE);
    if (!flag) usleep(200);
  }
  EXPECT_EQ(comex_barrier(COMEX_GROUP_WORLD), COMEX_SUCCESS);
  std::vector<char> r1(kRegion), r2(kRegion);  // what the honest ranks left in their regions
  if (rank == 1 || rank == 2) {
    MPI_Send(region.data(), int(kRegion), MPI_BYTE, 0, rank, World());
    MPI_Send(&rounds, 1, MPI_INT, 0, rank, World());
  }
  if (rank == 0) {
    QuietRecv(r1.data(), int(kRegion), 1, 1, World(), MPI_STATUS_IGNORE);
    QuietRecv(r2.data(), int(kRegion), 2, 2, World(), MPI_STATUS_IGNORE);
    int n1 = 0, n2 = 0;
    MPI_Recv(&n1, 1, MPI_INT, 1, 1, World(), MPI_STATUS_IGNORE);
    MPI_Recv(&n2, 1, MPI_INT, 2, 2, World(), MPI_STATUS_IGNORE);
    const int all = n1 + n2;
    std::printf("ranks 1 and 2 did %d and %d rounds while rank 3 flooded\n", n1, n2);
    std::vector<uint8_t> expect = w.InitialWindow();
    std::memcpy(expect.data(), r1.data(), kRegion);
    std::memcpy(expect.data() + kRegion, r2.data(), kRegion);
    testutil::FillPattern(expect.data() + 3 * kRegion, 2024, 3, 0, 9);  // the short piece landed
    for (int i = 0; i < 64; ++i) {
      int c;
      std::memcpy(&c, &expect[kCounters + 4 * i], 4);
      c += all * (i + 1);
      std::memcpy(&expect[kCounters + 4 * i], &c, 4);
    }
    long c;
    std::memcpy(&c, &expect[kRmw], 8), c += all, std::memcpy(&expect[kRmw], &c, 8);
    std::memcpy(&c, &expect[kLocked], 8), c += all, std::memcpy(&expect[kLocked], &c, 8);
    size_t first = 0;
    EXPECT_EQ(w.Differences(expect.data(), &first), 0u) << "first at block offset " << first;
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::rewind(log);
    int about3 = 0, broke = 0, honest = 0;
    char line[1024];
    while (std::fgets(line, sizeof line, log)) {
      std::fputs(line, stderr);
      const std::string s(line);
      about3 += s.find("rank 3") != std::string::npos;
      broke += s.find("rank 3 broke") != std::string::npos;
      honest += s.find("rank 1") != std::string::npos || s.find("rank 2") != std::string::npos;
    }
    std::fclose(log);
    EXPECT_EQ(broke, 1);
    EXPECT_EQ(honest, 0) << "no honest rank's request was refused";
    EXPECT_LE(about3, 5 + 2) << "REFUSAL_LOG_LINES, the counted-not-logged line, the broken line";
  }
  QuietBarrier();
  EXPECT_EQ(comex_destroy_mutexes(), COMEX_SUCCESS);
}

}  // namespace
}  // namespace hostile
