// stress.cc -- runs the random program of model.h on every rank and checks
// it against the model.
//
//   stress_model [--seed N] [--epochs N] [--seconds S] [--threads T]
//                [--ops K] [--slots S]
//
// Each epoch: every thread of every rank runs its stream of operations,
// the ranks meet in comex_barrier, each rank compares its whole block with
// the model, and the values fetched by rmw and locked updates are gathered
// and checked as one sequence per counter.  Any difference prints the seed,
// the epoch and the operations involved, and the job exits 1.
#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "comex.h"
#include "model.h"

namespace stress {

uint64_t g_seed = 0;  // named in every difference reported
int g_epoch = 0;

namespace {

struct Options {
  uint64_t seed = 0;
  int epochs = 20;
  double seconds = 0;
  int threads = 2;
  int ops = 24;
  int slots = 40;
};

/// What one rank ran and checked, summed over the job at the end.
struct Tally {
  std::atomic<long> ops{0}, gets{0}, bytes{0}, fetched{0}, failures{0};
};

int g_rank = 0;

void report(const char *what, const std::string &detail, Tally *tally) {
  tally->failures.fetch_add(1);
  std::fprintf(stderr, "stress: DIFFERENCE seed=%llu epoch=%d rank=%d: %s%s\n",
               (unsigned long long)g_seed, g_epoch, g_rank, what, detail.c_str());
}

/// First differing byte of a get's buffer, or "" when equal.
std::string compare(const std::vector<uint8_t> &got, const std::vector<uint8_t> &want) {
  for (size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      char buf[96];
      std::snprintf(buf, sizeof buf, " (byte %zu of %zu: got 0x%02x, expected 0x%02x)", i,
                    want.size(), got[i], want[i]);
      return buf;
    }
  }
  return "";
}

class StreamRunner {
 public:
  StreamRunner(const Program &prog, const std::vector<void *> &ptrs, int rank, int thread,
               Tally *tally)
      : prog_(prog), ptrs_(ptrs), rank_(rank), thread_(thread), tally_(tally) {}

  void run() {
    const std::vector<Op> &ops = prog_.stream(rank_, thread_);
    for (size_t i = 0; i < ops.size(); ++i) step(ops[i], int(i));
    while (!pending_.empty()) finish(pending_.size() - 1, false);
  }
  std::vector<Fetched> fetched;

 private:
  struct Pending {
    comex_request_t handle;
    const Op *op;
    int index;
    std::vector<uint8_t> buf;
    std::vector<void *> src, dst;
  };

  void fail(const Op &op, int index, const char *what, const std::string &more = "") {
    char head[160];
    std::snprintf(head, sizeof head, "thread %d op %d %s: ", thread_, index, what);
    report(head, op.describe(prog_.slots()) + more, tally_);
  }
  void check(int rc, const Op &op, int index, const char *call) {
    if (rc != COMEX_SUCCESS) fail(op, index, call, " returned failure");
  }
  char *remote(const Op &op) const {
    return static_cast<char *>(ptrs_[size_t(op.target)]) + prog_.slots()[size_t(op.slot)].off;
  }

  void step(const Op &op, int index) {
    tally_->ops.fetch_add(1, std::memory_order_relaxed);
    switch (op.kind) {
      case OpKind::kPut:
      case OpKind::kGet:
      case OpKind::kAcc:
        return transfer(op, index);
      case OpKind::kRmw:
        return rmw(op, index);
      case OpKind::kLockedAdd:
        return locked_add(op, index);
      case OpKind::kFenceProc:
        return check(comex_fence_proc(op.target, COMEX_GROUP_WORLD), op, index, "comex_fence_proc");
      case OpKind::kFenceAll:
        return check(comex_fence_all(COMEX_GROUP_WORLD), op, index, "comex_fence_all");
      case OpKind::kWaitOne:
      case OpKind::kTestOne:
        if (!pending_.empty()) finish(op.pick % pending_.size(), op.kind == OpKind::kTestOne);
        return;
      case OpKind::kWaitProc:
        check(comex_wait_proc(op.target, COMEX_GROUP_WORLD), op, index, "comex_wait_proc");
        for (size_t k = pending_.size(); k-- > 0;)
          if (pending_[k].op->target == op.target) settle(k);
        return;
      case OpKind::kWaitAll:
        check(comex_wait_all(COMEX_GROUP_WORLD), op, index, "comex_wait_all");
        while (!pending_.empty()) settle(pending_.size() - 1);
        return;
    }
  }

