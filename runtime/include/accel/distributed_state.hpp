// The process's place in its job and the synchronisation between processes:
// the C++ counterpart of HF Accelerate's PartialState (process_index,
// is_main_process, print, wait_for_everyone, main_process_first).
//
// Under accel launch the state reads the launcher's variables and connects
// to the job's KV store with the job token; processes meet at barriers
// through that store. Started by hand (no launcher variables) the process is
// a world of one, like `python train.py` under Accelerate: no store, and
// every synchronisation returns at once.
//
// Errors: std::invalid_argument naming the variable when the environment is
// missing or malformed ("ACCEL_STORE_PORT='x' is not a port (1-65535) ...");
// SyncError when the store cannot be reached or a barrier times out, naming
// the ranks that did not arrive. After a SyncError the state is broken:
// every later synchronisation throws at once (the job should exit).
//
// Thread-safety: one DistributedState per process, its calls from one
// thread at a time (it owns one store connection). A moved-from state may
// only be destroyed or assigned to.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string_view>

#include "accel/process_state.hpp"

namespace accel {

class SyncError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct DistributedStateOptions {
  EnvLookup env;  // empty = the process environment
  // Where print() writes (main process only); nullptr = std::cout.
  std::ostream* out = nullptr;
  // How long a store call or barrier waits before SyncError; nullopt = the
  // ACCEL_RUNTIME_TIMEOUT variable (whole seconds), else 600 s.
  std::optional<std::chrono::milliseconds> timeout;
};

class MainProcessFirst;

class DistributedState {
 public:
  // Reads the environment and, under a launcher, connects to the store.
  explicit DistributedState(DistributedStateOptions options = {});
  DistributedState(DistributedState&&) noexcept;
  DistributedState& operator=(DistributedState&&) noexcept;
  ~DistributedState();

  int process_index() const;        // RANK
  int num_processes() const;        // WORLD_SIZE
  int local_process_index() const;  // LOCAL_RANK
  int num_local_processes() const;  // LOCAL_WORLD_SIZE
  bool is_main_process() const;
  bool is_local_main_process() const;
  const ProcessState& process_state() const;
  std::chrono::milliseconds timeout() const;

  // Writes `line` and a newline on the main process only, then flushes.
  void print(std::string_view line) const;

  // Returns once every process has called it as many times as this one.
  void wait_for_everyone();

  // Runs the main process's scope before every other's: see MainProcessFirst.
  [[nodiscard]] MainProcessFirst main_process_first();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// A scope the main process enters first: other processes wait at
// construction until the main process's scope has ended; the main process
// waits at destruction until the others have entered theirs (two
// wait_for_everyone calls, as in Accelerate). Typical use: rank 0 downloads
// or preprocesses, the others then read the cache.
//
// Its destructor may throw SyncError (on the main process). When the scope
// is left by an exception it skips that barrier: the other processes then
// time out naming this one, unless the launcher stops the job first.
class MainProcessFirst {
 public:
  explicit MainProcessFirst(DistributedState& state);
  ~MainProcessFirst() noexcept(false);
  MainProcessFirst(const MainProcessFirst&) = delete;
  MainProcessFirst& operator=(const MainProcessFirst&) = delete;
  MainProcessFirst(MainProcessFirst&&) = delete;
  MainProcessFirst& operator=(MainProcessFirst&&) = delete;

 private:
  DistributedState& state_;
  int exceptions_at_entry_;
};

}  // namespace accel
