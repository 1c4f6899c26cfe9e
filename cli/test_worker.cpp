#include "cli/test_worker.hpp"

#include <chrono>
#include <cstdint>
#include <exception>
#include <string>
#include <vector>

#include "accel/distributed_state.hpp"
#include "cli/bench_table.hpp"
#include "cli/device_memory.hpp"
#include "cli/test_report.hpp"
#include "rendezvous/store_client.hpp"
#include "runtime/store_settings.hpp"

namespace accel::cli {

namespace {

constexpr std::size_t kLargeBytes = std::size_t{64} << 20;
// 0 and 1 are the edge cases; 7 and 1031 do not divide by any world size
// above 1 but themselves, and 65537 (odd, 256 KiB in fp32) spans several
// chunks of a pipelined backend.
constexpr std::size_t kCounts[] = {0, 1, 7, 1031, 65537};
constexpr DataType kTypes[] = {DataType::kFloat32,  DataType::kFloat64, DataType::kFloat16,
                               DataType::kBFloat16, DataType::kInt32,   DataType::kInt64};
constexpr ReduceOp kOps[] = {ReduceOp::kSum, ReduceOp::kAvg, ReduceOp::kMin, ReduceOp::kMax};
constexpr Collective kCollectives[] = {Collective::kAllReduce, Collective::kReduce,
                                       Collective::kBroadcast, Collective::kAllGather,
                                       Collective::kGather,    Collective::kReduceScatter};

// Collects failures; each check adds one to `checks`.
class Checks {
 public:
  explicit Checks(TestOutcome& outcome) : outcome_(outcome) {}
  void expect(bool condition, const std::string& what) {
    ++outcome_.checks;
    if (!condition) outcome_.failures.push_back(what);
  }

