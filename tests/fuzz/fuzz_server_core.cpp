// The server's whole protocol logic (ServerCore: connections, handshake,
// round, store) driven by a script of operations read from the input, with
// no sockets: connect, bytes from a connection, disconnect, time passing,
// the probe port opening or failing. A fuzzer cannot forge an HMAC, so one
// operation performs a correct handshake for a connection (as a member or
// a store client), and others send well-formed joins, reports and store
// requests, so the fuzzer also reaches what lies behind authentication.
// Invariants checked: nothing crashes, every frame the server sends decodes,
// and a connection the server closed receives nothing more.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <variant>

#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/server_core.hpp"

using namespace accel::rendezvous;
using namespace std::chrono_literals;

namespace {

constexpr int kMembers = 3;
const std::string kToken = "fuzz-token";
const std::string kJob = "fuzz-job";

class Script {
 public:
  Script(const uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  bool done() const { return offset_ >= size_; }
  uint8_t byte() { return done() ? 0 : data_[offset_++]; }
  std::string_view bytes(std::size_t count) {
    count = std::min(count, size_ - offset_);
    const std::string_view taken(reinterpret_cast<const char*>(data_ + offset_), count);
    offset_ += count;
    return taken;
  }

 private:
  const uint8_t* data_;
  std::size_t size_;
  std::size_t offset_ = 0;
};

struct Harness {
  ServerCore core;
  Clock::time_point now;
  std::set<ConnectionId> open;
  std::set<ConnectionId> closed;
  std::string last_server_nonce;
  HmacSha256 token_mac{kToken};

  // Checks what the core sent, and remembers the last challenge's nonce.
  void drain() {
    CoreOutput output = core.take_output();
    for (const CoreOutput::Send& send : output.sends) {
      if (closed.contains(send.to)) std::abort();  // sent to a closed connection
      FrameDecoder decoder;
      decoder.append(*send.frame);
      auto payload = decoder.next();
      if (!payload || decoder.mid_frame()) std::abort();
      const Message message = decode(*payload);  // throws (and so fails) if malformed
      if (const auto* challenge = std::get_if<Challenge>(&message)) {
        last_server_nonce = challenge->server_nonce;
      }
    }
    for (const auto& [id, reason] : output.closes) {
      closed.insert(id);
      open.erase(id);
    }
    if (output.open_probe_port) pending_probe = true;
  }

  void feed(ConnectionId id, std::string_view bytes) {
    if (!open.contains(id)) return;
    core.received(id, bytes, now);
    drain();
  }

  // Connects `id` unless it was used before; true when it did.
  bool connect(ConnectionId id) {
    if (open.contains(id) || closed.contains(id)) return false;
    core.connected(id, now);
    open.insert(id);
    return true;
  }

  void handshake(ConnectionId id, Role role) {
    const std::string client_nonce(kNonceBytes, 'c');
    feed(id,
         encode_frame(encode(Hello{kProtocolMagic, kProtocolVersion, kJob, role, client_nonce})));
    const ProofInput input{last_server_nonce, client_nonce, kJob, role};
    feed(id, encode_frame(encode(Proof{client_proof(token_mac, input)})));
  }

