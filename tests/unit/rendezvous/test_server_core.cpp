// The server's connection logic without sockets: the handshake's refusals,
// role checks, deadlines and store waits, driven through ServerCore the way
// the Asio shell drives it.
#include <catch2/catch.hpp>
#include <string>
#include <variant>
#include <vector>

#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/server_core.hpp"

using namespace accel::rendezvous;
using namespace std::chrono_literals;

namespace {

const Clock::time_point kStart{};
const std::string kNonce(kNonceBytes, 'c');

CoreOptions core_options() {
  CoreOptions options;
  options.auth.token = "token";
  options.auth.job_id = "job";
  options.auth.hello_timeout = 5s;
  options.auth.io_timeout = 10s;
  options.auth.random_bytes = [](std::size_t count) { return std::string(count, 's'); };
  options.round.member_count = 2;
  options.round.master_addr = "127.0.0.1";
  return options;
}

// What the core sent to `id` since the last call, decoded.
std::vector<Message> sent_to(ServerCore& core, ConnectionId id, bool* closed = nullptr) {
  const CoreOutput output = core.take_output();
  std::vector<Message> messages;
  for (const CoreOutput::Send& send : output.sends) {
    if (send.to == id) messages.push_back(decode(std::string_view(*send.frame).substr(4)));
  }
  if (closed != nullptr) {
    *closed = false;
    for (const auto& [closed_id, reason] : output.closes) *closed |= closed_id == id;
  }
  return messages;
}

void feed(ServerCore& core, ConnectionId id, const Message& message) {
  core.received(id, encode_frame(encode(message)), kStart);
}

std::string refusal(const std::vector<Message>& messages) {
  for (const Message& message : messages) {
    if (const auto* refused = std::get_if<Refused>(&message)) return refused->reason;
  }
  return "";
}

void authenticate(ServerCore& core, ConnectionId id, Role role) {
  core.connected(id, kStart);
  feed(core, id, Hello{kProtocolMagic, kProtocolVersion, "job", role, kNonce});
  const auto challenge = std::get<Challenge>(sent_to(core, id).at(0));
  HmacSha256 token_mac("token");
  CHECK(challenge.server_proof ==
        server_proof(token_mac, {challenge.server_nonce, kNonce, "job", role}));
  feed(core, id, Proof{client_proof(token_mac, {challenge.server_nonce, kNonce, "job", role})});
  REQUIRE(std::holds_alternative<Welcome>(sent_to(core, id).at(0)));
}

}  // namespace

TEST_CASE("server_core: another protocol version is told apart from garbage",
          "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  core.connected(1, kStart);
  feed(core, 1, Hello{kProtocolMagic, 2, "job", Role::kMember, kNonce});
  bool closed = false;
  CHECK(refusal(sent_to(core, 1, &closed)) ==
        "this machine speaks rendezvous protocol version 2, the server version 1: run the same "
        "accel version on every machine");
  CHECK(closed);

  core.connected(2, kStart);
  feed(core, 2, Hello{0x12345678, 1, "job", Role::kMember, kNonce});
  CHECK(refusal(sent_to(core, 2)) ==
        "this is not an accel rendezvous client (wrong magic in the hello)");
  CHECK(core.connection_count() == 0);
}

TEST_CASE("server_core: job id and token are checked before anything else",
          "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  core.connected(1, kStart);
  feed(core, 1, Hello{kProtocolMagic, kProtocolVersion, "other", Role::kMember, kNonce});
  CHECK(refusal(sent_to(core, 1)) == "this machine's job id is 'other', the server's 'job'");

  core.connected(2, kStart);
  feed(core, 2, Hello{kProtocolMagic, kProtocolVersion, "job", Role::kStore, kNonce});
  const auto challenge = std::get<Challenge>(sent_to(core, 2).at(0));
  HmacSha256 guess("guess");
  feed(core, 2, Proof{client_proof(guess, {challenge.server_nonce, kNonce, "job", Role::kStore})});
  bool closed = false;
  CHECK(refusal(sent_to(core, 2, &closed)) == "wrong job token");
  CHECK(closed);

  core.connected(3, kStart);
  feed(core, 3, StoreGet{"k"});  // no hello first
  CHECK(refusal(sent_to(core, 3)) == "expected a hello first, got store-get");
}

