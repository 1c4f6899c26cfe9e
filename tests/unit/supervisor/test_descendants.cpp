// The subreaper sweep's rules against a fake process table: who is a
// descendant, top-down kills, forks during the sweep, pid reuse, the deadline.
#include <catch2/catch.hpp>
#include <functional>
#include <map>
#include <optional>
#include <utility>

#include "supervisor/descendants.hpp"

using accel::supervisor::descendants_of;
using accel::supervisor::DescendantSweep;
using accel::supervisor::ProcessRecord;
using accel::supervisor::ProcessTable;
using accel::supervisor::stop_descendants;
using accel::supervisor::SweepReport;

namespace {

constexpr pid_t kSelf = 100;
constexpr pid_t kReaper = 101;

// A little kernel: processes with parents and start times; kill() keeps the
// ProcessTable contract; settle() lets the killed die, orphans move to the
// subreaper (kSelf), and kSelf reap its zombies.
class FakeTable : public ProcessTable {
 public:
  struct Process {
    pid_t parent = 0;
    std::uint64_t start_time = 0;
    bool zombie = false;
    bool unkillable = false;  // stuck in the kernel (D state)
    bool killed = false;
    // Forks this child (pid, start time) the first time it is killed, as a
    // process does that forks just before the signal lands.
    std::optional<std::pair<pid_t, std::uint64_t>> forks_when_killed;
  };

  void add(pid_t pid, pid_t parent, std::uint64_t start_time = 0) {
    Process process;
    process.parent = parent;
    process.start_time = start_time == 0 ? next_start_++ : start_time;
    processes[pid] = process;
  }

  std::vector<ProcessRecord> list() override {
    if (scripted_list) return *std::exchange(scripted_list, std::nullopt);
    std::vector<ProcessRecord> records;
    for (const auto& [pid, process] : processes) {
      records.push_back(ProcessRecord{pid, process.parent, process.start_time, process.zombie,
                                      "p" + std::to_string(pid)});
    }
    if (after_list) after_list();
    return records;
  }

  bool kill(const ProcessRecord& target, const ProcessRecord* parent, pid_t self) override {
    auto it = processes.find(target.pid);
    if (it == processes.end()) return false;
    Process& now = it->second;
    if (now.zombie || now.start_time != target.start_time) return false;
    bool ours = now.parent == self;
    if (!ours && parent != nullptr && now.parent == parent->pid) {
      auto parent_now = processes.find(parent->pid);
      ours = parent_now != processes.end() && parent_now->second.start_time == parent->start_time;
    }
    if (!ours) return false;
    signalled.push_back(target.pid);
    now.killed = true;
    if (now.forks_when_killed) {
      auto [child, start] = *now.forks_when_killed;
      now.forks_when_killed.reset();
      add(child, target.pid, start);
    }
    return true;
  }

  void settle() {
    for (auto& [pid, process] : processes) {
      if (!process.killed || process.unkillable || process.zombie) continue;
      process.zombie = true;
      for (auto& [other, orphan] : processes) {
        if (orphan.parent == pid) orphan.parent = kSelf;
      }
    }
    std::erase_if(processes, [](const auto& entry) {
      return entry.second.zombie && entry.second.parent == kSelf;
    });
  }

  bool alive(pid_t pid) const {
    auto it = processes.find(pid);
    return it != processes.end() && !it->second.zombie;
  }

  std::map<pid_t, Process> processes;
  std::vector<pid_t> signalled;
  std::function<void()> after_list;  // the world moving between list() and kill()
  std::optional<std::vector<ProcessRecord>> scripted_list;  // what the next list() returns

 private:
  std::uint64_t next_start_ = 1000;
};

// The launcher's world: init, the launcher, its reaper, and an unrelated
// process tree that must never be touched.
FakeTable world() {
  FakeTable table;
  table.add(1, 0);
  table.add(kSelf, 1);
  table.add(kReaper, kSelf);
  table.add(50, 1);  // unrelated
  table.add(51, 50);
  return table;
}

SweepReport sweep(FakeTable& table, int max_waits = 50) {
  int waits = 0;
  return stop_descendants(table, kSelf, kReaper, [&] {
    table.settle();
    return ++waits < max_waits;
  });
}

std::vector<pid_t> pids(const std::vector<ProcessRecord>& records) {
  std::vector<pid_t> result;
  for (const ProcessRecord& record : records) result.push_back(record.pid);
  return result;
}

}  // namespace

TEST_CASE("descendants: parents before children, the spared subtree and strangers left out",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);    // a worker
  table.add(300, 200);      // its child
  table.add(400, 300);      // a grandchild
  table.add(201, kSelf);    // another worker
  table.add(102, kReaper);  // (the reaper never forks; if it did, spared too)
  std::vector<ProcessRecord> records = table.list();
  CHECK(pids(descendants_of(records, kSelf, kReaper)) == std::vector<pid_t>{200, 201, 300, 400});
  CHECK(pids(descendants_of(records, 300, -1)) == std::vector<pid_t>{400});
  CHECK(descendants_of(records, 400, -1).empty());
}

TEST_CASE("descendants: a table with a loop (pids reused mid-read) ends",
          "[supervisor][descendants]") {
  std::vector<ProcessRecord> records = {
      {200, kSelf, 1, false, "a"}, {300, 200, 2, false, "b"}, {kSelf, 300, 3, false, "c"}};
  CHECK(pids(descendants_of(records, kSelf, -1)) == std::vector<pid_t>{200, 300});
}

