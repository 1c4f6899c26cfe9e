#include "rendezvous/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/network_interface.hpp"
#include "rendezvous/listener.hpp"
#include "rendezvous/server_core.hpp"
#include "rendezvous/token.hpp"

namespace accel::rendezvous {

namespace {

using boost::asio::ip::tcp;
using boost::system::error_code;

// One read buffer for every connection: the loop reads one socket at a time.
constexpr std::size_t kReadBufferBytes = 64 * 1024;
// A peer that stops reading while we have this much queued for it is dropped.
constexpr std::size_t kMaxQueuedBytes = 4 * 1024 * 1024;
// Frames handed to the kernel in one sendmsg (well under IOV_MAX).
constexpr std::size_t kMaxGatheredFrames = 64;

std::chrono::milliseconds tick_period(const ServerOptions& options) {
  const auto shortest =
      std::min({options.heartbeat_interval, options.io_timeout, options.hello_timeout});
  return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(250));
}

CoreOptions core_options(const ServerOptions& options) {
  CoreOptions core;
  core.auth.token = options.token;
  core.auth.job_id = options.job_id;
  core.auth.hello_timeout = options.hello_timeout;
  core.auth.io_timeout = options.io_timeout;
  core.auth.random_bytes = random_bytes;
  core.round.member_count = options.member_count;
  core.round.terms = options.terms;
  core.round.master_addr = options.master_addr;
  core.round.check_reachability = options.check_reachability;
  core.round.master_port = options.master_port;
  core.round.join_timeout = options.join_timeout;
  core.round.heartbeat_timeout = options.heartbeat_timeout;
  core.round.reach_timeout = 2 * options.io_timeout;
  core.heartbeat_interval = options.heartbeat_interval;
  return core;
}

}  // namespace

class Server::Impl : public std::enable_shared_from_this<Impl> {
 public:
  Impl(boost::asio::io_context& io, ServerOptions options)
      : io_(io),
        options_(std::move(options)),
        core_(core_options(options_), Clock::now()),
        acceptor_(io),
        tick_timer_(io),
        retry_timer_(io),
        read_buffer_(kReadBufferBytes) {}

  void start() {
    acceptor_ = listen_on(io_, options_.bind_address, options_.port,
                          "the rendezvous port, --main_process_port");
    port_ = acceptor_.local_endpoint().port();
    accept_next();
    schedule_tick();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    acceptor_.close(ignored);
    close_probe_port();
    for (auto& [id, session] : sessions_) session->socket.close(ignored);
    sessions_.clear();
    for (auto& probe : probe_sockets_) probe->close(ignored);
    probe_sockets_.clear();
    tick_timer_.cancel();
    retry_timer_.cancel();
  }

  uint16_t port() const { return port_; }
  const ServerCore& core() const { return core_; }
  const std::string& address_reached_by_others() const { return address_reached_by_others_; }

 private:
  struct Session {
    explicit Session(tcp::socket s) : socket(std::move(s)) {}
    bool queue_empty() const { return queue_head == queue.size(); }
    // Drops `count` bytes from the front of the queue: whole frames, then
    // part of the next one.
    void consume(std::size_t count) {
      queued_bytes -= count;
      while (count > 0) {
        const std::size_t left = queue[queue_head]->size() - front_offset;
        if (count < left) {
          front_offset += count;
          return;
        }
        count -= left;
        front_offset = 0;
        queue[queue_head++].reset();
      }
      if (queue_empty()) {
        queue.clear();
        queue_head = 0;
      }
    }

    tcp::socket socket;
    // Frames to write, oldest at queue_head. A vector and an index, not a
    // std::deque: libstdc++'s deque allocates a 512-byte block even while
    // empty, and every idle connection would hold one.
    std::vector<std::shared_ptr<const std::string>> queue;
    std::size_t queue_head = 0;
    std::size_t front_offset = 0;  // bytes of the front frame already sent
    std::size_t queued_bytes = 0;
    bool writing = false;       // waiting for the socket to take more
    bool flush_listed = false;  // in flush_list_
    bool closing = false;       // close once the queue is written
    bool dropping = false;      // a drop() is posted: nothing more to do
  };

  void accept_next() {
    acceptor_.async_accept(
        [self = shared_from_this()](const error_code& error, tcp::socket socket) {
          self->accepted(error, std::move(socket));
        });
  }

  void accepted(const error_code& error, tcp::socket socket) {
    if (closed_) return;
    if (error) {
      // Out of descriptors (EMFILE) and the like: try again a little later
      // rather than spin; the legitimate members already connected go on.
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait([self = shared_from_this()](const error_code& waited) {
        if (!waited && !self->closed_) self->accept_next();
      });
      return;
    }
    error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    socket.non_blocking(true, ignored);
    const ConnectionId id = next_id_++;
    auto session = std::make_shared<Session>(std::move(socket));
    sessions_.emplace(id, session);
    core_.connected(id, Clock::now());
    wait_readable(id, session);
    accept_next();
  }

