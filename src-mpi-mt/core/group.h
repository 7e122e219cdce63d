// core/group.h -- process groups: a communicator plus rank translation.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "util/mpi_util.h"

namespace comex {

struct Group {
  Comm comm;               ///< backing communicator (handed to users by comex_group_comm)
  std::vector<int> world;  ///< group rank -> world rank
  std::vector<int> local;  ///< world rank -> group rank, -1 if not a member
  int rank = -1;           ///< this process's group rank

  int size() const { return int(world.size()); }
  /// Build from a communicator whose members are world ranks `world_ranks`.
  static std::shared_ptr<Group> make(Comm comm, std::vector<int> world_ranks, int world_size);
};

/// Handle -> group.  Handle 0 is the world; freed handles are reused.
class GroupTable {
 public:
  void set_world(std::shared_ptr<Group> world);
  /// The group of `handle`, or nullptr when the handle is not a live group.
  std::shared_ptr<Group> get(int handle) const;
  /// The world group, without locking (it lives as long as the runtime).
  const Group &world() const { return *world_; }
  int add(std::shared_ptr<Group> g);
  /// Remove a group (not the world); nullptr when there was none.
  std::shared_ptr<Group> remove(int handle);
  void clear();

 private:
  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Group>> groups_;
  const Group *world_ = nullptr;
};

}  // namespace comex