  void transfer(const Op &op, int index) {
    Pending p{0, &op, index, {}, {}, {}};
    const bool get = op.kind == OpKind::kGet;
    if (get)
      p.buf.assign(op.buf_bytes, 0xEE);
    else
      p.buf = op.data;  // a put's buffer must stay as it is until completion
    char *loc = reinterpret_cast<char *>(p.buf.data());
    char *rem = remote(op);
    void *scale = const_cast<unsigned char *>(op.scale);
    const int acc = ty_acc_op(prog_.slots()[size_t(op.slot)].ty);
    comex_request_t *h = op.nb ? &p.handle : nullptr;
    const int t = op.target, g = COMEX_GROUP_WORLD;
    int rc = COMEX_FAILURE;
    if (op.shape == Shape::kContig) {
      const Run &r = op.runs[0];
      char *l = loc + r.local, *m = rem + r.remote;
      const int n = int(r.len);
      if (op.kind == OpKind::kPut)
        rc = h ? comex_nbput(l, m, n, t, g, h) : comex_put(l, m, n, t, g);
      else if (get)
        rc = h ? comex_nbget(m, l, n, t, g, h) : comex_get(m, l, n, t, g);
      else
        rc = h ? comex_nbacc(acc, scale, l, m, n, t, g, h) : comex_acc(acc, scale, l, m, n, t, g);
    } else if (op.shape == Shape::kStrided) {
      char *l = loc + op.runs[0].local, *m = rem + op.runs[0].remote;
      int *cnt = const_cast<int *>(op.count), *ls = const_cast<int *>(op.lstride),
          *rs = const_cast<int *>(op.rstride);
      const int lv = op.levels;
      if (op.kind == OpKind::kPut)
        rc = h ? comex_nbputs(l, ls, m, rs, cnt, lv, t, g, h)
               : comex_puts(l, ls, m, rs, cnt, lv, t, g);
      else if (get)
        rc = h ? comex_nbgets(m, rs, l, ls, cnt, lv, t, g, h)
               : comex_gets(m, rs, l, ls, cnt, lv, t, g);
      else
        rc = h ? comex_nbaccs(acc, scale, l, ls, m, rs, cnt, lv, t, g, h)
               : comex_accs(acc, scale, l, ls, m, rs, cnt, lv, t, g);
    } else {
      for (const Run &r : op.runs) {
        p.src.push_back(get ? rem + r.remote : loc + r.local);
        p.dst.push_back(get ? static_cast<void *>(loc + r.local) : rem + r.remote);
      }
      const int m = int(op.runs.size()), first = op.vec_split, bytes = int(op.runs[0].len);
      comex_giov_t iov[2] = {{p.src.data(), p.dst.data(), first, bytes},
                             {p.src.data() + first, p.dst.data() + first, m - first, bytes}};
      const int len = first < m ? 2 : 1;
      if (op.kind == OpKind::kPut)
        rc = h ? comex_nbputv(iov, len, t, g, h) : comex_putv(iov, len, t, g);
      else if (get)
        rc = h ? comex_nbgetv(iov, len, t, g, h) : comex_getv(iov, len, t, g);
      else
        rc = h ? comex_nbaccv(acc, scale, iov, len, t, g, h)
               : comex_accv(acc, scale, iov, len, t, g);
    }
    check(rc, op, index, "transfer");
    if (rc != COMEX_SUCCESS) return;
    pending_.push_back(std::move(p));
    if (!op.nb) settle(pending_.size() - 1);
  }

