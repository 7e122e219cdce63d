// model.cc -- generating the random program and predicting its memory.
#include "model.h"

#include <algorithm>
#include <cstring>

#include "comex.h"

namespace stress {

size_t ty_size(Ty t) {
  static const size_t kSizes[] = {1, sizeof(int), sizeof(long), 4, 8, 8, 16};
  return kSizes[size_t(t)];
}

int ty_acc_op(Ty t) {
  static const int kOps[] = {
      0, COMEX_ACC_INT, COMEX_ACC_LNG, COMEX_ACC_FLT, COMEX_ACC_DBL, COMEX_ACC_CPL, COMEX_ACC_DCP};
  return kOps[size_t(t)];
}

const char *ty_name(Ty t) {
  static const char *kNames[] = {"byte", "int", "long", "float", "double", "complex", "dcomplex"};
  return kNames[size_t(t)];
}

const char *role_name(Role r) {
  static const char *kNames[] = {"owned", "read-only", "shared-acc", "fadd", "swap", "locked"};
  return kNames[size_t(r)];
}

namespace {

// Real and complex element types as small integers: every sum and product
// the program makes is exact, so the order of accumulation cannot matter.
template <class T>
void store_small(unsigned char *p, int v) {
  T x = T(v);
  std::memcpy(p, &x, sizeof x);
}

template <class T>
T load(const unsigned char *p) {
  T x;
  std::memcpy(&x, p, sizeof x);
  return x;
}

template <class T>
void acc_real(unsigned char *d, const unsigned char *s, size_t n, const unsigned char *scale) {
  const T a = load<T>(scale);
  for (size_t i = 0; i < n; i += sizeof(T)) {
    T v = T(load<T>(d + i) + a * load<T>(s + i));
    std::memcpy(d + i, &v, sizeof v);
  }
}

template <class T>
void acc_complex(unsigned char *d, const unsigned char *s, size_t n, const unsigned char *scale) {
  const T ar = load<T>(scale), ai = load<T>(scale + sizeof(T));
  for (size_t i = 0; i < n; i += 2 * sizeof(T)) {
    const T xr = load<T>(s + i), xi = load<T>(s + i + sizeof(T));
    T re = load<T>(d + i) + (ar * xr - ai * xi);
    T im = load<T>(d + i + sizeof(T)) + (ar * xi + ai * xr);
    std::memcpy(d + i, &re, sizeof re);
    std::memcpy(d + i + sizeof(T), &im, sizeof im);
  }
}

void model_acc(Ty ty, unsigned char *d, const unsigned char *s, size_t n,
               const unsigned char *scale) {
  switch (ty) {
    case Ty::kInt:
      return acc_real<int>(d, s, n, scale);
    case Ty::kLong:
      return acc_real<long>(d, s, n, scale);
    case Ty::kFlt:
      return acc_real<float>(d, s, n, scale);
    case Ty::kDbl:
      return acc_real<double>(d, s, n, scale);
    case Ty::kCpl:
      return acc_complex<float>(d, s, n, scale);
    case Ty::kDcp:
      return acc_complex<double>(d, s, n, scale);
    case Ty::kByte:
      break;
  }
}

double magnitude(Ty ty, const unsigned char *p) {
  switch (ty) {
    case Ty::kInt:
      return std::abs(double(load<int>(p)));
    case Ty::kLong:
      return std::abs(double(load<long>(p)));
    case Ty::kFlt:
    case Ty::kCpl:
      return std::abs(double(load<float>(p)));
    case Ty::kDbl:
    case Ty::kDcp:
      return std::abs(load<double>(p));
    case Ty::kByte:
      break;
  }
  return 0;
}

int small(std::mt19937_64 &rng) { return int(rng() % 17) - 8; }

}  // namespace

Program::Program(uint64_t seed, int ranks, int threads, int ops, int slots)
    : seed_(seed), ranks_(ranks), threads_(threads), ops_(ops) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
  for (int i = 0; i < slots; ++i) {
    Slot s;
    s.off = block_;
    s.bytes = (i % 8 == 7) ? 32 * 1024 : 256;
    s.ty = Ty(rng() % 7);
    if (i == 1) s.ty = Ty::kInt;  // at least one slot of each counter width
    if (i == 2 || i == 3) s.ty = Ty::kLong;
    slots_.push_back(s);
    block_ += s.bytes;
  }
  block_ += 64;  // a tail no operation names: any write there is a stray one
  for (int r = 0; r < ranks_; ++r) {
    std::mt19937_64 mr(seed ^ (0xA5A5A5A5ull * uint64_t(r + 1)));
    std::vector<uint8_t> m(block_);
    for (size_t i = 0; i < block_; ++i) m[i] = uint8_t(mr());
    mem_.push_back(std::move(m));
    for (const Slot &s : slots_) {
      std::vector<uint8_t> v(s.bytes);
      fill_values(mr, s.ty, &v);
      std::memcpy(mem_.back().data() + s.off, v.data(), v.size());
    }
  }
  plan_.assign(size_t(ranks_), std::vector<SlotPlan>(slots_.size()));
  start_.assign(size_t(ranks_), std::vector<int64_t>(slots_.size()));
}

