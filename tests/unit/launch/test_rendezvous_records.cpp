#include <catch2/catch.hpp>

#include "launch/rendezvous_records.hpp"

using accel::launch::from_record;
using accel::launch::to_record;
using accel::launch::to_wire;
using accel::supervisor::AttemptOutcome;
using WireOutcome = accel::rendezvous::AttemptOutcome;

TEST_CASE("records: a failing worker crosses the rendezvous unchanged", "[records]") {
  accel::supervisor::WorkerFailure failure;
  failure.rank = 5;
  failure.local_rank = 1;
  failure.host = "node-b";
  failure.pid = 4242;
  failure.signal = 9;
  failure.run_time = std::chrono::milliseconds(1500);
  failure.stderr_tail = {"Traceback (most recent call last):", "RuntimeError: boom"};
  const accel::supervisor::WorkerFailure back = from_record(to_record(failure));
  CHECK(back.rank == 5);
  CHECK(back.local_rank == 1);
  CHECK(back.host == "node-b");
  CHECK(back.pid == 4242);
  CHECK(back.exit_code == 0);
  CHECK(back.signal == 9);
  CHECK(back.run_time == std::chrono::milliseconds(1500));
  CHECK(back.stderr_tail == failure.stderr_tail);
}

TEST_CASE("records: an attempt's outcome as the rendezvous counts it", "[records]") {
  CHECK(to_wire(AttemptOutcome::Succeeded) == WireOutcome::kSucceeded);
  CHECK(to_wire(AttemptOutcome::Failed) == WireOutcome::kFailed);
  CHECK(to_wire(AttemptOutcome::Interrupted) == WireOutcome::kInterrupted);
  CHECK(to_wire(AttemptOutcome::Stopped) == WireOutcome::kStopped);
}
