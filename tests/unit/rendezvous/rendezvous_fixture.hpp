// A rendezvous on 127.0.0.1 inside the test process: one server and its
// member clients on one io_context that the test runs until what it waits
// for has happened (polled to a generous deadline, never a fixed sleep).
#pragma once

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rendezvous/member_client.hpp"
#include "rendezvous/server.hpp"

namespace accel::testing {

using namespace std::chrono_literals;

// What one member client heard.
struct MemberLog {
  std::vector<rendezvous::WaitingStatus> waiting;
  std::vector<rendezvous::Assignment> gos;
  std::vector<std::string> stops;
  std::optional<int> exit_code;
  std::string end_reason;
  std::optional<rendezvous::FailureRecord> root_cause;
  std::string error;
  bool over() const { return exit_code.has_value() || !error.empty(); }
};

class RendezvousFixture {
 public:
  rendezvous::ServerOptions server_options(int member_count) const {
    rendezvous::ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.port = 0;
    options.token = "secret";
    options.job_id = "job-7";
    options.member_count = member_count;
    options.master_addr = "127.0.0.1";
    options.join_timeout = 30s;
    options.heartbeat_interval = 100ms;
    options.heartbeat_timeout = 2s;
    options.io_timeout = 2s;
    options.hello_timeout = 2s;
    return options;
  }

  rendezvous::Server& start_server(const rendezvous::ServerOptions& options) {
    server_ = std::make_unique<rendezvous::Server>(io_, options);
    server_->start();
    return *server_;
  }

  rendezvous::MemberOptions member_options(int index, int member_count) const {
    rendezvous::MemberOptions options;
    options.server_host = "127.0.0.1";
    options.server_port = server_ ? server_->port() : 0;
    options.token = "secret";
    options.job_id = "job-7";
    options.join.member_index = index;
    options.join.member_count = member_count;
    options.join.num_processes = 2 * member_count;
    options.join.local_workers = 2;
    options.join.node_rank = index;
    options.join.max_restarts = 0;
    options.join.script = "train.py";
    options.join.hostname = "localhost";
    options.join_timeout = 10s;
    options.heartbeat_interval = 100ms;
    options.heartbeat_timeout = 2s;
    options.io_timeout = 2s;
    options.first_retry_delay = 10ms;
    options.max_retry_delay = 100ms;
    return options;
  }

  rendezvous::MemberClient& add_member(const rendezvous::MemberOptions& options) {
    auto log = std::make_unique<MemberLog>();
    MemberLog* raw = log.get();
    rendezvous::MemberEvents events;
    events.on_waiting = [raw](const rendezvous::WaitingStatus& s) { raw->waiting.push_back(s); };
    events.on_go = [raw](const rendezvous::Assignment& a) { raw->gos.push_back(a); };
    events.on_stop = [raw](const std::string& reason,
                           const std::optional<rendezvous::FailureRecord>&) {
      raw->stops.push_back(reason);
    };
    events.on_job_end = [raw](int code, const std::optional<rendezvous::FailureRecord>& cause,
                              const std::string& reason) {
      raw->exit_code = code;
      raw->end_reason = reason;
      raw->root_cause = cause;
    };
    events.on_error = [raw](const std::string& message) { raw->error = message; };
    logs_.push_back(std::move(log));
    members_.push_back(std::make_unique<rendezvous::MemberClient>(io_, options, events));
    members_.back()->start();
    return *members_.back();
  }

  MemberLog& log(std::size_t member) { return *logs_.at(member); }
  rendezvous::MemberClient& member(std::size_t index) { return *members_.at(index); }

  // Runs the loop until `done` or the deadline; false on the deadline.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io_.run_for(5ms);
      io_.restart();
    }
    return true;
  }

  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  std::unique_ptr<rendezvous::Server> server_;
  std::vector<std::unique_ptr<MemberLog>> logs_;
  std::vector<std::unique_ptr<rendezvous::MemberClient>> members_;
};

}  // namespace accel::testing
