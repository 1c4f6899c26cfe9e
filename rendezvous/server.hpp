// The job's rendezvous server, machine rank 0's launcher serves it
// (docs/protocol.md): members join, agree, check that MASTER_ADDR:MASTER_PORT
// is reachable, get their ranks, heartbeat, and are stopped together; workers
// use its KV store. A thin Asio shell around ServerCore, which holds all the
// protocol logic: this file only moves bytes, runs the tick timer and opens
// the probe port.
//
// Everything runs on the caller's io_context, which must be run by one
// thread (the launcher's loop also runs its own member client and the
// supervisor). No per-connection threads or buffers: a connection is read
// when the socket is readable, into one buffer the server shares, so idle
// connections cost a socket and a small struct.
// Errors: start() throws base::SystemError when the port cannot be bound
// ("bind 0.0.0.0:29500 (rendezvous port): Address already in use").
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "rendezvous/round.hpp"

namespace accel::rendezvous {

struct ServerOptions {
  std::string bind_address;  // "" = every interface (--rdzv_bind names one)
  uint16_t port = 0;         // main_process_port; 0 = any free port (tests)
  std::string token;
  std::string job_id;
  int member_count = 1;
  // Machine 0's num_processes, script and max_restarts, which every member
  // must agree with (round.hpp); absent: the first member to join sets them.
  std::optional<JobTerms> terms;
  // MASTER_ADDR for the workers (main_process_ip): what members connect to
  // in the reachability check, and what they get in their assignment.
  std::string master_addr = "127.0.0.1";
  uint16_t master_port = 0;  // 0 = a free port, picked again each round
  // false: members are not asked to reach MASTER_PORT, which is then
  // master_port as given (round.hpp: a single machine).
  bool check_reachability = true;
  std::chrono::milliseconds join_timeout{600'000};
  std::chrono::milliseconds heartbeat_interval{1'000};
  std::chrono::milliseconds heartbeat_timeout{10'000};
  std::chrono::milliseconds io_timeout{10'000};
  std::chrono::milliseconds hello_timeout{5'000};
};

class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; throws base::SystemError.
  void start();
  // The port it listens on (the one picked when options.port was 0).
  uint16_t port() const;
  // Stops accepting and closes every connection; no handler touches this
  // object afterwards. Idempotent; the destructor calls it.
  void close();

  Phase phase() const;
  int round() const;
  std::size_t connection_count() const;
  // The local address a member on another host connected to in the latest
  // reachability check ("" while every member is on this host): the
  // launcher's pick of GLOO_SOCKET_IFNAME for machine 0's own workers when
  // main_process_ip means loopback here (Debian's "127.0.1.1 <hostname>").
  std::string address_reached_by_others() const;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace accel::rendezvous
