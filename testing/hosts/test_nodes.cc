// test_nodes: checks, inside a several-hosts job (testing/hosts/run.sh), that
// MPI sees the node structure the harness made: MPI_COMM_TYPE_SHARED groups
// exactly the ranks of one host, COMEX_HOSTS_PPN of them, hosts are named
// h1, h2, ... in hydra's block placement, every host has its own boot_id (so
// UCX treats them as different machines), and messages reach every rank.
//
// Plain MPI (no ComEx).  Rank 0 prints GoogleTest's output; other ranks print
// only their failures, tagged with the rank.  Exit code non-zero on every rank
// if any rank failed.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

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
  EXPECT_EQ(MPI_SUCCESS, MPI_Allgather(buf, kNameLen, MPI_CHAR, all.data(), kNameLen,
                                       MPI_CHAR, MPI_COMM_WORLD));
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
  EXPECT_EQ(MPI_SUCCESS, MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0,
                                             MPI_INFO_NULL, &shm));
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
  ASSERT_EQ(MPI_SUCCESS, MPI_Waitall(static_cast<int>(req.size()), req.data(), MPI_STATUSES_IGNORE));
  for (int j = 0; j < n; j++) EXPECT_EQ(j * 1000 + me, in[j]) << "from rank " << j;
}

class RankFailures : public ::testing::EmptyTestEventListener {
 public:
  explicit RankFailures(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult &r) override {
    if (!r.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: Failure\n%s\n", rank_, r.file_name() ? r.file_name() : "?",
                 r.line_number(), r.message());
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char **argv) {
  int provided = 0;
  if (MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) return 1;
  ::testing::InitGoogleTest(&argc, argv);
  const int rank = WorldRank();
  auto &listeners = ::testing::UnitTest::GetInstance()->listeners();
  if (rank != 0) {
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailures(rank));
  }
  int failed = RUN_ALL_TESTS() != 0 ? 1 : 0, any = failed;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && any && !failed) std::fprintf(stderr, "[rank 0] tests failed on other ranks\n");
  MPI_Finalize();
  return any;
}
