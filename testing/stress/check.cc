// check.cc -- the end of an epoch: gather what rmw and locked updates
// fetched, check each counter's updates form one sequence, and compare this
// rank's block with the model byte for byte.
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "comex.h"
#include "model.h"

namespace stress {

extern uint64_t g_seed;
extern int g_epoch;

namespace {

constexpr int64_t kFinal = 99;  // a swap slot's last value, read by its rank

int test_request(void *arg) {
  int flag = 0;
  if (MPI_Test(static_cast<MPI_Request *>(arg), &flag, MPI_STATUS_IGNORE) != MPI_SUCCESS) {
    std::fprintf(stderr, "stress: MPI_Test failed\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  return flag;
}

int64_t counter_in(const Program &prog, const void *block, int slot) {
  const Slot &s = prog.slots()[size_t(slot)];
  const char *p = static_cast<const char *>(block) + s.off;
  if (s.ty == Ty::kInt) {
    int v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  long v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

void differ(int rank, const char *what, const std::string &detail, long *failures) {
  ++*failures;
  std::fprintf(stderr, "stress: DIFFERENCE seed=%llu epoch=%d rank=%d: %s%s\n",
               (unsigned long long)g_seed, g_epoch, rank, what, detail.c_str());
}

// Fetch-and-add and locked updates of one counter: sorted by the value each
// fetched, they must chain from the start value to the final one.
void check_chain(const Program &prog, int rank, int slot,
                 std::vector<std::pair<int64_t, int64_t>> v, int64_t final_value, long *failures) {
  const bool narrow = prog.slots()[size_t(slot)].ty == Ty::kInt;
  auto wrap = [narrow](int64_t x) { return narrow ? int64_t(int32_t(uint32_t(x))) : x; };
  std::sort(v.begin(), v.end());
  int64_t cur = prog.counter_start(rank, slot);
  for (const auto &[got, add] : v) {
    if (got != cur) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    " slot %d: an update fetched %lld where the sequence of %zu updates from "
                    "%lld has %lld",
                    slot, (long long)got, v.size(), (long long)prog.counter_start(rank, slot),
                    (long long)cur);
      differ(rank, "counter", buf + prog.ops_on(rank, slot), failures);
      return;
    }
    cur = wrap(cur + add);
  }
  if (cur != final_value) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " slot %d: ends at %lld, its %zu updates make %lld", slot,
                  (long long)final_value, v.size(), (long long)cur);
    differ(rank, "counter", buf + prog.ops_on(rank, slot), failures);
  }
}

// Swaps of one counter: the values swapped in plus the start value are the
// values fetched plus the final one.
void check_swaps(const Program &prog, int rank, int slot, std::vector<int64_t> in,
                 std::vector<int64_t> out, int64_t final_value, long *failures) {
  in.push_back(prog.counter_start(rank, slot));
  out.push_back(final_value);
  std::sort(in.begin(), in.end());
  std::sort(out.begin(), out.end());
  if (in != out) {
    char buf[120];
    std::snprintf(buf, sizeof buf, " slot %d: %zu swaps lost or duplicated a value (final %lld)",
                  slot, in.size() - 1, (long long)final_value);
    differ(rank, "swap", buf + prog.ops_on(rank, slot), failures);
  }
}

}  // namespace

void wait_mpi(MPI_Request *req) {
  // Waits the way ComEx waits (serving requests, yielding the core), so
  // oversubscribed ranks are not starved by a spinning collective.
  if (comex_wait_until(test_request, req) != COMEX_SUCCESS) MPI_Abort(MPI_COMM_WORLD, 2);
}

void check_epoch(Program &prog, int rank, const void *block, std::vector<Fetched> &fetched,
                 MPI_Comm comm, long *failures) {
  const int nslots = int(prog.slots().size());
  for (int s = 0; s < nslots; ++s)
    if (prog.plan(rank, s).role == Role::kSwap)
      fetched.push_back({rank, s, kFinal, counter_in(prog, block, s), 0});

  // Everyone's records (5 int64 each).
  int ranks = prog.ranks();
  int mine = int(fetched.size() * 5);
  std::vector<int> counts(static_cast<size_t>(ranks)), displs(counts.size());
  MPI_Request req;
  MPI_Iallgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm, &req);
  wait_mpi(&req);
  int total = 0;
  for (int r = 0; r < ranks; ++r) displs[size_t(r)] = total, total += counts[size_t(r)];
  std::vector<int64_t> all(size_t(std::max(total, 1)));
  static_assert(sizeof(Fetched) == 5 * sizeof(int64_t), "records are five int64");
  MPI_Iallgatherv(fetched.data(), mine, MPI_INT64_T, all.data(), counts.data(), displs.data(),
                  MPI_INT64_T, comm, &req);
  wait_mpi(&req);
  std::vector<Fetched> recs(size_t(total / 5));
  if (total) std::memcpy(recs.data(), all.data(), size_t(total) * sizeof(int64_t));

  // Swap slots: the model learns their final values from their ranks.
  for (const Fetched &f : recs)
    if (f.role == kFinal) prog.set_counter(int(f.target), int(f.slot), f.value);

  // This rank's counters.
  std::map<int, std::vector<std::pair<int64_t, int64_t>>> chains;
  std::map<int, std::pair<std::vector<int64_t>, std::vector<int64_t>>> swaps;
  for (const Fetched &f : recs) {
    if (f.target != rank || f.role == kFinal) continue;
    if (f.role == int64_t(Role::kSwap)) {
      swaps[int(f.slot)].first.push_back(f.operand);
      swaps[int(f.slot)].second.push_back(f.value);
    } else {
      chains[int(f.slot)].push_back({f.value, f.operand});
    }
  }
  for (auto &[slot, v] : chains)
    check_chain(prog, rank, slot, std::move(v), counter_in(prog, block, slot), failures);
  for (auto &[slot, io] : swaps)
    check_swaps(prog, rank, slot, std::move(io.first), std::move(io.second),
                counter_in(prog, block, slot), failures);

  // The whole block, slot by slot, and the tail no operation names.
  const unsigned char *got = static_cast<const unsigned char *>(block);
  const std::vector<uint8_t> &want = prog.memory(rank);
  for (int s = 0; s < nslots; ++s) {
    const Slot &sl = prog.slots()[size_t(s)];
    for (size_t i = sl.off; i < sl.off + sl.bytes; ++i) {
      if (got[i] == want[i]) continue;
      const SlotPlan &p = prog.plan(rank, s);
      char buf[240];
      std::snprintf(buf, sizeof buf,
                    " slot %d (%s, %s, owner stream %d) byte %zu: got 0x%02x, expected 0x%02x;"
                    " operations on it:",
                    s, ty_name(sl.ty), role_name(p.role), p.owner, i - sl.off, got[i], want[i]);
      differ(rank, "memory", buf + prog.ops_on(rank, s), failures);
      break;
    }
  }
  const size_t tail = prog.slots().back().off + prog.slots().back().bytes;
  if (std::memcmp(got + tail, want.data() + tail, prog.block_bytes() - tail) != 0)
    differ(rank, "memory", " the tail after the last slot was written", failures);
}

}  // namespace stress
