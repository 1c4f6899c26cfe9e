// A native worker for test_runtime_state.py: checks what DistributedState
// reads against the launcher's variables, prints from the main process
// only, meets the other ranks at several barriers and in
// main_process_first, and exits 0 when all of that held.
//
//   state_worker DIR WORLD_SIZE [absent-rank R]
// DIR receives rank 0's marker file; with "absent-rank R", rank R never
// reaches the barrier, so the others time out naming it.
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "accel/distributed_state.hpp"

namespace {

int env_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

void expect(bool condition, const std::string& what) {
  if (!condition) throw std::runtime_error("check failed: " + what);
}

void run(const std::filesystem::path& dir, int world_size, int absent_rank) {
  accel::DistributedState state;
  const int rank = state.process_index();
  expect(state.num_processes() == world_size, "num_processes == " + std::to_string(world_size));
  expect(rank == env_int("RANK", 0), "process_index == RANK");
  expect(state.local_process_index() == env_int("LOCAL_RANK", 0), "local index == LOCAL_RANK");
  expect(state.num_local_processes() == env_int("LOCAL_WORLD_SIZE", 1), "LOCAL_WORLD_SIZE");
  expect(state.is_main_process() == (rank == 0), "is_main_process");
  state.print("state_worker: main process of " + std::to_string(state.num_processes()));

  if (rank == absent_rank) {
    std::this_thread::sleep_for(std::chrono::minutes(2));  // the launcher stops it first
    return;
  }
  for (int i = 0; i < 5; ++i) state.wait_for_everyone();

  const std::filesystem::path marker = dir / "main_was_first";
  {
    const auto scope = state.main_process_first();
    if (state.is_main_process()) {
      expect(!std::filesystem::exists(marker), "no marker before the main scope");
      std::ofstream(marker) << "rank 0\n";
    } else {
      expect(std::filesystem::exists(marker),
             "rank 0's marker exists in rank " + std::to_string(rank) + "'s scope");
    }
  }
  state.wait_for_everyone();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 && argc != 5) {
    std::cerr << "usage: state_worker DIR WORLD_SIZE [absent-rank R]\n";
    return 2;
  }
  try {
    run(argv[1], std::atoi(argv[2]), argc == 5 ? std::atoi(argv[4]) : -1);
  } catch (const std::exception& error) {
    std::cerr << "state_worker rank " << env_int("RANK", 0) << ": " << error.what() << "\n";
    return 1;
  }
  return 0;
}
