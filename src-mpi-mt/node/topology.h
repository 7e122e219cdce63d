// node/topology.h -- where the progress thread runs (COMEX_PROGRESS_BIND).
//
// Two halves: a pure choice (choose_progress_pus) over a plain description of
// the node, testable without hwloc or MPI; and the hwloc/MPI edge that builds
// that description (learn_node, collective) and binds the calling thread
// (place_progress_thread).  See doc/topology.md.
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "util/config.h"

namespace comex {

/// What auto does when the node has no spare PU (measured: doc/topology.md).
constexpr BindMode kAutoFallback = kBindCore;

/// A node as the choice logic sees it.  PUs are hwloc logical indices
/// 0..npus-1; cores are listed in hwloc's logical order.
struct NodeDesc {
  std::vector<std::vector<int>> cores;  ///< the PUs of each core
  /// The PUs each node-local rank is bound to; empty = unbound (its binding
  /// covers the whole node).
  std::vector<std::vector<int>> rank_pus;
};

/// The outcome of the choice for one rank.
struct PuChoice {
  BindMode mode = kBindNone;  ///< what is applied: kBindNone, kBindSpare or kBindCore
  std::vector<int> pus;       ///< logical PUs for the progress thread (empty: leave it alone)
  std::string note;           ///< why a fallback happened (empty when none did)
};

/// The PU a rank's main thread is assumed to occupy (its "home"), for every
/// node-local rank: a bound rank's first PU not already another rank's home
/// (preferring a core no other rank lives on); an unbound rank i gets the
/// first free PU of core i % ncores.
std::vector<int> home_pus(const NodeDesc &node);

/// Choose the progress thread's PUs for node-local rank `node_rank` under
/// `requested` (any BindMode; auto resolves to spare or kAutoFallback).
///  - none:  leave it (empty set).
///  - core:  the rank's own binding, or all PUs of core node_rank % ncores
///           when it is unbound.
///  - spare: one PU that is no rank's home.  A hyperthread sibling on the
///           rank's home core comes first; otherwise the remaining spare PUs
///           are dealt round-robin over the ranks that still need one, so
///           ranks get distinct PUs while there are enough.  No spare PU:
///           falls back to none, with a note.
PuChoice choose_progress_pus(BindMode requested, const NodeDesc &node, int node_rank);

/// hwloc's view of this process plus every node-local rank's binding.
/// Built by learn_node; holds the loaded hwloc topology (or none when hwloc
/// failed, in which case the thread stays unbound).
struct NodeInfo {
  NodeInfo();
  ~NodeInfo();
  NodeInfo(const NodeInfo &) = delete;
  NodeInfo &operator=(const NodeInfo &) = delete;

  int node_rank = 0, node_size = 1;
  NodeDesc desc;
  std::vector<int> pu_os;  ///< OS index of each logical PU
  std::string host;
  std::string problem;  ///< why hwloc is unusable (empty when it is fine)
  struct Hwloc;
  std::unique_ptr<Hwloc> hw;
};

/// Collective over `node` (the ranks of one shared-memory node, as the
/// runtime's Node has them): loads the hwloc topology and gathers every node
/// rank's binding.  MPI failures throw comex::Error; hwloc failures only set
/// `problem`.
std::unique_ptr<NodeInfo> learn_node(MPI_Comm node);

/// What place_progress_thread did, for logs and tests.
struct Placement {
  BindMode requested = kBindAuto;
  BindMode applied = kBindNone;
  std::vector<int> cpus;  ///< OS indices the thread is bound to (empty: not bound by us)
  std::string line;       ///< "main thread CPUs 0-1 (unbound), progress thread -> CPU 1 (spare)"
};

/// Called by the progress thread itself: choose per `mode` and bind the
/// calling thread with hwloc.  Never throws; a failure to bind is logged in
/// one line and the thread continues unbound.
Placement place_progress_thread(BindMode mode, const NodeInfo &node);

/// "0-3,6" for a sorted list of integers.
std::string format_list(const std::vector<int> &v);

}  // namespace comex
