// Bad input: every ARMCI call returns its error value (non-zero, -1, 0 or
// NULL, as documented), prints one line, and neither crashes nor hangs nor
// writes anything.  The expected messages appear on stderr.  Collective
// calls get the same bad argument on every rank, so all of them return.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <vector>

#include "armci.h"
#include "armci_test_util.h"
#include "message.h"

namespace {

using armcitest::AllBytesAre;
using armcitest::ElementsEqual;
using armcitest::GlobalBlock;
using armcitest::Me;
using armcitest::Nproc;
using armcitest::Right;

#define EXPECT_FAILS(call) EXPECT_NE((call), 0) << #call

// Each test works on a global block and a local buffer filled with 0xab;
// afterwards every byte of both must still be 0xab.
class Errors : public ::testing::Test {
 protected:
  static constexpr int kBytes = 256;
  void SetUp() override {
    block_ = std::make_unique<GlobalBlock>(kBytes);
    ASSERT_TRUE(block_->ok());
    std::memset(block_->mine(), 0xab, kBytes);
    local_.assign(kBytes, 0xab);
    ARMCI_Barrier();
  }
  void TearDown() override {
    ARMCI_Barrier();
    EXPECT_TRUE(AllBytesAre(block_->mine(), kBytes, 0xab)) << "global memory was written";
    EXPECT_TRUE(AllBytesAre(local_.data(), kBytes, 0xab)) << "local memory was written";
    block_.reset();
  }
  void *remote() const { return block_->at(Right()); }
  void *src() { return local_.data(); }

