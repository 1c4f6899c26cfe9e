#include "rendezvous_swarm.hpp"

#include <netinet/in.h>

#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <vector>

#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/messages.hpp"
#include "rendezvous/token.hpp"

namespace accel::bench {

namespace {

namespace rdzv = accel::rendezvous;
using boost::asio::ip::tcp;
using boost::system::error_code;

// One client connection and what it has received but not decoded yet.
struct Link {
  explicit Link(boost::asio::io_context& io) : socket(io) {}
  tcp::socket socket;
  rdzv::FrameDecoder in;
  std::string client_nonce;
  std::array<char, 512> buffer;
};

struct Machine {
  Machine(boost::asio::io_context& io, int index_)
      : index(index_), member(io), store(io), probe(io) {}
  int index;
  Link member;
  Link store;
  tcp::socket probe;
  int round = 0;
  bool welcomed = false;             // on the member connection
  Clock::time_point member_sent_at;  // the last frame on it, for heartbeats
  enum class StoreStep { kAdd, kSet, kWait, kDone } store_step = StoreStep::kAdd;
};

enum class Dial { kMember, kStore, kProbe };

// Each machine connects from an address of its own in 127/8, as real
// machines do. From one address, connect() looks for a free ephemeral port
// by walking the ports already used towards the same server, one by one
// (__inet_hash_connect), which costs O(connections) each: 16k clients spent
// most of their time there. With its own address every port is free for a
// machine. IP_BIND_ADDRESS_NO_PORT leaves the port to connect(), so bind()
// does not reserve one for every address.
using BindAddressNoPort =
    boost::asio::detail::socket_option::boolean<IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT>;

boost::asio::ip::address_v4 machine_address(int index) {
  // 127.1.0.0 onwards: 127.0.0.1 stays the server's.
  return boost::asio::ip::address_v4((127U << 24) | ((1U << 16) + static_cast<uint32_t>(index)));
}

// The server's default, which MemberClient uses too.
constexpr std::chrono::milliseconds kHeartbeatInterval{1'000};

}  // namespace

class Swarm::Impl {
 public:
  Impl(boost::asio::io_context& io, SwarmPlan plan)
      : io_(io),
        plan_(std::move(plan)),
        server_(boost::asio::ip::make_address(kLoopback), plan_.port),
        token_mac_(plan_.token),
        deadline_(io),
        heartbeat_timer_(io) {
    machines_.reserve(static_cast<std::size_t>(plan_.count));
    for (int i = plan_.first_machine; i < plan_.first_machine + plan_.count; ++i) {
      machines_.push_back(std::make_unique<Machine>(io_, i));
    }
  }

  SwarmResult run() {
    result_.started = Clock::now();
    deadline_.expires_after(plan_.timeout);
    deadline_.async_wait([this](const error_code& error) {
      if (!error) {
        fail("timed out after " + std::to_string(plan_.timeout.count()) + " s");
      }
    });
    const Dial first = plan_.mode == Mode::kStore ? Dial::kStore : Dial::kMember;
    for (auto& machine : machines_) pending_.emplace_back(machine.get(), first);
    admit();
    if (plan_.mode != Mode::kStore) schedule_heartbeats();
    io_.run();
    return result_;
  }

 private:
  // --- connection set-up, at most plan_.window at once -----------------------
  void admit() {
    while (!pending_.empty() && (plan_.window == 0 || in_flight_ < plan_.window)) {
      const auto [machine, dial] = pending_.front();
      pending_.pop_front();
      ++in_flight_;
      connect(*machine, dial);
    }
  }

  void release() {
    --in_flight_;
    admit();
  }

