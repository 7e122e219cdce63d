// ARMCI-MPI's mutex handles: ARMCIX_Create_mutexes_hdl, _Destroy_mutexes_hdl,
// _Lock_hdl, _Trylock_hdl, _Unlock_hdl, over the world and over groups.
#include <gtest/gtest.h>

#include <vector>

#include "armci_test_util.h"
#include "armcix.h"

namespace {

using armcitest::AllGather;
using armcitest::ElementsEqual;
using armcitest::GlobalBlock;
using armcitest::Me;
using armcitest::Nproc;

ARMCI_Group World() {
  ARMCI_Group w;
  ARMCI_Group_get_world(&w);
  return w;
}

// Each rank adds 1 to a counter `k` times with a get and a put (not atomic
// by themselves) under the mutex; the counter lives on `counter_rank` and the
// mutex on `mutex_rank`, so the unlock must also complete the put to a third
// process before the next holder reads.
void CountUnderLock(armcix_mutex_hdl_t h, int mutex, int mutex_rank, GlobalBlock &block,
                    int counter_index, int counter_rank, int k) {
  long *counter = block.at<long>(counter_index);
  for (int i = 0; i < k; ++i) {
    ARMCIX_Lock_hdl(h, mutex, mutex_rank);
    long v = ARMCI_GetValueLong(counter, counter_rank);
    ASSERT_EQ(ARMCI_PutValueLong(v + 1, counter, counter_rank), 0);
    ARMCIX_Unlock_hdl(h, mutex, mutex_rank);
  }
}

TEST(MutexHdl, CounterIncrementsUnderLockSumExactly) {
  const int k = 25, count = 3;
  GlobalBlock block(sizeof(long));
  ASSERT_TRUE(block.ok());
  ARMCI_Group w = World();
  armcix_mutex_hdl_t h = ARMCIX_Create_mutexes_hdl(count, &w);
  ASSERT_NE(h, nullptr);
  // Counter on rank 0, mutex 2 of the last rank.
  CountUnderLock(h, 2, Nproc() - 1, block, 0, 0, k);
  ARMCI_Barrier();
  EXPECT_EQ(ARMCI_GetValueLong(block.at(0), 0), long(k) * Nproc());
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), 0);
}

TEST(MutexHdl, EveryMutexOfEveryRank) {
  // One counter per (owner, mutex); every rank goes through all of them.
  const int count = 4, k = 3;
  GlobalBlock block(count * sizeof(long));
  ASSERT_TRUE(block.ok());
  ARMCI_Group w = World();
  armcix_mutex_hdl_t h = ARMCIX_Create_mutexes_hdl(count, &w);
  ASSERT_NE(h, nullptr);
  for (int step = 0; step < Nproc(); ++step) {
    const int owner = (Me() + step) % Nproc();
    for (int m = 0; m < count; ++m) {
      long *counter = block.at<long>(owner, m * sizeof(long));
      for (int i = 0; i < k; ++i) {
        ARMCIX_Lock_hdl(h, m, owner);
        long v = ARMCI_GetValueLong(counter, owner);
        ASSERT_EQ(ARMCI_PutValueLong(v + 1, counter, owner), 0);
        ARMCIX_Unlock_hdl(h, m, owner);
      }
    }
  }
  ARMCI_Barrier();
  EXPECT_TRUE(ElementsEqual(reinterpret_cast<long *>(block.mine()),
                            std::vector<long>(count, long(k) * Nproc()).data(), count));
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), 0);
}

// Sum of an int over the world.
int CountRanks(bool yes) {
  int n = yes ? 1 : 0;
  armci_msg_igop(&n, 1, "+");
  return n;
}

