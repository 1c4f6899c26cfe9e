// Every message of the rendezvous protocol (docs/protocol.md), as plain
// structs, and their encoding into a frame payload: one type byte, then the
// fields in the order declared here (wire.hpp). decode() accepts exactly what
// encode() produces and throws WireError for anything else: an unknown type,
// a short or long payload, a string over its limit, an enum out of range.
// Thread-safe (no state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rendezvous/wire.hpp"  // WireError

namespace accel::rendezvous {

// "ACRV": the first four bytes of every hello, so a stray client of another
// protocol is told apart from a version mismatch.
inline constexpr uint32_t kProtocolMagic = 0x41435256;
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr std::size_t kNonceBytes = 32;
inline constexpr std::size_t kProofBytes = 32;  // HMAC-SHA256

// Field limits, checked on decode.
inline constexpr std::size_t kMaxJobIdBytes = 256;
inline constexpr std::size_t kMaxHostnameBytes = 256;
inline constexpr std::size_t kMaxScriptBytes = 4096;
inline constexpr std::size_t kMaxTextBytes = 64 * 1024;  // reasons, stderr lines
inline constexpr std::size_t kMaxKeyBytes = 4096;
inline constexpr std::size_t kMaxValueBytes = 1000 * 1000;  // fits a frame with its key
inline constexpr std::size_t kMaxStatusMissing = 64;        // missing members listed in a status

enum class Role : uint8_t { kMember = 1, kStore = 2 };

// How one member's attempt ended. kStopped: the rendezvous told it to stop.
enum class AttemptOutcome : uint8_t { kSucceeded = 1, kFailed = 2, kStopped = 3, kInterrupted = 4 };
const char* outcome_name(AttemptOutcome outcome);

// What a member (a launcher: one machine, or one SLURM task) says about
// itself and the job; every member must agree on the job's fields.
struct JoinRequest {
  int member_index = 0;  // machine_rank (or SLURM_PROCID in one-launcher-per-task mode)
  int member_count = 1;  // num_machines
  int num_processes = 1;
  int local_workers = 1;
  int node_rank = 0;  // GROUP_RANK, for messages
  int max_restarts = 0;
  std::string script;
  std::string hostname;
  bool operator==(const JoinRequest&) const = default;
};

// The root cause of a failed attempt, as the failing member's supervisor saw it.
struct FailureRecord {
  int rank = 0;
  int local_rank = 0;
  std::string host;
  int pid = 0;
  int exit_code = 0;  // when it exited
  int signal = 0;     // when a signal ended it (exit_code is then 0)
  int64_t run_time_ms = 0;
  std::vector<std::string> stderr_tail;
  bool operator==(const FailureRecord&) const = default;
};

// One member's place in one round.
struct Assignment {
  int round = 0;  // 0 first, then one more per restart (TORCHELASTIC_RESTART_COUNT)
  int member_index = 0;
  int member_count = 1;
  int first_rank = 0;  // sum of the local workers of members with a lower index
  int local_workers = 1;
  int world_size = 1;
  int max_restarts = 0;
  std::string master_addr;
  uint16_t master_port = 0;
  bool operator==(const Assignment&) const = default;
};

// --- handshake (both roles) --------------------------------------------------
struct Hello {
  uint32_t magic = kProtocolMagic;
  uint32_t version = kProtocolVersion;
  std::string job_id;
  Role role = Role::kMember;
  std::string client_nonce;  // kNonceBytes
};
struct Challenge {
  std::string server_nonce;  // kNonceBytes
  std::string server_proof;  // proves the server knows the token (hmac.hpp)
};
struct Proof {
  std::string client_proof;
};
struct Welcome {};
// The connection is refused (wrong token, job id, version, a disagreement);
// the server closes it after this frame.
struct Refused {
  std::string reason;
};

// --- members -------------------------------------------------------------------
struct Join {
  JoinRequest request;
};
// Pushed to joined members while the server waits for the others.
struct Status {
  int joined = 0;
  int member_count = 0;
  std::vector<int32_t> missing;  // the lowest missing indices, at most kMaxStatusMissing
  int64_t elapsed_ms = 0;
};
// Connect to master_addr:master_port and report whether it worked.
struct ReachCheck {
  int round = 0;
  std::string master_addr;
  uint16_t master_port = 0;
};
struct ReachReport {
  int round = 0;
  bool reached = false;
  std::string error;  // why not: "Connection refused", "timed out after 10 s"
  std::string local_address;
  std::string interface;
};
struct Go {
  Assignment assignment;
};
struct Heartbeat {};
struct FailureReport {
  int round = 0;
  FailureRecord record;
};
// Stop this round's workers; an AttemptEnded is expected back.
struct Stop {
  int round = 0;
  std::string reason;
  std::optional<FailureRecord> root_cause;
};
struct AttemptEnded {
  int round = 0;
  AttemptOutcome outcome = AttemptOutcome::kSucceeded;
  int signal = 0;  // kInterrupted: the signal the user sent
};
// The job is over for everyone: every launcher prints the same summary.
struct JobEnd {
  int exit_code = 0;
  std::string reason;
  std::optional<FailureRecord> root_cause;
};

// --- store (one request, then one StoreReply) --------------------------------
struct StoreSet {
  std::string key, value;
};
struct StoreGet {
  std::string key;
};
struct StoreWait {
  std::vector<std::string> keys;
  int64_t timeout_ms = 0;
};
struct StoreAdd {
  std::string key;
  int64_t delta = 0;
};
// Sets `desired` when the key holds `expected`, or is absent and `expected`
// is empty (as torch's TCPStore).
struct StoreCompareSet {
  std::string key, expected, desired;
};
struct StoreDelete {
  std::string key;
};
enum class StoreStatus : uint8_t { kOk = 1, kNotFound = 2, kTimeout = 3, kError = 4 };
struct StoreReply {
  StoreStatus status = StoreStatus::kOk;
  std::vector<std::string> values;  // get: one; wait: one per key
  int64_t number = 0;               // add: the new value; compare-set, delete: 1 when done
  std::string message;              // kTimeout, kError
};

using Message =
    std::variant<Hello, Challenge, Proof, Welcome, Refused, Join, Status, ReachCheck, ReachReport,
                 Go, Heartbeat, FailureReport, Stop, AttemptEnded, JobEnd, StoreSet, StoreGet,
                 StoreWait, StoreAdd, StoreCompareSet, StoreDelete, StoreReply>;

// The payload (without the frame header) for `message`.
std::string encode(const Message& message);
// Throws WireError.
Message decode(std::string_view payload);
// "hello", "join", ... for protocol errors.
const char* message_name(const Message& message);

// What an authenticated client may send (docs/protocol.md, "Connection
// states"): store requests on a store connection, and on a member
// connection once it has joined; member requests on a member connection.
bool is_store_request(const Message& message);
bool is_member_request(const Message& message);

}  // namespace accel::rendezvous