  std::unique_ptr<GlobalBlock> block_;
  std::vector<uint8_t> local_;
};

TEST_F(Errors, Contiguous) {
  std::vector<uint8_t> other(kBytes, 1);
  EXPECT_FAILS(ARMCI_Put(other.data(), remote(), 8, Nproc()));  // proc out of range
  EXPECT_FAILS(ARMCI_Put(other.data(), remote(), 8, -1));
  EXPECT_FAILS(ARMCI_Put(other.data(), remote(), -8, Right()));          // negative bytes
  EXPECT_FAILS(ARMCI_Put(nullptr, remote(), 8, Right()));                // NULL source
  EXPECT_FAILS(ARMCI_Put(other.data(), other.data(), 8, Right()));       // not ARMCI memory
  EXPECT_FAILS(ARMCI_Put(other.data(), remote(), kBytes + 1, Right()));  // past the block
  EXPECT_FAILS(ARMCI_Get(remote(), src(), 8, Nproc()));
  EXPECT_FAILS(ARMCI_Get(other.data(), src(), 8, Right()));
  int scale = 1;
  EXPECT_FAILS(ARMCI_Acc(12345, &scale, other.data(), remote(), 8, Right()));  // bad type
  EXPECT_FAILS(ARMCI_Acc(ARMCI_ACC_INT, nullptr, other.data(), remote(), 8, Right()));
  armci_hdl_t h;
  ARMCI_INIT_HANDLE(&h);
  EXPECT_FAILS(ARMCI_NbPut(other.data(), remote(), 8, Nproc(), &h));
  EXPECT_EQ(ARMCI_Wait(&h), 0) << "a failed call leaves the handle idle";
  EXPECT_FAILS(ARMCI_NbGet(remote(), src(), -1, Right(), &h));
  EXPECT_FAILS(ARMCI_NbAcc(ARMCI_ACC_INT, &scale, other.data(), remote(), 8, -3, nullptr));
  EXPECT_FAILS(ARMCI_Put_flag(other.data(), remote(), 8, nullptr, 1, Right()));
  EXPECT_FAILS(ARMCI_Wait(nullptr));
  EXPECT_FAILS(ARMCI_Test(nullptr));
  EXPECT_FAILS(ARMCI_WaitProc(Nproc() + 5));
}

TEST_F(Errors, Strided) {
  std::vector<uint8_t> other(kBytes, 1);
  int stride[ARMCI_MAX_STRIDE_LEVEL + 1] = {16, 64, 0, 0, 0, 0, 0, 0, 0};
  int count[ARMCI_MAX_STRIDE_LEVEL + 2] = {8, 2, 1, 1, 1, 1, 1, 1, 1, 1};
  EXPECT_FAILS(ARMCI_PutS(other.data(), stride, remote(), stride, count, ARMCI_MAX_STRIDE_LEVEL + 1,
                          Right()));
  EXPECT_FAILS(ARMCI_PutS(other.data(), stride, remote(), stride, count, -1, Right()));
  EXPECT_FAILS(ARMCI_PutS(other.data(), stride, remote(), stride, nullptr, 1, Right()));
  EXPECT_FAILS(ARMCI_PutS(other.data(), nullptr, remote(), stride, count, 1, Right()));
  int bad_count[2] = {8, -2};
  EXPECT_FAILS(ARMCI_GetS(remote(), stride, src(), stride, bad_count, 1, Right()));
  int big_count[2] = {8, 100};  // runs past the block
  EXPECT_FAILS(ARMCI_PutS(other.data(), stride, remote(), stride, big_count, 1, Right()));
  double scale = 1;
  EXPECT_FAILS(ARMCI_AccS(99, &scale, other.data(), stride, remote(), stride, count, 1, Right()));
  EXPECT_FAILS(ARMCI_NbPutS(other.data(), stride, remote(), stride, count, 1, Nproc(), nullptr));
  EXPECT_FAILS(ARMCI_NbGetS(remote(), stride, src(), stride, count, 1, -2, nullptr));
  EXPECT_FAILS(ARMCI_NbAccS(ARMCI_ACC_DBL, nullptr, other.data(), stride, remote(), stride, count,
                            1, Right(), nullptr));
  EXPECT_FAILS(
      ARMCI_PutS_flag(other.data(), stride, remote(), stride, count, 1, nullptr, 1, Right()));
}

TEST_F(Errors, Vector) {
  std::vector<uint8_t> other(kBytes, 1);
  void *s[1] = {other.data()};
  void *d[1] = {remote()};
  void *not_global[1] = {other.data() + 8};
  armci_giov_t ok = {s, d, 1, 8};
  armci_giov_t bad_dst = {s, not_global, 1, 8};
  armci_giov_t neg = {s, d, -1, 8};
  EXPECT_FAILS(ARMCI_PutV(&ok, -1, Right()));
  EXPECT_FAILS(ARMCI_PutV(nullptr, 1, Right()));
  EXPECT_FAILS(ARMCI_PutV(&bad_dst, 1, Right()));
  EXPECT_FAILS(ARMCI_PutV(&neg, 1, Right()));
  EXPECT_FAILS(ARMCI_PutV(&ok, 1, Nproc()));
  armci_giov_t get_bad = {not_global, s, 1, 8};
  EXPECT_FAILS(ARMCI_GetV(&get_bad, 1, Right()));
  double scale = 1;
  EXPECT_FAILS(ARMCI_AccV(ARMCI_ACC_DBL, &scale, &ok, 1, -1));
  EXPECT_FAILS(ARMCI_AccV(7, &scale, &ok, 1, Right()));
  EXPECT_FAILS(ARMCI_NbPutV(&ok, 1, Nproc(), nullptr));
  EXPECT_FAILS(ARMCI_NbGetV(nullptr, 2, Right(), nullptr));
  EXPECT_FAILS(ARMCI_NbAccV(ARMCI_ACC_DBL, nullptr, &ok, 1, Right(), nullptr));
}

TEST_F(Errors, ValuesRmwMutexes) {
  EXPECT_FAILS(ARMCI_PutValueInt(1, remote(), Nproc()));
  EXPECT_FAILS(ARMCI_PutValueLong(1, src(), Right()));
  EXPECT_FAILS(ARMCI_PutValueFloat(1, nullptr, Right()));
  EXPECT_FAILS(ARMCI_PutValueDouble(1, remote(), -1));
  EXPECT_FAILS(ARMCI_NbPutValueInt(1, src(), Right(), nullptr));
  EXPECT_EQ(ARMCI_GetValueInt(remote(), Nproc()), 0);
  EXPECT_EQ(ARMCI_GetValueLong(src(), Right()), 0L);
  EXPECT_EQ(ARMCI_GetValueFloat(nullptr, Right()), 0.0f);
  EXPECT_EQ(ARMCI_GetValueDouble(remote(), -1), 0.0);
  int v = 0;
  EXPECT_FAILS(ARMCI_Rmw(99, &v, remote(), 1, Right()));
  EXPECT_FAILS(ARMCI_Rmw(ARMCI_FETCH_AND_ADD, &v, src(), 1, Right()));
  EXPECT_FAILS(ARMCI_Rmw(ARMCI_FETCH_AND_ADD, nullptr, remote(), 1, Right()));
  EXPECT_FAILS(ARMCI_Rmw(ARMCI_SWAP, &v, remote(), 1, Nproc()));
  EXPECT_EQ(v, 0);
  // Locks on mutexes that do not exist return without hanging.
  EXPECT_FAILS(ARMCI_Create_mutexes(-1));
  ARMCI_Lock(0, Right());
  ARMCI_Unlock(0, Right());
  ARMCI_Lock(0, Nproc());
  ASSERT_EQ(ARMCI_Create_mutexes(1), 0);
  ARMCI_Lock(5, Right());
  ARMCI_Unlock(5, Right());
  ARMCI_Barrier();
  EXPECT_EQ(ARMCI_Destroy_mutexes(), 0);
  ARMCI_Fence(Nproc());  // prints, returns
  ARMCI_Fence(-1);
}

TEST_F(Errors, MemoryAndGroups) {
  std::vector<void *> ptrs(Nproc(), nullptr);
  EXPECT_FAILS(ARMCI_Malloc(ptrs.data(), -5));
  EXPECT_FAILS(ARMCI_Malloc(nullptr, 64));
  EXPECT_FAILS(ARMCI_Malloc_memdev(ptrs.data(), 64, "gpu"));
  EXPECT_FAILS(ARMCI_Malloc_group(ptrs.data(), 64, nullptr));
  ARMCI_Group invalid = 4242;
  EXPECT_FAILS(ARMCI_Malloc_group(ptrs.data(), 64, &invalid));
  EXPECT_FAILS(ARMCI_Malloc_group_memdev(ptrs.data(), 64, &invalid, "host"));
  for (void *p : ptrs) EXPECT_EQ(p, nullptr);
  EXPECT_FAILS(ARMCI_Free(local_.data()));  // not from ARMCI_Malloc (collective: all ranks)
  EXPECT_FAILS(ARMCI_Free_group(block_->mine(), &invalid));
  EXPECT_EQ(ARMCI_Malloc_local(-1), nullptr);

  int rank = 77, size = 77;
  EXPECT_FAILS(ARMCI_Group_rank(&invalid, &rank));
  EXPECT_FAILS(ARMCI_Group_rank(nullptr, &rank));
  ARMCI_Group world;
  ARMCI_Group_get_world(&world);
  EXPECT_FAILS(ARMCI_Group_rank(&world, nullptr));
  ARMCI_Group_size(&invalid, &size);
  EXPECT_EQ(rank, 77);
  EXPECT_EQ(size, 77);
  EXPECT_EQ(ARMCI_Absolute_id(&invalid, 0), -1);
  EXPECT_EQ(ARMCI_Absolute_id(&world, Nproc()), -1);
  EXPECT_EQ(ARMCI_Absolute_id(&world, -1), -1);
  EXPECT_EQ(armci_group_comm(&invalid), MPI_COMM_NULL);
  EXPECT_EQ(armci_group_comm(nullptr), MPI_COMM_NULL);
  ARMCI_Group_set_default(&invalid);  // refused: the default stays the world
  ARMCI_Group def = -5;
  ARMCI_Group_get_default(&def);
  EXPECT_EQ(def, world);
  ARMCI_Group_free(&world);  // refused
  ARMCI_Group_free(&invalid);
  ARMCI_GroupFence(&invalid);

  // Bad member lists: every rank sees the same error, nobody gets a group.
  ARMCI_Group g = 99;
  int dup[2] = {0, 0};
  ARMCI_Group_create(2, dup, &g);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  int out_of_range[1] = {Nproc()};
  g = 99;
  ARMCI_Group_create(1, out_of_range, &g);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  g = 99;
  ARMCI_Group_create(0, out_of_range, &g);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  g = 99;
  ARMCI_Group_create(1, nullptr, &g);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  ARMCI_Group_create_child(1, dup, &g, &invalid);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  ARMCI_Group_create(1, dup, nullptr);  // prints, returns
}

TEST_F(Errors, DomainAndLocalCopies) {
  EXPECT_EQ(armci_domain_count(7), -1);
  EXPECT_EQ(armci_domain_my_id(1), -1);
  EXPECT_EQ(armci_domain_id(ARMCI_DOMAIN_SMP, Nproc()), -1);
  EXPECT_EQ(armci_domain_id(ARMCI_DOMAIN_SMP, -1), -1);
  EXPECT_EQ(armci_domain_nprocs(ARMCI_DOMAIN_SMP, armci_domain_count(ARMCI_DOMAIN_SMP)), -1);
  EXPECT_EQ(armci_domain_glob_proc_id(ARMCI_DOMAIN_SMP, 0, -1), -1);
  EXPECT_EQ(armci_domain_glob_proc_id(ARMCI_DOMAIN_SMP, 0, Nproc()), -1);
  EXPECT_EQ(armci_domain_glob_proc_id(ARMCI_DOMAIN_SMP, -1, 0), -1);
  EXPECT_EQ(armci_domain_same_id(ARMCI_DOMAIN_SMP, Nproc()), 0);
  EXPECT_EQ(ARMCI_Same_node(-1), 0);
  EXPECT_EQ(ARMCI_Same_node(Nproc()), 0);

  int stride[1] = {16};
  int count[2] = {8, 4};
  std::vector<char> buf(32, 'z');
  armci_read_strided(local_.data(), ARMCI_MAX_STRIDE_LEVEL + 1, stride, count, buf.data());
  armci_read_strided(local_.data(), 1, nullptr, count, buf.data());
  armci_read_strided(local_.data(), 1, stride, nullptr, buf.data());
  armci_write_strided(local_.data(), 1, stride, count, nullptr);
  armci_write_strided(nullptr, 1, stride, count, buf.data());
  int neg[2] = {8, -1};
  armci_write_strided(local_.data(), 1, stride, neg, buf.data());
  EXPECT_TRUE(ElementsEqual(buf, std::vector<char>(32, 'z')));
  ARMCI_Copy(buf.data(), local_.data(), -1);
  ARMCI_Copy(nullptr, local_.data(), 4);
  ARMCI_Copy(buf.data(), nullptr, 4);
}

TEST_F(Errors, Messages) {
  // Reductions: bad op, type, scope, count or buffer leave x as it was.
  std::vector<int> x(4, Me());
  armci_msg_igop(x.data(), 4, "xor");
  armci_msg_igop(x.data(), 4, nullptr);
  armci_msg_igop(x.data(), -4, "+");
  armci_msg_igop(nullptr, 4, "+");
  armci_msg_gop_scope(SCOPE_ALL, x.data(), 4, "+", 12345);
  armci_msg_gop_scope(12345, x.data(), 4, "+", ARMCI_INT);
  std::vector<double> d(4, Me() + 0.5);
  armci_msg_dgop(d.data(), 4, "or");  // integer-only op
  armci_msg_dgop(d.data(), 4, "&&");
  armci_msg_reduce(x.data(), 4, "bogus", ARMCI_INT);
  armci_msg_reduce_scope(1, x.data(), 4, "+", ARMCI_INT);
  EXPECT_TRUE(ElementsEqual(x, std::vector<int>(4, Me())));
  EXPECT_TRUE(ElementsEqual(d, std::vector<double>(4, Me() + 0.5)));
  // Selection: bad op, too short, bad type.
  struct {
    int key, owner;
  } s{Me(), Me()};
  armci_msg_sel(&s, sizeof s, "+", ARMCI_INT, 1);
  armci_msg_sel(&s, 2, "min", ARMCI_INT, 1);
  armci_msg_sel(&s, sizeof s, "min", 3, 1);
  EXPECT_EQ(s.owner, Me());
  // Broadcasts: bad root, length, buffer.
  std::vector<int> b(4, Me());
  armci_msg_bcast(b.data(), 16, Nproc());
  armci_msg_bcast(b.data(), -1, 0);
  armci_msg_bcast(nullptr, 16, 0);
  armci_msg_bcast_scope(SCOPE_ALL, b.data(), 16, -1);
  EXPECT_TRUE(ElementsEqual(b, std::vector<int>(4, Me())));
  // Point-to-point: bad rank, tag, length.
  armci_msg_snd(1, b.data(), 16, Nproc());
  armci_msg_snd(-1, b.data(), 16, Right());
  armci_msg_snd(1, b.data(), -16, Right());
  armci_msg_snd(1, nullptr, 16, Right());
  armci_msg_rcv(1, b.data(), 16, nullptr, -1);  // MPI_ANY_SOURCE in Open MPI
  armci_msg_rcv(1, b.data(), 16, nullptr, -2);  // MPI_ANY_SOURCE in MPICH
  armci_msg_rcv(-3, b.data(), 16, nullptr, Right());
  armci_msg_rcv(1, nullptr, 16, nullptr, Right());
  EXPECT_EQ(armci_msg_rcvany(-1, b.data(), 16, nullptr), -1);
  int *nulls = nullptr;
  armci_msg_bintree(SCOPE_ALL, nulls, nulls, nulls, nulls);
  int r, u, l, rt;
  armci_msg_bintree(4, &r, &u, &l, &rt);
  // Groups: invalid group for every group collective.
  ARMCI_Group invalid = 4242;
  armci_msg_group_barrier(&invalid);
  armci_msg_group_igop(x.data(), 4, "+", &invalid);
  armci_msg_group_dgop(d.data(), 4, "+", nullptr);
  armci_msg_group_bcast_scope(SCOPE_ALL, b.data(), 16, 0, &invalid);
  armci_msg_group_gop_scope(SCOPE_ALL, x.data(), 4, "+", ARMCI_INT, &invalid);
  EXPECT_TRUE(ElementsEqual(x, std::vector<int>(4, Me())));
  EXPECT_TRUE(ElementsEqual(b, std::vector<int>(4, Me())));
}

TEST_F(Errors, TruncatedMessageIsConsumed) {
  // A message longer than the receive buffer: the first bytes arrive, the
  // rest is dropped with a message, and the next message is unaffected.
  std::vector<int> out(8), out2(2);
  for (int i = 0; i < 8; ++i) out[i] = Me() * 10 + i;
  out2 = {-1, -2};
  armci_msg_snd(5, out.data(), 32, Right());
  armci_msg_snd(5, out2.data(), 8, Right());
  std::vector<int> in(4, 0), in2(2, 0);
  int len = 0;
  const int left = (Me() + Nproc() - 1) % Nproc();
  armci_msg_rcv(5, in.data(), 16, &len, left);
  EXPECT_EQ(len, 16);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(in[i], left * 10 + i);
  armci_msg_rcv(5, in2.data(), 8, &len, left);
  EXPECT_EQ(len, 8);
  EXPECT_TRUE(ElementsEqual(in2, std::vector<int>{-1, -2}));
}

}  // namespace