  void wait_readable(ConnectionId id, const std::shared_ptr<Session>& session) {
    session->socket.async_wait(tcp::socket::wait_read,
                               [self = shared_from_this(), id, session](const error_code& error) {
                                 self->readable(id, session, error);
                               });
  }

  void readable(ConnectionId id, const std::shared_ptr<Session>& session, const error_code& error) {
    if (closed_ || session->closing || session->dropping || !sessions_.contains(id)) return;
    if (error) {
      drop(id);
      return;
    }
    error_code read_error;
    const std::size_t count =
        session->socket.read_some(boost::asio::buffer(read_buffer_), read_error);
    if (read_error == boost::asio::error::would_block) {
      wait_readable(id, session);
      return;
    }
    if (read_error) {  // end of file, reset: the peer is gone
      drop(id);
      return;
    }
    core_.received(id, std::string_view(read_buffer_.data(), count), Clock::now());
    carry_out();
    if (sessions_.contains(id) && !session->closing && !session->dropping) {
      wait_readable(id, session);
    }
  }

  void drop(ConnectionId id) {
    const auto place = sessions_.find(id);
    if (place == sessions_.end()) return;
    error_code ignored;
    place->second->socket.close(ignored);
    sessions_.erase(place);
    core_.disconnected(id, Clock::now());
    carry_out();
  }

  // Does what the core asked for, until it asks for nothing more (opening
  // the probe port makes it ask for reach checks).
  void carry_out() {
    for (;;) {
      CoreOutput output = core_.take_output();
      if (output.sends.empty() && output.closes.empty() && !output.open_probe_port &&
          !output.close_probe_port) {
        return;
      }
      for (CoreOutput::Send& send : output.sends) enqueue(send.to, std::move(send.frame));
      for (const auto& [id, reason] : output.closes) close_after_writing(id);
      flush_listed_sessions();
      if (output.close_probe_port) close_probe_port();
      if (output.open_probe_port) open_probe_port();
    }
  }

  // Frames are queued first and written once the core's output is all
  // queued: a connection that got several frames at once (a reply and a
  // broadcast) gets them in one sendmsg. A broadcast's frame is one buffer
  // shared by every queue.
  void enqueue(ConnectionId id, std::shared_ptr<const std::string> frame) {
    const auto place = sessions_.find(id);
    if (place == sessions_.end() || place->second->closing || place->second->dropping) return;
    Session& session = *place->second;
    session.queued_bytes += frame->size();
    session.queue.push_back(std::move(frame));
    if (session.queued_bytes > kMaxQueuedBytes) {
      // It does not read what we send: a slow or stuck peer.
      drop_later(id, session);
      return;
    }
    list_for_flush(id, place->second);
  }

  // The core has forgotten the connection already; only the socket is left.
  void close_after_writing(ConnectionId id) {
    const auto place = sessions_.find(id);
    if (place == sessions_.end()) return;
    place->second->closing = true;
    list_for_flush(id, place->second);
  }

  void list_for_flush(ConnectionId id, const std::shared_ptr<Session>& session) {
    if (session->flush_listed) return;
    session->flush_listed = true;
    flush_list_.emplace_back(id, session);
  }

  void flush_listed_sessions() {
    // flush() never adds to the list (errors are posted), so this is a
    // plain walk.
    for (auto& [id, session] : flush_list_) {
      session->flush_listed = false;
      flush(id, session);
    }
    flush_list_.clear();
  }

  // Writes what the socket takes now, without waiting (the socket is
  // non-blocking); the rest once it is writable again.
  void flush(ConnectionId id, const std::shared_ptr<Session>& session) {
    if (session->writing || session->dropping || closed_) return;
    while (!session->queue_empty()) {
      gather_.clear();
      for (std::size_t i = session->queue_head;
           i < session->queue.size() && gather_.size() < kMaxGatheredFrames; ++i) {
        const std::string& frame = *session->queue[i];
        const std::size_t skip = gather_.empty() ? session->front_offset : 0;
        gather_.emplace_back(frame.data() + skip, frame.size() - skip);
      }
      error_code error;
      const std::size_t written = session->socket.write_some(gather_, error);
      if (error == boost::asio::error::would_block || error == boost::asio::error::try_again) {
        wait_writable(id, session);
        return;
      }
      if (error) {  // a reset peer: gone
        drop_later(id, *session);
        return;
      }
      session->consume(written);
    }
    if (session->closing) finish_close(id, session);
  }

  // drop() reports to the core, which must not happen while the core's
  // output is being carried out: it runs from the loop instead.
  void drop_later(ConnectionId id, Session& session) {
    session.dropping = true;
    io_.post([self = shared_from_this(), id] { self->drop(id); });
  }

  void wait_writable(ConnectionId id, const std::shared_ptr<Session>& session) {
    session->writing = true;
    session->socket.async_wait(tcp::socket::wait_write,
                               [self = shared_from_this(), id, session](const error_code& error) {
                                 session->writing = false;
                                 if (self->closed_ || !self->sessions_.contains(id)) return;
                                 if (error) {
                                   if (session->closing) {
                                     self->finish_close(id, session);
                                   } else {
                                     self->drop(id);
                                   }
                                   return;
                                 }
                                 self->flush(id, session);
                               });
  }

