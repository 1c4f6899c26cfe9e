#include "rendezvous/messages.hpp"

#include <string>
#include <type_traits>
#include <utility>

#include "rendezvous/wire.hpp"

namespace accel::rendezvous {

namespace {

// The type byte of each message. Written down in docs/protocol.md; never
// reuse a number.
template <typename T>
constexpr uint8_t type_code();
#define ACCEL_MESSAGE_CODE(Type, code, name)                    \
  template <>                                                   \
  constexpr uint8_t type_code<Type>() {                         \
    return code;                                                \
  }                                                             \
  [[maybe_unused]] constexpr const char* name_of(const Type*) { \
    return name;                                                \
  }
ACCEL_MESSAGE_CODE(Hello, 1, "hello")
ACCEL_MESSAGE_CODE(Challenge, 2, "challenge")
ACCEL_MESSAGE_CODE(Proof, 3, "proof")
ACCEL_MESSAGE_CODE(Welcome, 4, "welcome")
ACCEL_MESSAGE_CODE(Refused, 5, "refused")
ACCEL_MESSAGE_CODE(Join, 10, "join")
ACCEL_MESSAGE_CODE(Status, 11, "status")
ACCEL_MESSAGE_CODE(ReachCheck, 12, "reach-check")
ACCEL_MESSAGE_CODE(ReachReport, 13, "reach-report")
ACCEL_MESSAGE_CODE(Go, 14, "go")
ACCEL_MESSAGE_CODE(Heartbeat, 15, "heartbeat")
ACCEL_MESSAGE_CODE(FailureReport, 16, "failure-report")
ACCEL_MESSAGE_CODE(Stop, 17, "stop")
ACCEL_MESSAGE_CODE(AttemptEnded, 18, "attempt-ended")
ACCEL_MESSAGE_CODE(JobEnd, 19, "job-end")
ACCEL_MESSAGE_CODE(StoreSet, 30, "store-set")
ACCEL_MESSAGE_CODE(StoreGet, 31, "store-get")
ACCEL_MESSAGE_CODE(StoreWait, 32, "store-wait")
ACCEL_MESSAGE_CODE(StoreAdd, 33, "store-add")
ACCEL_MESSAGE_CODE(StoreCompareSet, 34, "store-compare-set")
ACCEL_MESSAGE_CODE(StoreDelete, 35, "store-delete")
ACCEL_MESSAGE_CODE(StoreReply, 36, "store-reply")
#undef ACCEL_MESSAGE_CODE

// Signed ints travel as i32; fields that must not be negative are checked by
// whoever interprets them (round.cpp), not here.
int read_int(WireReader& in, const char* field) {
  return in.i32(field);
}

void write_record(WireWriter& out, const FailureRecord& record) {
  out.i32(record.rank).i32(record.local_rank).str(record.host).i32(record.pid);
  out.i32(record.exit_code).i32(record.signal).i64(record.run_time_ms);
  out.u32(static_cast<uint32_t>(record.stderr_tail.size()));
  for (const std::string& line : record.stderr_tail) out.str(line);
}

FailureRecord read_record(WireReader& in) {
  FailureRecord record;
  record.rank = read_int(in, "failure.rank");
  record.local_rank = read_int(in, "failure.local_rank");
  record.host = in.str("failure.host", kMaxHostnameBytes);
  record.pid = read_int(in, "failure.pid");
  record.exit_code = read_int(in, "failure.exit_code");
  record.signal = read_int(in, "failure.signal");
  record.run_time_ms = in.i64("failure.run_time_ms");
  const uint32_t lines = in.count("failure.stderr_tail", 4);
  record.stderr_tail.reserve(lines);
  for (uint32_t i = 0; i < lines; ++i) {
    record.stderr_tail.push_back(in.str("failure.stderr_tail line", kMaxTextBytes));
  }
  return record;
}

void write_optional_record(WireWriter& out, const std::optional<FailureRecord>& record) {
  out.boolean(record.has_value());
  if (record) write_record(out, *record);
}

std::optional<FailureRecord> read_optional_record(WireReader& in) {
  if (!in.boolean("has_root_cause")) return std::nullopt;
  return read_record(in);
}

std::string read_fixed(WireReader& in, const char* field, std::size_t length) {
  std::string bytes = in.str(field, length);
  if (bytes.size() != length) {
    throw WireError(std::string(field) + " must be " + std::to_string(length) + " bytes, not " +
                    std::to_string(bytes.size()));
  }
  return bytes;
}

// --- encoders, one per message ------------------------------------------------
void write(WireWriter& out, const Hello& m) {
  out.u32(m.magic).u32(m.version).str(m.job_id).u8(static_cast<uint8_t>(m.role));
  out.str(m.client_nonce);
}
void write(WireWriter& out, const Challenge& m) {
  out.str(m.server_nonce).str(m.server_proof);
}
void write(WireWriter& out, const Proof& m) {
  out.str(m.client_proof);
}
void write(WireWriter&, const Welcome&) {}
void write(WireWriter& out, const Refused& m) {
  out.str(m.reason);
}
void write(WireWriter& out, const Join& m) {
  const JoinRequest& r = m.request;
  out.i32(r.member_index).i32(r.member_count).i32(r.num_processes).i32(r.local_workers);
  out.i32(r.node_rank).i32(r.max_restarts).str(r.script).str(r.hostname);
}
void write(WireWriter& out, const Status& m) {
  out.i32(m.joined).i32(m.member_count).u32(static_cast<uint32_t>(m.missing.size()));
  for (const int32_t index : m.missing) out.i32(index);
  out.i64(m.elapsed_ms);
}
void write(WireWriter& out, const ReachCheck& m) {
  out.i32(m.round).str(m.master_addr).u16(m.master_port);
}
void write(WireWriter& out, const ReachReport& m) {
  out.i32(m.round).boolean(m.reached).str(m.error).str(m.local_address).str(m.interface);
}
void write(WireWriter& out, const Go& m) {
  const Assignment& a = m.assignment;
  out.i32(a.round).i32(a.member_index).i32(a.member_count).i32(a.first_rank);
  out.i32(a.local_workers).i32(a.world_size).i32(a.max_restarts).str(a.master_addr);
  out.u16(a.master_port);
}
void write(WireWriter&, const Heartbeat&) {}
void write(WireWriter& out, const FailureReport& m) {
  out.i32(m.round);
  write_record(out, m.record);
}
void write(WireWriter& out, const Stop& m) {
  out.i32(m.round).str(m.reason);
  write_optional_record(out, m.root_cause);
}
void write(WireWriter& out, const AttemptEnded& m) {
  out.i32(m.round).u8(static_cast<uint8_t>(m.outcome)).i32(m.signal);
}
void write(WireWriter& out, const JobEnd& m) {
  out.i32(m.exit_code).str(m.reason);
  write_optional_record(out, m.root_cause);
}
void write(WireWriter& out, const StoreSet& m) {
  out.str(m.key).str(m.value);
}
void write(WireWriter& out, const StoreGet& m) {
  out.str(m.key);
}
void write(WireWriter& out, const StoreWait& m) {
  out.u32(static_cast<uint32_t>(m.keys.size()));
  for (const std::string& key : m.keys) out.str(key);
  out.i64(m.timeout_ms);
}
void write(WireWriter& out, const StoreAdd& m) {
  out.str(m.key).i64(m.delta);
}
void write(WireWriter& out, const StoreCompareSet& m) {
  out.str(m.key).str(m.expected).str(m.desired);
}
void write(WireWriter& out, const StoreDelete& m) {
  out.str(m.key);
}
void write(WireWriter& out, const StoreReply& m) {
  out.u8(static_cast<uint8_t>(m.status)).u32(static_cast<uint32_t>(m.values.size()));
  for (const std::string& value : m.values) out.str(value);
  out.i64(m.number).str(m.message);
}

// --- decoders -------------------------------------------------------------------
template <typename T>
T read(WireReader& in);

template <>
Hello read(WireReader& in) {
  Hello m;
  m.magic = in.u32("hello.magic");
  m.version = in.u32("hello.version");
  m.job_id = in.str("hello.job_id", kMaxJobIdBytes);
  const uint8_t role = in.u8("hello.role");
  if (role != static_cast<uint8_t>(Role::kMember) && role != static_cast<uint8_t>(Role::kStore)) {
    throw WireError("hello.role " + std::to_string(role) + " is neither member (1) nor store (2)");
  }
  m.role = static_cast<Role>(role);
  m.client_nonce = read_fixed(in, "hello.client_nonce", kNonceBytes);
  return m;
}
template <>
Challenge read(WireReader& in) {
  Challenge m;
  m.server_nonce = read_fixed(in, "challenge.server_nonce", kNonceBytes);
  m.server_proof = read_fixed(in, "challenge.server_proof", kProofBytes);
  return m;
}
template <>
Proof read(WireReader& in) {
  return Proof{read_fixed(in, "proof.client_proof", kProofBytes)};
}
template <>
Welcome read(WireReader&) {
  return {};
}
template <>
Refused read(WireReader& in) {
  return Refused{in.str("refused.reason", kMaxTextBytes)};
}
template <>
Join read(WireReader& in) {
  Join m;
  JoinRequest& r = m.request;
  r.member_index = read_int(in, "join.member_index");
  r.member_count = read_int(in, "join.member_count");
  r.num_processes = read_int(in, "join.num_processes");
  r.local_workers = read_int(in, "join.local_workers");
  r.node_rank = read_int(in, "join.node_rank");
  r.max_restarts = read_int(in, "join.max_restarts");
  r.script = in.str("join.script", kMaxScriptBytes);
  r.hostname = in.str("join.hostname", kMaxHostnameBytes);
  return m;
}
template <>
Status read(WireReader& in) {
  Status m;
  m.joined = read_int(in, "status.joined");
  m.member_count = read_int(in, "status.member_count");
  const uint32_t missing = in.count("status.missing", 4);
  if (missing > kMaxStatusMissing) {
    throw WireError("status.missing lists " + std::to_string(missing) + " members, the limit is " +
                    std::to_string(kMaxStatusMissing));
  }
  for (uint32_t i = 0; i < missing; ++i) m.missing.push_back(in.i32("status.missing index"));
  m.elapsed_ms = in.i64("status.elapsed_ms");
  return m;
}
template <>
ReachCheck read(WireReader& in) {
  ReachCheck m;
  m.round = read_int(in, "reach-check.round");
  m.master_addr = in.str("reach-check.master_addr", kMaxHostnameBytes);
  m.master_port = in.u16("reach-check.master_port");
  return m;
}
template <>
ReachReport read(WireReader& in) {
  ReachReport m;
  m.round = read_int(in, "reach-report.round");
  m.reached = in.boolean("reach-report.reached");
  m.error = in.str("reach-report.error", kMaxTextBytes);
  m.local_address = in.str("reach-report.local_address", kMaxHostnameBytes);
  m.interface = in.str("reach-report.interface", kMaxHostnameBytes);
  return m;
}
template <>
Go read(WireReader& in) {
  Go m;
  Assignment& a = m.assignment;
  a.round = read_int(in, "go.round");
  a.member_index = read_int(in, "go.member_index");
  a.member_count = read_int(in, "go.member_count");
  a.first_rank = read_int(in, "go.first_rank");
  a.local_workers = read_int(in, "go.local_workers");
  a.world_size = read_int(in, "go.world_size");
  a.max_restarts = read_int(in, "go.max_restarts");
  a.master_addr = in.str("go.master_addr", kMaxHostnameBytes);
  a.master_port = in.u16("go.master_port");
  return m;
}
template <>
Heartbeat read(WireReader&) {
  return {};
}
template <>
FailureReport read(WireReader& in) {
  FailureReport m;
  m.round = read_int(in, "failure-report.round");
  m.record = read_record(in);
  return m;
}
template <>
Stop read(WireReader& in) {
  Stop m;
  m.round = read_int(in, "stop.round");
  m.reason = in.str("stop.reason", kMaxTextBytes);
  m.root_cause = read_optional_record(in);
  return m;
}
template <>
AttemptEnded read(WireReader& in) {
  AttemptEnded m;
  m.round = read_int(in, "attempt-ended.round");
  const uint8_t outcome = in.u8("attempt-ended.outcome");
  if (outcome < static_cast<uint8_t>(AttemptOutcome::kSucceeded) ||
      outcome > static_cast<uint8_t>(AttemptOutcome::kInterrupted)) {
    throw WireError("attempt-ended.outcome " + std::to_string(outcome) + " is not 1..4");
  }
  m.outcome = static_cast<AttemptOutcome>(outcome);
  m.signal = read_int(in, "attempt-ended.signal");
  return m;
}
template <>
JobEnd read(WireReader& in) {
  JobEnd m;
  m.exit_code = read_int(in, "job-end.exit_code");
  m.reason = in.str("job-end.reason", kMaxTextBytes);
  m.root_cause = read_optional_record(in);
  return m;
}
template <>
StoreSet read(WireReader& in) {
  StoreSet m;
  m.key = in.str("store-set.key", kMaxKeyBytes);
  m.value = in.str("store-set.value", kMaxValueBytes);
  return m;
}
template <>
StoreGet read(WireReader& in) {
  return StoreGet{in.str("store-get.key", kMaxKeyBytes)};
}
template <>
StoreWait read(WireReader& in) {
  StoreWait m;
  const uint32_t keys = in.count("store-wait.keys", 4);
  m.keys.reserve(keys);
  for (uint32_t i = 0; i < keys; ++i) m.keys.push_back(in.str("store-wait.key", kMaxKeyBytes));
  m.timeout_ms = in.i64("store-wait.timeout_ms");
  return m;
}
template <>
StoreAdd read(WireReader& in) {
  StoreAdd m;
  m.key = in.str("store-add.key", kMaxKeyBytes);
  m.delta = in.i64("store-add.delta");
  return m;
}
template <>
StoreCompareSet read(WireReader& in) {
  StoreCompareSet m;
  m.key = in.str("store-compare-set.key", kMaxKeyBytes);
  m.expected = in.str("store-compare-set.expected", kMaxValueBytes);
  m.desired = in.str("store-compare-set.desired", kMaxValueBytes);
  return m;
}
template <>
StoreDelete read(WireReader& in) {
  return StoreDelete{in.str("store-delete.key", kMaxKeyBytes)};
}
template <>
StoreReply read(WireReader& in) {
  StoreReply m;
  const uint8_t status = in.u8("store-reply.status");
  if (status < static_cast<uint8_t>(StoreStatus::kOk) ||
      status > static_cast<uint8_t>(StoreStatus::kError)) {
    throw WireError("store-reply.status " + std::to_string(status) + " is not 1..4");
  }
  m.status = static_cast<StoreStatus>(status);
  const uint32_t values = in.count("store-reply.values", 4);
  m.values.reserve(values);
  for (uint32_t i = 0; i < values; ++i) {
    m.values.push_back(in.str("store-reply.value", kMaxValueBytes));
  }
  m.number = in.i64("store-reply.number");
  m.message = in.str("store-reply.message", kMaxTextBytes);
  return m;
}

template <typename T>
Message decode_as(WireReader& in) {
  T message = read<T>(in);
  in.finish(name_of(static_cast<const T*>(nullptr)));
  return message;
}

// Finds the alternative whose code is `code`, at compile time over the variant.
template <std::size_t I = 0>
Message decode_by_code(uint8_t code, WireReader& in) {
  if constexpr (I == std::variant_size_v<Message>) {
    throw WireError("unknown message type " + std::to_string(code));
  } else {
    using T = std::variant_alternative_t<I, Message>;
    if (code == type_code<T>()) return decode_as<T>(in);
    return decode_by_code<I + 1>(code, in);
  }
}

}  // namespace

const char* outcome_name(AttemptOutcome outcome) {
  switch (outcome) {
    case AttemptOutcome::kSucceeded: return "succeeded";
    case AttemptOutcome::kFailed: return "failed";
    case AttemptOutcome::kStopped: return "stopped";
    case AttemptOutcome::kInterrupted: return "interrupted";
  }
  return "unknown";
}

std::string encode(const Message& message) {
  WireWriter out;
  std::visit(
      [&out](const auto& m) {
        out.u8(type_code<std::decay_t<decltype(m)>>());
        write(out, m);
      },
      message);
  return out.take();
}

Message decode(std::string_view payload) {
  WireReader in(payload);
  const uint8_t code = in.u8("message type");
  return decode_by_code(code, in);
}

const char* message_name(const Message& message) {
  return std::visit([](const auto& m) { return name_of(&m); }, message);
}

bool is_store_request(const Message& message) {
  return std::holds_alternative<StoreSet>(message) || std::holds_alternative<StoreGet>(message) ||
         std::holds_alternative<StoreWait>(message) || std::holds_alternative<StoreAdd>(message) ||
         std::holds_alternative<StoreCompareSet>(message) ||
         std::holds_alternative<StoreDelete>(message);
}

bool is_member_request(const Message& message) {
  return std::holds_alternative<Join>(message) || std::holds_alternative<Heartbeat>(message) ||
         std::holds_alternative<ReachReport>(message) ||
         std::holds_alternative<FailureReport>(message) ||
         std::holds_alternative<AttemptEnded>(message);
}

}  // namespace accel::rendezvous
