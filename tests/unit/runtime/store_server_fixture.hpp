// The job's store for runtime tests: a real rendezvous::Server on
// 127.0.0.1 whose io_context runs on a background thread, so test "ranks"
// in their own threads block in store calls as real workers do.
#pragma once

#include <unistd.h>
#include <boost/asio/executor_work_guard.hpp>

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "accel/process_state.hpp"
#include "rendezvous/server.hpp"

namespace accel::testing {

class StoreServerFixture {
 public:
  StoreServerFixture() {
    rendezvous::ServerOptions options;
    options.bind_address = "127.0.0.1";
    options.token = "secret";
    options.job_id = job_id_;
    server_.emplace(io_, options);
    server_->start();
    loop_ = std::thread([this] { io_.run(); });
  }
  StoreServerFixture(const StoreServerFixture&) = delete;
  StoreServerFixture& operator=(const StoreServerFixture&) = delete;
  ~StoreServerFixture() {
    io_.stop();
    loop_.join();
    server_.reset();  // the loop no longer runs, so closing races nothing
  }

  // The variables accel launch gives rank `rank` of `world_size`.
  std::map<std::string, std::string> worker_env(int rank, int world_size) const {
    return {
        {"RANK", std::to_string(rank)},       {"WORLD_SIZE", std::to_string(world_size)},
        {"LOCAL_RANK", std::to_string(rank)}, {"LOCAL_WORLD_SIZE", std::to_string(world_size)},
        {"ACCEL_STORE_ADDR", "127.0.0.1"},    {"ACCEL_STORE_PORT", std::to_string(server_->port())},
        {"ACCEL_JOB_TOKEN", "secret"},        {"ACCEL_JOB_ID", job_id_}};
  }

  // Unique to this fixture on this host: ctest runs test cases in parallel
  // processes, and shared-memory segments are named after the job id.
  const std::string& job_id() const { return job_id_; }

 private:
  std::string job_id_ = "job-" + std::to_string(::getpid()) + "-" +
                        std::to_string(reinterpret_cast<std::uintptr_t>(this));
  boost::asio::io_context io_;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::optional<rendezvous::Server> server_;
  std::thread loop_;
};

// Runs `body(rank)` on one thread per rank, as the ranks of a job meeting
// at the fixture's store; returns each rank's error text (empty when it
// passed). Catch2's assertions are not thread-safe, so bodies throw instead.
inline std::vector<std::string> run_ranks(int world_size, const std::function<void(int)>& body) {
  std::vector<std::string> errors(static_cast<std::size_t>(world_size));
  std::vector<std::thread> threads;
  for (int rank = 0; rank < world_size; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        body(rank);
      } catch (const std::exception& error) {
        errors[static_cast<std::size_t>(rank)] = error.what();
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  return errors;
}

// An EnvLookup over a fixed map.
inline EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(std::string(name));
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

}  // namespace accel::testing
