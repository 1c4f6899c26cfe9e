// One connection as the server sees it, without the socket: bytes in,
// frames and authenticated requests out (docs/protocol.md, "Connection
// states"). The Asio server (server.cpp) and the fuzz target
// (tests/fuzz/fuzz_server_core.cpp) drive it the same way.
//
// States: awaiting-hello -> awaiting-proof -> authenticated (member or store)
// -> closed. Until authenticated it only answers the handshake; a wrong magic,
// protocol version, job id or token gets a Refused frame and the connection
// closes, so an unauthenticated peer never reaches the job or the store.
// Authenticated, a store connection may send store requests only, a member
// connection member requests and store requests (ServerCore refuses the
// latter until the member has joined).
// Deadlines: the hello within hello_timeout of connecting, the proof within
// io_timeout of the challenge, and once authenticated every frame within
// io_timeout of its first byte (a client trickling bytes is cut off).
// Memory: only the bytes of one frame in progress (FrameDecoder).
// Not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/messages.hpp"
#include "rendezvous/round.hpp"

namespace accel::rendezvous {

struct AuthConfig {
  std::string token;
  std::string job_id;
  std::chrono::milliseconds hello_timeout{5'000};
  std::chrono::milliseconds io_timeout{10'000};
  // Nonces; tests and the fuzz target inject a deterministic one.
  std::function<std::string(std::size_t)> random_bytes;
};

// What one receive() produced.
struct ConnectionOutput {
  std::vector<Message> replies;   // to send back, in order
  std::vector<Message> requests;  // authenticated requests for the server
  // Set when the connection must close (after the replies are sent): why.
  std::optional<std::string> close_reason;
};

enum class ConnectionState { kAwaitingHello, kAwaitingProof, kAuthenticated, kClosed };

class ServerConnection {
 public:
  // `token_mac` (config.token's) outlives the connection; the server shares
  // one among all of them.
  ServerConnection(const AuthConfig& config, HmacSha256& token_mac, Clock::time_point connected_at);

  void receive(std::string_view bytes, Clock::time_point now, ConnectionOutput& out);
  // Why the connection must close now because a deadline passed, if it must.
  std::optional<std::string> deadline_passed(Clock::time_point now) const;
  // Closes it for a reason found outside (a refused join, a protocol error
  // in a request): the reply is a Refused frame.
  void refuse(const std::string& reason, ConnectionOutput& out);

  ConnectionState state() const { return state_; }
  Role role() const { return role_; }
  std::size_t buffered_bytes() const { return decoder_.buffered_bytes(); }

 private:
  void handle_frame(std::string_view payload, ConnectionOutput& out);
  void handle_hello(std::string_view payload, ConnectionOutput& out);
  void handle_proof(std::string_view payload, ConnectionOutput& out);

  const AuthConfig& config_;
  HmacSha256& token_mac_;
  ConnectionState state_ = ConnectionState::kAwaitingHello;
  Role role_ = Role::kMember;
  FrameDecoder decoder_;
  Clock::time_point now_;                           // of the receive() in progress
  Clock::time_point state_deadline_;                // hello / proof
  std::optional<Clock::time_point> frame_started_;  // authenticated, mid-frame
  std::string client_nonce_;
  std::string server_nonce_;
};

}  // namespace accel::rendezvous
