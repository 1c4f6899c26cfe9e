// The whole rendezvous server without sockets: connections (by id), the
// round and the store. The Asio shell (server.hpp) reports connects, bytes,
// disconnects, ticks and the probe port's fate, and carries out what
// take_output() returns: frames to send, connections to close, the probe
// port to open or close. The fuzz target drives it the same way, so every
// byte path a network peer can take is fuzzed without a socket.
//
// Cost: every request is O(1) plus what it answers (a store key created
// wakes only its own waiters; a broadcast is encoded once and shared).
// tick() visits every connection for its deadline and every member for
// silence; the shell calls it a few times a second. A member gets a
// heartbeat only when it was sent nothing else for a heartbeat interval: at
// 16k members in a busy phase (status, reach-check, go, store replies)
// heartbeats were most of the server's messages.
// Not thread-safe: one event loop owns it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rendezvous/kv_store.hpp"
#include "rendezvous/round.hpp"
#include "rendezvous/server_connection.hpp"

namespace accel::rendezvous {

using ConnectionId = uint64_t;

struct CoreOptions {
  AuthConfig auth;
  RoundOptions round;
  std::chrono::milliseconds heartbeat_interval{1'000};
};

struct CoreOutput {
  struct Send {
    ConnectionId to;
    std::shared_ptr<const std::string> frame;  // header included; shared by a broadcast
  };
  std::vector<Send> sends;
  // Close after the sends queued before; the reason is for logs and tests.
  std::vector<std::pair<ConnectionId, std::string>> closes;
  bool open_probe_port = false;
  bool close_probe_port = false;
};

class ServerCore {
 public:
  ServerCore(CoreOptions options, Clock::time_point start);

  // Ids are the shell's, unique and never 0.
  void connected(ConnectionId id, Clock::time_point now);
  void received(ConnectionId id, std::string_view bytes, Clock::time_point now);
  void disconnected(ConnectionId id, Clock::time_point now);
  void tick(Clock::time_point now);
  void probe_port_opened(uint16_t port);
  void probe_port_failed(const std::string& error);

  // What to do since the last call; empties the queue.
  CoreOutput take_output() { return std::exchange(output_, CoreOutput{}); }

  const Round& round() const { return round_; }
  const KvStore& store() const { return store_; }
  std::size_t connection_count() const { return connections_.size(); }

 private:
  struct Connection {
    Connection(const AuthConfig& auth, HmacSha256& token_mac, Clock::time_point now)
        : protocol(auth, token_mac, now) {}
    ServerConnection protocol;
    int member = -1;              // joined member index
    Clock::time_point last_sent;  // for the heartbeat it may not need
    bool waiting = false;
    std::vector<std::string> wait_keys;
    Clock::time_point wait_deadline;
  };

  void apply(ConnectionId id, Connection& connection, ConnectionOutput& step);
  void handle_member_request(ConnectionId id, Connection& connection, const Message& request);
  void handle_store_request(ConnectionId id, Connection& connection, const Message& request);
  void answer_ready_waiters(const std::vector<WaiterId>& ready);
  void deliver(const RoundActions& actions);
  void send(ConnectionId id, const Message& message);
  void send_frame(ConnectionId id, std::shared_ptr<const std::string> frame);
  void close(ConnectionId id, Connection& connection, const std::string& reason);
  void forget(ConnectionId id, Connection& connection);

  CoreOptions options_;
  HmacSha256 token_mac_;  // options_.auth.token's, for every connection's proofs
  Round round_;
  KvStore store_;
  std::unordered_map<ConnectionId, Connection> connections_;
  std::vector<ConnectionId> member_connection_;  // by member index; 0 = none
  // Store waits by deadline, checked on tick (ids of closed connections skipped).
  std::multimap<Clock::time_point, ConnectionId> wait_deadlines_;
  Clock::time_point now_;  // of the call in progress
  CoreOutput output_;
};

}  // namespace accel::rendezvous