 private:
  TestOutcome& outcome_;
};

std::string number_or_unset(const EnvLookup& env, const char* name) {
  return env(name).value_or("(unset)");
}

// The state against the launcher's variables, and every rank's place.
void check_environment(const EnvLookup& env, const DistributedState& state,
                       Communicator& communicator, Checks& checks) {
  const ProcessState& process = state.process_state();
  const auto matches = [&](const char* name, int value) {
    const std::optional<std::string> text = env(name);
    // Without a launcher the variables are unset and the world is one.
    const std::string expected =
        text.value_or(process.world_size == 1 ? std::to_string(value) : "");
    checks.expect(expected == std::to_string(value),
                  std::string("environment: ") + name + "=" + number_or_unset(env, name) +
                      " but the runtime read " + std::to_string(value));
  };
  matches("RANK", process.rank);
  matches("WORLD_SIZE", process.world_size);
  matches("LOCAL_RANK", process.local_rank);
  matches("LOCAL_WORLD_SIZE", process.local_world_size);
  checks.expect(communicator.rank() == process.rank && communicator.size() == process.world_size,
                "environment: the communicator is rank " + std::to_string(communicator.rank()) +
                    " of " + std::to_string(communicator.size()) + ", the state rank " +
                    std::to_string(process.rank) + " of " + std::to_string(process.world_size));

  // Every rank once; ranks of one machine consecutive (RANK = machine *
  // LOCAL_WORLD_SIZE + LOCAL_RANK), as the backends assume.
  const std::vector<std::int32_t> mine{process.rank, process.node_rank, process.local_rank,
                                       process.local_world_size};
  std::vector<std::int32_t> all(mine.size() * static_cast<std::size_t>(communicator.size()));
  communicator.all_gather(mine.data(), all.data(), mine.size(), DataType::kInt32);
  for (int r = 0; r < communicator.size(); ++r) {
    const std::int32_t* place = all.data() + static_cast<std::size_t>(r) * mine.size();
    checks.expect(
        place[0] == r && place[0] == place[1] * place[3] + place[2],
        "environment: process " + std::to_string(r) + " says RANK=" + std::to_string(place[0]) +
            " GROUP_RANK=" + std::to_string(place[1]) + " LOCAL_RANK=" + std::to_string(place[2]) +
            " LOCAL_WORLD_SIZE=" + std::to_string(place[3]) +
            " (expected RANK = GROUP_RANK * LOCAL_WORLD_SIZE + LOCAL_RANK = " + std::to_string(r) +
            ")");
  }
}

std::string key_prefix(const ProcessState& process) {
  return "accel_test/" + std::to_string(process.restart_count) + "/";
}

// Each rank publishes a value under its own key and reads everyone's.
void check_store(rendezvous::StoreClient* store, const ProcessState& process,
                 std::chrono::milliseconds timeout, Checks& checks) {
  if (store == nullptr) {
    checks.expect(process.world_size == 1,
                  "store: no store to reach with WORLD_SIZE=" + std::to_string(process.world_size));
    return;
  }
  const std::string prefix = key_prefix(process) + "rank/";
  store->set(prefix + std::to_string(process.rank), "hello from " + std::to_string(process.rank));
  std::vector<std::string> keys;
  for (int r = 0; r < process.world_size; ++r) keys.push_back(prefix + std::to_string(r));
  const std::vector<std::string> values = store->wait(keys, timeout);
  for (int r = 0; r < process.world_size; ++r) {
    const std::string& value = values[static_cast<std::size_t>(r)];
    checks.expect(value == "hello from " + std::to_string(r),
                  "store: key " + keys[static_cast<std::size_t>(r)] + " holds '" + value +
                      "', expected 'hello from " + std::to_string(r) + "'");
  }
  const std::int64_t arrived = store->add(key_prefix(process) + "counter", 1);
  checks.expect(arrived >= 1 && arrived <= process.world_size,
                "store: the shared counter reads " + std::to_string(arrived) + " after " +
                    std::to_string(process.world_size) + " processes added 1 at most");
}

void check_barriers(DistributedState& state, Communicator& communicator, Checks& checks) {
  for (int round = 0; round < 3; ++round) state.wait_for_everyone();
  communicator.barrier();
  checks.expect(true, "barrier");  // a failed barrier throws: counted as the last failure
}

// Inside main_process_first the main process marks the store as its last
// act; every other process must see the mark when it enters its own scope.
void check_main_process_first(DistributedState& state, rendezvous::StoreClient* store,
                              Checks& checks) {
  const ProcessState& process = state.process_state();
  const std::string mark = key_prefix(process) + "main_scope_done";
  bool main_was_done = true;
  {
    MainProcessFirst scope = state.main_process_first();
    if (store != nullptr) {
      if (state.is_main_process()) {
        store->set(mark, "1");
      } else {
        main_was_done = store->get(mark).has_value();
      }
    }
  }
  checks.expect(main_was_done,
                "main_process_first: this process entered its scope before the main process "
                "had left its own");
}

std::string format_value(double value) {
  std::string text = std::to_string(value);
  while (text.size() > 1 && text.back() == '0') text.pop_back();
  if (!text.empty() && text.back() == '.') text.pop_back();
  return text;
}

void check_collectives(Communicator& communicator, const TestWorkerOptions& options,
                       std::optional<int> corrupt_rank, Checks& checks) {
  bool corrupted = false;
  for (const CollectiveCase& what : test_cases(communicator.size(), options.with_large)) {
    CollectiveCheck check(what, communicator.rank(), communicator.size(), options.on_device);
    check.prepare();
    check.run(communicator);
    check.finish(communicator);
    if (corrupt_rank == communicator.rank() && !corrupted && what.count > 0 &&
        what.collective == Collective::kAllReduce) {
      corrupted = true;
      check.spoil_output();
    }
    const CheckResult result = check.check();
    if (result.wrong == 0) {
      checks.expect(true, "");
      continue;
    }
    const WrongElement& first = *result.first;
    checks.expect(false, what.describe() + ": " + std::to_string(result.wrong) + " wrong " +
                             (result.wrong == 1 ? "element" : "elements") + " (" + first.buffer +
                             "[" + std::to_string(first.index) + "] is " + format_value(first.got) +
                             ", expected " + format_value(first.expected) + ")");
  }
}

std::optional<int> corrupt_rank_from(const EnvLookup& env) {
  const std::optional<std::string> text = env(kTestCorruptRankVariable);
  if (!text || text->empty()) return std::nullopt;
  try {
    return std::stoi(*text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

std::vector<CollectiveCase> test_cases(int world_size, bool with_large) {
  std::vector<CollectiveCase> cases;
  const int root = world_size - 1;
  for (Collective collective : kCollectives) {
    for (DataType type : kTypes) {
      for (ReduceOp op : kOps) {
        if (!reduces(collective) && op != ReduceOp::kSum) continue;
        for (std::size_t count : kCounts) {
          for (bool in_place : {false, true}) {
            if (collective == Collective::kBroadcast && !in_place) continue;
            cases.push_back({collective, type, op, count, root, in_place});
          }
        }
      }
    }
  }
  if (with_large) {
    for (Collective collective : kCollectives) {
      const BenchCall call = bench_call(collective, DataType::kFloat32, kLargeBytes, world_size);
      cases.push_back({collective, DataType::kFloat32, ReduceOp::kSum, call.count, root, false});
    }
    const BenchCall call =
        bench_call(Collective::kAllReduce, DataType::kBFloat16, kLargeBytes, world_size);
    cases.push_back(
        {Collective::kAllReduce, DataType::kBFloat16, ReduceOp::kSum, call.count, root, true});
  }
  return cases;
}

TestOutcome run_test_checks(const TestWorkerOptions& options) {
  const EnvLookup env = options.env ? options.env : base::process_environment();
  TestOutcome outcome;
  Checks checks(outcome);
  std::optional<Communicator> communicator;
  bool broken = false;
  try {
    // Read first, so a report written after a failed start names the rank.
    const ProcessState from_env = process_state_from_env(env);
    outcome.rank = from_env.rank;
    outcome.world_size = from_env.world_size;
    outcome.local_rank = from_env.local_rank;
    outcome.local_world_size = from_env.local_world_size;
    DistributedState state(DistributedStateOptions{env, nullptr, std::nullopt});
    const ProcessState& process = state.process_state();
    if (options.on_device) {
      // Before any device buffer: the buffers must be on the GPU the
      // communicator uses (accel/collectives.hpp, "GPU buffers").
      use_process_cuda_device(process);
    }
    communicator.emplace(CommunicatorOptions{env, std::nullopt, "accel_test"});

    std::optional<rendezvous::StoreClient> store;
    if (const auto settings = runtime_detail::store_settings_from_env(env, process.world_size)) {
      store = rendezvous::StoreClient::connect(settings->host, settings->port, settings->token,
                                               settings->job_id, state.timeout());
    }
    rendezvous::StoreClient* store_pointer = store ? &*store : nullptr;

    check_environment(env, state, *communicator, checks);
    check_store(store_pointer, process, state.timeout(), checks);
    check_barriers(state, *communicator, checks);
    check_main_process_first(state, store_pointer, checks);
    check_collectives(*communicator, options, corrupt_rank_from(env), checks);
  } catch (const std::exception& error) {
    broken = true;
    outcome.failures.push_back(std::string("stopped: ") + error.what());
  }
  if (options.report_dir) write_test_report(*options.report_dir, outcome);
  // The report is on disk before anyone may exit (and so stop the others).
  if (!broken && communicator) {
    try {
      communicator->barrier();
    } catch (const std::exception& error) {
      outcome.failures.push_back(std::string("the final barrier failed: ") + error.what());
      if (options.report_dir) write_test_report(*options.report_dir, outcome);
    }
  }
  return outcome;
}

}  // namespace accel::cli
