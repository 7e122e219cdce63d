// ARMCI-MPI's extensions: direct local access, access modes, group split and
// dup, ARMCI_Init_thread*, ARMCIX_Progress, parmci_msg_* and armci_msg_sel as
// a function, ARMCIX_Get_world_comm.  Mutex handles are in test_mutex_hdl.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "armci_test_util.h"
#include "armcix.h"  // ARMCI-MPI's programs include it; it brings armci.h

namespace {

using armcitest::AllGather;
using armcitest::ElementsEqual;
using armcitest::GlobalBlock;
using armcitest::Left;
using armcitest::Me;
using armcitest::Nproc;
using armcitest::PatternVector;
using armcitest::Right;

ARMCI_Group World() {
  ARMCI_Group w;
  ARMCI_Group_get_world(&w);
  return w;
}

// ---------------------------------------------------------------------------
// Direct local access
// ---------------------------------------------------------------------------

TEST(Access, StoresInsideBeginEndReachOtherRanks) {
  const int n = 1000;
  GlobalBlock block(n * sizeof(int));
  ASSERT_TRUE(block.ok());
  int *mine = reinterpret_cast<int *>(block.mine());
  ARMCI_Access_begin(mine);
  ARMCI_Access_begin(mine + n / 2);  // nested, on an address inside the block
  for (int i = 0; i < n; ++i) mine[i] = Me() * 10000 + i;
  ARMCI_Access_end(mine + n / 2);
  ARMCI_Access_end(mine);
  ARMCI_Barrier();
  std::vector<int> got(n, -1), expected(n);
  for (int i = 0; i < n; ++i) expected[i] = Right() * 10000 + i;
  ASSERT_EQ(ARMCI_Get(block.at(Right()), got.data(), n * sizeof(int), Right()), 0);
  EXPECT_TRUE(ElementsEqual(got, expected));

  // Puts of the left neighbour, read directly inside an access.
  ARMCI_Barrier();
  std::vector<int> out(n);
  for (int i = 0; i < n; ++i) out[i] = -(Me() * 10000 + i);
  ASSERT_EQ(ARMCI_Put(out.data(), block.at(Right()), n * sizeof(int), Right()), 0);
  ARMCI_Barrier();
  for (int i = 0; i < n; ++i) expected[i] = -(Left() * 10000 + i);
  ARMCI_Access_begin(mine);
  EXPECT_TRUE(ElementsEqual(mine, expected.data(), n));
  ARMCI_Access_end(mine);
  // All accesses are closed: the mode may change (it fails while one is open).
  ARMCI_Group w = World();
  EXPECT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, mine, &w), 0);
}

// ---------------------------------------------------------------------------
// Access modes
// ---------------------------------------------------------------------------

TEST(Modes, SetAndGetEveryMode) {
  GlobalBlock block(4096);
  ASSERT_TRUE(block.ok());
  ARMCI_Group w = World();
  EXPECT_EQ(ARMCIX_Mode_get(block.mine()), ARMCIX_MODE_ALL) << "the initial mode";
  for (int mode : {ARMCIX_MODE_CONFLICT_FREE, ARMCIX_MODE_NO_LOAD_STORE, ARMCIX_MODE_ALL}) {
    ASSERT_EQ(ARMCIX_Mode_set(mode, block.mine(), &w), 0);
    EXPECT_EQ(ARMCIX_Mode_get(block.mine()), mode);
    EXPECT_EQ(ARMCIX_Mode_get(block.mine() + 4095), mode) << "last byte of the block";
    std::vector<int> all = AllGather(std::vector<int>{ARMCIX_Mode_get(block.mine())});
    EXPECT_TRUE(ElementsEqual(all, std::vector<int>(Nproc(), mode)));
  }
  // Modes are per allocation.
  GlobalBlock other(64);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_NO_LOAD_STORE, other.mine(), &w), 0);
  EXPECT_EQ(ARMCIX_Mode_get(block.mine()), ARMCIX_MODE_ALL);
  EXPECT_EQ(ARMCIX_Mode_get(other.mine()), ARMCIX_MODE_NO_LOAD_STORE);
  // Transfers are unaffected by the mode.
  std::vector<uint8_t> out = PatternVector(64, Me(), Right(), 3), got(64, 0);
  ASSERT_EQ(ARMCI_Put(out.data(), other.at(Right()), 64, Right()), 0);
  other.Sync();
  ASSERT_EQ(ARMCI_Get(other.at(Right()), got.data(), 64, Right()), 0);
  EXPECT_TRUE(ElementsEqual(got, out));
}

