// am/origin.cc -- sending a request and completing it at the origin.
#include "am/origin.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "am/engine.h"
#include "node/shm.h"
#include "util/acc.h"
#include "util/log.h"

namespace comex {

Transfer Transfer::contiguous(Op op, int target, void *local, uint64_t remote, uint64_t bytes) {
  Transfer t;  // built in place: this is on the path of every 8-byte put
  t.op = op;
  t.target = target;
  t.local.base = uint64_t(uintptr_t(local));
  t.local.bytes = bytes;
  t.remote.base = remote;
  t.remote.bytes = bytes;
  t.bytes = bytes;
  return t;
}

void Outgoing::grow(std::vector<char> *v, size_t n, const char *what) {
  try {
    v->resize(n);
  } catch (const std::bad_alloc &) {
    std::vector<char>().swap(*v);
    throw Error(format("cannot allocate %zu bytes to %s of an operation to rank %d (out of memory)",
                       n, what, target_));
  }
}

void Outgoing::send(const void *buf, uint64_t n, int tag, MPI_Comm comm) {
  reqs_.push_back(MPI_REQUEST_NULL);
  recv_bytes_.push_back(0);
  COMEX_MPI(MPI_Isend(buf, int(n), MPI_BYTE, target_, tag, comm, &reqs_.back()));
}

void Outgoing::recv(void *buf, uint64_t n, int tag, MPI_Comm comm) {
  reqs_.push_back(MPI_REQUEST_NULL);
  recv_bytes_.push_back(int(n));
  COMEX_MPI(MPI_Irecv(buf, int(n), MPI_BYTE, target_, tag, comm, &reqs_.back()));
}

void Outgoing::post(const Transfer &t, int tag, const Config &cfg, Engine &engine, Node &node) {
  reqs_.clear();
  recv_bytes_.clear();
  target_ = t.target;
  op_ = t.op;
  elem_ = t.elem;
  result_ = t.result;
  unpack_ = false;
  engine_ = &engine;
  ring_at_ = 0;
  ring_again_ns_ = uint64_t(std::max(cfg.NET_BELL_AGAIN_US, cfg.NET_BELL_DELAY_US)) * 1000;
  const bool rings = engine.rings(t.target, node);
  const bool net_rung = rings && !node.on_node(t.target);
  net_rung_ = net_rung;
  const bool stream = net_rung && engine.streaming(t.target, now_ns());

  const bool contig_local = t.local.kind == Layout::Kind::kContig;
  const bool contig_remote = t.remote.kind == Layout::Kind::kContig;
  Header h{};
  h.op = t.op;
  h.elem = t.elem;
  h.tag = tag;
  h.addr = t.remote.base;
  h.bytes = t.bytes;
  if (t.op == Op::kRmw)
    h.operand = t.operand;
  else
    h.offset = t.offset;
  h.mutex = t.mutex;
  h.piece = uint64_t(cfg.MAX_MSG_BYTES);
  if (!t.blocks && !(contig_local && contig_remote))
    h.piece = std::min<uint64_t>(h.piece, uint64_t(cfg.PACK_CHUNK));
  if (t.op == Op::kAcc)  // staged at the target: whole elements, at most ACC_PIECE
    h.piece = std::max<uint64_t>(std::min(h.piece, uint64_t(cfg.ACC_PIECE)) & ~uint64_t(15), 16);
  if (t.blocks) h.flags |= kFlagBlocks;
  if (t.kick) h.flags |= kFlagKick;
  if (stream) h.flags |= kFlagStream;
  std::memcpy(h.scale, t.scale, sizeof h.scale);

  msg_.resize(sizeof h);
  if (!contig_remote) {
    t.remote.encode(&msg_);
    h.layout_bytes = uint32_t(msg_.size() - sizeof h);
  }

  const MPI_Comm data = engine.data_comm(), reply = engine.reply_comm();
  if (rings) h.flags |= kFlagRings;
  auto send_msg = [&] {
    std::memcpy(msg_.data(), &h, sizeof h);
    send(msg_.data(), msg_.size(), 0, engine.am_comm());
    engine.ring(t.target, node);
    if (net_rung) ring_at_ = now_ns() + uint64_t(cfg.NET_BELL_DELAY_US) * 1000;
  };
  // Where the origin's bytes are, as pieces: straight from/to user memory when
  // moving block by block or when the local side is contiguous, else staged.
  const Layout direct =
      t.blocks ? t.local : Layout::contiguous(contig_local ? t.local.base + t.offset : 0, t.bytes);
  auto stage = [&](bool pack) {
    grow(&staging_, t.bytes, "stage the local side");
    if (pack) {
      Cursor c(t.local);
      c.skip(t.offset);
      c.pack(staging_.data(), t.bytes);
    }
    return Layout::contiguous(uint64_t(uintptr_t(staging_.data())), t.bytes);
  };

  switch (t.op) {
    case Op::kPut:
    case Op::kAcc:
      if (t.bytes <= uint64_t(cfg.EAGER_THRESHOLD)) {
        h.flags |= kFlagEager;
        size_t at = msg_.size();
        grow(&msg_, at + t.bytes, "build the request");
        Cursor c(t.local);
        c.skip(t.offset);
        c.pack(msg_.data() + at, t.bytes);
        send_msg();
      } else {
        // Staged before the header goes: a target must never wait for
        // pieces that cannot be sent.
        const Layout src = (t.blocks || contig_local) ? direct : stage(true);
        send_msg();
        for_each_piece(src, t.blocks, t.bytes, h.piece, [&](uint64_t a, uint64_t n) {
          send(reinterpret_cast<void *>(a), n, tag, data);
        });
      }
      break;
    case Op::kGet: {
      // Pre-post the receives (straight into the user's buffer when it is
      // contiguous or moved block by block), then ask.
      unpack_ = !(t.blocks || contig_local);
      const Layout dst = unpack_ ? stage(false) : direct;
      if (unpack_) {
        local_ = t.local;
        cursor_ = std::make_unique<Cursor>(local_);
        cursor_->skip(t.offset);
        unpacked_ = 0;
        unpacked_bytes_ = 0;
      }
      for_each_piece(dst, t.blocks, t.bytes, h.piece, [&](uint64_t a, uint64_t n) {
        recv(reinterpret_cast<void *>(a), n, tag, reply);
      });
      send_msg();
      break;
    }
    case Op::kRmw:
    case Op::kFence:
    case Op::kLock:
      recv(&reply_, sizeof(Reply), tag, reply);
      send_msg();
      break;
    case Op::kUnlock:
      send_msg();
      break;
    default:
      throw Error(format("internal: cannot send op %d", int(t.op)));
  }
}

bool Outgoing::got_all(const MPI_Status &st, size_t i) {
  int got = 0;
  COMEX_MPI(MPI_Get_count(&st, MPI_BYTE, &got));
  return got == recv_bytes_[i];
}

bool Outgoing::poll(std::string *error) {
  if (ring_at_ != 0) {
    const uint64_t now = now_ns();
    if (now >= ring_at_) {
      engine_->ring_late(target_);
      ring_at_ = now + ring_again_ns_;
    }
  }
  int flag = 0;
  if (unpack_) {
    // Scatter each piece of a packed get as soon as it arrives, overlapping
    // the rest of the transfer.
    while (unpacked_ < reqs_.size() && recv_bytes_[unpacked_] > 0) {
      MPI_Status one;
      COMEX_MPI(MPI_Test(&reqs_[unpacked_], &flag, &one));
      if (!flag) return false;
      const uint64_t n = uint64_t(recv_bytes_[unpacked_]);
      if (!got_all(one, unpacked_))
        *error = format("get from rank %d was refused by the target", target_);
      else if (error->empty())
        cursor_->unpack(staging_.data() + unpacked_bytes_, n);
      unpacked_bytes_ += n;
      recv_bytes_[unpacked_] = 0;  // checked: MPI_Testall below sees a finished request
      ++unpacked_;
    }
  }
  MPI_Status small[8];
  std::vector<MPI_Status> big(reqs_.size() > 8 ? reqs_.size() : 0);
  MPI_Status *st = big.empty() ? small : big.data();
  COMEX_MPI(MPI_Testall(int(reqs_.size()), reqs_.data(), &flag, st));
  if (!flag) return false;
  for (size_t i = 0; i < reqs_.size(); ++i)
    if (recv_bytes_[i] > 0 && !got_all(st[i], i))
      *error = format("%s from rank %d was refused by the target",
                      op_ == Op::kGet ? "get" : "request", target_);
  if (error->empty() && (op_ == Op::kRmw || op_ == Op::kFence || op_ == Op::kLock)) {
    if (reply_.status != 0) {
      *error = op_ == Op::kFence
                   ? format(
                         "fence at rank %d: the target refused a put or accumulate of ours "
                         "(its log says why)",
                         target_)
                   : format("%s at rank %d was refused by the target",
                            op_ == Op::kLock ? "lock" : "rmw", target_);
    } else if (op_ == Op::kRmw) {
      rmw_store(static_cast<RmwKind>(elem_), result_, reply_.value);
    }
  }
  if (staging_.capacity() > (size_t(1) << 20)) std::vector<char>().swap(staging_);
  unpack_ = false;
  cursor_.reset();
  ring_at_ = 0;
  if (net_rung_) engine_->note_done(target_);
  return true;
}

}  // namespace comex