  void connect(Machine& machine, Dial dial) {
    tcp::socket& socket = dial == Dial::kMember  ? machine.member.socket
                          : dial == Dial::kStore ? machine.store.socket
                                                 : machine.probe;
    const tcp::endpoint to =
        dial == Dial::kProbe ? tcp::endpoint(server_.address(), probe_port_) : server_;
    error_code open_error;
    socket.open(tcp::v4(), open_error);
    if (!open_error) socket.set_option(BindAddressNoPort(true), open_error);
    if (!open_error) socket.bind(tcp::endpoint(machine_address(machine.index), 0), open_error);
    if (open_error) {
      fail(describe(machine, dial) + ": open and bind: " + open_error.message());
      return;
    }
    socket.async_connect(to, [this, &machine, dial](const error_code& error) {
      if (finished_) return;
      if (error) {
        fail(describe(machine, dial) + ": connect: " + error.message());
        return;
      }
      if (dial == Dial::kProbe) {
        reached(machine);
      } else {
        Link& link = dial == Dial::kMember ? machine.member : machine.store;
        say_hello(machine, link, dial == Dial::kMember ? rdzv::Role::kMember : rdzv::Role::kStore);
      }
    });
  }

  void say_hello(Machine& machine, Link& link, rdzv::Role role) {
    error_code ignored;
    link.socket.set_option(tcp::no_delay(true), ignored);
    link.socket.non_blocking(true, ignored);
    link.client_nonce = rdzv::random_bytes(rdzv::kNonceBytes);
    send(
        machine, link,
        rdzv::Hello{rdzv::kProtocolMagic, rdzv::kProtocolVersion, kJobId, role, link.client_nonce});
    read(machine, link, role);
  }

  // Connected is reached: the report goes at once, as MemberClient sends it.
  // The member ends its probe connection itself (the server closes its side
  // after that end of file). Its window slot is kept until the server's own
  // end of file: only then has the server accepted the connection, and a
  // connection the server has not accepted yet still fills its accept queue.
  void reached(Machine& machine) {
    send(machine, machine.member, rdzv::ReachReport{machine.round, true, "", kLoopback, "lo"});
    error_code ignored;
    machine.probe.shutdown(tcp::socket::shutdown_send, ignored);
    machine.probe.async_wait(tcp::socket::wait_read, [this, &machine](const error_code&) {
      if (finished_) return;
      error_code closed;
      machine.probe.close(closed);
      release();
    });
  }

  // --- heartbeats, as rendezvous::MemberClient sends them --------------------------
  // A welcomed member sends one when it has sent nothing for the interval
  // (docs/protocol.md, "Heartbeats"). MemberClient checks once an interval,
  // this sweep four times: the swarm sends at least as many as real members.
  void schedule_heartbeats() {
    heartbeat_timer_.expires_after(kHeartbeatInterval / 4);
    heartbeat_timer_.async_wait([this](const error_code& error) {
      if (error || finished_) return;
      const Clock::time_point now = Clock::now();
      for (auto& machine : machines_) {
        if (machine->welcomed && now - machine->member_sent_at >= kHeartbeatInterval) {
          send(*machine, machine->member, rdzv::Heartbeat{});
        }
      }
      schedule_heartbeats();
    });
  }

  // --- frames ------------------------------------------------------------------
  // All of `messages` in one write.
  void send(Machine& machine, Link& link, std::initializer_list<rdzv::Message> messages) {
    if (&link == &machine.member) machine.member_sent_at = Clock::now();
    std::string frames;
    for (const rdzv::Message& message : messages) {
      frames += rdzv::encode_frame(rdzv::encode(message));
    }
    // Frames here are tiny and each connection has one request out at a
    // time, so the socket's send buffer always has room.
    error_code error;
    const std::size_t written = link.socket.write_some(boost::asio::buffer(frames), error);
    if (!error && written != frames.size()) error = boost::asio::error::would_block;
    if (error) fail(describe(machine, &link) + ": send: " + error.message());
  }
  void send(Machine& machine, Link& link, const rdzv::Message& message) {
    send(machine, link, {message});
  }

  // A read into the link's own buffer, not a wait for readability and a
  // read into a shared one: Asio re-arms a wait with an epoll_ctl each time,
  // a read costs nothing until the socket runs dry (the clients share the
  // machine's cores with the server they measure).
  void read(Machine& machine, Link& link, rdzv::Role role) {
    link.socket.async_read_some(
        boost::asio::buffer(link.buffer),
        [this, &machine, &link, role](const error_code& error, std::size_t count) {
          if (!finished_) received(machine, link, role, error, count);
        });
  }

