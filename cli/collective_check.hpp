// Known-result checks of the collectives, shared by `accel test` (every
// collective x type x op) and `accel bench` (its #wrong column). Each rank
// fills its inputs from a pattern of (rank, element index), poisons its
// outputs, runs one collective and counts the output elements that differ
// from what the pattern predicts -- and, out of place, the input elements
// the call changed.
//
// Why the results can be exact: the inputs are small integers (-5..5), which
// every type holds exactly, so sums are exact whatever order the backend
// adds in; the expected value is that exact sum rounded once to the type
// (fp16 and bf16 are summed in fp32 and rounded once, accel/collectives.hpp),
// and avg divides that rounded sum as the runtime does (in fp32 for fp16 and
// bf16, truncating for integers). The pattern repeats every kPatternPeriod
// elements, so filling and checking a 64 MiB buffer copies and compares
// small tiles instead of computing each element.
//
// Thread-safety: a CollectiveCheck is used by one thread; distinct ones are
// independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "accel/collectives.hpp"
#include "cli/device_memory.hpp"

namespace accel::cli {

enum class Collective { kAllReduce, kReduce, kBroadcast, kAllGather, kGather, kReduceScatter };

std::string_view name_of(Collective collective);  // "all_reduce", ...
std::optional<Collective> collective_named(std::string_view name);
bool reduces(Collective collective);   // takes a ReduceOp
bool has_root(Collective collective);  // reduce, broadcast, gather

// One call as the Communicator takes it. `count` is the call's own count
// argument: the elements of the buffer (all_reduce, reduce, broadcast), of
// each rank's block (all_gather, gather), or of each rank's result
// (reduce_scatter). broadcast has only its in-place form.
struct CollectiveCase {
  Collective collective = Collective::kAllReduce;
  DataType type = DataType::kFloat32;
  ReduceOp op = ReduceOp::kSum;  // ignored where the collective does not reduce
  std::size_t count = 0;
  int root = 0;  // ignored where the collective has no root
  bool in_place = false;

  // "all_reduce float16 avg, 7 elements, in place" (root where it has one).
  std::string describe() const;
};

// What the first wrong element looked like, for messages.
struct WrongElement {
  std::string buffer;  // "output" or "input"
  std::size_t index = 0;
  double got = 0;
  double expected = 0;
};

struct CheckResult {
  std::size_t wrong = 0;  // elements that differ from the known result
  std::optional<WrongElement> first;
};

// The buffers of one case on one rank, allocated once so a benchmark can run
// the same call many times and check the last result. On the device
// (--device cuda) the host buffers are mirrored on the current CUDA device:
// prepare() copies them there, run() passes the device copies, finish()
// waits for the device and copies the results back.
class CollectiveCheck {
 public:
  CollectiveCheck(const CollectiveCase& what, int rank, int world_size, bool on_device = false);

  const CollectiveCase& collective_case() const { return case_; }
  // Writes the known inputs and poisons what the call must overwrite.
  void prepare();
  // The collective itself, on the prepared buffers.
  void run(Communicator& communicator);
  // On the device: waits for the collectives run so far (supervised by the
  // communicator's timeout) and copies the results back for check(). A
  // no-op on the host.
  void finish(Communicator& communicator);
  // Compares this rank's results (and, out of place, its inputs) with the
  // pattern; valid after prepare() and run() (again after each run() while
  // the inputs are intact: always out of place).
  CheckResult check() const;
  // Overwrites the first output element with the poison, as a faulty
  // backend would: for testing the failure path of `accel test` itself.
  void spoil_output();

 private:
  CollectiveCase case_;
  int rank_;
  int world_size_;
  std::vector<std::byte> input_;              // out of place: the send buffer
  std::vector<std::byte> output_;             // the recv buffer; in place: the only one
  std::optional<DeviceMemory> device_input_;  // on the device: input_'s mirror
  std::optional<DeviceMemory> device_output_;
};

// prepare, run, check: the whole check of one case.
CheckResult run_check(Communicator& communicator, const CollectiveCase& what);

}  // namespace accel::cli
