// One TCP connection between every two members of a group, and the engine
// that moves a collective's messages over them (tcp_group.cpp holds the
// algorithms).
//
// Setting up (a collective call, within context.timeout): each member
// listens on an ephemeral port at the local address of its connection to
// the job's store -- an address the store's network reaches, loopback in a
// one-machine test -- and publishes "host:port" under
// key_prefix + "tcp/<member>". Member i connects to every member below it
// and accepts the ones above; each connection opens with a handshake
// (tcp_handshake.hpp) that proves the job id, the group and the caller's
// global rank, so a stranger is dropped and never mistaken for a rank.
//
// Moving data: transfer() runs a set of sends and receives at once on
// non-blocking sockets under one poll(2) loop, so a ring step sends to one
// neighbour while it receives from the other, and a receive may hand what
// has arrived so far to a callback (the ring reduces while the rest is in
// flight). It waits at most until the call's deadline.
//
// Errors: CollectiveError naming the call and the peer's global rank ("rank
// 5 disconnected during all_reduce #3 ...", "... timed out after 600 s
// waiting for ranks 1, 3 ..."). The first failure closes every connection,
// so the peers' own calls fail promptly instead of waiting for the timeout;
// the mesh is broken from then on. Not thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "runtime/collective_group.hpp"

namespace accel::runtime_detail {

class TcpMesh {
 public:
  // Connects the members of `context` (a collective call); throws
  // CollectiveError naming the members that did not arrive in time.
  // `advertised_host` is the numeric address peers reach this member at;
  // empty = the local address of the store connection.
  static TcpMesh connect(const GroupContext& context, const std::string& advertised_host = "");

  struct Send {
    int peer = 0;  // member index
    const void* data = nullptr;
    std::size_t bytes = 0;
  };
  struct Receive {
    int peer = 0;
    void* data = nullptr;
    std::size_t bytes = 0;
    // Called with the number of bytes received so far, each time more came.
    std::function<void(std::size_t)> on_progress;
  };

  // Whom a timeout blames: the peers themselves (they did not arrive), or,
  // round a ring, the previous member, which may have arrived and be
  // waiting in turn for one that did not.
  enum class Waiting { kForPeers, kRoundRing };

  // Runs every send and receive to completion; zero-byte ones are skipped.
  // Two receives from one peer are not allowed in one call (the stream
  // would interleave them); sends and receives to one peer are.
  void transfer(std::span<const Send> sends, std::span<Receive> receives, const CallInfo& call,
                Waiting waiting = Waiting::kForPeers);

  int rank() const { return rank_; }
  int size() const { return static_cast<int>(global_ranks_.size()); }
  int global_rank(int member) const { return global_ranks_[static_cast<std::size_t>(member)]; }
  int my_global_rank() const { return global_rank(rank_); }
  std::chrono::milliseconds timeout() const { return timeout_; }

  // Closes every connection (the peers see this process disconnect) and
  // throws CollectiveError(message).
  [[noreturn]] void fail(const std::string& message);

 private:
  TcpMesh(int rank, std::vector<int> global_ranks, std::chrono::milliseconds timeout,
          std::vector<base::UniqueFd> peers);

  int rank_;
  std::vector<int> global_ranks_;
  std::chrono::milliseconds timeout_;
  std::vector<base::UniqueFd> peers_;  // by member; invalid for this member
  std::string broken_;                 // why, once a call failed
};

}  // namespace accel::runtime_detail