  bool pending_probe = false;
};

CoreOptions options() {
  CoreOptions options;
  options.auth.token = kToken;
  options.auth.job_id = kJob;
  options.auth.hello_timeout = 5s;
  options.auth.io_timeout = 10s;
  options.auth.random_bytes = [](std::size_t count) { return std::string(count, 's'); };
  options.round.member_count = kMembers;
  options.round.master_addr = "127.0.0.1";
  options.round.join_timeout = 600s;
  options.round.heartbeat_timeout = 10s;
  options.round.reach_timeout = 20s;
  options.heartbeat_interval = 1s;
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  Script script(data, size);
  Harness h{ServerCore(options(), Clock::time_point{}), Clock::time_point{}, {}, {}, {}};
  while (!script.done()) {
    const uint8_t op = script.byte();
    const ConnectionId target = 1 + script.byte() % 16;
    switch (op % 11) {
      case 0:  // connect
        h.connect(target);
        break;
      case 1:  // raw bytes from a connection
        h.feed(target, script.bytes(script.byte()));
        break;
      case 2:  // a frame around fuzzed payload bytes
        h.feed(target, encode_frame(script.bytes(script.byte())));
        break;
      case 3:  // the peer vanished
        if (h.open.erase(target) > 0) {
          h.core.disconnected(target, h.now);
          h.closed.insert(target);
          h.drain();
        }
        break;
      case 4:  // time passes
        h.now += std::chrono::milliseconds(script.byte()) * 50;
        h.core.tick(h.now);
        h.drain();
        break;
      case 5:  // a correct handshake
        h.handshake(target, script.byte() % 2 == 0 ? Role::kMember : Role::kStore);
        break;
      case 6: {  // connect, authenticate as a member, and join: mostly agreeing
        const uint8_t choice = script.byte();
        if (h.connect(target)) h.handshake(target, Role::kMember);
        JoinRequest request;
        request.member_index = choice % (kMembers + 1);
        request.member_count = kMembers;
        request.num_processes = 2 * kMembers;
        request.local_workers = 2;
        request.max_restarts = 1;
        request.script = "train.py";
        // One join in eight disagrees, in one of four ways.
        if ((choice & 0xe0) == 0xe0) {
          switch ((choice >> 3) & 3) {
            case 0: request.member_count = kMembers + 1; break;
            case 1: request.num_processes = kMembers + 1; break;
            case 2: request.max_restarts = 0; break;
            default: request.script = "other.py"; break;
          }
        }
        request.hostname = "host" + std::to_string(request.member_index);
        h.feed(target, encode_frame(encode(Join{request})));
        break;
      }
      case 7: {  // a well-formed member report
        const uint8_t kind = script.byte();
        const int round = script.byte() % 4 / 2;  // mostly 0 or 1
        Message report;
        if (kind % 3 == 0) {
          report = ReachReport{round, kind % 2 == 0, "refused", "10.0.0.1", "eth0"};
        } else if (kind % 3 == 1) {
          report = FailureReport{round, FailureRecord{1, 0, "h", 1, 1, 0, 5, {"x"}}};
        } else {
          report = AttemptEnded{round, static_cast<AttemptOutcome>(1 + kind % 4), 2};
        }
        h.feed(target, encode_frame(encode(report)));
        break;
      }
      case 8:  // the probe port opens or fails
        if (h.pending_probe) {
          h.pending_probe = false;
          if (script.byte() % 4 == 0) {
            h.core.probe_port_failed("Address already in use");
          } else {
            h.core.probe_port_opened(29501);
          }
          h.drain();
        }
        break;
      case 10: {  // every member joins and reaches MASTER_PORT: the job runs
        for (int index = 0; index < kMembers; ++index) {
          const ConnectionId id = 11 + static_cast<ConnectionId>(index);
          if (!h.connect(id)) continue;
          h.handshake(id, Role::kMember);
          h.feed(id, encode_frame(encode(Join{JoinRequest{index, kMembers, 2 * kMembers, 2, index,
                                                          1, "train.py", "host"}})));
        }
        if (h.pending_probe) {
          h.pending_probe = false;
          h.core.probe_port_opened(29501);
          h.drain();
          for (ConnectionId id = 11; id < 11 + kMembers; ++id) {
            h.feed(id, encode_frame(encode(ReachReport{0, true, "", "", ""})));
          }
        }
        break;
      }
      case 9: {  // a well-formed store request on a few keys
        static const char* const kKeys[] = {"a", "b", "c"};
        const uint8_t kind = script.byte();
        const std::string key = kKeys[script.byte() % 3];
        Message request;
        switch (kind % 6) {
          case 0: request = StoreSet{key, std::string(script.bytes(script.byte() % 8))}; break;
          case 1: request = StoreGet{key}; break;
          case 2:
            request =
                StoreWait{{key, kKeys[kind / 6 % 3]}, static_cast<int64_t>(script.byte()) * 100};
            break;
          case 3: request = StoreAdd{key, static_cast<int8_t>(script.byte())}; break;
          case 4:
            request = StoreCompareSet{key, std::string(script.bytes(script.byte() % 4)), "x"};
            break;
          default: request = StoreDelete{key}; break;
        }
        h.feed(target, encode_frame(encode(request)));
        break;
      }
    }
  }
  return 0;
}
