#include "launch/rendezvous_records.hpp"

namespace accel::launch {

rendezvous::AttemptOutcome to_wire(supervisor::AttemptOutcome outcome) {
  switch (outcome) {
    case supervisor::AttemptOutcome::Succeeded: return rendezvous::AttemptOutcome::kSucceeded;
    case supervisor::AttemptOutcome::Failed: return rendezvous::AttemptOutcome::kFailed;
    case supervisor::AttemptOutcome::Interrupted: return rendezvous::AttemptOutcome::kInterrupted;
    case supervisor::AttemptOutcome::Stopped:
    case supervisor::AttemptOutcome::Running: break;
  }
  return rendezvous::AttemptOutcome::kStopped;
}

rendezvous::FailureRecord to_record(const supervisor::WorkerFailure& failure) {
  return rendezvous::FailureRecord{failure.rank,
                                   failure.local_rank,
                                   failure.host,
                                   static_cast<int>(failure.pid),
                                   failure.exit_code,
                                   failure.signal,
                                   failure.run_time.count(),
                                   failure.stderr_tail};
}

supervisor::WorkerFailure from_record(const rendezvous::FailureRecord& record) {
  supervisor::WorkerFailure failure;
  failure.rank = record.rank;
  failure.local_rank = record.local_rank;
  failure.host = record.host;
  failure.pid = record.pid;
  failure.exit_code = record.exit_code;
  failure.signal = record.signal;
  failure.run_time = std::chrono::milliseconds(record.run_time_ms);
  failure.stderr_tail = record.stderr_tail;
  return failure;
}

}  // namespace accel::launch
