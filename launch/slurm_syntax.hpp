// SLURM's compressed list syntaxes, expanded here rather than by running
// `scontrol show hostnames` (which needs a reachable slurmctld and a config
// on the node, and costs a process per launch):
//
//   hostlists (SLURM_JOB_NODELIST, SLURM_STEP_NODELIST):
//     "gpu-a[01-04,07],gpu-b[1-2]"  -> gpu-a01 gpu-a02 gpu-a03 gpu-a04 gpu-a07 gpu-b1 gpu-b2
//     "n[1-2]-ib[3-4]"              -> n1-ib3 n1-ib4 n2-ib3 n2-ib4 (every combination)
//   Hosts are separated by commas (or spaces) outside brackets; a bracket
//   holds ranges and single numbers separated by commas; a range keeps the
//   zero padding of its low end ("01-3" -> 01 02 03, "98-101" -> 98 ... 101).
//   Names may hold dashes and dots. Empty entries are skipped, as SLURM does.
//
//   task counts (SLURM_TASKS_PER_NODE, SLURM_STEP_TASKS_PER_NODE):
//     "2(x3),1" -> 2 2 2 1
//
// Pure functions; a malformed list is an error message (the caller names the
// variable), never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace accel::launch {

// Every host of a hostlist, in SLURM's order (the order of SLURM_NODEID).
// nullopt with `error` set ("the range 3-1 runs backwards") when malformed.
std::optional<std::vector<std::string>> expand_hostlist(std::string_view list, std::string& error);

// The number of tasks on each node, in node order.
std::optional<std::vector<int>> expand_tasks_per_node(std::string_view list, std::string& error);

}  // namespace accel::launch
