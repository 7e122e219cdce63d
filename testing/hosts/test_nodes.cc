// test_nodes: checks, inside a several-hosts job (testing/hosts/run.sh), that
// MPI sees the node structure the harness made: MPI_COMM_TYPE_SHARED groups
// exactly the ranks of one host, COMEX_HOSTS_PPN of them, hosts are named
// h1, h2, ... in hydra's block placement, every host has its own boot_id (so
// UCX treats them as different machines), and messages reach every rank.
//
// Plain MPI (no ComEx), run by the one main of the multi-rank suites
// (testing/common/test_main.cc).
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "test_main.h"

namespace {

int WorldRank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int WorldSize() {
  int n = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

constexpr int kNameLen = 64;

// Every rank's string of at most kNameLen-1 characters, gathered.
std::vector<std::string> AllGather(const std::string &mine) {
  char buf[kNameLen] = {0};
  std::strncpy(buf, mine.c_str(), kNameLen - 1);
  std::vector<char> all(static_cast<size_t>(kNameLen) * WorldSize());
  EXPECT_EQ(MPI_SUCCESS,
            MPI_Allgather(buf, kNameLen, MPI_CHAR, all.data(), kNameLen, MPI_CHAR, MPI_COMM_WORLD));
  std::vector<std::string> out;
  for (int i = 0; i < WorldSize(); i++) out.emplace_back(&all[static_cast<size_t>(i) * kNameLen]);
  return out;
}

std::string HostName() {
  char h[kNameLen] = {0};
  gethostname(h, kNameLen - 1);
  return h;
}

int ExpectedPpn() {
  const char *p = std::getenv("COMEX_HOSTS_PPN");
  return p ? std::atoi(p) : 0;
}

// World rank of rank 0 of my MPI_COMM_TYPE_SHARED communicator, on every rank.
std::vector<int> SharedLeaders(int *shared_size) {
  MPI_Comm shm = MPI_COMM_NULL;
  EXPECT_EQ(MPI_SUCCESS,
            MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm));
  MPI_Comm_size(shm, shared_size);
  int leader = WorldRank();
  MPI_Bcast(&leader, 1, MPI_INT, 0, shm);
  std::vector<int> all(WorldSize());
  MPI_Allgather(&leader, 1, MPI_INT, all.data(), 1, MPI_INT, MPI_COMM_WORLD);
  MPI_Comm_free(&shm);
  return all;
}

TEST(Nodes, SharedCommHasRanksPerHost) {
  const int ppn = ExpectedPpn();
  ASSERT_GT(ppn, 0) << "COMEX_HOSTS_PPN not set (run through testing/hosts/run.sh)";
  int size = 0;
  SharedLeaders(&size);
  EXPECT_EQ(ppn, size) << "MPI_COMM_TYPE_SHARED on " << HostName();
}

TEST(Nodes, SharedCommIsExactlyOneHost) {
  int size = 0;
  const std::vector<int> leader = SharedLeaders(&size);
  const std::vector<std::string> host = AllGather(HostName());
  const int me = WorldRank();
  for (int j = 0; j < WorldSize(); j++) {
    EXPECT_EQ(host[j] == host[me], leader[j] == leader[me])
        << "rank " << me << " on " << host[me] << ", rank " << j << " on " << host[j];
  }
}

TEST(Nodes, HostNamesFollowBlockPlacement) {
  const int ppn = ExpectedPpn();
  ASSERT_GT(ppn, 0);
  const int me = WorldRank();
  EXPECT_EQ("h" + std::to_string(me / ppn + 1), HostName()) << "rank " << me;
}

TEST(Nodes, BootIdIsPerHost) {
  std::ifstream f("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(f, id);
  ASSERT_FALSE(id.empty());
  const std::vector<std::string> ids = AllGather(id);
  const std::vector<std::string> host = AllGather(HostName());
  const int me = WorldRank();
  for (int j = 0; j < WorldSize(); j++) {
    EXPECT_EQ(host[j] == host[me], ids[j] == ids[me])
        << "boot_id of rank " << j << " (" << host[j] << ") vs rank " << me << " (" << host[me]
        << "): UCX would use shared memory between hosts";
  }
}

TEST(Nodes, MessagesReachEveryRank) {
  const int n = WorldSize(), me = WorldRank();
  std::vector<int> in(n, -1), out(n);
  std::vector<MPI_Request> req;
  for (int j = 0; j < n; j++) {
    out[j] = me * 1000 + j;
    req.emplace_back();
    MPI_Irecv(&in[j], 1, MPI_INT, j, 77, MPI_COMM_WORLD, &req.back());
    req.emplace_back();
    MPI_Isend(&out[j], 1, MPI_INT, j, 77, MPI_COMM_WORLD, &req.back());
  }
  ASSERT_EQ(MPI_SUCCESS,
            MPI_Waitall(static_cast<int>(req.size()), req.data(), MPI_STATUSES_IGNORE));
  for (int j = 0; j < n; j++) EXPECT_EQ(j * 1000 + me, in[j]) << "from rank " << j;
}

}  // namespace

// How this suite starts and ends (testing/common/test_main.h): plain MPI.
namespace testmain {

int Start(int *argc, char ***argv) {
  int provided = 0;
  return MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) == MPI_SUCCESS ? 0 : 1;
}
MPI_Comm World() { return MPI_COMM_WORLD; }
void Barrier() { MPI_Barrier(MPI_COMM_WORLD); }
int Finish(int) { return MPI_Finalize() == MPI_SUCCESS ? 0 : 1; }

}  // namespace testmain
