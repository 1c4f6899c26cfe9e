#include "rendezvous/member_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <deque>
#include <variant>

#include "base/network_interface.hpp"
#include "rendezvous/frame.hpp"
#include "rendezvous/hmac.hpp"
#include "rendezvous/round.hpp"
#include "rendezvous/token.hpp"

namespace accel::rendezvous {

namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;

std::string seconds_text(std::chrono::milliseconds duration) {
  if (duration.count() % 1000 == 0 || duration >= std::chrono::seconds(10)) {
    return std::to_string(duration.count() / 1000) + " s";
  }
  return std::to_string(duration.count()) + " ms";
}

}  // namespace

class MemberClient::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, MemberOptions options, MemberEvents events)
      : io_(io),
        options_(std::move(options)),
        events_(std::move(events)),
        resolver_(io),
        socket_(io),
        connect_timer_(io),
        heartbeat_timer_(io),
        probe_resolver_(io),
        probe_socket_(io),
        probe_timer_(io),
        read_buffer_(16 * 1024),
        token_mac_(options_.token),
        where_(options_.server_host + ":" + std::to_string(options_.server_port)),
        retry_delay_(options_.first_retry_delay) {}

  void start() {
    join_deadline_ = Clock::now() + options_.join_timeout;
    connect();
  }

  void close() {
    finished_ = true;
    error_code ignored;
    resolver_.cancel();
    probe_resolver_.cancel();
    socket_.close(ignored);
    probe_socket_.close(ignored);
    connect_timer_.cancel();
    heartbeat_timer_.cancel();
    probe_timer_.cancel();
  }

  void report_failure(const FailureRecord& record) {
    if (welcomed_ && !finished_) send(FailureReport{round_, record});
  }

  void report_attempt_end(AttemptOutcome outcome, int signal) {
    if (welcomed_ && !finished_) send(AttemptEnded{round_, outcome, signal});
  }

 private:
  // --- connecting, with retries until the join deadline ---------------------
  void connect() {
    if (finished_) return;
    resolver_.async_resolve(
        options_.server_host, std::to_string(options_.server_port),
        [self = shared_from_this()](const error_code& error, tcp::resolver::results_type found) {
          if (self->finished_) return;
          if (error) {
            self->retry("cannot resolve " + self->options_.server_host + ": " + error.message());
            return;
          }
          self->connect_to(found);
        });
  }

  void connect_to(const tcp::resolver::results_type& endpoints) {
    error_code ignored;
    socket_.close(ignored);
    socket_ = tcp::socket(io_);
    connect_timer_.expires_after(options_.io_timeout);
    connect_timer_.async_wait([self = shared_from_this()](const error_code& error) {
      if (!error) self->socket_.close();  // the connect gives up with operation_aborted
    });
    boost::asio::async_connect(
        socket_, endpoints,
        [self = shared_from_this()](const error_code& error, const tcp::endpoint&) {
          self->connect_timer_.cancel();
          if (self->finished_) return;
          if (error) {
            const std::string why =
                error == boost::asio::error::operation_aborted
                    ? "timed out after " + seconds_text(self->options_.io_timeout)
                    : error.message();
            self->retry(why);
            return;
          }
          self->connected();
        });
  }

  void retry(const std::string& why) {
    last_connect_error_ = why;
    const auto now = Clock::now();
    if (now + retry_delay_ >= join_deadline_) {
      fail("could not join the rendezvous at " + where_ + " within " +
           seconds_text(options_.join_timeout) + ": " + last_connect_error_ +
           " (is machine 0's accel launch running, and is main_process_port open?)");
      return;
    }
    connect_timer_.expires_after(retry_delay_);
    retry_delay_ = std::min(retry_delay_ * 2, options_.max_retry_delay);
    connect_timer_.async_wait([self = shared_from_this()](const error_code& error) {
      if (!error) self->connect();
    });
  }

  void connected() {
    error_code ignored;
    socket_.set_option(tcp::no_delay(true), ignored);
    decoder_ = FrameDecoder();
    writes_.clear();
    writing_ = false;
    client_nonce_ = random_bytes(kNonceBytes);
    last_heard_ = Clock::now();
    send(Hello{kProtocolMagic, kProtocolVersion, options_.job_id, Role::kMember, client_nonce_});
    read();
    schedule_heartbeat();
  }

  // --- frames in and out --------------------------------------------------------
  void read() {
    socket_.async_read_some(boost::asio::buffer(read_buffer_),
                            [self = shared_from_this(), generation = generation_](
                                const error_code& error, std::size_t count) {
                              if (self->finished_ || generation != self->generation_) return;
                              if (error) {
                                self->connection_lost(error == boost::asio::error::eof
                                                          ? "the server closed the connection"
                                                          : error.message());
                                return;
                              }
                              self->received(std::string_view(self->read_buffer_.data(), count));
                            });
  }

  void received(std::string_view bytes) {
    last_heard_ = Clock::now();
    decoder_.append(bytes);
    while (!finished_) {
      std::optional<std::string> payload = decoder_.next();
      if (!payload) break;
      Message message;
      try {
        message = decode(*payload);
      } catch (const WireError& error) {
        fail("the rendezvous at " + where_ + " sent a malformed message: " + error.what());
        return;
      }
      handle(message);
    }
    if (finished_) return;
    if (decoder_.broken()) {
      fail("the rendezvous at " + where_ + " broke the protocol: " + decoder_.error());
      return;
    }
    frame_started_ =
        decoder_.mid_frame() ? std::optional(frame_started_.value_or(Clock::now())) : std::nullopt;
    read();
  }

  void send(const Message& message) {
    queue(message);
    write_next();
  }

  void queue(const Message& message) {
    last_sent_ = Clock::now();
    writes_.push_back(encode_frame(encode(message)));
  }

  // Everything queued goes in one write (a proof and its join in one
  // segment).
  void write_next() {
    if (writing_ || writes_.empty() || finished_) return;
    writing_ = true;
    std::vector<boost::asio::const_buffer> buffers;
    buffers.reserve(writes_.size());
    for (const std::string& frame : writes_) buffers.emplace_back(boost::asio::buffer(frame));
    boost::asio::async_write(socket_, buffers,
                             [self = shared_from_this(), generation = generation_,
                              count = writes_.size()](const error_code& error, std::size_t) {
                               if (self->finished_ || generation != self->generation_) return;
                               self->writing_ = false;
                               self->writes_.erase(
                                   self->writes_.begin(),
                                   self->writes_.begin() + static_cast<std::ptrdiff_t>(count));
                               if (error) {
                                 self->connection_lost(error.message());
                                 return;
                               }
                               self->write_next();
                             });
  }

  // Before the server welcomed us the server may just not be ready (or was
  // restarting): try again. After, the job depends on this connection.
  void connection_lost(const std::string& why) {
    if (finished_) return;
    ++generation_;
    error_code ignored;
    socket_.close(ignored);
    heartbeat_timer_.cancel();
    if (!welcomed_) {
      retry(why);
      return;
    }
    fail("lost the rendezvous server at " + where_ + ": " + why);
  }

  // --- what the server says -------------------------------------------------------
  void handle(const Message& message) {
    if (const auto* challenge = std::get_if<Challenge>(&message)) {
      const ProofInput input{challenge->server_nonce, client_nonce_, options_.job_id,
                             Role::kMember};
      if (!equal_in_constant_time(challenge->server_proof, server_proof(token_mac_, input))) {
        fail("the rendezvous at " + where_ +
             " does not know this job's token (its proof did not match): wrong job token "
             "(--rdzv_token / ACCEL_RDZV_TOKEN)");
        return;
      }
      // The join goes with the proof, not a round trip later: the server
      // reads frames in order and closes after a wrong proof, before it
      // reads the join (docs/protocol.md, "Authentication").
      queue(Proof{client_proof(token_mac_, input)});
      queue(Join{options_.join});
      write_next();
    } else if (std::holds_alternative<Welcome>(message)) {
      welcomed_ = true;
    } else if (const auto* refused = std::get_if<Refused>(&message)) {
      std::string reason = refused->reason;
      if (reason == "wrong job token") reason += " (--rdzv_token / ACCEL_RDZV_TOKEN)";
      fail("the rendezvous at " + where_ + " refused this machine: " + reason);
    } else if (const auto* status = std::get_if<Status>(&message)) {
      if (events_.on_waiting) {
        WaitingStatus waiting;
        waiting.missing.assign(status->missing.begin(), status->missing.end());
        waiting.missing_count = status->member_count - status->joined;
        waiting.member_count = status->member_count;
        waiting.elapsed = std::chrono::milliseconds(status->elapsed_ms);
        events_.on_waiting(waiting);
      }
    } else if (const auto* check = std::get_if<ReachCheck>(&message)) {
      round_ = check->round;
      probe(*check);
    } else if (const auto* go = std::get_if<Go>(&message)) {
      round_ = go->assignment.round;
      if (events_.on_go) events_.on_go(go->assignment);
    } else if (const auto* stop = std::get_if<Stop>(&message)) {
      if (events_.on_stop) events_.on_stop(stop->reason, stop->root_cause);
    } else if (const auto* end = std::get_if<JobEnd>(&message)) {
      const JobEnd copy = *end;
      finish();
      if (events_.on_job_end) events_.on_job_end(copy.exit_code, copy.root_cause, copy.reason);
    }
    // Heartbeat: last_heard_ was updated on receipt.
  }

  // --- heartbeats both ways, and the per-frame read deadline -------------------
  void schedule_heartbeat() {
    heartbeat_timer_.expires_after(options_.heartbeat_interval);
    heartbeat_timer_.async_wait(
        [self = shared_from_this(), generation = generation_](const error_code& error) {
          if (error || self->finished_ || generation != self->generation_) return;
          self->beat();
        });
  }

  void beat() {
    const auto now = Clock::now();
    if (now - last_heard_ > options_.heartbeat_timeout) {
      fail("lost the rendezvous server at " + where_ + ": nothing heard from it for " +
           seconds_text(options_.heartbeat_timeout));
      return;
    }
    if (frame_started_ && now - *frame_started_ > options_.io_timeout) {
      fail("lost the rendezvous server at " + where_ + ": a message did not arrive whole within " +
           seconds_text(options_.io_timeout));
      return;
    }
    if (!welcomed_ && now >= join_deadline_) {
      fail("could not join the rendezvous at " + where_ + " within " +
           seconds_text(options_.join_timeout) + ": the handshake did not finish");
      return;
    }
    // Anything sent is a sign of life to the server; a heartbeat only fills
    // a silence (at most two intervals, well inside the server's timeout).
    if (welcomed_ && now - last_sent_ >= options_.heartbeat_interval) send(Heartbeat{});
    schedule_heartbeat();
  }

  // --- the reachability check of MASTER_ADDR:MASTER_PORT ---------------------------
  void probe(const ReachCheck& check) {
    probe_resolver_.async_resolve(
        check.master_addr, std::to_string(check.master_port),
        [self = shared_from_this(), check](const error_code& error,
                                           tcp::resolver::results_type found) {
          if (self->finished_) return;
          if (error) {
            self->report_unreachable(
                check, "cannot resolve " + check.master_addr + ": " + error.message(), "");
            return;
          }
          self->probe_connect(check, found);
        });
  }

  void probe_connect(const ReachCheck& check, const tcp::resolver::results_type& found) {
    error_code ignored;
    probe_socket_.close(ignored);
    probe_socket_ = tcp::socket(io_);
    probe_timer_.expires_after(options_.io_timeout);
    probe_timer_.async_wait([self = shared_from_this()](const error_code& error) {
      if (!error) self->probe_socket_.close();
    });
    const std::string first_ip =
        found.empty() ? check.master_addr : found.begin()->endpoint().address().to_string();
    boost::asio::async_connect(probe_socket_, found,
                               [self = shared_from_this(), check, first_ip](const error_code& error,
                                                                            const tcp::endpoint&) {
                                 self->probe_timer_.cancel();
                                 if (self->finished_) return;
                                 if (error) {
                                   const std::string why =
                                       error == boost::asio::error::operation_aborted
                                           ? "timed out after " +
                                                 seconds_text(self->options_.io_timeout)
                                           : error.message();
                                   self->report_unreachable(check, why, first_ip);
                                   return;
                                 }
                                 // We close first, so the TIME_WAIT stays on this side
                                 // (server.cpp).
                                 error_code ignored_close;
                                 self->probe_socket_.close(ignored_close);
                                 self->send(ReachReport{check.round, true, "", "", ""});
                               });
  }

  void report_unreachable(const ReachCheck& check, const std::string& why, const std::string& ip) {
    ReachReport report{check.round, false, why, "", ""};
    try {
      const base::LocalRoute route = base::route_toward(ip.empty() ? check.master_addr : ip);
      report.local_address = route.local_address;
      report.interface = route.interface;
    } catch (const std::exception&) {
      // No route at all: the error says enough.
    }
    send(report);
  }

  // --- the end ------------------------------------------------------------------
  void fail(const std::string& message) {
    if (finished_) return;
    finish();
    if (events_.on_error) events_.on_error(message);
  }

  void finish() {
    // Flush nothing more: the server learns we are gone from the closed socket.
    close();
  }

  boost::asio::io_context& io_;
  MemberOptions options_;
  MemberEvents events_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  boost::asio::steady_timer connect_timer_;
  boost::asio::steady_timer heartbeat_timer_;
  tcp::resolver probe_resolver_;
  tcp::socket probe_socket_;
  boost::asio::steady_timer probe_timer_;
  std::vector<char> read_buffer_;
  HmacSha256 token_mac_;  // the job token, keyed once for every reconnect
  FrameDecoder decoder_;
  std::deque<std::string> writes_;
  bool writing_ = false;
  std::string where_;
  std::chrono::milliseconds retry_delay_;
  std::string last_connect_error_;
  Clock::time_point join_deadline_;
  Clock::time_point last_heard_;
  Clock::time_point last_sent_;
  std::optional<Clock::time_point> frame_started_;
  std::string client_nonce_;
  int generation_ = 0;  // one per connection, so a dead one's handlers do nothing
  int round_ = 0;
  bool welcomed_ = false;
  bool finished_ = false;
};

MemberClient::MemberClient(boost::asio::io_context& io, MemberOptions options, MemberEvents events)
    : impl_(std::make_shared<Impl>(io, std::move(options), std::move(events))) {}

MemberClient::~MemberClient() {
  close();
}

void MemberClient::start() {
  impl_->start();
}
void MemberClient::report_failure(const FailureRecord& record) {
  impl_->report_failure(record);
}
void MemberClient::report_attempt_end(AttemptOutcome outcome, int signal) {
  impl_->report_attempt_end(outcome, signal);
}
void MemberClient::close() {
  impl_->close();
}

}  // namespace accel::rendezvous
