// Messaging (armci_msg_*), node structure (armci_domain_*, ARMCI_Same_node)
// and groups (ARMCI_Group_*, armci_group_comm, group collectives), with
// every result checked element by element against values computed here.
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "armci.h"
#include "armci_test_util.h"
#include "message.h"

namespace {

using armcitest::ElementsEqual;
using armcitest::ExpectedNodes;
using armcitest::GlobalBlock;
using armcitest::Left;
using armcitest::Me;
using armcitest::Nodes;
using armcitest::Nproc;
using armcitest::PatternVector;
using armcitest::Right;

// ---------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------

TEST(Msg, MeNprocTimer) {
  int rank = -1, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  EXPECT_EQ(armci_msg_me(), rank);
  EXPECT_EQ(armci_msg_nproc(), size);
  const double t0 = armci_timer();
  volatile double x = 0;
  for (int i = 0; i < 100000; ++i) x = x + i;
  const double t1 = armci_timer();
  EXPECT_GE(t1, t0);
  EXPECT_LT(t1 - t0, 60.0);
}

// ---------------------------------------------------------------------------
// Broadcasts
// ---------------------------------------------------------------------------

TEST(Msg, BcastFromEveryRoot) {
  for (int root = 0; root < Nproc(); ++root) {
    for (int len : {1, 37, 100000}) {
      std::vector<uint8_t> buf = PatternVector(len, Me(), 0, 1);
      armci_msg_bcast(buf.data(), len, root);
      EXPECT_TRUE(ElementsEqual(buf, PatternVector(len, root, 0, 1)))
          << "root " << root << " len " << len;
      std::vector<uint8_t> b2 = PatternVector(len, Me(), 0, 2);
      armci_msg_brdcst(b2.data(), len, root);
      EXPECT_TRUE(ElementsEqual(b2, PatternVector(len, root, 0, 2)));
      std::vector<uint8_t> b3 = PatternVector(len, Me(), 0, 3);
      armci_msg_bcast_scope(SCOPE_ALL, b3.data(), len, root);
      EXPECT_TRUE(ElementsEqual(b3, PatternVector(len, root, 0, 3)));
    }
  }
}

TEST(Msg, BcastScopeNodeAndMasters) {
  const Nodes nodes = ExpectedNodes();
  const std::vector<int> &mine = nodes.members[nodes.node_of[Me()]];
  // Node scope, rooted at the last process of each node.
  const int node_root = mine.back();
  std::vector<int> buf(50, Me());
  armci_msg_bcast_scope(SCOPE_NODE, buf.data(), 50 * sizeof(int), node_root);
  EXPECT_TRUE(ElementsEqual(buf, std::vector<int>(50, node_root)));
  // Masters scope, rooted at the master of the last node; others untouched.
  const int masters_root = nodes.members.back()[0];
  std::vector<int> m(20, Me());
  armci_msg_bcast_scope(SCOPE_MASTERS, m.data(), 20 * sizeof(int), masters_root);
  const bool master = mine[0] == Me();
  EXPECT_TRUE(ElementsEqual(m, std::vector<int>(20, master ? masters_root : Me())));
}

// ---------------------------------------------------------------------------
// Point-to-point
// ---------------------------------------------------------------------------

TEST(Msg, SendReceiveRingSelfAndLarge) {
  for (int len : {0, 5, 300000}) {
    std::vector<uint8_t> out = PatternVector(len, Me(), Right(), 5);
    // Everyone sends first: sends never wait for their receive.
    armci_msg_snd(77, out.data(), len, Right());
    std::vector<uint8_t> in(len + 10, 0xee);
    int got = -1;
    armci_msg_rcv(77, in.data(), len + 10, &got, Left());
    EXPECT_EQ(got, len);
    in.resize(len);
    EXPECT_TRUE(ElementsEqual(in, PatternVector(len, Left(), Me(), 5))) << "len " << len;
  }
  // To myself, before I receive.
  std::vector<uint8_t> self = PatternVector(1000, Me(), Me(), 6), back(1000, 0);
  armci_msg_snd(3, self.data(), 1000, Me());
  self.assign(1000, 0);  // the send has its own copy
  armci_msg_rcv(3, back.data(), 1000, nullptr, Me());
  EXPECT_TRUE(ElementsEqual(back, PatternVector(1000, Me(), Me(), 6)));
}

TEST(Msg, ReceiveFromAny) {
  // Everyone sends its rank to rank 0, which receives from anyone.
  int v = Me() * 3 + 1;
  armci_msg_snd(9, &v, sizeof v, 0);
  if (Me() == 0) {
    std::vector<int> seen(Nproc(), 0);
    for (int i = 0; i < Nproc(); ++i) {
      int x = -1, len = -1;
      int from = armci_msg_rcvany(9, &x, sizeof x, &len);
      ASSERT_GE(from, 0);
      ASSERT_LT(from, Nproc());
      EXPECT_EQ(len, int(sizeof x));
      EXPECT_EQ(x, from * 3 + 1);
      ++seen[from];
    }
    EXPECT_TRUE(ElementsEqual(seen, std::vector<int>(Nproc(), 1)));
  }
  armci_msg_barrier();
}

// ---------------------------------------------------------------------------
// Reductions: every type and every operation, against a local computation.
// ---------------------------------------------------------------------------

// The value rank r contributes at position i (negative ones too, for abs).
template <class T>
T Contribution(int r, int i) {
  const int v = ((r * 7 + i * 3) % 11) - 5;
  return T(v == 0 ? 1 : v);
}

template <class T>
std::vector<T> Expected(const std::string &op, const std::vector<int> &ranks, int n) {
  std::vector<T> e(n);
  for (int i = 0; i < n; ++i) {
    T acc = Contribution<T>(ranks[0], i);
    if (op == "absmax" || op == "absmin") acc = acc < 0 ? -acc : acc;
    for (size_t k = 1; k < ranks.size(); ++k) {
      T x = Contribution<T>(ranks[k], i);
      if (op == "+") acc += x;
      if (op == "*") acc *= x;
      if (op == "max") acc = std::max(acc, x);
      if (op == "min") acc = std::min(acc, x);
      if (op == "absmax") acc = std::max(acc, x < 0 ? -x : x);
      if (op == "absmin") acc = std::min(acc, x < 0 ? -x : x);
      if constexpr (std::is_integral<T>::value) {
        if (op == "or") acc = acc | x;
        if (op == "&&") acc = acc && x;
        if (op == "||") acc = acc || x;
      }
    }
    if constexpr (std::is_integral<T>::value) {
      if (ranks.size() == 1 && (op == "&&" || op == "||")) acc = acc != 0;
    }
    e[i] = acc;
  }
  return e;
}

template <class T>
std::vector<T> Mine(int n) {
  std::vector<T> v(n);
  for (int i = 0; i < n; ++i) v[i] = Contribution<T>(Me(), i);
  return v;
}

std::vector<int> AllRanks() {
  std::vector<int> r(Nproc());
  for (int i = 0; i < Nproc(); ++i) r[i] = i;
  return r;
}

std::vector<std::string> OpsFor(bool integer) {
  std::vector<std::string> ops = {"+", "*", "max", "min", "absmax", "absmin"};
  if (integer) ops.insert(ops.end(), {"or", "&&", "||"});
  return ops;
}

template <class T>
void CheckGop(void (*gop)(T *, int, const char *), bool integer) {
  const int n = 33;
  for (const std::string &op : OpsFor(integer)) {
    std::vector<T> x = Mine<T>(n);
    gop(x.data(), n, op.c_str());
    EXPECT_TRUE(ElementsEqual(x, Expected<T>(op, AllRanks(), n))) << "op " << op;
  }
}

TEST(Msg, GopEveryTypeAndOp) {
  CheckGop<int>(armci_msg_igop, true);
  CheckGop<long>(armci_msg_lgop, true);
  CheckGop<long long>(armci_msg_llgop, true);
  CheckGop<float>(armci_msg_fgop, false);
  CheckGop<double>(armci_msg_dgop, false);
}

// GA's Fortran ga_dgop passes op strings without a NUL terminator (here the
// op is followed by more characters, as Fortran's blank-padded strings and
// GA's "+ga_local_mdot..." are): the op is its leading characters.
template <class T>
void CheckGopUnterminated(void (*gop)(T *, int, const char *), bool integer) {
  const int n = 7;
  for (const std::string &op : OpsFor(integer)) {
    for (const std::string tail : {"ga_local_mdot", "      ", "x"}) {
      std::vector<char> text(op.begin(), op.end());
      text.insert(text.end(), tail.begin(), tail.end());
      text.push_back('\0');  // far past the op: only where a reader might stop
      std::vector<T> x = Mine<T>(n);
      gop(x.data(), n, text.data());
      EXPECT_TRUE(ElementsEqual(x, Expected<T>(op, AllRanks(), n)))
          << "op string \"" << text.data() << "\"";
    }
  }
}

TEST(Msg, GopOpStringsWithoutNul) {
  CheckGopUnterminated<int>(armci_msg_igop, true);
  CheckGopUnterminated<long>(armci_msg_lgop, true);
  CheckGopUnterminated<long long>(armci_msg_llgop, true);
  CheckGopUnterminated<float>(armci_msg_fgop, false);
  CheckGopUnterminated<double>(armci_msg_dgop, false);
  // The exact string of GA's ga_dgop in ga_local_mdot, and a group gop.
  std::vector<double> x = Mine<double>(3);
  armci_msg_dgop(x.data(), 3, "+ga_local_mdot: ga_dgop");
  EXPECT_TRUE(ElementsEqual(x, Expected<double>("+", AllRanks(), 3)));
  ARMCI_Group world;
  ARMCI_Group_get_world(&world);
  std::vector<int> y = Mine<int>(3);
  armci_msg_group_igop(y.data(), 3, "max   ", &world);
  EXPECT_TRUE(ElementsEqual(y, Expected<int>("max", AllRanks(), 3)));
}

template <class T>
void CheckGopScope(int type, bool integer, const Nodes &nodes) {
  const int n = 9;
  const std::vector<int> &node = nodes.members[nodes.node_of[Me()]];
  std::vector<int> masters;
  for (const auto &m : nodes.members) masters.push_back(m[0]);
  const bool master = node[0] == Me();
  for (const std::string &op : OpsFor(integer)) {
    std::vector<T> all = Mine<T>(n), on_node = Mine<T>(n), on_masters = Mine<T>(n);
    armci_msg_gop_scope(SCOPE_ALL, all.data(), n, op.c_str(), type);
    armci_msg_gop_scope(SCOPE_NODE, on_node.data(), n, op.c_str(), type);
    armci_msg_gop_scope(SCOPE_MASTERS, on_masters.data(), n, op.c_str(), type);
    EXPECT_TRUE(ElementsEqual(all, Expected<T>(op, AllRanks(), n))) << "SCOPE_ALL " << op;
    EXPECT_TRUE(ElementsEqual(on_node, Expected<T>(op, node, n))) << "SCOPE_NODE " << op;
    EXPECT_TRUE(ElementsEqual(on_masters, master ? Expected<T>(op, masters, n) : Mine<T>(n)))
        << "SCOPE_MASTERS " << op;
  }
}

TEST(Msg, GopScopeEveryType) {
  const Nodes nodes = ExpectedNodes();
  CheckGopScope<int>(ARMCI_INT, true, nodes);
  CheckGopScope<long>(ARMCI_LONG, true, nodes);
  CheckGopScope<long long>(ARMCI_LONG_LONG, true, nodes);
  CheckGopScope<float>(ARMCI_FLOAT, false, nodes);
  CheckGopScope<double>(ARMCI_DOUBLE, false, nodes);
}

TEST(Msg, ReduceLandsOnRankZeroOnly) {
  const int n = 17;
  for (const std::string &op : OpsFor(false)) {
    std::vector<double> x = Mine<double>(n);
    armci_msg_reduce(x.data(), n, op.c_str(), ARMCI_DOUBLE);
    EXPECT_TRUE(ElementsEqual(x, Me() == 0 ? Expected<double>(op, AllRanks(), n) : Mine<double>(n)))
        << op;
    std::vector<long> y = Mine<long>(n);
    armci_msg_reduce_scope(SCOPE_ALL, y.data(), n, op.c_str(), ARMCI_LONG);
    EXPECT_TRUE(ElementsEqual(y, Me() == 0 ? Expected<long>(op, AllRanks(), n) : Mine<long>(n)))
        << op;
  }
  const Nodes nodes = ExpectedNodes();
  const std::vector<int> &node = nodes.members[nodes.node_of[Me()]];
  std::vector<int> z = Mine<int>(n);
  armci_msg_reduce_scope(SCOPE_NODE, z.data(), n, "+", ARMCI_INT);
  EXPECT_TRUE(ElementsEqual(z, node[0] == Me() ? Expected<int>("+", node, n) : Mine<int>(n)));
}

// ---------------------------------------------------------------------------
// Selection
// ---------------------------------------------------------------------------

struct Info {
  double value;  // the leading value
  int owner;
  int extra[5];
};

TEST(Msg, SelectMinMaxWithContributors) {
  // Values: rank r has 10 - (r % 3) * 2.5 + r * 0.001.
  auto value = [](int r) { return 10.0 - (r % 3) * 2.5 + r * 0.001; };
  for (const char *op : {"min", "max"}) {
    for (int skip_odd = 0; skip_odd < 2; ++skip_odd) {
      const bool contributes = !(skip_odd && Me() % 2 == 1);
      Info info{value(Me()), Me(), {Me(), Me() + 1, Me() + 2, Me() + 3, Me() + 4}};
      armci_msg_sel(&info, sizeof info, op, ARMCI_DOUBLE, contributes);
      int best = -1;
      for (int r = 0; r < Nproc(); ++r) {
        if (skip_odd && r % 2 == 1) continue;
        if (best < 0 ||
            (std::string(op) == "min" ? value(r) < value(best) : value(r) > value(best)))
          best = r;
      }
      EXPECT_EQ(info.owner, best) << op << " skip_odd " << skip_odd;
      EXPECT_EQ(info.value, value(best));
      for (int k = 0; k < 5; ++k) EXPECT_EQ(info.extra[k], best + k);
    }
  }
  // Integer keys with ties: the lowest rank wins.
  struct {
    long long key;
    int owner;
  } t{Me() % 2 == 0 ? 5LL : 9LL, Me()};
  armci_msg_sel_scope(SCOPE_ALL, &t, sizeof t, "max", ARMCI_LONG_LONG, 1);
  EXPECT_EQ(t.owner, Nproc() > 1 ? 1 : 0);
  EXPECT_EQ(t.key, Nproc() > 1 ? 9LL : 5LL);
  // Node scope, int keys.
  const Nodes nodes = ExpectedNodes();
  const std::vector<int> &node = nodes.members[nodes.node_of[Me()]];
  struct {
    int key;
    int owner;
  } u{-Me(), Me()};
  armci_msg_sel_scope(SCOPE_NODE, &u, sizeof u, "min", ARMCI_INT, 1);
  EXPECT_EQ(u.owner, node.back());
}

// ---------------------------------------------------------------------------
// Binary trees: every process of the scope is in one tree, parents and
// children agree, and processes outside the scope are in none.
// ---------------------------------------------------------------------------

void CheckTree(int scope, const std::vector<int> &members, bool member) {
  int root = -2, up = -2, left = -2, right = -2;
  armci_msg_bintree(scope, &root, &up, &left, &right);
  // Collective first: every rank takes part, whatever it finds below.
  const std::vector<int> all = armcitest::AllGather(std::vector<int>{root, up, left, right});
  auto field = [&](int r, int k) { return all[4 * r + k]; };
  EXPECT_EQ(root, members[0]);
  if (!member) {
    EXPECT_EQ(up, -1);
    EXPECT_EQ(left, -1);
    EXPECT_EQ(right, -1);
    return;
  }
  const int idx = int(std::find(members.begin(), members.end(), Me()) - members.begin());
  ASSERT_LT(idx, int(members.size()));
  if (idx == 0) {
    EXPECT_EQ(up, -1);
  } else {
    ASSERT_GE(up, 0);
    EXPECT_TRUE(field(up, 2) == Me() || field(up, 3) == Me()) << "my parent lists me";
  }
  for (int child : {left, right}) {
    if (child < 0) continue;
    EXPECT_NE(std::find(members.begin(), members.end(), child), members.end());
    EXPECT_EQ(field(child, 1), Me()) << "my child " << child << " names me its parent";
  }
  // A tree over n members has n - 1 edges.
  int edges = 0;
  for (int w : members) edges += (field(w, 2) >= 0) + (field(w, 3) >= 0);
  EXPECT_EQ(edges, int(members.size()) - 1);
}

TEST(Msg, BintreeEveryScope) {
  const Nodes nodes = ExpectedNodes();
  const std::vector<int> &node = nodes.members[nodes.node_of[Me()]];
  std::vector<int> masters;
  for (const auto &m : nodes.members) masters.push_back(m[0]);
  CheckTree(SCOPE_ALL, AllRanks(), true);
  CheckTree(SCOPE_NODE, node, true);
  CheckTree(SCOPE_MASTERS, masters, node[0] == Me());
}

// ---------------------------------------------------------------------------
// Node structure
// ---------------------------------------------------------------------------

TEST(Domain, MatchesSharedMemoryNodes) {
  const Nodes nodes = ExpectedNodes();
  const int count = int(nodes.members.size());
  EXPECT_EQ(armci_domain_count(ARMCI_DOMAIN_SMP), count);
  EXPECT_EQ(armci_domain_my_id(ARMCI_DOMAIN_SMP), nodes.node_of[Me()]);
  for (int r = 0; r < Nproc(); ++r) {
    EXPECT_EQ(armci_domain_id(ARMCI_DOMAIN_SMP, r), nodes.node_of[r]) << "rank " << r;
    const int same = nodes.node_of[r] == nodes.node_of[Me()];
    EXPECT_EQ(armci_domain_same_id(ARMCI_DOMAIN_SMP, r), same) << "rank " << r;
    EXPECT_EQ(ARMCI_Same_node(r), same) << "rank " << r;
  }
  for (int id = 0; id < count; ++id) {
    EXPECT_EQ(armci_domain_nprocs(ARMCI_DOMAIN_SMP, id), int(nodes.members[id].size()));
    for (size_t l = 0; l < nodes.members[id].size(); ++l)
      EXPECT_EQ(armci_domain_glob_proc_id(ARMCI_DOMAIN_SMP, id, int(l)), nodes.members[id][l]);
  }
  // A negative id is the caller's node (classic ARMCI; GA relies on it).
  EXPECT_EQ(armci_domain_nprocs(ARMCI_DOMAIN_SMP, -1),
            int(nodes.members[nodes.node_of[Me()]].size()));
  EXPECT_EQ(ARMCI_Uses_shm(), 1);
  // On one machine, ARMCI_TEST_NODE_SIZE=k makes ceil(nproc / k) nodes.
  if (const char *k = std::getenv("ARMCI_TEST_NODE_SIZE")) {
    int size = 0;
    MPI_Comm shm;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &shm);
    MPI_Comm_size(shm, &size);
    MPI_Comm_free(&shm);
    if (size == Nproc()) {
      EXPECT_EQ(count, (Nproc() + std::atoi(k) - 1) / std::atoi(k));
    }
  }
}

