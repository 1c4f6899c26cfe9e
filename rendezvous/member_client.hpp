// The launcher's side of the rendezvous (docs/protocol.md): connect to the
// server with retries and backoff until the join timeout, authenticate,
// join, then turn what the server says into events: who is still missing,
// go (with this member's ranks), stop, job end. It answers reachability
// checks itself (connects to MASTER_ADDR:MASTER_PORT and reports how that
// went, with the local address and interface it used) and sends a heartbeat
// when it has sent nothing else for a heartbeat interval. Runs on the
// caller's io_context, with one thread running it.
//
// Events come on the loop. Exactly one of on_job_end / on_error ends the
// client's life; nothing is called after it, nor after close().
// on_error's message is complete for a user ("the rendezvous at
// 10.0.0.1:29500 refused this machine: wrong job token (--rdzv_token /
// ACCEL_RDZV_TOKEN)").
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rendezvous/messages.hpp"

namespace accel::rendezvous {

struct MemberOptions {
  std::string server_host;  // main_process_ip (a name or an address)
  uint16_t server_port = 0;
  std::string token;
  std::string job_id;
  JoinRequest join;
  std::chrono::milliseconds join_timeout{600'000};
  std::chrono::milliseconds heartbeat_interval{1'000};
  std::chrono::milliseconds heartbeat_timeout{10'000};
  std::chrono::milliseconds io_timeout{10'000};
  // Backoff between connection attempts: doubles from the first to the last.
  std::chrono::milliseconds first_retry_delay{100};
  std::chrono::milliseconds max_retry_delay{2'000};
};

// While the server waits for other members (about once a second).
struct WaitingStatus {
  std::vector<int> missing;  // the lowest missing indices (at most kMaxStatusMissing)
  int missing_count = 0;     // all of them
  int member_count = 0;
  std::chrono::milliseconds elapsed{0};
};

struct MemberEvents {
  std::function<void(const WaitingStatus&)> on_waiting;
  std::function<void(const Assignment&)> on_go;
  // Stop this round's workers, then report_attempt_end().
  std::function<void(const std::string& reason, const std::optional<FailureRecord>&)> on_stop;
  std::function<void(int exit_code, const std::optional<FailureRecord>&, const std::string& reason)>
      on_job_end;
  std::function<void(const std::string& message)> on_error;
};

class MemberClient {
 public:
  MemberClient(boost::asio::io_context& io, MemberOptions options, MemberEvents events);
  ~MemberClient();
  MemberClient(const MemberClient&) = delete;
  MemberClient& operator=(const MemberClient&) = delete;

  void start();
  // A worker of the current round failed (the supervisor's root cause).
  void report_failure(const FailureRecord& record);
  // This member's attempt of the current round is over; signal for kInterrupted.
  void report_attempt_end(AttemptOutcome outcome, int signal = 0);
  void close();

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace accel::rendezvous