TEST(Modes, EmptyBlockTakesPartWithNull) {
  // Only the last rank has memory; the others pass NULL.
  const bool has = Me() == Nproc() - 1;
  GlobalBlock block(has ? 256 : 0);
  ASSERT_TRUE(block.ok());
  ARMCI_Group w = World();
  EXPECT_EQ(block.mine() == nullptr, !has);
  ASSERT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, block.mine(), &w), 0);
  if (has) {
    EXPECT_EQ(ARMCIX_Mode_get(block.mine()), ARMCIX_MODE_CONFLICT_FREE);
  }
}

TEST(Modes, GroupAllocation) {
  ARMCI_Group w = World(), half;
  ASSERT_EQ(ARMCIX_Group_split(&w, Me() % 2, Me(), &half), 0);
  {
    GlobalBlock block(128, &half);
    ASSERT_TRUE(block.ok());
    EXPECT_NE(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, block.mine(), &w), 0)
        << "the world is not the allocation's group";
    EXPECT_EQ(ARMCIX_Mode_get(block.mine()), ARMCIX_MODE_ALL);
    ASSERT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, block.mine(), &half), 0);
    EXPECT_EQ(ARMCIX_Mode_get(block.mine()), ARMCIX_MODE_CONFLICT_FREE);
  }
  ARMCI_Group_free(&half);
}

// ---------------------------------------------------------------------------
// Group split and dup
// ---------------------------------------------------------------------------

// Checks a group against its expected members (world ranks in rank order):
// size, rank, Absolute_id of every rank, a reduction and a ring of puts.
void CheckGroup(ARMCI_Group *g, const std::vector<int> &members) {
  const int size = int(members.size());
  int gsize = -1, rank = -1;
  ARMCI_Group_size(g, &gsize);
  ASSERT_EQ(gsize, size);
  ASSERT_EQ(ARMCI_Group_rank(g, &rank), 0);
  ASSERT_GE(rank, 0);
  ASSERT_LT(rank, size);
  EXPECT_EQ(members[rank], Me());
  for (int r = 0; r < size; ++r) EXPECT_EQ(ARMCI_Absolute_id(g, r), members[r]) << "rank " << r;
  long sum = Me(), expected = 0;
  for (int m : members) expected += m;
  armci_msg_group_lgop(&sum, 1, "+", g);
  EXPECT_EQ(sum, expected);
  GlobalBlock block(512, g);
  ASSERT_TRUE(block.ok());
  const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  std::vector<uint8_t> out = PatternVector(512, Me(), members[next], 11);
  ASSERT_EQ(ARMCI_Put(out.data(), block.at(next), 512, members[next]), 0);
  block.Sync();
  EXPECT_TRUE(ElementsEqual(block.mine(), PatternVector(512, members[prev], Me(), 11).data(), 512));
}

TEST(GroupSplit, OddEvenRankedByDescendingKey) {
  ARMCI_Group w = World(), g = 12345;
  ASSERT_EQ(ARMCIX_Group_split(&w, Me() % 2, -Me(), &g), 0);
  ASSERT_NE(g, ARMCI_GROUP_NULL);
  std::vector<int> members;  // my color, highest world rank first
  for (int r = Nproc() - 1; r >= 0; --r)
    if (r % 2 == Me() % 2) members.push_back(r);
  CheckGroup(&g, members);
  ARMCI_Group_free(&g);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
}

TEST(GroupSplit, EqualKeysKeepParentOrderAndUndefinedStaysOut) {
  ARMCI_Group w = World(), g = 12345;
  // Rank 0 stays out; the others form one group, all with key 7.
  const int color = Me() == 0 ? MPI_UNDEFINED : 3;
  ASSERT_EQ(ARMCIX_Group_split(&w, color, 7, &g), 0);
  if (Me() == 0) {
    EXPECT_EQ(g, ARMCI_GROUP_NULL);
    return;
  }
  std::vector<int> members;
  for (int r = 1; r < Nproc(); ++r) members.push_back(r);
  CheckGroup(&g, members);
  ARMCI_Group_free(&g);
}

TEST(GroupSplit, SplitOfAChildAndDup) {
  ARMCI_Group w = World(), half, quarter, dup;
  ASSERT_EQ(ARMCIX_Group_split(&w, Me() % 2, Me(), &half), 0);
  std::vector<int> half_members;
  for (int r = 0; r < Nproc(); ++r)
    if (r % 2 == Me() % 2) half_members.push_back(r);
  // Split the half again by position: ranks 0,1 | 2,3 | ... of the half.
  int hrank = -1;
  ASSERT_EQ(ARMCI_Group_rank(&half, &hrank), 0);
  ASSERT_EQ(ARMCIX_Group_split(&half, hrank / 2, hrank, &quarter), 0);
  std::vector<int> quarter_members;
  for (int i = 0; i < int(half_members.size()); ++i)
    if (i / 2 == hrank / 2) quarter_members.push_back(half_members[i]);
  CheckGroup(&quarter, quarter_members);

  ASSERT_EQ(ARMCIX_Group_dup(&half, &dup), 0);
  EXPECT_NE(dup, half);
  CheckGroup(&dup, half_members);
  ARMCI_Group_free(&half);  // the dup is independent of its parent
  CheckGroup(&dup, half_members);
  ARMCI_Group_free(&dup);
  ARMCI_Group_free(&quarter);
}