// ---------------------------------------------------------------------------
// Groups
// ---------------------------------------------------------------------------

TEST(Groups, WorldAndDefault) {
  ARMCI_Group world, def;
  ARMCI_Group_get_world(&world);
  ARMCI_Group_get_default(&def);
  EXPECT_EQ(def, world);
  int rank = -1, size = -1;
  EXPECT_EQ(ARMCI_Group_rank(&world, &rank), 0);
  ARMCI_Group_size(&world, &size);
  EXPECT_EQ(rank, Me());
  EXPECT_EQ(size, Nproc());
  for (int r = 0; r < Nproc(); ++r) EXPECT_EQ(ARMCI_Absolute_id(&world, r), r);
  int result = MPI_UNEQUAL;
  MPI_Comm_compare(armci_group_comm(&world), MPI_COMM_WORLD, &result);
  EXPECT_TRUE(result == MPI_CONGRUENT || result == MPI_IDENT);
  EXPECT_EQ(ARMCI_Uses_shm_grp(&world), 1);
}

// The group of the odd world ranks in reverse order (or of rank 0 alone).
std::vector<int> OddReversed() {
  std::vector<int> list;
  for (int r = Nproc() - 1; r >= 0; --r)
    if (r % 2 == 1) list.push_back(r);
  if (list.empty()) list.push_back(0);
  return list;
}

