#include "supervisor/descendants.hpp"

#include <deque>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace accel::supervisor {

std::vector<ProcessRecord> descendants_of(std::span<const ProcessRecord> table, pid_t root,
                                          pid_t spared) {
  // Ordered, so the result does not depend on hashing: siblings in table
  // order (pid order, from /proc).
  std::multimap<pid_t, const ProcessRecord*> children;
  for (const ProcessRecord& record : table) children.emplace(record.parent, &record);

  // Breadth first, so parents come before their children. `seen` guards
  // against a loop that a table read while pids were reused could show.
  std::vector<ProcessRecord> found;
  std::unordered_set<pid_t> seen{root};
  std::deque<pid_t> parents{root};
  while (!parents.empty()) {
    const pid_t parent = parents.front();
    parents.pop_front();
    auto [first, last] = children.equal_range(parent);
    for (auto it = first; it != last; ++it) {
      const ProcessRecord& child = *it->second;
      if (child.pid == spared || !seen.insert(child.pid).second) continue;
      found.push_back(child);
      parents.push_back(child.pid);
    }
  }
  return found;
}

DescendantSweep::DescendantSweep(ProcessTable& table, pid_t self, pid_t spared)
    : table_(table), self_(self), spared_(spared) {}

std::vector<ProcessRecord> DescendantSweep::live_family() {
  std::vector<ProcessRecord> family = descendants_of(table_.list(), self_, spared_);
  std::erase_if(family, [](const ProcessRecord& record) { return record.zombie; });
  return family;
}

bool DescendantSweep::kill_round() {
  const std::vector<ProcessRecord> family = live_family();
  if (family.empty()) return true;
  ++report_.rounds;
  // Top-down: a parent dies before it can fork again, and its children,
  // orphaned, become ours (we are a subreaper). A grandchild is only
  // vouched for by a parent whose own kill() proved it ours this round;
  // without one, kill() takes it only if it has become our child meanwhile,
  // and the next round looks again.
  std::unordered_map<pid_t, const ProcessRecord*> proven;
  for (const ProcessRecord& target : family) {
    auto it = proven.find(target.parent);
    const ProcessRecord* parent = it != proven.end() ? it->second : nullptr;
    if (table_.kill(target, parent, self_)) {
      ++report_.signalled;
      proven.emplace(target.pid, &target);
    }
  }
  return false;
}

void DescendantSweep::give_up() {
  report_.survivors = live_family();
}

SweepReport stop_descendants(ProcessTable& table, pid_t self, pid_t spared,
                             const std::function<bool()>& wait_for_exits) {
  DescendantSweep sweep(table, self, spared);
  while (!sweep.kill_round()) {
    if (!wait_for_exits()) {
      sweep.give_up();
      break;
    }
  }
  return sweep.report();
}

}  // namespace accel::supervisor
