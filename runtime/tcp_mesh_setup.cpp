// TcpMesh::connect: listen, publish, connect down, accept up (tcp_mesh.hpp).
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "base/system_error.hpp"
#include "rendezvous/token.hpp"
#include "runtime/message_text.hpp"
#include "runtime/tcp_handshake.hpp"
#include "runtime/tcp_mesh.hpp"
#include "runtime/tcp_socket.hpp"

namespace accel::runtime_detail {

namespace {

using std::chrono::milliseconds;

// How long an accepted connection may take to say who it is before it is
// dropped: a silent stranger must not hold up the group, and a real member
// sends its hello right after connecting.
constexpr milliseconds kHelloGrace{10'000};

class MeshBuilder {
 public:
  MeshBuilder(const GroupContext& context, std::string advertised_host)
      : context_(context),
        advertised_host_(std::move(advertised_host)),
        deadline_(SocketClock::now() + context.timeout),
        nonce_(rendezvous::random_bytes(kChallengeBytes)),
        peers_(static_cast<std::size_t>(context.size())),
        challenges_(static_cast<std::size_t>(context.rank)) {}

  std::vector<base::UniqueFd> build() {
    Listener listener = listen_on(advertised_host_, context_.size() + 16);
    const std::string record = encode_address_record({listener.endpoint, nonce_});
    store_call("publishing its address",
               [&] { context_.store->set(address_key(context_.rank), record); });
    const std::vector<AddressRecord> lower = wait_for_lower_addresses();
    for (int member = 0; member < context_.rank; ++member) {
      const AddressRecord& peer = lower[static_cast<std::size_t>(member)];
      TcpHello hello = my_hello();
      hello.challenge = rendezvous::random_bytes(kChallengeBytes);
      hello.proof = caller_proof(context_.token, hello, peer.nonce);
      challenges_[static_cast<std::size_t>(member)] = hello.challenge;
      const std::string bytes = encode_hello(hello);
      std::string error;
      base::UniqueFd fd = connect_before(peer.endpoint, deadline_, error);
      if (!fd.valid() || !send_before(fd.get(), bytes.data(), bytes.size(), deadline_, error)) {
        fail("could not connect to rank " + std::to_string(global(member)) + " at " +
             peer.endpoint.text() + " (" + error +
             "); is it running, and does no firewall block the port?");
      }
      peers_[static_cast<std::size_t>(member)] = std::move(fd);
    }
    accept_upper(listener.fd.get());
    for (int member = 0; member < context_.rank; ++member) read_answer(member);
    for (base::UniqueFd& fd : peers_) {
      if (fd.valid()) set_no_delay(fd.get());
    }
    return std::move(peers_);
  }

 private:
  int global(int member) const { return context_.global_ranks[static_cast<std::size_t>(member)]; }

  std::string address_key(int member) const {
    return context_.key_prefix + "tcp/" + std::to_string(member);
  }

  TcpHello my_hello() const {
    return TcpHello{context_.job_id, context_.key_prefix, context_.rank, global(context_.rank)};
  }

  std::string where() const {
    return "setting up the TCP collectives (" + context_.key_prefix + ") on rank " +
           std::to_string(global(context_.rank));
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw CollectiveError(where() + ": " + what);
  }

  [[noreturn]] void fail_waiting(const std::vector<int>& members, const std::string& what) const {
    std::vector<int> ranks;
    for (const int member : members) ranks.push_back(global(member));
    fail("timed out after " + duration_text(context_.timeout) + ": " + ranks_text(ranks) + " " +
         what +
         "; did they start, and are they calling the same collectives? (the timeout is "
         "ACCEL_RUNTIME_TIMEOUT)");
  }

  template <typename Call>
  void store_call(const char* what, Call&& call) const {
    try {
      call();
    } catch (const rendezvous::StoreError& error) {
      fail(std::string("lost the job's store while ") + what + ": " + error.what());
    }
  }

  // The addresses of the members this one connects to. Polled with get()
  // rather than one blocking wait, so a timeout can name who is missing
  // (the store client is unusable after a timed-out wait).
  std::vector<AddressRecord> wait_for_lower_addresses() {
    std::vector<AddressRecord> records(static_cast<std::size_t>(context_.rank));
    std::vector<int> missing;
    for (int member = 0; member < context_.rank; ++member) missing.push_back(member);
    auto pause = milliseconds(1);
    while (!missing.empty()) {
      std::vector<int> still_missing;
      for (const int member : missing) {
        std::optional<std::string> value;
        store_call("reading its peers' addresses",
                   [&] { value = context_.store->get(address_key(member)); });
        if (!value) {
          still_missing.push_back(member);
          continue;
        }
        std::optional<AddressRecord> record = parse_address_record(*value);
        if (!record) {
          fail("rank " + std::to_string(global(member)) + " published a malformed address '" +
               *value + "' (a worker of another accel version?)");
        }
        records[static_cast<std::size_t>(member)] = std::move(*record);
      }
      missing = std::move(still_missing);
      if (missing.empty()) break;
      if (SocketClock::now() >= deadline_) fail_waiting(missing, "did not publish an address");
      std::this_thread::sleep_for(pause);
      pause = std::min(pause * 2, milliseconds(50));
    }
    return records;
  }

  // A connection accepted but not yet identified.
  struct Pending {
    base::UniqueFd fd;
    std::string bytes;
    SocketClock::time_point drop_at;
  };

  void accept_upper(int listener) {
    int expected = context_.size() - context_.rank - 1;
    std::vector<Pending> pending;
    while (expected > 0) {
      if (SocketClock::now() >= deadline_) {
        std::vector<int> missing;
        for (int member = context_.rank + 1; member < context_.size(); ++member) {
          if (!peers_[static_cast<std::size_t>(member)].valid()) missing.push_back(member);
        }
        fail_waiting(missing, "did not connect");
      }
      std::vector<pollfd> polled{{listener, POLLIN, 0}};
      auto wake_at = deadline_;
      for (const Pending& entry : pending) {
        polled.push_back({entry.fd.get(), POLLIN, 0});
        wake_at = std::min(wake_at, entry.drop_at);
      }
      const int ready = base::retry_on_eintr(
          [&] { return ::poll(polled.data(), polled.size(), poll_milliseconds_until(wake_at)); });
      ACCEL_CHECK_SYSCALL(ready, "poll (TCP collectives set-up)");
      // Read the pending ones first: accepting appends to `pending`.
      for (std::size_t i = pending.size(); i-- > 0;) {
        const bool readable = polled[i + 1].revents != 0;
        const bool keep =
            readable ? read_hello(pending[i], expected) : SocketClock::now() < pending[i].drop_at;
        if (!keep) pending.erase(pending.begin() + static_cast<std::ptrdiff_t>(i));
      }
      if ((polled[0].revents & POLLIN) != 0) {
        for (base::UniqueFd fd = accept_pending(listener); fd.valid();
             fd = accept_pending(listener)) {
          pending.push_back(Pending{std::move(fd), {}, SocketClock::now() + kHelloGrace});
        }
      }
    }
  }

  // Reads what a pending connection sent; false when it is done with (taken
  // as a member, or dropped as a stranger).
  bool read_hello(Pending& entry, int& expected) {
    HelloParse parse = parse_hello(entry.bytes);
    char buffer[512];
    const std::size_t wanted = std::min(parse.missing, sizeof buffer);
    const ssize_t got =
        base::retry_on_eintr([&] { return ::recv(entry.fd.get(), buffer, wanted, 0); });
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
    if (got <= 0) return false;
    entry.bytes.append(buffer, static_cast<std::size_t>(got));
    parse = parse_hello(entry.bytes);
    if (parse.status == HelloParse::Status::kIncomplete) return true;
    if (parse.status == HelloParse::Status::kMalformed || !is_due(parse.hello)) return false;
    TcpHello reply = my_hello();
    reply.proof = answer_proof(context_.token, reply, parse.hello.challenge);
    const std::string answer = encode_hello(reply);
    std::string error;
    // A member that cannot take our answer is dead; its own set-up fails.
    if (!send_before(entry.fd.get(), answer.data(), answer.size(), deadline_, error)) return false;
    peers_[static_cast<std::size_t>(parse.hello.member)] = std::move(entry.fd);
    --expected;
    return false;
  }

  // A hello from a member above this one that has not connected yet, of this
  // job and group, with the global rank that member has, proving the token
  // for this set-up's nonce.
  bool is_due(const TcpHello& hello) const {
    return hello.job_id == context_.job_id && hello.key_prefix == context_.key_prefix &&
           hello.member > context_.rank && hello.member < context_.size() &&
           hello.global_rank == global(hello.member) &&
           !peers_[static_cast<std::size_t>(hello.member)].valid() &&
           has_caller_proof(context_.token, hello, nonce_);
  }

  // The answer of a member this one connected to: its hello, proving the
  // token for the challenge sent to it; read byte-exact because the member
  // may send collective data right after.
  void read_answer(int member) {
    const int fd = peers_[static_cast<std::size_t>(member)].get();
    std::string bytes;
    for (;;) {
      const HelloParse parse = parse_hello(bytes);
      if (parse.status == HelloParse::Status::kComplete) {
        TcpHello expected{context_.job_id, context_.key_prefix, member, global(member)};
        expected.proof = parse.hello.proof;
        if (parse.hello == expected &&
            has_answer_proof(context_.token, parse.hello,
                             challenges_[static_cast<std::size_t>(member)])) {
          return;
        }
        break;
      }
      if (parse.status == HelloParse::Status::kMalformed) break;
      std::string chunk(parse.missing, '\0');
      const ssize_t got =
          base::retry_on_eintr([&] { return ::recv(fd, chunk.data(), chunk.size(), 0); });
      if (got > 0) {
        bytes.append(chunk.data(), static_cast<std::size_t>(got));
        continue;
      }
      if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        fail("rank " + std::to_string(global(member)) +
             " closed the connection during the handshake (" +
             (got == 0 ? std::string("end of stream") : std::string(std::strerror(errno))) +
             "); is it a worker of this job and attempt, with the same --rdzv_token?");
      }
      pollfd entry{fd, POLLIN, 0};
      const int ready = base::retry_on_eintr(
          [&] { return ::poll(&entry, 1, poll_milliseconds_until(deadline_)); });
      ACCEL_CHECK_SYSCALL(ready, "poll (TCP collectives handshake)");
      if (ready == 0) fail_waiting({member}, "did not answer the handshake");
    }
    fail("the process listening at rank " + std::to_string(global(member)) +
         "'s address is not that rank of this job (its handshake did not match; do all "
         "machines use the same --rdzv_token?)");
  }

  const GroupContext& context_;
  std::string advertised_host_;
  SocketClock::time_point deadline_;
  std::string nonce_;  // published with the address; callers' proofs bind it
  std::vector<base::UniqueFd> peers_;
  std::vector<std::string> challenges_;  // sent to each member below, answers bind them
};

}  // namespace

TcpMesh TcpMesh::connect(const GroupContext& context, const std::string& advertised_host) {
  if (context.size() > 1 && context.store == nullptr) {
    throw CollectiveError("the TCP collectives need the job's store to set up " +
                          std::to_string(context.size()) + " processes");
  }
  std::string host = advertised_host;
  if (host.empty() && context.size() > 1) {
    try {
      host = context.store->local_address();
    } catch (const rendezvous::StoreError& error) {
      throw CollectiveError("setting up the TCP collectives: " + std::string(error.what()));
    }
  }
  std::vector<base::UniqueFd> peers;
  if (context.size() > 1) {
    peers = MeshBuilder(context, host).build();
  } else {
    peers.resize(1);
  }
  return TcpMesh(context.rank, context.global_ranks, context.timeout, std::move(peers));
}

}  // namespace accel::runtime_detail
