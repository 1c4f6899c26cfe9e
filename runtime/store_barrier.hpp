// A barrier through the job's KV store, one generation per call, so the
// same ranks can meet any number of times. Each rank sets its arrival key
// (<prefix>barrier/<generation>/rank/<rank>), adds one to the generation's
// counter, and waits for its "released" key, which the last arrival sets.
// The arrival keys let a rank that timed out name the ranks that never came.
// The last arrival at generation g also removes generation g-1's keys: every
// rank has left g-1 once all have arrived at g, so the store stays small.
//
// Errors: rendezvous::StoreError from the client (a timeout leaves the
// client unusable; ask missing_ranks on a fresh connection).
// Not thread-safe, like the StoreClient it uses.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "rendezvous/store_client.hpp"

namespace accel::runtime_detail {

struct BarrierPlace {
  std::string prefix;  // separates jobs' attempts: a restart starts again at 0
  long long generation = 0;
  int rank = 0;
  int world_size = 1;
};

// Returns once every rank has arrived at `place.generation`.
void arrive_and_wait(rendezvous::StoreClient& store, const BarrierPlace& place,
                     std::chrono::milliseconds timeout);

// The ranks whose arrival key at `place.generation` is absent, ascending.
std::vector<int> missing_ranks(rendezvous::StoreClient& store, const BarrierPlace& place);

}  // namespace accel::runtime_detail