  void received(Machine& machine, Link& link, rdzv::Role role, const error_code& error,
                std::size_t count) {
    if (error) {
      fail(describe(machine, &link) + ": receive: " + error.message());
      return;
    }
    link.in.append(std::string_view(link.buffer.data(), count));
    bool keep_reading = true;
    while (std::optional<std::string> payload = link.in.next()) {
      rdzv::Message message;
      try {
        message = rdzv::decode(*payload);
      } catch (const rdzv::WireError& bad) {
        fail(describe(machine, &link) + ": malformed frame from the server: " + bad.what());
        return;
      }
      keep_reading = role == rdzv::Role::kMember ? on_member_frame(machine, message)
                                                 : on_store_frame(machine, message);
      if (finished_) return;
    }
    if (link.in.broken()) {
      fail(describe(machine, &link) + ": " + link.in.error());
      return;
    }
    if (keep_reading) read(machine, link, role);
  }

  // Both roles: true when the challenge was answered. A member sends its
  // join with its proof, as MemberClient does.
  bool answer_challenge(Machine& machine, Link& link, const rdzv::Message& message,
                        rdzv::Role role) {
    const auto* challenge = std::get_if<rdzv::Challenge>(&message);
    if (challenge == nullptr) return false;
    const rdzv::ProofInput input{challenge->server_nonce, link.client_nonce, kJobId, role};
    if (!rdzv::equal_in_constant_time(challenge->server_proof,
                                      rdzv::server_proof(token_mac_, input))) {
      fail(describe(machine, &link) + ": the server's proof is wrong");
      return true;
    }
    const rdzv::Proof proof{rdzv::client_proof(token_mac_, input)};
    if (role == rdzv::Role::kMember) {
      send(machine, link, {proof, join_of(machine)});
    } else {
      send(machine, link, proof);
    }
    return true;
  }

  rdzv::Join join_of(const Machine& machine) const {
    rdzv::JoinRequest join;
    join.member_index = machine.index;
    join.member_count = plan_.machines;
    join.num_processes = plan_.machines;
    join.local_workers = 1;
    join.node_rank = machine.index;
    join.script = "train.py";
    join.hostname = "sim-" + std::to_string(machine.index);
    return rdzv::Join{join};
  }

  bool on_member_frame(Machine& machine, const rdzv::Message& message) {
    if (answer_challenge(machine, machine.member, message, rdzv::Role::kMember)) return true;
    if (std::holds_alternative<rdzv::Welcome>(message)) {
      release();
      machine.welcomed = true;
    } else if (std::holds_alternative<rdzv::Status>(message)) {
      // the server is waiting for others
    } else if (std::holds_alternative<rdzv::Heartbeat>(message)) {
      // a sign of life; our own go out on the sweep
    } else if (const auto* check = std::get_if<rdzv::ReachCheck>(&message)) {
      machine.round = check->round;
      probe_port_ = check->master_port;
      pending_.emplace_back(&machine, Dial::kProbe);
      admit();
    } else if (std::holds_alternative<rdzv::Go>(message)) {
      if (++gone_ == plan_.count) result_.all_go = Clock::now();
      if (plan_.mode == Mode::kJoin) {
        passed();
      } else {
        // The barrier on the member's own connection (docs/protocol.md, "Store").
        start_barrier(machine, machine.member);
      }
    } else if (const auto* reply = std::get_if<rdzv::StoreReply>(&message)) {
      barrier_step(machine, machine.member, *reply);
    } else {
      fail(describe(machine, &machine.member) + ": unexpected " + rdzv::message_name(message) +
           explain(message));
    }
    return true;
  }

