// The job's key-value store (docs/protocol.md, "Store"): what runtime workers
// use to exchange bootstrap data (NCCL ids, peer addresses) and to meet at
// barriers. Pure state, no sockets or clocks: the server asks it and carries
// out the answers; wait timeouts are the server's (it cancels the waiter).
//
// Waiters: wait() registers a waiter for keys that are not all present yet;
// every operation that creates a key hands back the waiters it completed, in
// time proportional to the waiters of that key only (a barrier of n workers
// costs O(n) in all, not O(n^2)).
// Values are bytes; add() keeps a counter as its decimal text, as torch's
// TCPStore does, so get() of a counter reads "3".
// Not thread-safe: the server's event loop owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

namespace accel::rendezvous {

using WaiterId = uint64_t;

// A request the store cannot carry out (add() on a value that is not a
// number, an overflow); the message names the key.
class KvError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class KvStore {
 public:
  // Each mutating call appends to `ready` the waiters whose keys are now all
  // present; values() then gives their answer.
  void set(const std::string& key, std::string value, std::vector<WaiterId>& ready);
  int64_t add(const std::string& key, int64_t delta, std::vector<WaiterId>& ready);
  // Sets `desired` when the key holds `expected`, or is absent and `expected`
  // is empty; true when it did.
  bool compare_set(const std::string& key, const std::string& expected, std::string desired,
                   std::vector<WaiterId>& ready);
  bool remove(const std::string& key);
  std::optional<std::string> get(const std::string& key) const;

  // True when every key is present now (nothing is registered); otherwise
  // registers `waiter` (an id not in use) until its keys are all present or
  // cancel() is called.
  bool wait(WaiterId waiter, const std::vector<std::string>& keys);
  void cancel(WaiterId waiter);
  // The values of `keys`, which must all be present.
  std::vector<std::string> values(const std::vector<std::string>& keys) const;
  // The keys of `keys` that are absent, in order.
  std::vector<std::string> missing(const std::vector<std::string>& keys) const;

  std::size_t size() const { return values_.size(); }
  std::size_t waiter_count() const { return waiters_.size(); }

 private:
  struct Waiter {
    std::vector<std::string> keys;
    std::size_t missing = 0;
  };
  void key_created(const std::string& key, std::vector<WaiterId>& ready);
  void register_waiter(WaiterId id, std::vector<std::string> keys);

  std::unordered_map<std::string, std::string> values_;
  std::unordered_map<WaiterId, Waiter> waiters_;
  // Waiters by a key they miss. Cancelled waiters are dropped lazily: their
  // ids stay here until the key is created, and are skipped then.
  std::unordered_map<std::string, std::vector<WaiterId>> waiting_on_;
};

}  // namespace accel::rendezvous