TEST(GroupSplit, DupOfTheWorld) {
  ARMCI_Group w = World(), dup;
  ASSERT_EQ(ARMCIX_Group_dup(&w, &dup), 0);
  EXPECT_NE(dup, w);
  std::vector<int> all;
  for (int r = 0; r < Nproc(); ++r) all.push_back(r);
  CheckGroup(&dup, all);
  ARMCI_Group_free(&dup);
}

// ---------------------------------------------------------------------------
// Initialisation with a thread level, progress, profiling names, msg_sel
// ---------------------------------------------------------------------------

TEST(InitThread, SecondInitWithAThreadLevelIsHarmless) {
  // ARMCI is running (armci_main.cc): a second init changes nothing.  The
  // jobs --init=armci-thread and --init=thread-comm start ARMCI this way.
  EXPECT_EQ(ARMCI_Init_thread(MPI_THREAD_MULTIPLE), 0);
  EXPECT_EQ(ARMCI_Init_thread(MPI_THREAD_SINGLE), 0);
  EXPECT_EQ(ARMCI_Init_thread_comm(MPI_THREAD_FUNNELED, MPI_COMM_WORLD), 0);
  EXPECT_EQ(ARMCI_Initialized(), 1);
  int level = -1;
  MPI_Query_thread(&level);
  EXPECT_EQ(level, MPI_THREAD_MULTIPLE);
}

TEST(Progress, CallsBetweenOperations) {
  GlobalBlock block(sizeof(long));
  ASSERT_TRUE(block.ok());
  long one = 1;
  for (int i = 0; i < 10; ++i) {
    armci_hdl_t h;
    ARMCI_INIT_HANDLE(&h);
    ASSERT_EQ(ARMCI_NbAcc(ARMCI_ACC_LNG, &one, &one, block.at(0), sizeof(long), 0, &h), 0);
    ARMCIX_Progress();
    ASSERT_EQ(ARMCI_Wait(&h), 0);
  }
  ARMCI_Barrier();
  EXPECT_EQ(ARMCI_GetValueLong(block.at(0), 0), 10L * Nproc());
}

TEST(ProfilingNames, ParmciMsgBarriersCompleteAndSynchronise) {
  GlobalBlock block(Nproc() * sizeof(int));
  ASSERT_TRUE(block.ok());
  // Everyone puts its rank into slot Me() of every block, then meets.
  for (int r = 0; r < Nproc(); ++r) {
    int v = 100 + Me();
    ASSERT_EQ(ARMCI_Put(&v, block.at(r, Me() * sizeof(int)), sizeof(int), r), 0);
  }
  parmci_msg_barrier();
  std::vector<int> expected(Nproc());
  for (int r = 0; r < Nproc(); ++r) expected[r] = 100 + r;
  EXPECT_TRUE(ElementsEqual(reinterpret_cast<int *>(block.mine()), expected.data(), Nproc()));
  ARMCI_Barrier();  // everyone has checked before the second round
  ARMCI_Group w = World();
  for (int r = 0; r < Nproc(); ++r) {
    int v = 200 + Me();
    ASSERT_EQ(ARMCI_Put(&v, block.at(r, Me() * sizeof(int)), sizeof(int), r), 0);
  }
  parmci_msg_group_barrier(&w);
  for (int r = 0; r < Nproc(); ++r) expected[r] = 200 + r;
  EXPECT_TRUE(ElementsEqual(reinterpret_cast<int *>(block.mine()), expected.data(), Nproc()));
}

TEST(WorldComm, IsTheWorldGroupsCommunicator) {
  MPI_Comm comm = MPI_COMM_NULL;
  ARMCIX_Get_world_comm(&comm);
  ARMCI_Group w = World();
  EXPECT_EQ(comm, armci_group_comm(&w));
  int result = MPI_UNEQUAL, rank = -1;
  MPI_Comm_compare(comm, MPI_COMM_WORLD, &result);
  EXPECT_TRUE(result == MPI_CONGRUENT || result == MPI_IDENT);
  MPI_Comm_rank(comm, &rank);
  EXPECT_EQ(rank, Me());
  ARMCIX_Get_world_comm(nullptr);  // prints and returns
}