  /// Complete pending operation k (wait, or poll comex_test) and check a get.
  void finish(size_t k, bool poll) {
    Pending &p = pending_[k];
    if (!poll) {
      check(comex_wait(&p.handle), *p.op, p.index, "comex_wait");
    } else {
      const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(120);
      for (int status = 1; status != 0;) {
        check(comex_test(&p.handle, &status), *p.op, p.index, "comex_test");
        if (status != 0 && std::chrono::steady_clock::now() > limit) {
          fail(*p.op, p.index, "comex_test", " still in progress after 120 s");
          break;
        }
        if (status != 0) sched_yield();
      }
    }
    settle(k);
  }

  /// The operation is complete: check a get's whole buffer and forget it.
  void settle(size_t k) {
    Pending &p = pending_[k];
    if (p.op->kind == OpKind::kGet) {
      tally_->gets.fetch_add(1, std::memory_order_relaxed);
      tally_->bytes.fetch_add(long(p.buf.size()), std::memory_order_relaxed);
      std::string diff = compare(p.buf, p.op->data);
      if (!diff.empty()) fail(*p.op, p.index, "get returned other data", diff);
    }
    pending_.erase(pending_.begin() + long(k));
  }

  void rmw(const Op &op, int index) {
    const bool wide = prog_.slots()[size_t(op.slot)].ty == Ty::kLong;
    const int kind = op.swap ? (wide ? COMEX_SWAP_LONG : COMEX_SWAP)
                             : (wide ? COMEX_FETCH_AND_ADD_LONG : COMEX_FETCH_AND_ADD);
    long lv = op.swap ? long(op.operand) : 0;
    int iv = int(lv);
    void *loc = wide ? static_cast<void *>(&lv) : static_cast<void *>(&iv);
    const int extra = op.swap ? 0 : int(op.operand);
    check(comex_rmw(kind, loc, remote(op), extra, op.target, COMEX_GROUP_WORLD), op, index,
          "comex_rmw");
    const int64_t got = wide ? int64_t(lv) : int64_t(iv);
    fetched.push_back(
        {op.target, op.slot, int64_t(op.swap ? Role::kSwap : Role::kFadd), got, op.operand});
  }

  void locked_add(const Op &op, int index) {
    const int mutex = prog_.plan(op.target, op.slot).mutex;
    long v = 0;
    check(comex_lock(mutex, op.target), op, index, "comex_lock");
    check(comex_get(remote(op), &v, sizeof v, op.target, COMEX_GROUP_WORLD), op, index,
          "comex_get");
    const long before = v;
    v += long(op.operand);
    check(comex_put(&v, remote(op), sizeof v, op.target, COMEX_GROUP_WORLD), op, index,
          "comex_put");
    if (op.fence_before_unlock)
      check(comex_fence_proc(op.target, COMEX_GROUP_WORLD), op, index, "comex_fence_proc");
    check(comex_unlock(mutex, op.target), op, index, "comex_unlock");
    fetched.push_back({op.target, op.slot, int64_t(Role::kLocked), before, op.operand});
  }

  const Program &prog_;
  const std::vector<void *> &ptrs_;
  int rank_, thread_;
  Tally *tally_;
  std::vector<Pending> pending_;
};

}  // namespace

// Defined in check.cc.
void check_epoch(Program &prog, int rank, const void *block, std::vector<Fetched> &fetched,
                 MPI_Comm comm, long *failures);
void wait_mpi(MPI_Request *req);