TEST(Groups, CreateUseAndFree) {
  const Nodes nodes = ExpectedNodes();  // collective over the world: before non-members leave
  std::vector<int> list = OddReversed();
  const bool member = std::find(list.begin(), list.end(), Me()) != list.end();
  ARMCI_Group g = 12345;
  ARMCI_Group_create(int(list.size()), list.data(), &g);
  if (!member) {
    EXPECT_EQ(g, ARMCI_GROUP_NULL);
    ARMCI_Group_free(&g);  // harmless
    return;
  }
  ASSERT_NE(g, ARMCI_GROUP_NULL);
  int rank = -1, size = -1;
  EXPECT_EQ(ARMCI_Group_rank(&g, &rank), 0);
  ARMCI_Group_size(&g, &size);
  ASSERT_EQ(size, int(list.size()));
  EXPECT_EQ(list[rank], Me());
  for (int i = 0; i < size; ++i) EXPECT_EQ(ARMCI_Absolute_id(&g, i), list[i]);
  MPI_Comm comm = armci_group_comm(&g);
  ASSERT_NE(comm, MPI_COMM_NULL);
  int csize = 0, crank = -1;
  MPI_Comm_size(comm, &csize);
  MPI_Comm_rank(comm, &crank);
  EXPECT_EQ(csize, size);
  EXPECT_EQ(crank, rank);

  {
    // Memory of the group, indexed by group rank; transfers use world ranks.
    GlobalBlock block(1000, &g);
    ASSERT_TRUE(block.ok());
    const int next = (rank + 1) % size, prev = (rank + size - 1) % size;
    std::vector<uint8_t> out = PatternVector(1000, Me(), list[next], 90);
    ASSERT_EQ(ARMCI_Put(out.data(), block.at(next), 1000, list[next]), 0);
    block.Sync();
    EXPECT_TRUE(
        ElementsEqual(block.mine(), PatternVector(1000, list[prev], Me(), 90).data(), 1000));
  }

  // Group collectives.
  armci_msg_group_barrier(&g);
  std::vector<int> b(10, Me());
  armci_msg_group_bcast_scope(SCOPE_ALL, b.data(), 10 * sizeof(int), list.back(), &g);
  EXPECT_TRUE(ElementsEqual(b, std::vector<int>(10, list.back())));
  int i1 = Me();
  long l1 = Me();
  long long ll1 = Me();
  float f1 = float(Me());
  double d1 = Me();
  armci_msg_group_igop(&i1, 1, "+", &g);
  armci_msg_group_lgop(&l1, 1, "max", &g);
  armci_msg_group_llgop(&ll1, 1, "min", &g);
  armci_msg_group_fgop(&f1, 1, "+", &g);
  armci_msg_group_dgop(&d1, 1, "*", &g);
  long long sum = 0, mx = list[0], mn = list[0];
  double prod = 1;
  for (int w : list) {
    sum += w;
    mx = std::max<long long>(mx, w);
    mn = std::min<long long>(mn, w);
    prod *= w;
  }
  EXPECT_EQ(i1, sum);
  EXPECT_EQ(l1, mx);
  EXPECT_EQ(ll1, mn);
  EXPECT_EQ(f1, float(sum));
  EXPECT_EQ(d1, prod);

  // Scoped group collectives, against the node structure.
  std::vector<int> on_node, masters;
  std::vector<char> seen(nodes.members.size(), 0);
  for (int w : list) {
    if (nodes.node_of[w] == nodes.node_of[Me()]) on_node.push_back(w);
    if (!seen[nodes.node_of[w]]++) masters.push_back(w);
  }
  std::vector<long> x(4, Me() + 1), y(4, Me() + 1);
  armci_msg_group_gop_scope(SCOPE_NODE, x.data(), 4, "+", ARMCI_LONG, &g);
  long node_sum = 0;
  for (int w : on_node) node_sum += w + 1;
  EXPECT_TRUE(ElementsEqual(x, std::vector<long>(4, node_sum)));
  armci_msg_group_gop_scope(SCOPE_MASTERS, y.data(), 4, "max", ARMCI_LONG, &g);
  const bool master = on_node[0] == Me();
  long masters_max = 0;
  for (int w : masters) masters_max = std::max<long>(masters_max, w + 1);
  EXPECT_TRUE(ElementsEqual(y, std::vector<long>(4, master ? masters_max : Me() + 1)));
  std::vector<int> nb(3, Me());
  armci_msg_group_bcast_scope(SCOPE_NODE, nb.data(), 3 * sizeof(int), on_node[0], &g);
  EXPECT_TRUE(ElementsEqual(nb, std::vector<int>(3, on_node[0])));

  ARMCI_GroupFence(&g);
  ARMCI_Group_free(&g);
  EXPECT_EQ(g, ARMCI_GROUP_NULL);
}

