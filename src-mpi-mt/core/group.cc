// core/group.cc -- the group table.
#include "core/group.h"

namespace comex {

std::shared_ptr<Group> Group::make(Comm comm, std::vector<int> world_ranks, int world_size) {
  auto g = std::make_shared<Group>();
  g->rank = comm.rank();
  g->comm = std::move(comm);
  g->local.assign(world_size, -1);
  for (size_t i = 0; i < world_ranks.size(); ++i) g->local[world_ranks[i]] = int(i);
  g->world = std::move(world_ranks);
  return g;
}

void GroupTable::set_world(std::shared_ptr<Group> world) {
  std::lock_guard<std::mutex> lock(mu_);
  if (groups_.empty()) groups_.resize(1);
  groups_[0] = std::move(world);
  world_ = groups_[0].get();
}

std::shared_ptr<Group> GroupTable::get(int handle) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (handle < 0 || size_t(handle) >= groups_.size()) return nullptr;
  return groups_[handle];
}

int GroupTable::add(std::shared_ptr<Group> g) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 1; i < groups_.size(); ++i)
    if (!groups_[i]) {
      groups_[i] = std::move(g);
      return int(i);
    }
  groups_.push_back(std::move(g));
  return int(groups_.size() - 1);
}

std::shared_ptr<Group> GroupTable::remove(int handle) {
  std::lock_guard<std::mutex> lock(mu_);
  if (handle <= 0 || size_t(handle) >= groups_.size()) return nullptr;
  return std::move(groups_[handle]);
}

void GroupTable::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  groups_.clear();
}

}  // namespace comex