  void finish_close(ConnectionId id, const std::shared_ptr<Session>& session) {
    error_code ignored;
    session->socket.shutdown(tcp::socket::shutdown_both, ignored);
    session->socket.close(ignored);
    sessions_.erase(id);
  }

  // --- the probe port (MASTER_PORT for the workers) -------------------------
  void open_probe_port() {
    if (probe_acceptor_) return;
    // Every interface, whatever --rdzv_bind says: the port stands in for the
    // rank 0 worker's TCPStore, which listens on all of them, and MASTER_ADDR
    // (main_process_ip) need not be the address the rendezvous is bound to.
    try {
      probe_acceptor_.emplace(listen_on(io_, "", options_.master_port,
                                        "MASTER_PORT for the workers, checked for reachability"));
    } catch (const std::exception& error) {
      core_.probe_port_failed(error.what());
      return;
    }
    accept_probe();
    core_.probe_port_opened(probe_acceptor_->local_endpoint().port());
  }

  void close_probe_port() {
    if (!probe_acceptor_) return;
    error_code ignored;
    probe_acceptor_->close(ignored);
    probe_acceptor_.reset();
  }

  // accept() says who connected for free: the peer address costs no
  // getpeername per probe (thousands of members probe at once).
  void accept_probe() {
    probe_acceptor_->async_accept(
        probe_peer_, [self = shared_from_this()](const error_code& error, tcp::socket socket) {
          if (self->closed_ || error == boost::asio::error::operation_aborted) return;
          if (!error) {
            self->hold_probe(std::make_shared<tcp::socket>(std::move(socket)), self->probe_peer_);
          }
          if (self->probe_acceptor_) self->accept_probe();
        });
  }

  // The member closes its probe connection first; closing ours only after
  // its end of file leaves the TIME_WAIT on the member's side, not on
  // MASTER_PORT, which a worker is about to bind.
  void hold_probe(const std::shared_ptr<tcp::socket>& socket, const tcp::endpoint& peer) {
    note_address_reached(*socket, peer);
    probe_sockets_.insert(socket);
    socket->async_wait(tcp::socket::wait_read,
                       [self = shared_from_this(), socket](const error_code&) {
                         error_code ignored;
                         socket->close(ignored);
                         self->probe_sockets_.erase(socket);
                       });
  }

  // The address a member on another host reached this machine at: the
  // launcher names the interface for its own workers' gloo from it when
  // main_process_ip means loopback here (Debian's "127.0.1.1 <hostname>").
  void note_address_reached(const tcp::socket& socket, const tcp::endpoint& peer) {
    const std::string remote = unmapped(peer.address());
    if (base::is_loopback(remote)) return;
    error_code local_error;
    const std::string local = unmapped(socket.local_endpoint(local_error).address());
    if (local_error || remote == local) return;
    address_reached_by_others_ = local;
  }

  // A dual-stack socket sees IPv4 peers as ::ffff:a.b.c.d.
  static std::string unmapped(const boost::asio::ip::address& address) {
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
      return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
          .to_string();
    }
    return address.to_string();
  }

  void schedule_tick() {
    tick_timer_.expires_after(tick_period(options_));
    tick_timer_.async_wait([self = shared_from_this()](const error_code& error) {
      if (error || self->closed_) return;
      self->core_.tick(Clock::now());
      self->carry_out();
      self->schedule_tick();
    });
  }

  boost::asio::io_context& io_;
  ServerOptions options_;
  ServerCore core_;
  tcp::acceptor acceptor_;
  std::optional<tcp::acceptor> probe_acceptor_;
  tcp::endpoint probe_peer_;  // of the probe accept in progress
  // Probe connections waiting for the member's end of file; a set, as
  // thousands of members probe at once and each leaves on its own.
  std::unordered_set<std::shared_ptr<tcp::socket>> probe_sockets_;
  std::string address_reached_by_others_;
  boost::asio::steady_timer tick_timer_;
  boost::asio::steady_timer retry_timer_;
  std::unordered_map<ConnectionId, std::shared_ptr<Session>> sessions_;
  std::vector<char> read_buffer_;
  // Sessions with frames queued since the last flush, and the buffers of
  // one sendmsg; both kept between calls so a busy server does not allocate.
  std::vector<std::pair<ConnectionId, std::shared_ptr<Session>>> flush_list_;
  std::vector<boost::asio::const_buffer> gather_;
  ConnectionId next_id_ = 1;
  uint16_t port_ = 0;
  bool closed_ = false;
};

Server::Server(boost::asio::io_context& io, ServerOptions options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Server::~Server() {
  close();
}

void Server::start() {
  impl_->start();
}
uint16_t Server::port() const {
  return impl_->port();
}
void Server::close() {
  impl_->close();
}
Phase Server::phase() const {
  return impl_->core().round().phase();
}
int Server::round() const {
  return impl_->core().round().round();
}
std::size_t Server::connection_count() const {
  return impl_->core().connection_count();
}

std::string Server::address_reached_by_others() const {
  return impl_->address_reached_by_others();
}

}  // namespace accel::rendezvous
