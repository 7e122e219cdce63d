// Unit tests of the progress thread's placement choice (no hwloc, no MPI):
// given cores, PUs per core, the ranks of a node and their bindings, which
// PUs each mode picks.
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "node/topology.h"

using comex::BindMode;
using comex::choose_progress_pus;
using comex::home_pus;
using comex::NodeDesc;
using comex::PuChoice;
using Pus = std::vector<int>;

namespace {

// `ncores` cores of `smt` PUs each, logical PUs numbered core by core;
// `ranks` node ranks with the given bindings (missing ones are unbound).
NodeDesc Node(int ncores, int smt, int ranks, std::vector<Pus> bindings = {}) {
  NodeDesc d;
  for (int c = 0; c < ncores; ++c) {
    Pus core;
    for (int t = 0; t < smt; ++t) core.push_back(c * smt + t);
    d.cores.push_back(core);
  }
  bindings.resize(size_t(ranks));
  d.rank_pus = bindings;
  return d;
}

// The choice of every rank of the node.
std::vector<PuChoice> All(BindMode m, const NodeDesc &d) {
  std::vector<PuChoice> out;
  for (int r = 0; r < int(d.rank_pus.size()); ++r) out.push_back(choose_progress_pus(m, d, r));
  return out;
}

Pus Spares(const NodeDesc &d) {
  Pus out;
  for (const PuChoice &c : All(comex::kBindSpare, d)) {
    EXPECT_EQ(c.mode, c.pus.empty() ? comex::kBindNone : comex::kBindSpare);
    EXPECT_LE(c.pus.size(), 1u);
    out.push_back(c.pus.empty() ? -1 : c.pus[0]);
  }
  return out;
}

}  // namespace

TEST(Topology, NoneNeverBinds) {
  for (const NodeDesc &d : {Node(2, 1, 2), Node(8, 2, 2), Node(4, 1, 2, {{2}, {3}})})
    for (const PuChoice &c : All(comex::kBindNone, d)) {
      EXPECT_EQ(c.mode, comex::kBindNone);
      EXPECT_TRUE(c.pus.empty());
      EXPECT_TRUE(c.note.empty()) << c.note;
    }
}

TEST(Topology, HomesOfUnboundRanksFollowCoreOrder) {
  EXPECT_EQ(home_pus(Node(4, 1, 2)), (Pus{0, 1}));
  EXPECT_EQ(home_pus(Node(2, 2, 2)), (Pus{0, 2}));
  // More ranks than cores: wrap, taking the next free PU of the core.
  EXPECT_EQ(home_pus(Node(2, 2, 4)), (Pus{0, 2, 1, 3}));
  EXPECT_EQ(home_pus(Node(2, 1, 4)), (Pus{0, 1, 0, 1}));
  // Bound ranks live in their binding; two ranks sharing one binding spread.
  EXPECT_EQ(home_pus(Node(4, 1, 2, {{2}, {3}})), (Pus{2, 3}));
  EXPECT_EQ(home_pus(Node(4, 1, 2, {{0, 1}, {0, 1}})), (Pus{0, 1}));
  EXPECT_EQ(home_pus(Node(4, 2, 2, {{0, 1, 2, 3}, {0, 1, 2, 3}})), (Pus{0, 2}));
}

// This machine's case: 2 cores, no SMT, 2 ranks -- no spare PU.
TEST(Topology, NoSparePuFallsBack) {
  NodeDesc d = Node(2, 1, 2);
  for (const PuChoice &c : All(comex::kBindSpare, d)) {
    EXPECT_EQ(c.mode, comex::kBindNone);
    EXPECT_TRUE(c.pus.empty());
    EXPECT_NE(c.note.find("no spare PU"), std::string::npos) << c.note;
  }
  for (const PuChoice &c : All(comex::kBindAuto, d)) {
    EXPECT_EQ(c.mode, comex::kAutoFallback);
    EXPECT_FALSE(c.note.empty());
  }
  // Oversubscribed, and bound to every core: still none spare.
  EXPECT_EQ(Spares(Node(2, 1, 4)), (Pus{-1, -1, -1, -1}));
  EXPECT_EQ(Spares(Node(2, 2, 4)), (Pus{-1, -1, -1, -1}));
  EXPECT_EQ(Spares(Node(2, 1, 2, {{1}, {0}})), (Pus{-1, -1}));
}

TEST(Topology, CoreIsOwnCore) {
  // Unbound: core node_rank % ncores, all its PUs.
  std::vector<PuChoice> c = All(comex::kBindCore, Node(2, 1, 4));
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].pus, Pus{0});
  EXPECT_EQ(c[1].pus, Pus{1});
  EXPECT_EQ(c[2].pus, Pus{0});
  EXPECT_EQ(c[3].pus, Pus{1});
  for (const PuChoice &x : c) EXPECT_EQ(x.mode, comex::kBindCore);
  c = All(comex::kBindCore, Node(4, 2, 2));
  EXPECT_EQ(c[0].pus, (Pus{0, 1}));
  EXPECT_EQ(c[1].pus, (Pus{2, 3}));
  // Bound: exactly the rank's binding.
  c = All(comex::kBindCore, Node(4, 1, 2, {{3}, {1, 2}}));
  EXPECT_EQ(c[0].pus, Pus{3});
  EXPECT_EQ(c[1].pus, (Pus{1, 2}));
}