TEST(Groups, DisjointGroupsAtOnce) {
  // Every process makes a group of itself (GA_Pgroup_self), then pairs
  // {0,1}, {2,3}, ... are made at the same time; each is used and freed.
  int me = Me();
  ARMCI_Group self;
  ARMCI_Group_create(1, &me, &self);
  ASSERT_NE(self, ARMCI_GROUP_NULL);
  {
    GlobalBlock block(64, &self);
    ASSERT_TRUE(block.ok());
    ASSERT_EQ(ARMCI_PutValueInt(me + 5, block.at(0), me), 0);
    EXPECT_EQ(ARMCI_GetValueInt(block.at(0), me), me + 5);
  }
  int v = me;
  armci_msg_group_igop(&v, 1, "+", &self);
  EXPECT_EQ(v, me);
  ARMCI_Group_free(&self);

  std::vector<int> pair = {me - me % 2, std::min(me - me % 2 + 1, Nproc() - 1)};
  pair.erase(std::unique(pair.begin(), pair.end()), pair.end());
  ARMCI_Group g;
  ARMCI_Group_create(int(pair.size()), pair.data(), &g);
  ASSERT_NE(g, ARMCI_GROUP_NULL);
  long sum = me;
  armci_msg_group_lgop(&sum, 1, "+", &g);
  long expected = 0;
  for (int r : pair) expected += r;
  EXPECT_EQ(sum, expected);
  {
    GlobalBlock block(sizeof(int), &g);
    ASSERT_TRUE(block.ok());
    int rank = -1;
    ARMCI_Group_rank(&g, &rank);
    const int other = int(pair.size()) - 1 - rank;
    int old = -1;
    ASSERT_EQ(ARMCI_Rmw(ARMCI_FETCH_AND_ADD, &old, block.at(other), me + 1, pair[other]), 0);
    block.Sync();
    EXPECT_EQ(*block.at<int>(rank), pair[other] + 1);
  }
  ARMCI_Group_free(&g);
}

