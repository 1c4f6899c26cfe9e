// The runtime's client of the job's KV store (docs/protocol.md, "Store"):
// blocking calls with timeouts, because runtime code is not event driven.
// Each StoreClient owns one authenticated connection and a private
// io_context that runs only inside its calls, so it never touches the
// launcher's loop. Workers find the store through ACCEL_STORE_ADDR,
// ACCEL_STORE_PORT, ACCEL_JOB_ID and ACCEL_JOB_TOKEN (env_names.hpp).
//
// Errors: StoreError, whose message names the store's address and, for a
// timeout, the keys ("store at 10.0.0.1:29500: timed out after 30 s waiting
// for key 'nccl_id'"). After a timeout or a broken connection the client is
// unusable (the stream may hold half a reply); connect again.
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace accel::rendezvous {

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class StoreClient {
 public:
  // Connects and authenticates within `timeout` (also the timeout of every
  // later call but wait(), which takes its own).
  static StoreClient connect(const std::string& host, uint16_t port, const std::string& token,
                             const std::string& job_id, std::chrono::milliseconds timeout);
  StoreClient(StoreClient&&) noexcept;
  StoreClient& operator=(StoreClient&&) noexcept;
  ~StoreClient();

  void set(const std::string& key, const std::string& value);
  std::optional<std::string> get(const std::string& key);
  // The value once the key exists; throws StoreError naming it on timeout.
  std::string wait(const std::string& key, std::chrono::milliseconds timeout);
  // Every key's value once all exist, in order.
  std::vector<std::string> wait(const std::vector<std::string>& keys,
                                std::chrono::milliseconds timeout);
  // Adds to a counter (absent = 0) and returns its new value.
  int64_t add(const std::string& key, int64_t delta);
  // Sets `desired` when the key holds `expected` (or is absent and
  // `expected` is empty); true when it did.
  bool compare_set(const std::string& key, const std::string& expected, const std::string& desired);
  // True when the key existed.
  bool remove(const std::string& key);

  // The numeric local IP address of this connection ("10.1.2.3"): an
  // address of this process that the store's network reaches, which is what
  // a worker advertises to its peers (the TCP collectives listen on it).
  std::string local_address() const;

 private:
  class Impl;
  explicit StoreClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace accel::rendezvous