TEST_CASE("server_core: each role sends only its own requests", "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  authenticate(core, 1, Role::kStore);
  feed(core, 1, Join{JoinRequest{}});
  CHECK(refusal(sent_to(core, 1)) == "unexpected join on a store connection");
  authenticate(core, 2, Role::kMember);
  feed(core, 2, Welcome{});
  CHECK(refusal(sent_to(core, 2)) == "unexpected welcome on a member connection");
  authenticate(core, 3, Role::kMember);
  feed(core, 3, Heartbeat{});
  CHECK(refusal(sent_to(core, 3)) == "expected a join, got heartbeat");
}

TEST_CASE("server_core: handshake and frame deadlines", "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  core.connected(1, kStart);            // says nothing
  authenticate(core, 2, Role::kStore);  // then starts a frame and stalls
  core.received(2, std::string("\0\0\0\x10", 4), kStart + 1s);
  core.tick(kStart + 4s);
  CHECK(core.connection_count() == 2);
  core.tick(kStart + 5s);
  CHECK(refusal(sent_to(core, 1)) == "no hello within the handshake timeout");
  CHECK(core.connection_count() == 1);
  core.tick(kStart + 11s);
  CHECK(refusal(sent_to(core, 2)) == "a frame did not arrive whole within the io timeout");
  CHECK(core.connection_count() == 0);
}

TEST_CASE("server_core: a store wait is answered when the key appears, or times out",
          "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  authenticate(core, 1, Role::kStore);
  authenticate(core, 2, Role::kStore);
  feed(core, 1, StoreWait{{"k"}, 1000});
  CHECK(sent_to(core, 1).empty());
  feed(core, 2, StoreSet{"k", "v"});
  const auto replies = sent_to(core, 1);
  REQUIRE(replies.size() == 1);
  CHECK(std::get<StoreReply>(replies[0]).values == std::vector<std::string>{"v"});

  feed(core, 1, StoreWait{{"k", "late"}, 1000});
  core.tick(kStart + 999ms);
  CHECK(sent_to(core, 1).empty());
  core.tick(kStart + 1s);
  const auto timeout = sent_to(core, 1);
  REQUIRE(timeout.size() == 1);
  CHECK(std::get<StoreReply>(timeout[0]).status == StoreStatus::kTimeout);
  CHECK(std::get<StoreReply>(timeout[0]).message == "timed out waiting for store keys 'late'");

  feed(core, 1, StoreWait{{"never"}, 1000});
  feed(core, 1, StoreGet{"k"});
  CHECK(refusal(sent_to(core, 1)) ==
        "a store-get arrived while a wait was pending (one request at a time)");
  CHECK(core.store().waiter_count() == 0);
}

TEST_CASE("server_core: a refused join closes that connection only", "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  authenticate(core, 1, Role::kMember);
  JoinRequest request{0, 2, 2, 1, 0, 0, "train.py", "a"};
  feed(core, 1, Join{request});
  authenticate(core, 2, Role::kMember);
  request.member_index = 5;
  feed(core, 2, Join{request});
  CHECK(refusal(sent_to(core, 2)) ==
        "machine_rank 5 is out of range: num_machines is 2, so machine_rank must be 0..1");
  CHECK(core.round().joined_count() == 1);
  CHECK(core.connection_count() == 1);
}

namespace {

template <typename T>
std::vector<T> only(const std::vector<Message>& messages) {
  std::vector<T> found;
  for (const Message& message : messages) {
    if (const auto* m = std::get_if<T>(&message)) found.push_back(*m);
  }
  return found;
}

}  // namespace