  bool on_store_frame(Machine& machine, const rdzv::Message& message) {
    if (answer_challenge(machine, machine.store, message, rdzv::Role::kStore)) return true;
    if (std::holds_alternative<rdzv::Welcome>(message)) {
      release();
      start_barrier(machine, machine.store);
      return true;
    }
    const auto* reply = std::get_if<rdzv::StoreReply>(&message);
    if (reply == nullptr) {
      fail(describe(machine, &machine.store) + ": unexpected " + rdzv::message_name(message) +
           explain(message));
      return false;
    }
    return barrier_step(machine, machine.store, *reply);
  }

  // The barrier torch's rendezvous does: add 1 to a counter; the one that
  // makes it the job's machine count sets "barrier-done"; all wait for it.
  void start_barrier(Machine& machine, Link& link) {
    machine.store_step = Machine::StoreStep::kAdd;
    send(machine, link, rdzv::StoreAdd{"barrier", 1});
  }

  // False once the machine is through (its link need not be read any more).
  bool barrier_step(Machine& machine, Link& link, const rdzv::StoreReply& reply) {
    if (reply.status != rdzv::StoreStatus::kOk) {
      fail(describe(machine, &link) + ": store-reply " + explain(reply));
      return false;
    }
    const rdzv::StoreWait wait{{"barrier-done"}, 600'000};
    switch (machine.store_step) {
      case Machine::StoreStep::kAdd:
        if (reply.number == plan_.machines) {
          machine.store_step = Machine::StoreStep::kSet;
          send(machine, link, rdzv::StoreSet{"barrier-done", "1"});
        } else {
          machine.store_step = Machine::StoreStep::kWait;
          send(machine, link, wait);
        }
        return true;
      case Machine::StoreStep::kSet:
        machine.store_step = Machine::StoreStep::kWait;
        send(machine, link, wait);
        return true;
      case Machine::StoreStep::kWait:
        machine.store_step = Machine::StoreStep::kDone;
        passed();
        return false;
      case Machine::StoreStep::kDone: break;
    }
    return false;
  }

  static std::string explain(const rdzv::Message& message) {
    if (const auto* refused = std::get_if<rdzv::Refused>(&message)) return ": " + refused->reason;
    if (const auto* end = std::get_if<rdzv::JobEnd>(&message)) return ": " + end->reason;
    if (const auto* stop = std::get_if<rdzv::Stop>(&message)) return ": " + stop->reason;
    if (const auto* reply = std::get_if<rdzv::StoreReply>(&message)) return ": " + reply->message;
    return "";
  }

  // --- the end -----------------------------------------------------------------
  void passed() {
    if (++result_.passed < plan_.count) return;
    result_.all_passed = Clock::now();
    finish();
  }

  void fail(const std::string& error) {
    if (finished_) return;
    result_.error = error;
    finish();
  }

  void finish() {
    finished_ = true;
    deadline_.cancel();
    heartbeat_timer_.cancel();
    io_.stop();
  }

  std::string describe(const Machine& machine, const Link* link) const {
    const char* what = link == &machine.member ? "member" : "store";
    return "machine " + std::to_string(machine.index) + " (" + what + " connection)";
  }
  std::string describe(const Machine& machine, Dial dial) const {
    if (dial == Dial::kProbe) {
      return "machine " + std::to_string(machine.index) + " (reach-check probe)";
    }
    return describe(machine, dial == Dial::kMember ? &machine.member : &machine.store);
  }

  boost::asio::io_context& io_;
  SwarmPlan plan_;
  tcp::endpoint server_;
  rdzv::HmacSha256 token_mac_;  // as a launcher keeps one, and the server
  uint16_t probe_port_ = 0;
  boost::asio::steady_timer deadline_;
  boost::asio::steady_timer heartbeat_timer_;
  std::vector<std::unique_ptr<Machine>> machines_;
  std::deque<std::pair<Machine*, Dial>> pending_;
  std::size_t in_flight_ = 0;
  int gone_ = 0;
  bool finished_ = false;
  SwarmResult result_;
};

Swarm::Swarm(boost::asio::io_context& io, SwarmPlan plan)
    : impl_(std::make_unique<Impl>(io, std::move(plan))) {}
Swarm::~Swarm() = default;
SwarmResult Swarm::run() {
  return impl_->run();
}

}  // namespace accel::bench