TEST(MsgSel, IsAFunctionOverTheWorld) {
  void (*sel)(void *, int, const char *, int, int) = armci_msg_sel;  // a real symbol
  struct {
    double key;
    int rank;
  } x = {double((Me() * 7) % Nproc()), Me()};
  sel(&x, int(sizeof x), "max", ARMCI_DOUBLE, 1);
  // The winner: the rank with the largest key.
  int best = 0;
  for (int r = 0; r < Nproc(); ++r)
    if ((r * 7) % Nproc() > (best * 7) % Nproc()) best = r;
  EXPECT_EQ(x.rank, best);
  EXPECT_EQ(x.key, double((best * 7) % Nproc()));
}

// ---------------------------------------------------------------------------
// Bad input: a message and an error value, nothing changed, no hang
// ---------------------------------------------------------------------------

TEST(ArmcixErrors, AccessAndModes) {
  GlobalBlock block(256);
  ASSERT_TRUE(block.ok());
  ARMCI_Group w = World();
  int on_stack = 0;
  ARMCI_Access_begin(nullptr);
  ARMCI_Access_begin(&on_stack);           // not ARMCI memory
  ARMCI_Access_end(block.mine());          // no access open
  ARMCI_Access_begin(block.mine() + 256);  // one past the block
  EXPECT_EQ(ARMCIX_Mode_get(nullptr), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Mode_get(&on_stack), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Mode_get(block.mine() + 256), ARMCI_FAIL);
  // The same bad mode everywhere.
  EXPECT_EQ(ARMCIX_Mode_set(0x8, block.mine(), &w), ARMCI_FAIL);
  // A bad argument on one process fails the call on all (no hang).
  void *ptr = Me() == Nproc() - 1 ? static_cast<void *>(&on_stack) : block.mine();
  EXPECT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, ptr, &w), ARMCI_FAIL);
  const int mode = Me() == 0 ? 12345 : ARMCIX_MODE_CONFLICT_FREE;
  EXPECT_EQ(ARMCIX_Mode_set(mode, block.mine(), &w), ARMCI_FAIL);
  // An access open on one process.
  if (Me() == 0) ARMCI_Access_begin(block.mine());
  EXPECT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_CONFLICT_FREE, block.mine(), &w), ARMCI_FAIL);
  if (Me() == 0) ARMCI_Access_end(block.mine());
  EXPECT_EQ(ARMCIX_Mode_get(block.mine()), ARMCIX_MODE_ALL) << "no failed call changed the mode";
  ARMCI_Group bad = 999;
  EXPECT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_ALL, block.mine(), &bad), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_ALL, block.mine(), nullptr), ARMCI_FAIL);
  // No direct access in ARMCIX_MODE_NO_LOAD_STORE: refused, and so not open.
  ASSERT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_NO_LOAD_STORE, block.mine(), &w), 0);
  ARMCI_Access_begin(block.mine());
  EXPECT_EQ(ARMCIX_Mode_set(ARMCIX_MODE_ALL, block.mine(), &w), 0) << "no access is open";
  EXPECT_TRUE(armcitest::AllBytesAre(block.mine(), 256, 0));
}

TEST(ArmcixErrors, GroupsAndInit) {
  ARMCI_Group w = World(), g = 12345, bad = 999;
  // The same bad argument everywhere.
  EXPECT_EQ(ARMCIX_Group_split(&w, -5, 0, &g), ARMCI_FAIL);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  EXPECT_EQ(ARMCIX_Group_split(&w, 0, 0, nullptr), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Group_split(&bad, 0, 0, &g), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Group_split(nullptr, 0, 0, &g), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Group_dup(&bad, &g), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Group_dup(&w, nullptr), ARMCI_FAIL);
  // A bad color on one process only: every process fails, nobody hangs.
  g = 12345;
  EXPECT_EQ(ARMCIX_Group_split(&w, Me() == Nproc() - 1 ? -3 : 0, 0, &g), ARMCI_FAIL);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
  std::vector<int> any = AllGather(std::vector<int>{g});
  EXPECT_TRUE(ElementsEqual(any, std::vector<int>(Nproc(), ARMCI_GROUP_NULL)));
  EXPECT_EQ(ARMCI_Init_thread(-1), ARMCI_FAIL);
  EXPECT_EQ(ARMCI_Init_thread(MPI_THREAD_MULTIPLE + 10), ARMCI_FAIL);
  EXPECT_EQ(ARMCI_Init_thread_comm(42, MPI_COMM_WORLD), ARMCI_FAIL);
  parmci_msg_group_barrier(&bad);  // prints and returns
  parmci_msg_group_barrier(nullptr);
}

}  // namespace
