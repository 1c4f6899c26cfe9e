#include "rendezvous/server_connection.hpp"

#include <variant>

#include "rendezvous/hmac.hpp"
#include "rendezvous/wire.hpp"

namespace accel::rendezvous {

namespace {

// A hello from another version may not decode with this version's layout;
// the type byte, magic and version come first in every version, so they are
// read on their own to say what is wrong.
std::optional<std::string> version_mismatch(std::string_view payload) {
  try {
    WireReader in(payload);
    if (in.u8("message type") != 1) return std::nullopt;
    const uint32_t magic = in.u32("hello.magic");
    const uint32_t version = in.u32("hello.version");
    if (magic != kProtocolMagic) {
      return std::string("this is not an accel rendezvous client (wrong magic in the hello)");
    }
    if (version != kProtocolVersion) {
      return "this machine speaks rendezvous protocol version " + std::to_string(version) +
             ", the server version " + std::to_string(kProtocolVersion) +
             ": run the same accel version on every machine";
    }
  } catch (const WireError&) {
  }
  return std::nullopt;
}

}  // namespace

ServerConnection::ServerConnection(const AuthConfig& config, HmacSha256& token_mac,
                                   Clock::time_point connected_at)
    : config_(config),
      token_mac_(token_mac),
      state_deadline_(connected_at + config.hello_timeout) {}

void ServerConnection::receive(std::string_view bytes, Clock::time_point now,
                               ConnectionOutput& out) {
  if (state_ == ConnectionState::kClosed) return;
  now_ = now;
  decoder_.append(bytes);
  while (state_ != ConnectionState::kClosed) {
    std::optional<std::string> payload = decoder_.next();
    if (!payload) break;
    // A frame that completes restarts the clock for the next one.
    frame_started_.reset();
    handle_frame(*payload, out);
  }
  if (state_ == ConnectionState::kClosed) return;
  if (decoder_.broken()) {
    refuse(decoder_.error(), out);
    return;
  }
  if (!decoder_.mid_frame()) {
    frame_started_.reset();
  } else if (!frame_started_) {
    frame_started_ = now;
  }
}

std::optional<std::string> ServerConnection::deadline_passed(Clock::time_point now) const {
  switch (state_) {
    case ConnectionState::kAwaitingHello:
      if (now >= state_deadline_) return std::string("no hello within the handshake timeout");
      break;
    case ConnectionState::kAwaitingProof:
      if (now >= state_deadline_) return std::string("no proof within the handshake timeout");
      break;
    case ConnectionState::kAuthenticated:
      if (frame_started_ && now - *frame_started_ >= config_.io_timeout) {
        return std::string("a frame did not arrive whole within the io timeout");
      }
      break;
    case ConnectionState::kClosed: break;
  }
  return std::nullopt;
}

void ServerConnection::refuse(const std::string& reason, ConnectionOutput& out) {
  if (state_ == ConnectionState::kClosed) return;
  state_ = ConnectionState::kClosed;
  out.replies.emplace_back(Refused{reason});
  out.close_reason = reason;
}

void ServerConnection::handle_frame(std::string_view payload, ConnectionOutput& out) {
  switch (state_) {
    case ConnectionState::kAwaitingHello: handle_hello(payload, out); return;
    case ConnectionState::kAwaitingProof: handle_proof(payload, out); return;
    case ConnectionState::kAuthenticated: break;
    case ConnectionState::kClosed: return;
  }
  Message request;
  try {
    request = decode(payload);
  } catch (const WireError& error) {
    refuse(std::string("malformed request: ") + error.what(), out);
    return;
  }
  // A member may use the store on its own connection (a launcher needs no
  // second connection for it); ServerCore refuses that until it has joined.
  const bool allowed = role_ == Role::kStore
                           ? is_store_request(request)
                           : is_member_request(request) || is_store_request(request);
  if (!allowed) {
    refuse(std::string("unexpected ") + message_name(request) + " on a " +
               (role_ == Role::kStore ? "store" : "member") + " connection",
           out);
    return;
  }
  out.requests.push_back(std::move(request));
}

void ServerConnection::handle_hello(std::string_view payload, ConnectionOutput& out) {
  if (auto mismatch = version_mismatch(payload)) {
    refuse(*mismatch, out);
    return;
  }
  Message message;
  try {
    message = decode(payload);
  } catch (const WireError& error) {
    refuse(std::string("malformed hello: ") + error.what(), out);
    return;
  }
  const Hello* hello = std::get_if<Hello>(&message);
  if (hello == nullptr) {
    refuse(std::string("expected a hello first, got ") + message_name(message), out);
    return;
  }
  if (hello->job_id != config_.job_id) {
    refuse(
        "this machine's job id is '" + hello->job_id + "', the server's '" + config_.job_id + "'",
        out);
    return;
  }
  role_ = hello->role;
  client_nonce_ = hello->client_nonce;
  server_nonce_ = config_.random_bytes(kNonceBytes);
  const ProofInput input{server_nonce_, client_nonce_, config_.job_id, role_};
  out.replies.emplace_back(Challenge{server_nonce_, server_proof(token_mac_, input)});
  state_ = ConnectionState::kAwaitingProof;
  state_deadline_ = now_ + config_.io_timeout;
}

void ServerConnection::handle_proof(std::string_view payload, ConnectionOutput& out) {
  Message message;
  try {
    message = decode(payload);
  } catch (const WireError& error) {
    refuse(std::string("malformed proof: ") + error.what(), out);
    return;
  }
  const Proof* proof = std::get_if<Proof>(&message);
  if (proof == nullptr) {
    refuse(std::string("expected a proof, got ") + message_name(message), out);
    return;
  }
  const ProofInput input{server_nonce_, client_nonce_, config_.job_id, role_};
  if (!equal_in_constant_time(proof->client_proof, client_proof(token_mac_, input))) {
    refuse("wrong job token", out);
    return;
  }
  state_ = ConnectionState::kAuthenticated;
  // The nonces served the handshake only; a job keeps thousands of
  // connections open for hours, so their heap blocks go now.
  std::string().swap(client_nonce_);
  std::string().swap(server_nonce_);
  out.replies.emplace_back(Welcome{});
}

}  // namespace accel::rendezvous