TEST_CASE("sweep: a setsid'd grandchild whose parent lives is killed, strangers are not",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);  // a worker still alive
  table.add(300, 200);    // its setsid'd child
  table.add(400, 300);    // and that one's child
  table.add(250, kSelf);  // an orphan already reparented to us
  SweepReport report = sweep(table);
  CHECK(report.survivors.empty());
  CHECK(report.rounds == 1);
  CHECK(table.signalled == std::vector<pid_t>{200, 250, 300, 400});  // top-down
  for (pid_t pid : {200, 250, 300, 400}) CHECK_FALSE(table.alive(pid));
  for (pid_t pid : {1, kSelf, kReaper, 50, 51}) CHECK(table.alive(pid));
}

TEST_CASE("sweep: nothing to do is one look and no wait", "[supervisor][descendants]") {
  FakeTable table = world();
  int waits = 0;
  SweepReport report = stop_descendants(table, kSelf, kReaper, [&] { return ++waits > 0; });
  CHECK(report.rounds == 0);
  CHECK(report.signalled == 0);
  CHECK(waits == 0);
  CHECK(table.signalled.empty());
}

TEST_CASE("sweep: zombies are not signalled, they are waited for", "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.processes[200].zombie = true;  // ours, reaped by the caller
  SweepReport report = sweep(table);
  CHECK(table.signalled.empty());
  CHECK(report.survivors.empty());
}

TEST_CASE("sweep: a process that forks as it is killed is caught in the next round",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.processes[200].forks_when_killed = std::make_pair(pid_t{210}, std::uint64_t{5000});
  table.add(300, 200);
  table.processes[300].forks_when_killed = std::make_pair(pid_t{310}, std::uint64_t{5001});
  SweepReport report = sweep(table);
  CHECK(report.survivors.empty());
  CHECK(report.rounds == 2);
  for (pid_t pid : {200, 210, 300, 310}) CHECK_FALSE(table.alive(pid));
  CHECK(table.alive(50));
}

TEST_CASE("sweep: a pid reused between list and kill is left alone", "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.add(300, 200);
  table.add(400, 300);
  // Right after the first look, 300 and 400 exit and are waited for by their
  // parents, and strangers get their pids.
  bool first = true;
  table.after_list = [&] {
    if (!first) return;
    first = false;
    table.processes.erase(400);
    table.add(400, 50, 9000);  // a stranger's child, a later start time
    table.processes.erase(300);
    table.add(300, 1, 9001);
  };
  SweepReport report = sweep(table);
  CHECK(report.survivors.empty());
  CHECK(table.signalled == std::vector<pid_t>{200});
  CHECK(table.alive(300));
  CHECK(table.alive(400));
}

TEST_CASE("sweep: a listing read across a pid reuse does not vouch for a stranger's child",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.add(300, 50, 9001);   // a stranger's process, which got pid 300 ...
  table.add(400, 300, 9002);  // ... and forked 400
  // ... while /proc was being read: 300 was still our grandchild when its
  // line was read, 400 was read after the reuse.
  table.scripted_list = std::vector<ProcessRecord>{{1, 0, 1000, false, "init"},
                                                   {kSelf, 1, 1001, false, "accel"},
                                                   {200, kSelf, 1005, false, "worker"},
                                                   {300, 200, 1006, false, "old"},
                                                   {400, 300, 9002, false, "stranger"}};
  sweep(table);
  CHECK(table.signalled == std::vector<pid_t>{200});
  CHECK(table.alive(300));
  CHECK(table.alive(400));
}

TEST_CASE("sweep: a process that does not die is reported at the deadline",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.add(300, 200);
  table.processes[300].unkillable = true;
  SweepReport report = sweep(table, 5);
  REQUIRE(report.survivors.size() == 1);
  CHECK(report.survivors[0].pid == 300);
  CHECK(report.survivors[0].name == "p300");
  CHECK(report.rounds == 5);
  CHECK_FALSE(table.alive(200));
}

TEST_CASE("sweep, round by round: each round kills what it finds, the caller waits between",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.processes[200].forks_when_killed = std::make_pair(pid_t{210}, std::uint64_t{5000});
  DescendantSweep sweep(table, kSelf, kReaper);
  CHECK_FALSE(sweep.kill_round());  // 200 killed; it forked 210 as it died
  CHECK(table.signalled == std::vector<pid_t>{200});
  table.settle();
  CHECK_FALSE(sweep.kill_round());  // 210, now our orphan
  CHECK(table.signalled == std::vector<pid_t>{200, 210});
  table.settle();
  CHECK(sweep.kill_round());  // nothing alive: over
  CHECK(sweep.report().rounds == 2);
  CHECK(sweep.report().signalled == 2);
  CHECK(sweep.report().survivors.empty());
  CHECK(table.alive(50));
}

TEST_CASE("sweep, round by round: giving up reports who is still alive",
          "[supervisor][descendants]") {
  FakeTable table = world();
  table.add(200, kSelf);
  table.processes[200].unkillable = true;
  table.add(201, kSelf);
  DescendantSweep sweep(table, kSelf, kReaper);
  CHECK_FALSE(sweep.kill_round());
  table.settle();
  sweep.give_up();
  REQUIRE(sweep.report().survivors.size() == 1);
  CHECK(sweep.report().survivors[0].pid == 200);
  CHECK(sweep.report().rounds == 1);
}