int run(int argc, char **argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    const char *v = argv[i + 1];
    if (a == "--seed")
      o.seed = std::strtoull(v, nullptr, 0);
    else if (a == "--epochs")
      o.epochs = std::atoi(v);
    else if (a == "--seconds")
      o.seconds = std::atof(v);
    else if (a == "--threads")
      o.threads = std::max(1, std::atoi(v));
    else if (a == "--ops")
      o.ops = std::max(1, std::atoi(v));
    else if (a == "--slots")
      o.slots = std::max(8, std::atoi(v));
    else {
      std::fprintf(stderr, "stress: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  if (comex_init_args(&argc, &argv) != COMEX_SUCCESS) return 1;
  int rank = 0, ranks = 1;
  MPI_Comm comm;
  comex_group_rank(COMEX_GROUP_WORLD, &rank);
  comex_group_size(COMEX_GROUP_WORLD, &ranks);
  comex_group_comm(COMEX_GROUP_WORLD, &comm);
  if (o.seed == 0 && rank == 0)
    o.seed = uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) % 1000000007;
  MPI_Bcast(&o.seed, 1, MPI_UINT64_T, 0, comm);
  g_rank = rank;
  g_seed = o.seed;
  if (rank == 0)
    std::printf("stress: seed=%llu ranks=%d threads=%d ops=%d slots=%d (repeat with --seed %llu)\n",
                (unsigned long long)o.seed, ranks, o.threads, o.ops, o.slots,
                (unsigned long long)o.seed);
  std::fflush(stdout);

  Program prog(o.seed, ranks, o.threads, o.ops, o.slots);
  std::vector<void *> ptrs(static_cast<size_t>(ranks));
  if (comex_malloc(ptrs.data(), prog.block_bytes(), COMEX_GROUP_WORLD) != COMEX_SUCCESS ||
      comex_create_mutexes(prog.mutexes()) != COMEX_SUCCESS)
    return 1;
  std::memcpy(ptrs[size_t(rank)], prog.memory(rank).data(), prog.block_bytes());
  comex_barrier(COMEX_GROUP_WORLD);

  Tally tally;
  const auto start = std::chrono::steady_clock::now();
  int epoch = 0;
  long failures = 0;
  for (bool stop = false; !stop; ++epoch) {
    g_epoch = epoch;
    prog.plan_epoch(epoch);
    std::vector<StreamRunner> runners;
    for (int t = 0; t < o.threads; ++t) runners.emplace_back(prog, ptrs, rank, t, &tally);
    std::vector<std::thread> threads;
    for (int t = 1; t < o.threads; ++t)
      threads.emplace_back([&runners, t] { runners[size_t(t)].run(); });
    runners[0].run();
    for (std::thread &th : threads) th.join();
    if (epoch % 2) comex_fence_all(COMEX_GROUP_WORLD);
    comex_barrier(COMEX_GROUP_WORLD);
    std::vector<Fetched> fetched;
    for (StreamRunner &r : runners)
      fetched.insert(fetched.end(), r.fetched.begin(), r.fetched.end());
    tally.fetched.fetch_add(long(fetched.size()));
    check_epoch(prog, rank, ptrs[size_t(rank)], fetched, comm, &failures);
    failures += tally.failures.exchange(0);
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    long mine[2] = {failures,
                    rank == 0 && (o.seconds > 0 ? elapsed >= o.seconds : epoch + 1 >= o.epochs)};
    long all[2];
    MPI_Request req;
    MPI_Iallreduce(mine, all, 2, MPI_LONG, MPI_MAX, comm, &req);
    wait_mpi(&req);
    stop = all[0] > 0 || all[1] > 0;
    if (all[0] > 0) failures = all[0];
  }

  long mine[5] = {tally.ops.load(), tally.gets.load(), tally.bytes.load(), tally.fetched.load(), 0},
       sum[5];
  mine[4] = long(prog.block_bytes()) * epoch;
  MPI_Allreduce(mine, sum, 5, MPI_LONG, MPI_SUM, comm);
  if (rank == 0)
    std::printf(
        "stress: %s after %d epochs: %ld operations, %ld gets (%ld bytes) checked, "
        "%ld fetched values sequenced, %ld bytes of memory compared; seed=%llu\n",
        failures ? "DIFFERENCES" : "no difference", epoch, sum[0], sum[1], sum[2], sum[3], sum[4],
        (unsigned long long)o.seed);
  comex_destroy_mutexes();
  comex_free(ptrs[size_t(rank)], COMEX_GROUP_WORLD);
  comex_finalize();
  MPI_Finalize();
  return failures ? 1 : 0;
}

}  // namespace stress

int main(int argc, char **argv) { return stress::run(argc, argv); }
