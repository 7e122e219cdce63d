// model.h -- a random ComEx program and the sequential model that predicts it.
//
// The program runs in epochs separated by barriers.  In each epoch every
// slot of every rank's block has one role:
//   owned      one stream (a thread of a rank) puts, accumulates and gets;
//              the issue order of that stream defines every byte;
//   read-only  any stream gets; the bytes are those of the epoch's start;
//   shared acc any stream accumulates the slot's element type; the sum of
//              small integers is exact in every type, whatever the order;
//   fadd, swap any stream applies comex_rmw to the slot's first element;
//   locked     any stream, holding the slot's mutex, gets the first long,
//              adds to it and puts it back.
// Every rank builds the same program from the seed, so each one can predict
// the memory of all, check its own block byte for byte at the end of an
// epoch and check every get when it completes.  What the model cannot
// predict (the values fetched by rmw and locked updates, the last value
// swapped in) is checked once all ranks' fetched values are gathered: they
// must form one sequence of the updates.
#ifndef COMEX_TESTING_STRESS_MODEL_H_
#define COMEX_TESTING_STRESS_MODEL_H_

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace stress {

/// Element type of a slot, fixed for the whole run (kByte: raw bytes, put and get only).
enum class Ty : uint8_t { kByte, kInt, kLong, kFlt, kDbl, kCpl, kDcp };
size_t ty_size(Ty t);
int ty_acc_op(Ty t);
const char *ty_name(Ty t);

enum class Role : uint8_t { kOwned, kReadOnly, kSharedAcc, kFadd, kSwap, kLocked };
const char *role_name(Role r);

struct Slot {
  size_t off, bytes;
  Ty ty;
};

struct SlotPlan {
  Role role = Role::kReadOnly;
  int owner = -1;      ///< stream that owns the slot (kOwned)
  bool reset = false;  ///< its values grew large: the owner first rewrites it
  int mutex = 0;       ///< kLocked: mutex index on the slot's rank
};

enum class OpKind : uint8_t {
  kPut,
  kGet,
  kAcc,
  kRmw,
  kLockedAdd,
  kFenceProc,
  kFenceAll,
  kWaitOne,
  kWaitProc,
  kWaitAll,
  kTestOne
};
enum class Shape : uint8_t { kContig, kStrided, kVector };

/// One contiguous run: `len` bytes at `remote` (offset in the slot) and at
/// `local` (offset in the operation's local buffer).
struct Run {
  size_t remote, local, len;
};

struct Op {
  OpKind kind = OpKind::kFenceAll;
  Shape shape = Shape::kContig;
  bool nb = false;
  int target = 0;
  int slot = -1;
  std::vector<Run> runs;
  size_t buf_bytes = 0;
  int levels = 0;  ///< strided: stride levels and the arguments as passed
  int count[3] = {0, 0, 0};
  int rstride[2] = {0, 0};
  int lstride[2] = {0, 0};
  int vec_split = 0;          ///< vector: pairs in the first descriptor
  std::vector<uint8_t> data;  ///< put/acc: the local buffer; get: what it must hold after
  unsigned char scale[16] = {};
  int64_t operand = 0;  ///< rmw: increment or token; locked add: increment
  bool swap = false;
  bool fence_before_unlock = false;
  uint32_t pick = 0;  ///< wait/test one: which outstanding operation
  std::string describe(const std::vector<Slot> &slots) const;
};

/// What a fadd, swap or locked update fetched, for the gathered check.
struct Fetched {
  int64_t target, slot, role, value, operand;
};

class Program {
 public:
  Program(uint64_t seed, int ranks, int threads, int ops, int slots);

  int ranks() const { return ranks_; }
  int threads() const { return threads_; }
  size_t block_bytes() const { return block_; }
  const std::vector<Slot> &slots() const { return slots_; }
  const std::vector<uint8_t> &memory(int rank) const { return mem_[size_t(rank)]; }
  int mutexes() const { return kMutexes; }

  /// Plan epoch `e`: roles, every stream's operations, and the model's
  /// memory after it except for swap slots (set by settle_swaps).
  void plan_epoch(int e);
  const SlotPlan &plan(int rank, int slot) const { return plan_[size_t(rank)][size_t(slot)]; }
  const std::vector<Op> &stream(int rank, int thread) const {
    return streams_[size_t(rank * threads_ + thread)];
  }
  /// Start value of a counter slot in this epoch (fadd, swap, locked).
  int64_t counter_start(int rank, int slot) const;
  int64_t counter_now(int rank, int slot) const { return read_counter(rank, slot); }
  /// The last value swapped into a swap slot, found by its rank's check.
  void set_counter(int rank, int slot, int64_t v);

  /// The operations of this epoch that name (rank, slot), for messages.
  std::string ops_on(int rank, int slot) const;

 private:
  static constexpr int kMutexes = 4;
  using Rng = std::mt19937_64;
  void gen_stream(Rng &rng, int rank, int thread, int e);
  bool gen_data_op(Rng &rng, OpKind kind, int stream, int target, Op *op);
  void shape_op(Rng &rng, const Slot &s, bool whole, Op *op);
  void fill_values(Rng &rng, Ty ty, std::vector<uint8_t> *data);
  void apply(Op &op);
  int64_t read_counter(int rank, int slot) const;
  bool too_large(int rank, int slot) const;

  uint64_t seed_;
  int ranks_, threads_, ops_;
  std::vector<Slot> slots_;
  size_t block_ = 0;
  std::vector<std::vector<uint8_t>> mem_;
  std::vector<std::vector<SlotPlan>> plan_;
  std::vector<std::vector<int64_t>> start_;  // counter values at the epoch's start
  std::vector<std::vector<Op>> streams_;
};

}  // namespace stress

#endif  // COMEX_TESTING_STRESS_MODEL_H_
