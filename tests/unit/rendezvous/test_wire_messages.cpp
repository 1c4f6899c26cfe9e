// Messages survive a round trip field for field; malformed payloads are
// refused with a message that names the field.
#include <catch2/catch.hpp>
#include <string>

#include "rendezvous/messages.hpp"
#include "rendezvous/wire.hpp"

using namespace accel::rendezvous;

namespace {

template <typename T>
T round_trip(const T& message) {
  const Message decoded = decode(encode(message));
  REQUIRE(std::holds_alternative<T>(decoded));
  return std::get<T>(decoded);
}

FailureRecord sample_record() {
  FailureRecord record;
  record.rank = 5;
  record.local_rank = 1;
  record.host = "node-b";
  record.pid = 4242;
  record.exit_code = 0;
  record.signal = 9;
  record.run_time_ms = 123456789012;
  record.stderr_tail = {"Traceback (most recent call last):", "RuntimeError: boom"};
  return record;
}

}  // namespace

TEST_CASE("messages: round trips keep every field", "[rendezvous][messages]") {
  const Hello hello{kProtocolMagic, kProtocolVersion, "job-1", Role::kStore, std::string(32, 'n')};
  const Hello hello_back = round_trip(hello);
  CHECK(hello_back.job_id == "job-1");
  CHECK(hello_back.role == Role::kStore);
  CHECK(hello_back.client_nonce == hello.client_nonce);

  JoinRequest request{3, 4, 16, 4, 3, 2, "train.py", "node-d"};
  CHECK(round_trip(Join{request}).request == request);

  Assignment assignment{1, 3, 4, 12, 4, 16, 2, "10.0.0.1", 29501};
  CHECK(round_trip(Go{assignment}).assignment == assignment);

  const Stop stop = round_trip(Stop{2, "rank 5 failed", sample_record()});
  CHECK(stop.round == 2);
  CHECK(stop.reason == "rank 5 failed");
  CHECK(stop.root_cause == sample_record());

  const JobEnd end = round_trip(JobEnd{137, "why", std::nullopt});
  CHECK(end.exit_code == 137);
  CHECK_FALSE(end.root_cause);

  const Status status = round_trip(Status{2, 4, {2, 3}, 12000});
  CHECK(status.missing == std::vector<int32_t>{2, 3});
  CHECK(status.elapsed_ms == 12000);

  const StoreWait wait = round_trip(StoreWait{{"a", "b"}, -1});
  CHECK(wait.keys == std::vector<std::string>{"a", "b"});
  CHECK(wait.timeout_ms == -1);

  const StoreAdd add = round_trip(StoreAdd{"counter", INT64_MIN});
  CHECK(add.delta == INT64_MIN);

  StoreReply reply;
  reply.status = StoreStatus::kTimeout;
  reply.values = {"x", std::string("\0bin", 4)};
  reply.number = -7;
  reply.message = "late";
  const StoreReply reply_back = round_trip(reply);
  CHECK(reply_back.values == reply.values);
  CHECK(reply_back.number == -7);
  CHECK(reply_back.status == StoreStatus::kTimeout);

  const AttemptEnded ended = round_trip(AttemptEnded{1, AttemptOutcome::kInterrupted, 2});
  CHECK(ended.outcome == AttemptOutcome::kInterrupted);
  CHECK(ended.signal == 2);

  const ReachReport report =
      round_trip(ReachReport{0, false, "Connection refused", "10.1.1.1", "eth0"});
  CHECK(report.interface == "eth0");
}

TEST_CASE("messages: malformed payloads are refused with the field named",
          "[rendezvous][messages]") {
  CHECK_THROWS_WITH(decode(""), Catch::Contains("message type"));
  CHECK_THROWS_WITH(decode("\xee"), Catch::Contains("unknown message type 238"));
  const std::string join = encode(Join{JoinRequest{}});
  CHECK_THROWS_WITH(decode(join.substr(0, 10)), Catch::Contains("truncated message: join."));
  CHECK_THROWS_WITH(decode(join + "x"), Catch::Contains("join has 1 unexpected trailing bytes"));

  // A string whose length runs past the payload.
  WireWriter big;
  big.u8(31).u32(4000);
  CHECK_THROWS_WITH(decode(big.take()), Catch::Contains("store-get.key"));
  // A count no payload could hold is refused before anything is reserved.
  WireWriter many;
  many.u8(32).u32(0xffffffff);
  CHECK_THROWS_WITH(decode(many.take()), Catch::Contains("announces 4294967295 items"));
  // Enums out of range.
  WireWriter role;
  role.u8(1).u32(kProtocolMagic).u32(kProtocolVersion).str("job").u8(9).str(std::string(32, 'n'));
  CHECK_THROWS_WITH(decode(role.take()), Catch::Contains("hello.role 9"));
  WireWriter boolean;
  boolean.u8(13).i32(0).u8(2);
  CHECK_THROWS_WITH(decode(boolean.take()), Catch::Contains("must be 0 or 1"));
  // A nonce of the wrong size.
  WireWriter nonce;
  nonce.u8(1).u32(kProtocolMagic).u32(kProtocolVersion).str("job").u8(1).str("short");
  CHECK_THROWS_WITH(decode(nonce.take()), Catch::Contains("hello.client_nonce must be 32 bytes"));
}

TEST_CASE("messages: names for protocol errors", "[rendezvous][messages]") {
  CHECK(std::string(message_name(Heartbeat{})) == "heartbeat");
  CHECK(std::string(message_name(StoreCompareSet{})) == "store-compare-set");
}