TEST(MutexHdl, TrylockContention) {
  if (Nproc() < 2) GTEST_SKIP() << "needs 2 ranks";
  ARMCI_Group w = World();
  armcix_mutex_hdl_t h = ARMCIX_Create_mutexes_hdl(2, &w);
  ASSERT_NE(h, nullptr);
  const int owner = Nproc() - 1;
  // Rank 0 holds mutex 0 of the owner: every try fails, rank 0's too.
  if (Me() == 0) {
    EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, owner), 0);
  }
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, owner), 1) << "held by rank 0";
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, owner), 1) << "a failed try changes nothing";
  // Mutex 1 of the same owner is free: all race for it, exactly one wins.
  const bool holds1 = ARMCIX_Trylock_hdl(h, 1, owner) == 0;
  EXPECT_EQ(CountRanks(holds1), 1);
  ARMCI_Barrier();
  if (Me() == 0) ARMCIX_Unlock_hdl(h, 0, owner);
  ARMCI_Barrier();
  // All ranks but 0 race for the freed mutex 0: exactly one wins.
  const bool holds0 = Me() != 0 && ARMCIX_Trylock_hdl(h, 0, owner) == 0;
  EXPECT_EQ(CountRanks(holds0), 1);
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, owner), 1) << "still held by the winner";
  ARMCI_Barrier();
  if (holds0) ARMCIX_Unlock_hdl(h, 0, owner);
  // Destroying while a process holds mutex 1 fails everywhere.
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), ARMCI_FAIL);
  if (holds1) ARMCIX_Unlock_hdl(h, 1, owner);
  ARMCI_Barrier();
  // Both free again: a blocking lock of each gets it at once.
  if (Me() == 0) {
    ARMCIX_Lock_hdl(h, 0, owner);
    ARMCIX_Lock_hdl(h, 1, owner);
    ARMCIX_Unlock_hdl(h, 1, owner);
    ARMCIX_Unlock_hdl(h, 0, owner);
  }
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), 0);
}

TEST(MutexHdl, GroupScopedWithUnevenCounts) {
  ARMCI_Group w = World(), half;
  ASSERT_EQ(ARMCIX_Group_split(&w, Me() % 2, Me(), &half), 0);
  int grank = -1, gsize = 0;
  ASSERT_EQ(ARMCI_Group_rank(&half, &grank), 0);
  ARMCI_Group_size(&half, &gsize);
  std::vector<int> members(gsize);
  for (int r = 0; r < gsize; ++r) members[r] = ARMCI_Absolute_id(&half, r);
  // Member r owns r+1 mutexes; its counter (one long per member) is in a
  // block of the half.
  armcix_mutex_hdl_t h = ARMCIX_Create_mutexes_hdl(grank + 1, &half);
  ASSERT_NE(h, nullptr);
  const int k = 10;
  {
    GlobalBlock block(sizeof(long), &half);
    ASSERT_TRUE(block.ok());
    for (int r = 0; r < gsize; ++r) {
      const int owner = members[r];
      long *counter = block.at<long>(r);
      for (int i = 0; i < k; ++i) {
        ARMCIX_Lock_hdl(h, r, owner);  // its last mutex
        long v = ARMCI_GetValueLong(counter, owner);
        ASSERT_EQ(ARMCI_PutValueLong(v + 1, counter, owner), 0);
        ARMCIX_Unlock_hdl(h, r, owner);
      }
      // One past its last mutex, and a process outside the half.
      EXPECT_EQ(ARMCIX_Trylock_hdl(h, r + 1, owner), ARMCI_FAIL);
    }
    if (Nproc() > 1) {
      EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, (Me() + 1) % Nproc()), ARMCI_FAIL);
    }
    block.Sync();
    EXPECT_EQ(*reinterpret_cast<long *>(block.mine()), long(k) * gsize);
  }
  // The set outlives the group it was made on.
  ARMCI_Group_free(&half);
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, grank, Me()), 0);
  ARMCIX_Unlock_hdl(h, grank, Me());
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), 0);
}

TEST(MutexHdl, NoMutexesOnSomeRanks) {
  // Odd ranks own 2 mutexes, even ranks none.
  ARMCI_Group w = World();
  armcix_mutex_hdl_t h = ARMCIX_Create_mutexes_hdl(Me() % 2 ? 2 : 0, &w);
  ASSERT_NE(h, nullptr);
  GlobalBlock block(sizeof(long));
  ASSERT_TRUE(block.ok());
  for (int owner = 0; owner < Nproc(); ++owner) {
    if (owner % 2 == 0) {
      EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, owner), ARMCI_FAIL) << "rank " << owner << " owns none";
      continue;
    }
    CountUnderLock(h, 1, owner, block, owner, owner, 5);
  }
  block.Sync();
  EXPECT_EQ(*reinterpret_cast<long *>(block.mine()), Me() % 2 ? 5L * Nproc() : 0L);
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), 0);
}

