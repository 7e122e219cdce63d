// msg_p2p.cc -- armci_msg_* environment (rank, size, timer, abort) and
// point-to-point messages over MPI on the ComEx world communicator.  Sends
// are buffered, so a send never waits for its receive.
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <list>
#include <mutex>
#include <vector>

#include "msg.h"

using namespace armci;

namespace {

struct PendingSend {
  MPI_Request request = MPI_REQUEST_NULL;
  std::vector<char> data;
};

std::mutex g_sends_mu;
std::list<PendingSend> g_sends;  // list: elements never move while MPI uses them

void reap_sends_locked() {
  for (auto it = g_sends.begin(); it != g_sends.end();) {
    int done = 0;
    MPI_Test(&it->request, &done, MPI_STATUS_IGNORE);
    it = done ? g_sends.erase(it) : std::next(it);
  }
}

bool tag_ok(const char *fn, int tag) {
  int *ub = nullptr, flag = 0;
  MPI_Comm_get_attr(state().world, MPI_TAG_UB, &ub, &flag);
  const int max = flag && ub ? *ub : 32767;
  if (tag >= 0 && tag <= max) return true;
  fail(fn, "tag=%d is out of range [0, %d]", tag, max);
  return false;
}

bool rank_ok(const char *fn, const char *name, int rank) {
  if (rank >= 0 && rank < state().nproc) return true;
  fail(fn, "%s=%d is out of range [0, %d)", name, rank, state().nproc);
  return false;
}

// Receive a message matching (source, tag); returns the source or -1.
// `source` is a world rank, or kAnySource (armci_msg_rcvany only: a rank of
// -1 or -2 given to armci_msg_rcv is refused, whatever MPI_ANY_SOURCE is in
// the MPI at hand: -1 in Open MPI, -2 in MPICH).
constexpr int kAnySource = INT32_MIN;
int receive(const char *fn, int tag, void *buffer, int buflen, int *msglen, int source) {
  if (!armci::ready(fn) || !tag_ok(fn, tag)) return -1;
  if (source != kAnySource && !rank_ok(fn, "from", source)) return -1;
  if (source == kAnySource) source = MPI_ANY_SOURCE;
  if (buflen < 0) return fail(fn, "buflen=%d is negative", buflen), -1;
  if (buflen > 0 && !buffer) return fail(fn, "buffer is NULL"), -1;
  {
    std::lock_guard<std::mutex> lock(g_sends_mu);
    reap_sends_locked();
  }
  MPI_Message message;
  MPI_Status status;
  // MPI_Mprobe, without holding the core (see wait_for).
  const bool found = wait_for([&] {
    int flag = 0;
    if (!mpi_ok(fn, MPI_Improbe(source, tag, state().world, &flag, &message, &status),
                "MPI_Improbe"))
      return -1;
    return flag ? 1 : 0;
  });
  if (!found) return -1;
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  if (count <= buflen) {
    if (!mpi_ok(fn, MPI_Mrecv(buffer, count, MPI_BYTE, &message, MPI_STATUS_IGNORE), "MPI_Mrecv"))
      return -1;
  } else {
    // Too long: take it (so it cannot block later traffic), keep what fits.
    std::vector<char> whole(count);
    if (!mpi_ok(fn, MPI_Mrecv(whole.data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE),
                "MPI_Mrecv"))
      return -1;
    if (buflen > 0) std::memcpy(buffer, whole.data(), size_t(buflen));
    fail(fn, "the message from %d with tag %d has %d bytes, more than buflen=%d: truncated",
         status.MPI_SOURCE, tag, count, buflen);
    count = buflen;
  }
  if (msglen) *msglen = count;
  return status.MPI_SOURCE;
}

}  // namespace

namespace armci {

void drain_pending_sends() {
  std::lock_guard<std::mutex> lock(g_sends_mu);
  // After the barrier every receive that will ever be posted has been, so a
  // send still in flight has no receiver: release it, and leave its buffer
  // to MPI (finalize follows).
  MPI_Barrier(state().world);
  reap_sends_locked();
  for (PendingSend &s : g_sends) {
    MPI_Request_free(&s.request);
    new std::vector<char>(std::move(s.data));  // deliberately not freed
  }
  g_sends.clear();
}

}  // namespace armci

extern "C" {

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

int armci_msg_me(void) {
  if (state().initialized) return state().me;
  int r = -1;
  if (mpi_running())
    MPI_Comm_rank(MPI_COMM_WORLD, &r);
  else
    fail("armci_msg_me", "called before ARMCI_Init, with MPI not running");
  return r;
}

int armci_msg_nproc(void) {
  if (state().initialized) return state().nproc;
  int n = 0;
  if (mpi_running())
    MPI_Comm_size(MPI_COMM_WORLD, &n);
  else
    fail("armci_msg_nproc", "called before ARMCI_Init, with MPI not running");
  return n;
}

double armci_timer(void) {
  if (mpi_running()) return MPI_Wtime();
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

void armci_msg_abort(int code) {
  fail("armci_msg_abort", "aborting the job with code %d", code);
  std::fflush(stderr);
  if (mpi_running()) MPI_Abort(MPI_COMM_WORLD, code ? code : 1);
  std::exit(code ? code : 1);
}

void armci_msg_init(int *argc, char ***argv) {
  int init = 0, provided = 0;
  MPI_Initialized(&init);
  if (!init) MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided);
}

void armci_msg_finalize(void) {
  if (mpi_running()) MPI_Finalize();
}

// ---------------------------------------------------------------------------
// Point-to-point
// ---------------------------------------------------------------------------

void armci_msg_snd(int tag, void *buffer, int len, int to) {
  const char *fn = "armci_msg_snd";
  if (!armci::ready(fn) || !tag_ok(fn, tag) || !rank_ok(fn, "to", to)) return;
  if (len < 0) return (void)fail(fn, "len=%d is negative", len);
  if (len > 0 && !buffer) return (void)fail(fn, "buffer is NULL");
  std::lock_guard<std::mutex> lock(g_sends_mu);
  reap_sends_locked();
  g_sends.emplace_back();
  PendingSend &s = g_sends.back();
  s.data.assign(static_cast<char *>(buffer), static_cast<char *>(buffer) + len);
  if (!mpi_ok(fn, MPI_Isend(s.data.data(), len, MPI_BYTE, to, tag, state().world, &s.request),
              "MPI_Isend"))
    g_sends.pop_back();
}

void armci_msg_rcv(int tag, void *buffer, int buflen, int *msglen, int from) {
  receive("armci_msg_rcv", tag, buffer, buflen, msglen, from);
}

int armci_msg_rcvany(int tag, void *buffer, int buflen, int *msglen) {
  return receive("armci_msg_rcvany", tag, buffer, buflen, msglen, kAnySource);
}

}  // extern "C"