TEST_CASE("server_core: a joined member uses the store on its own connection",
          "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  authenticate(core, 1, Role::kMember);
  JoinRequest request{0, 2, 2, 1, 0, 0, "train.py", "a"};
  feed(core, 1, Join{request});
  authenticate(core, 2, Role::kMember);
  request.member_index = 1;
  request.hostname = "b";
  feed(core, 2, Join{request});
  CHECK(core.take_output().open_probe_port);
  core.probe_port_opened(29501);
  CHECK(only<ReachCheck>(sent_to(core, 1)).size() == 1);

  // Mid-round, between the reach-check and its report: a counter, then a
  // wait that is pending while the member's own requests go on.
  feed(core, 1, StoreAdd{"arrived", 1});
  auto replies = only<StoreReply>(sent_to(core, 1));
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].number == 1);
  feed(core, 1, StoreWait{{"all-in"}, 60'000});
  feed(core, 1, Heartbeat{});
  feed(core, 1, ReachReport{0, true, "", "", ""});
  feed(core, 2, ReachReport{0, true, "", "", ""});
  bool closed = true;
  const auto to_first = sent_to(core, 1, &closed);
  CHECK_FALSE(closed);
  CHECK(only<Go>(to_first).size() == 1);
  CHECK(only<StoreReply>(to_first).empty());
  CHECK(core.round().phase() == Phase::kRunning);

  feed(core, 2, StoreSet{"all-in", "yes"});
  const CoreOutput output = core.take_output();
  std::vector<ConnectionId> answered;
  for (const CoreOutput::Send& send : output.sends) {
    const Message message = decode(std::string_view(*send.frame).substr(4));
    if (std::holds_alternative<StoreReply>(message)) answered.push_back(send.to);
    if (send.to == 1 && std::holds_alternative<StoreReply>(message)) {
      CHECK(std::get<StoreReply>(message).values == std::vector<std::string>{"yes"});
    }
  }
  CHECK(answered == std::vector<ConnectionId>{2, 1});

  // One store request at a time holds on a member connection too.
  feed(core, 1, StoreWait{{"never"}, 60'000});
  feed(core, 1, StoreGet{"all-in"});
  CHECK(refusal(sent_to(core, 1)) ==
        "a store-get arrived while a wait was pending (one request at a time)");
  CHECK(core.store().waiter_count() == 0);
}

TEST_CASE("server_core: store requests keep a member alive like heartbeats",
          "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  authenticate(core, 1, Role::kMember);
  feed(core, 1, Join{JoinRequest{0, 2, 2, 1, 0, 0, "train.py", "a"}});
  core.received(1, encode_frame(encode(StoreSet{"k", "v"})), kStart + 8s);
  core.tick(kStart + 15s);  // 15 s after its join, 7 s after its set
  CHECK(core.round().joined_count() == 1);
  core.tick(kStart + 19s);
  CHECK(core.round().joined_count() == 0);
}

TEST_CASE("server_core: a member connection gets no store before its join is accepted",
          "[rendezvous][server_core]") {
  ServerCore core(core_options(), kStart);
  authenticate(core, 1, Role::kMember);
  feed(core, 1, StoreGet{"k"});
  bool closed = false;
  CHECK(refusal(sent_to(core, 1, &closed)) == "expected a join, got store-get");
  CHECK(closed);

  authenticate(core, 2, Role::kMember);
  feed(core, 2, Join{JoinRequest{7, 2, 2, 1, 0, 0, "train.py", "a"}});  // refused
  feed(core, 2, StoreSet{"k", "v"});
  CHECK(core.connection_count() == 0);
  CHECK_FALSE(core.store().get("k"));

  // Before it authenticated, a member is asked for its proof, whatever it sends.
  core.connected(3, kStart);
  feed(core, 3, Hello{kProtocolMagic, kProtocolVersion, "job", Role::kMember, kNonce});
  sent_to(core, 3);
  feed(core, 3, StoreSet{"k", "v"});
  CHECK(refusal(sent_to(core, 3)) == "expected a proof, got store-set");
  CHECK_FALSE(core.store().get("k"));
}

TEST_CASE("server_core: a member gets a heartbeat only after an interval of nothing else",
          "[rendezvous][server_core]") {
  CoreOptions options = core_options();
  options.heartbeat_interval = 1s;
  options.round.status_interval = 1h;  // one status, at the first tick
  ServerCore core(options, kStart);
  authenticate(core, 1, Role::kMember);
  feed(core, 1, Join{JoinRequest{0, 2, 2, 1, 0, 0, "train.py", "a"}});
  authenticate(core, 2, Role::kStore);
  const auto heartbeats_to = [&core](ConnectionId id) {
    return only<Heartbeat>(sent_to(core, id)).size();
  };

  core.tick(kStart);
  CHECK(only<Status>(sent_to(core, 1)).size() == 1);
  core.tick(kStart + 999ms);
  CHECK(heartbeats_to(1) == 0);
  core.tick(kStart + 1s);
  CHECK(heartbeats_to(1) == 1);

  // A store reply is a sign of life as good as a heartbeat.
  core.received(1, encode_frame(encode(StoreSet{"k", "v"})), kStart + 1500ms);
  CHECK(only<StoreReply>(sent_to(core, 1)).size() == 1);
  core.tick(kStart + 2s);
  CHECK(heartbeats_to(1) == 0);
  core.tick(kStart + 2500ms);
  CHECK(heartbeats_to(1) == 1);

  // Store clients get none: they are not members, nobody watches them.
  core.tick(kStart + 5s);
  CHECK(heartbeats_to(2) == 0);
}