TEST(MutexHdl, SetsAreIndependent) {
  ARMCI_Group w = World();
  armcix_mutex_hdl_t a = ARMCIX_Create_mutexes_hdl(1, &w);
  armcix_mutex_hdl_t b = ARMCIX_Create_mutexes_hdl(1, &w);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(ARMCI_Create_mutexes(1), 0);
  const int owner = Nproc() - 1;
  if (Me() == 0) {
    ARMCIX_Lock_hdl(a, 0, owner);
    EXPECT_EQ(ARMCIX_Trylock_hdl(b, 0, owner), 0) << "mutex 0 of another set";
    ARMCI_Lock(0, owner);  // the world set of ARMCI_Create_mutexes
    ARMCI_Unlock(0, owner);
  }
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Trylock_hdl(a, 0, owner), 1);
  EXPECT_EQ(ARMCIX_Trylock_hdl(b, 0, owner), 1);
  ARMCI_Barrier();
  if (Me() == 0) {
    ARMCIX_Unlock_hdl(b, 0, owner);
    ARMCIX_Unlock_hdl(a, 0, owner);
  }
  ARMCI_Barrier();
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(b), 0);
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(a), 0);
  EXPECT_EQ(ARMCI_Destroy_mutexes(), 0);
}

TEST(MutexHdlErrors, BadHandlesMutexesAndProcs) {
  ARMCI_Group w = World(), bad = 999;
  // Bad counts and groups: NULL everywhere, also when only one rank errs.
  EXPECT_EQ(ARMCIX_Create_mutexes_hdl(-1, &w), nullptr);
  EXPECT_EQ(ARMCIX_Create_mutexes_hdl(Me() == Nproc() - 1 ? -2 : 1, &w), nullptr);
  EXPECT_EQ(ARMCIX_Create_mutexes_hdl(1, &bad), nullptr);
  EXPECT_EQ(ARMCIX_Create_mutexes_hdl(1, nullptr), nullptr);
  EXPECT_EQ(ARMCIX_Trylock_hdl(nullptr, 0, 0), ARMCI_FAIL);
  ARMCIX_Lock_hdl(nullptr, 0, 0);
  ARMCIX_Unlock_hdl(nullptr, 0, 0);
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(nullptr), ARMCI_FAIL);

  armcix_mutex_hdl_t h = ARMCIX_Create_mutexes_hdl(2, &w);
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, -1, 0), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 2, 0), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, -1), ARMCI_FAIL);
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, Nproc()), ARMCI_FAIL);
  ARMCIX_Lock_hdl(h, 2, 0);
  ARMCIX_Unlock_hdl(h, 0, Nproc());
  // Unlocking what this process does not hold, locking what it holds.
  ARMCIX_Unlock_hdl(h, 0, Me());
  ASSERT_EQ(ARMCIX_Trylock_hdl(h, 0, Me()), 0);
  ARMCIX_Lock_hdl(h, 0, Me());  // reported, not a deadlock
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, Me()), 1) << "still held";
  ARMCIX_Unlock_hdl(h, 0, Me());
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, Me()), 0) << "free again";
  ARMCIX_Unlock_hdl(h, 0, Me());
  ARMCI_Barrier();
  ASSERT_EQ(ARMCIX_Destroy_mutexes_hdl(h), 0);
  // A destroyed handle is refused.
  EXPECT_EQ(ARMCIX_Trylock_hdl(h, 0, 0), ARMCI_FAIL);
  ARMCIX_Lock_hdl(h, 0, 0);
  ARMCIX_Unlock_hdl(h, 0, 0);
  EXPECT_EQ(ARMCIX_Destroy_mutexes_hdl(h), ARMCI_FAIL);
}

}  // namespace
