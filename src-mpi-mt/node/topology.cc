// node/topology.cc -- placing the progress thread: the pure choice and its hwloc/MPI edge.
#include "node/topology.h"

#include <hwloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/error.h"
#include "util/log.h"
#include "util/mpi_util.h"

namespace comex {

// ---------------------------------------------------------------------------
// The pure choice

namespace {

int count_pus(const NodeDesc &node) {
  int n = 0;
  for (const auto &core : node.cores)
    for (int pu : core) n = std::max(n, pu + 1);
  return n;
}

// core_of[pu]: the core holding logical PU pu (-1 if none lists it).
std::vector<int> core_of_pu(const NodeDesc &node, int npus) {
  std::vector<int> core_of(size_t(npus), -1);
  for (size_t c = 0; c < node.cores.size(); ++c)
    for (int pu : node.cores[c])
      if (pu >= 0) core_of[size_t(pu)] = int(c);
  return core_of;
}

// The spare PU given to each node rank (-1: none exists on the node).
std::vector<int> assign_spare(const NodeDesc &node) {
  const int npus = count_pus(node);
  const size_t nranks = node.rank_pus.size();
  const std::vector<int> core_of = core_of_pu(node, npus);
  const std::vector<int> home = home_pus(node);
  std::vector<char> is_home(size_t(npus), 0), given(size_t(npus), 0);
  std::vector<int> homes_on_core(node.cores.size(), 0);
  for (int h : home)
    if (h >= 0) {
      is_home[size_t(h)] = 1;
      ++homes_on_core[size_t(core_of[size_t(h)])];
    }
  std::vector<int> out(nranks, -1);
  // 1. A hyperthread sibling on the rank's own core.
  for (size_t r = 0; r < nranks; ++r) {
    if (home[r] < 0) continue;
    for (int pu : node.cores[size_t(core_of[size_t(home[r])])])
      if (!is_home[size_t(pu)] && !given[size_t(pu)]) {
        out[r] = pu;
        given[size_t(pu)] = 1;
        break;
      }
  }
  // 2. The other spare PUs, round-robin: PUs of cores where no rank lives
  // first (first PU of each such core, then the second, ...), then the rest.
  std::vector<std::pair<std::pair<int, int>, int>> order;  // ((busy core, position), core) -> pu
  std::vector<int> spare_all;
  for (size_t c = 0; c < node.cores.size(); ++c)
    for (size_t i = 0; i < node.cores[c].size(); ++i) {
      const int pu = node.cores[c][i];
      if (is_home[size_t(pu)]) continue;
      order.push_back({{homes_on_core[c] > 0 ? 1 : 0, int(i)}, int(c)});
    }
  std::stable_sort(order.begin(), order.end());
  std::vector<int> free_now;
  for (const auto &o : order) {
    const int pu = node.cores[size_t(o.second)][size_t(o.first.second)];
    spare_all.push_back(pu);
    if (!given[size_t(pu)]) free_now.push_back(pu);
  }
  if (spare_all.empty()) return out;
  // Not enough left for everyone: share, still spread over all spare PUs.
  const std::vector<int> &deal = free_now.empty() ? spare_all : free_now;
  size_t k = 0;
  for (size_t r = 0; r < nranks; ++r)
    if (out[r] < 0) out[r] = deal[k++ % deal.size()];
  return out;
}

}  // namespace

std::vector<int> home_pus(const NodeDesc &node) {
  const int npus = count_pus(node);
  const std::vector<int> core_of = core_of_pu(node, npus);
  const size_t ncores = node.cores.size();
  std::vector<char> taken(size_t(npus), 0);
  std::vector<int> lives(ncores, 0);
  std::vector<int> home(node.rank_pus.size(), -1);
  for (size_t r = 0; r < node.rank_pus.size(); ++r) {
    int pick = -1;
    if (ncores == 0) continue;
    std::vector<int> mine;
    for (int pu : node.rank_pus[r])
      if (pu >= 0 && pu < npus && core_of[size_t(pu)] >= 0) mine.push_back(pu);
    std::sort(mine.begin(), mine.end());
    if (node.rank_pus[r].empty() || mine.empty()) {  // assumed on core r (wrapping)
      const auto &core = node.cores[r % ncores];
      for (int pu : core)
        if (pu >= 0 && !taken[size_t(pu)]) {
          pick = pu;
          break;
        }
      if (pick < 0 && !core.empty()) pick = core[0];
    } else {
      for (int pass = 0; pass < 3 && pick < 0; ++pass)
        for (int pu : mine) {
          const bool ok = pass == 0 ? !taken[size_t(pu)] && lives[size_t(core_of[size_t(pu)])] == 0
                          : pass == 1 ? !taken[size_t(pu)]
                                      : true;
          if (ok) {
            pick = pu;
            break;
          }
        }
    }
    if (pick < 0) continue;
    home[r] = pick;
    taken[size_t(pick)] = 1;
    ++lives[size_t(core_of[size_t(pick)])];
  }
  return home;
}

PuChoice choose_progress_pus(BindMode requested, const NodeDesc &node, int node_rank) {
  PuChoice c;
  if (requested == kBindNone) return c;
  if (node.cores.empty() || node_rank < 0 || size_t(node_rank) >= node.rank_pus.size()) {
    c.note = "no topology";
    return c;
  }
  const std::vector<int> spare = assign_spare(node);
  const int mine = spare[size_t(node_rank)];
  BindMode mode = requested;
  if (mode == kBindAuto) {
    mode = mine >= 0 ? kBindSpare : kAutoFallback;
    if (mine < 0)
      c.note = format("auto without a spare PU (%zu ranks on %zu cores, %d PUs)",
                      node.rank_pus.size(), node.cores.size(), count_pus(node));
  }
  if (mode == kBindSpare) {
    if (mine < 0) {
      c.note = format("no spare PU: %zu ranks on %zu cores, %d PUs", node.rank_pus.size(),
                      node.cores.size(), count_pus(node));
      return c;
    }
    c.mode = kBindSpare;
    c.pus = {mine};
  } else if (mode == kBindCore) {
    c.mode = kBindCore;
    c.pus = node.rank_pus[size_t(node_rank)];
    if (c.pus.empty()) c.pus = node.cores[size_t(node_rank) % node.cores.size()];
    std::sort(c.pus.begin(), c.pus.end());
  }
  return c;
}

std::string format_list(const std::vector<int> &v) {
  std::string out;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += j == i ? format("%d", v[i]) : format("%d-%d", v[i], v[j]);
    i = j + 1;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The hwloc and MPI edge

struct NodeInfo::Hwloc {
  hwloc_topology_t topo = nullptr;
  ~Hwloc() {
    if (topo) hwloc_topology_destroy(topo);
  }
};

NodeInfo::NodeInfo() = default;
NodeInfo::~NodeInfo() = default;

namespace {

struct Bitmap {  // an owned hwloc bitmap
  hwloc_bitmap_t b = hwloc_bitmap_alloc();
  ~Bitmap() {
    if (b) hwloc_bitmap_free(b);
  }
};

// Load the topology and read this process's binding.  Fills cores, pu_os and
// *bound (per logical PU) or sets info->problem.
void load_hwloc(NodeInfo *info, std::vector<char> *bound) {
  auto hw = std::make_unique<NodeInfo::Hwloc>();
  if (hwloc_topology_init(&hw->topo) != 0) {
    hw->topo = nullptr;
    info->problem = format("hwloc_topology_init failed: %s", std::strerror(errno));
    return;
  }
  // Only cores and PUs matter: skip caches (I/O objects are off by default).
  if (hwloc_topology_set_cache_types_filter(hw->topo, HWLOC_TYPE_FILTER_KEEP_NONE) != 0 ||
      hwloc_topology_set_icache_types_filter(hw->topo, HWLOC_TYPE_FILTER_KEEP_NONE) != 0)
    COMEX_DEBUG("hwloc: could not drop caches from the topology (%s); loading them",
                std::strerror(errno));
  if (hwloc_topology_load(hw->topo) != 0) {
    info->problem = format("hwloc_topology_load failed: %s", std::strerror(errno));
    return;
  }
  const int npus = hwloc_get_nbobjs_by_type(hw->topo, HWLOC_OBJ_PU);
  if (npus <= 0) {
    info->problem = "hwloc found no PUs";
    return;
  }
  info->pu_os.resize(size_t(npus));
  for (int i = 0; i < npus; ++i)
    info->pu_os[size_t(i)] =
        int(hwloc_get_obj_by_type(hw->topo, HWLOC_OBJ_PU, unsigned(i))->os_index);
  const int ncores = hwloc_get_nbobjs_by_type(hw->topo, HWLOC_OBJ_CORE);
  if (ncores > 0) {
    for (int c = 0; c < ncores; ++c) {
      hwloc_obj_t core = hwloc_get_obj_by_type(hw->topo, HWLOC_OBJ_CORE, unsigned(c));
      std::vector<int> pus;
      for (hwloc_obj_t pu = nullptr; (pu = hwloc_get_next_obj_inside_cpuset_by_type(
                                          hw->topo, core->cpuset, HWLOC_OBJ_PU, pu)) != nullptr;)
        pus.push_back(int(pu->logical_index));
      if (!pus.empty()) info->desc.cores.push_back(std::move(pus));
    }
  }
  if (info->desc.cores.empty())  // no core objects: every PU counts as a core
    for (int i = 0; i < npus; ++i) info->desc.cores.push_back({i});

  bound->assign(size_t(npus), 1);  // unbound unless hwloc says otherwise
  Bitmap set;
  if (!set.b) {
    info->problem = "hwloc_bitmap_alloc failed";
    return;
  }
  if (hwloc_get_cpubind(hw->topo, set.b, HWLOC_CPUBIND_PROCESS) != 0) {
    log_line("hwloc_get_cpubind failed (%s); assuming this rank is unbound", std::strerror(errno));
  } else {
    for (int i = 0; i < npus; ++i)
      (*bound)[size_t(i)] = hwloc_bitmap_isset(set.b, unsigned(info->pu_os[size_t(i)])) ? 1 : 0;
  }
  info->hw = std::move(hw);
}

std::string os_list(const NodeInfo &node, const std::vector<int> &pus) {
  std::vector<int> os;
  for (int pu : pus)
    if (pu >= 0 && size_t(pu) < node.pu_os.size()) os.push_back(node.pu_os[size_t(pu)]);
  std::sort(os.begin(), os.end());
  return format_list(os);
}

}  // namespace

std::unique_ptr<NodeInfo> learn_node(MPI_Comm node) {
  auto info = std::make_unique<NodeInfo>();
  char host[256] = "?";
  if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "?");
  info->host = host;

  std::vector<char> bound;
  load_hwloc(info.get(), &bound);
  if (!info->problem.empty()) info->desc.cores.clear();

  COMEX_MPI(MPI_Comm_rank(node, &info->node_rank));
  COMEX_MPI(MPI_Comm_size(node, &info->node_size));

  // Every node rank's binding, one byte per logical PU (all ranks of a node
  // see the same topology; a rank whose hwloc failed sends zeros = unbound).
  const int npus = int(bound.size());
  int width = 0;
  COMEX_MPI(MPI_Allreduce(&npus, &width, 1, MPI_INT, MPI_MAX, node));
  std::vector<char> mine(size_t(width), 0), all(size_t(width) * size_t(info->node_size));
  std::copy(bound.begin(), bound.end(), mine.begin());
  if (width > 0)
    COMEX_MPI(MPI_Allgather(mine.data(), width, MPI_CHAR, all.data(), width, MPI_CHAR, node));
  info->desc.rank_pus.assign(size_t(info->node_size), {});
  for (int r = 0; r < info->node_size && npus > 0; ++r) {
    std::vector<int> pus;
    for (int i = 0; i < std::min(npus, width); ++i)
      if (all[size_t(r) * size_t(width) + size_t(i)]) pus.push_back(i);
    if (int(pus.size()) < npus) info->desc.rank_pus[size_t(r)] = std::move(pus);  // else unbound
  }
  return info;
}

namespace {

Placement place(BindMode mode, const NodeInfo &node) {
  Placement p;
  p.requested = mode;
  const std::string where = format("on %s (node rank %d of %d): main thread ", node.host.c_str(),
                                   node.node_rank, node.node_size);
  if (!node.problem.empty() || !node.hw) {
    if (mode != kBindNone)
      log_line("cannot place the progress thread (%s); it stays unbound", node.problem.c_str());
    p.line = where + "CPUs ? (no topology), progress thread -> unbound (" + node.problem + ")";
    COMEX_LOG(LogLevel::kInfo, "%s", p.line.c_str());
    return p;
  }
  const std::vector<int> &main_pus = node.desc.rank_pus[size_t(node.node_rank)];
  const std::string main_desc = main_pus.empty() ? "unbound" : "CPUs " + os_list(node, main_pus);
  PuChoice c = choose_progress_pus(mode, node.desc, node.node_rank);
  if (mode == kBindSpare && c.mode != kBindSpare && node.node_rank == 0)
    log_line(
        "COMEX_PROGRESS_BIND=spare: %s; falling back to none (the progress threads "
        "stay where the OS puts them)",
        c.note.c_str());
  std::string result;
  if (c.pus.empty()) {
    result = "not bound (none";
    if (!c.note.empty()) result += ": " + c.note;
    result += ")";
  } else {
    Bitmap set;
    int rc = -1;
    if (set.b) {
      rc = 0;
      for (int pu : c.pus)
        if (hwloc_bitmap_set(set.b, unsigned(node.pu_os[size_t(pu)])) != 0) rc = -1;
      if (rc == 0) rc = hwloc_set_cpubind(node.hw->topo, set.b, HWLOC_CPUBIND_THREAD);
    }
    const std::string cpus = os_list(node, c.pus);
    if (rc != 0) {
      log_line("binding the progress thread to CPUs %s (%s) failed: %s; it stays unbound",
               cpus.c_str(), kBindNames[c.mode], std::strerror(errno));
      result = "not bound (binding failed)";
    } else {
      p.applied = c.mode;
      for (int pu : c.pus) p.cpus.push_back(node.pu_os[size_t(pu)]);
      std::sort(p.cpus.begin(), p.cpus.end());
      result = format("CPU%s %s (%s%s%s)", c.pus.size() > 1 ? "s" : "", cpus.c_str(),
                      kBindNames[c.mode], c.note.empty() ? "" : ": ", c.note.c_str());
    }
  }
  p.line = where + main_desc + ", progress thread -> " + result;
  COMEX_LOG(LogLevel::kInfo, "%s", p.line.c_str());
  return p;
}

}  // namespace

Placement place_progress_thread(BindMode mode, const NodeInfo &node) {
  try {
    return place(mode, node);
  } catch (const std::exception &e) {
    log_line("placing the progress thread failed: %s; it stays unbound", e.what());
    return Placement();
  }
}

}  // namespace comex