void Program::fill_values(std::mt19937_64 &rng, Ty ty, std::vector<uint8_t> *data) {
  const size_t es = ty_size(ty);
  unsigned char *p = data->data();
  for (size_t i = 0; i + es <= data->size(); i += es) {
    switch (ty) {
      case Ty::kByte:
        p[i] = uint8_t(rng());
        break;
      case Ty::kInt:
        store_small<int>(p + i, small(rng));
        break;
      case Ty::kLong:
        store_small<long>(p + i, small(rng));
        break;
      case Ty::kFlt:
        store_small<float>(p + i, small(rng));
        break;
      case Ty::kDbl:
        store_small<double>(p + i, small(rng));
        break;
      case Ty::kCpl:
        store_small<float>(p + i, small(rng));
        store_small<float>(p + i + 4, small(rng));
        break;
      case Ty::kDcp:
        store_small<double>(p + i, small(rng));
        store_small<double>(p + i + 8, small(rng));
        break;
    }
  }
}

int64_t Program::read_counter(int rank, int slot) const {
  const Slot &s = slots_[size_t(slot)];
  const unsigned char *p = mem_[size_t(rank)].data() + s.off;
  return s.ty == Ty::kInt ? int64_t(load<int>(p)) : int64_t(load<long>(p));
}

void Program::set_counter(int rank, int slot, int64_t v) {
  const Slot &s = slots_[size_t(slot)];
  unsigned char *p = mem_[size_t(rank)].data() + s.off;
  if (s.ty == Ty::kInt) {
    const int x = int(v);
    std::memcpy(p, &x, sizeof x);
  } else {
    const long x = long(v);
    std::memcpy(p, &x, sizeof x);
  }
}

int64_t Program::counter_start(int rank, int slot) const {
  return start_[size_t(rank)][size_t(slot)];
}

bool Program::too_large(int rank, int slot) const {
  const Slot &s = slots_[size_t(slot)];
  if (s.ty == Ty::kByte) return false;
  const unsigned char *p = mem_[size_t(rank)].data() + s.off;
  const size_t half = (s.ty == Ty::kCpl || s.ty == Ty::kDcp) ? ty_size(s.ty) / 2 : ty_size(s.ty);
  for (size_t i = 0; i < s.bytes; i += half)
    if (magnitude(s.ty, p + i) > double(1 << 20)) return true;
  return false;
}

void Program::plan_epoch(int e) {
  std::mt19937_64 rng(seed_ ^ (uint64_t(e) + 1) * 0xD1B54A32D192ED03ull);
  const int nstreams = ranks_ * threads_;
  for (int t = 0; t < ranks_; ++t) {
    for (size_t s = 0; s < slots_.size(); ++s) {
      SlotPlan p;
      const Ty ty = slots_[s].ty;
      const int r = int(rng() % 100);
      p.owner = int(rng() % uint64_t(nstreams));
      p.mutex = int(s) % kMutexes;
      if (too_large(t, int(s))) {
        p.role = Role::kOwned;
        p.reset = true;
      } else if (r < 40) {
        p.role = Role::kOwned;
      } else if (r < 55 || (ty == Ty::kByte)) {
        p.role = Role::kReadOnly;
      } else if (r < 75 || (ty != Ty::kInt && ty != Ty::kLong)) {
        p.role = Role::kSharedAcc;
      } else if (r < 87) {
        p.role = Role::kFadd;
      } else if (r < 94 || ty != Ty::kLong) {
        p.role = Role::kSwap;
      } else {
        p.role = Role::kLocked;
      }
      plan_[size_t(t)][s] = p;
      if (p.role == Role::kFadd || p.role == Role::kSwap || p.role == Role::kLocked)
        start_[size_t(t)][s] = read_counter(t, int(s));
    }
  }
  streams_.assign(size_t(nstreams), {});
  for (int st = 0; st < nstreams; ++st) {
    std::mt19937_64 srng(seed_ ^ (uint64_t(e) * 7919 + uint64_t(st) + 1) * 0x9E3779B97F4A7C15ull);
    gen_stream(srng, st / threads_, st % threads_, e);
  }
}

void Program::apply(Op &op) {
  if (op.slot < 0) return;
  const Slot &s = slots_[size_t(op.slot)];
  unsigned char *base = mem_[size_t(op.target)].data() + s.off;
  switch (op.kind) {
    case OpKind::kPut:
      for (const Run &r : op.runs) std::memcpy(base + r.remote, op.data.data() + r.local, r.len);
      break;
    case OpKind::kAcc:
      for (const Run &r : op.runs)
        model_acc(s.ty, base + r.remote, op.data.data() + r.local, r.len, op.scale);
      break;
    case OpKind::kGet:
      op.data.assign(op.buf_bytes, 0xEE);
      for (const Run &r : op.runs) std::memcpy(op.data.data() + r.local, base + r.remote, r.len);
      break;
    case OpKind::kRmw:
      if (!op.swap) set_counter(op.target, op.slot, read_counter(op.target, op.slot) + op.operand);
      break;
    case OpKind::kLockedAdd:
      set_counter(op.target, op.slot, read_counter(op.target, op.slot) + op.operand);
      break;
    default:
      break;
  }
}

}  // namespace stress