TEST(Groups, DefaultGroupAndChildren) {
  // The even world ranks become the default group of its members.
  std::vector<int> evens;
  for (int r = 0; r < Nproc(); r += 2) evens.push_back(r);
  ARMCI_Group even;
  ARMCI_Group_create(int(evens.size()), evens.data(), &even);
  if (Me() % 2 == 1) {
    EXPECT_EQ(even, ARMCI_GROUP_NULL);
    return;
  }
  ASSERT_NE(even, ARMCI_GROUP_NULL);
  ARMCI_Group_set_default(&even);
  ARMCI_Group def;
  ARMCI_Group_get_default(&def);
  EXPECT_EQ(def, even);
  int grank = -1, gsize = 0;
  ARMCI_Group_rank(&even, &grank);
  ARMCI_Group_size(&even, &gsize);
  {
    // ARMCI_Malloc now spans the default group, indexed by its ranks.
    std::vector<void *> ptrs(gsize, nullptr);
    ASSERT_EQ(ARMCI_Malloc(ptrs.data(), 64), 0);
    for (int i = 0; i < gsize; ++i) EXPECT_NE(ptrs[i], nullptr);
    const int next = (grank + 1) % gsize;
    ASSERT_EQ(ARMCI_PutValueInt(Me(), ptrs[next], ARMCI_Absolute_id(&even, next)), 0);
    ARMCI_GroupFence(&even);
    armci_msg_group_barrier(&even);
    EXPECT_EQ(*static_cast<int *>(ptrs[grank]), evens[(grank + gsize - 1) % gsize]);
    armci_msg_group_barrier(&even);
    EXPECT_EQ(ARMCI_Free(ptrs[grank]), 0);
  }
  // A group created now takes ranks of the default group: its first member.
  int first = 0;
  ARMCI_Group solo;
  ARMCI_Group_create(1, &first, &solo);
  if (grank == 0) {
    ASSERT_NE(solo, ARMCI_GROUP_NULL);
    EXPECT_EQ(ARMCI_Absolute_id(&solo, 0), 0);
    ARMCI_Group_free(&solo);
  } else {
    EXPECT_EQ(solo, ARMCI_GROUP_NULL);
  }
  // A child of an explicit parent: the even group in reverse order.
  ARMCI_Group world, child;
  ARMCI_Group_get_world(&world);
  ARMCI_Group_set_default(&world);
  std::vector<int> reversed;
  for (int i = gsize - 1; i >= 0; --i) reversed.push_back(i);
  ARMCI_Group_create_child(gsize, reversed.data(), &child, &even);
  ASSERT_NE(child, ARMCI_GROUP_NULL);
  int csize = 0, crank = -1;
  ARMCI_Group_size(&child, &csize);
  ARMCI_Group_rank(&child, &crank);
  EXPECT_EQ(csize, gsize);
  EXPECT_EQ(crank, gsize - 1 - grank);
  for (int i = 0; i < csize; ++i) EXPECT_EQ(ARMCI_Absolute_id(&child, i), evens[gsize - 1 - i]);
  ARMCI_Group_free(&child);
  ARMCI_Group_free(&even);
}

}  // namespace