TEST(Topology, SpareCoresAreDealtRoundRobin) {
  // 4 cores, 2 unbound ranks on cores 0 and 1: distinct spare cores 2 and 3.
  EXPECT_EQ(Spares(Node(4, 1, 2)), (Pus{2, 3}));
  EXPECT_EQ(Spares(Node(5, 1, 2)), (Pus{2, 3}));
  EXPECT_EQ(Spares(Node(8, 1, 3)), (Pus{3, 4, 5}));
  // 3 cores, 2 ranks: only one spare PU, shared.
  EXPECT_EQ(Spares(Node(3, 1, 2)), (Pus{2, 2}));
  // 4 cores, 3 ranks: one spare core for all.
  EXPECT_EQ(Spares(Node(4, 1, 3)), (Pus{3, 3, 3}));
  // 5 cores, 3 ranks: two spare cores, dealt in turn.
  EXPECT_EQ(Spares(Node(5, 1, 3)), (Pus{3, 4, 3}));
  // auto picks the same PUs when a spare exists.
  std::vector<PuChoice> c = All(comex::kBindAuto, Node(4, 1, 2));
  EXPECT_EQ(c[0].mode, comex::kBindSpare);
  EXPECT_EQ(c[0].pus, Pus{2});
  EXPECT_EQ(c[1].pus, Pus{3});
  EXPECT_TRUE(c[0].note.empty());
}

TEST(Topology, SpareAvoidsBoundRanks) {
  // Ranks bound to cores 2 and 3 (e.g. by the launcher): spare cores 0 and 1.
  EXPECT_EQ(Spares(Node(4, 1, 2, {{2}, {3}})), (Pus{0, 1}));
  // One rank bound to core 0 of 2 (mpiexec -bind-to core -n 1): core 1.
  EXPECT_EQ(Spares(Node(2, 1, 1, {{0}})), Pus{1});
  EXPECT_EQ(Spares(Node(2, 1, 1, {{1}})), Pus{0});
  // Two ranks sharing cores 0-1 of 4: cores 2 and 3 remain.
  EXPECT_EQ(Spares(Node(4, 1, 2, {{0, 1}, {0, 1}})), (Pus{2, 3}));
}

TEST(Topology, SparePrefersHyperthreadSibling) {
  // 2 cores x 2 PUs, unbound ranks on cores 0 and 1: the siblings 1 and 3.
  EXPECT_EQ(Spares(Node(2, 2, 2)), (Pus{1, 3}));
  // Free cores exist, yet the sibling on the own core comes first.
  EXPECT_EQ(Spares(Node(4, 2, 2)), (Pus{1, 3}));
  // Ranks bound to whole cores (-bind-to core) on SMT: sibling inside the binding.
  EXPECT_EQ(Spares(Node(2, 2, 2, {{0, 1}, {2, 3}})), (Pus{1, 3}));
  EXPECT_EQ(Spares(Node(4, 2, 2, {{4, 5}, {6, 7}})), (Pus{5, 7}));
  // Ranks bound to one hyperthread each of the same core: the other core.
  EXPECT_EQ(Spares(Node(2, 2, 2, {{0}, {1}})), (Pus{2, 3}));
  // 4-way SMT, one core, 2 ranks: homes 0 and 1, siblings 2 and 3.
  EXPECT_EQ(Spares(Node(1, 4, 2)), (Pus{2, 3}));
  // 2 cores x 2 PUs, 3 ranks: homes 0, 2, 1; rank 1 gets sibling 3, the
  // others share it.
  EXPECT_EQ(Spares(Node(2, 2, 3)), (Pus{3, 3, 3}));
}

TEST(Topology, SpareChoicesAreDistinctWhenEnough) {
  for (int cores = 1; cores <= 8; ++cores)
    for (int smt = 1; smt <= 2; ++smt)
      for (int ranks = 1; ranks <= 8; ++ranks) {
        NodeDesc d = Node(cores, smt, ranks);
        Pus spares = Spares(d), homes = home_pus(d);
        std::set<int> home_set(homes.begin(), homes.end());
        const int nspare = cores * smt - int(home_set.size());
        std::set<int> got;
        for (int s : spares) {
          if (nspare == 0) {
            EXPECT_EQ(s, -1);
            continue;
          }
          ASSERT_GE(s, 0) << cores << "x" << smt << " ranks " << ranks;
          EXPECT_EQ(home_set.count(s), 0u) << "spare PU " << s << " is a rank's home";
          got.insert(s);
        }
        if (nspare > 0) {
          EXPECT_EQ(int(got.size()), std::min(nspare, ranks))
              << cores << "x" << smt << " ranks " << ranks;
        }
      }
}

TEST(Topology, BadInputLeavesThreadAlone) {
  NodeDesc empty;
  PuChoice c = choose_progress_pus(comex::kBindCore, empty, 0);
  EXPECT_EQ(c.mode, comex::kBindNone);
  EXPECT_TRUE(c.pus.empty());
  c = choose_progress_pus(comex::kBindSpare, Node(4, 1, 2), 2);  // not a node rank
  EXPECT_EQ(c.mode, comex::kBindNone);
  EXPECT_TRUE(c.pus.empty());
}

TEST(Topology, FormatList) {
  EXPECT_EQ(comex::format_list({}), "");
  EXPECT_EQ(comex::format_list({3}), "3");
  EXPECT_EQ(comex::format_list({0, 1, 2, 5, 7, 8}), "0-2,5,7-8");
}
