// What travels between the supervisor and the rendezvous, converted both
// ways: an attempt's outcome and a failing worker's record (the root cause
// every machine prints). Pure functions; thread-safe.
#pragma once

#include "rendezvous/messages.hpp"
#include "supervisor/job.hpp"
#include "supervisor/policy.hpp"

namespace accel::launch {

// Running (never reported) and Stopped both say "stopped".
rendezvous::AttemptOutcome to_wire(supervisor::AttemptOutcome outcome);
rendezvous::FailureRecord to_record(const supervisor::WorkerFailure& failure);
supervisor::WorkerFailure from_record(const rendezvous::FailureRecord& record);

}  // namespace accel::launch
