// TcpMesh's data path: transfer() and failure (tcp_mesh.hpp); the set-up is
// in tcp_mesh_setup.cpp.
#include "runtime/tcp_mesh.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "base/system_error.hpp"
#include "runtime/message_text.hpp"
#include "runtime/tcp_socket.hpp"

namespace accel::runtime_detail {

namespace {

// One send() or recv() moves at most this much, so a progress callback sees
// a large message arrive in pieces it can work on while the rest comes.
constexpr std::size_t kMaxStep = std::size_t{1} << 20;

}  // namespace

TcpMesh::TcpMesh(int rank, std::vector<int> global_ranks, std::chrono::milliseconds timeout,
                 std::vector<base::UniqueFd> peers)
    : rank_(rank),
      global_ranks_(std::move(global_ranks)),
      timeout_(timeout),
      peers_(std::move(peers)) {}

void TcpMesh::fail(const std::string& message) {
  broken_ = message;
  for (base::UniqueFd& fd : peers_) fd.reset();
  throw CollectiveError(message);
}

void TcpMesh::transfer(std::span<const Send> sends, std::span<Receive> receives,
                       const CallInfo& call, Waiting waiting) {
  const std::string who = " on rank " + std::to_string(my_global_rank());
  if (!broken_.empty()) {
    throw CollectiveError(call.label() + who + ": the TCP connections broke earlier (" + broken_ +
                          ")");
  }
  std::vector<std::size_t> sent(sends.size(), 0);
  std::vector<std::size_t> received(receives.size(), 0);
  auto disconnected = [&](int peer, const std::string& how) {
    fail("rank " + std::to_string(global_rank(peer)) + " disconnected during " + call.label() +
         who + " (" + how + "); it probably failed or was stopped: look for its own error above");
  };
  for (;;) {
    // One poll entry per unfinished operation; `owner` maps entries back
    // (non-negative: a send's index, negative: ~receive index).
    std::vector<pollfd> polled;
    std::vector<std::ptrdiff_t> owner;
    for (std::size_t i = 0; i < sends.size(); ++i) {
      if (sent[i] < sends[i].bytes) {
        polled.push_back({peers_[static_cast<std::size_t>(sends[i].peer)].get(), POLLOUT, 0});
        owner.push_back(static_cast<std::ptrdiff_t>(i));
      }
    }
    for (std::size_t i = 0; i < receives.size(); ++i) {
      if (received[i] < receives[i].bytes) {
        polled.push_back({peers_[static_cast<std::size_t>(receives[i].peer)].get(), POLLIN, 0});
        owner.push_back(~static_cast<std::ptrdiff_t>(i));
      }
    }
    if (polled.empty()) return;
    const int ready = base::retry_on_eintr([&] {
      return ::poll(polled.data(), polled.size(), poll_milliseconds_until(call.deadline));
    });
    ACCEL_CHECK_SYSCALL(ready, "poll (TCP collectives)");
    if (ready == 0) {
      if (Clock::now() < call.deadline) continue;
      std::set<int> waiting_for;
      for (const std::ptrdiff_t index : owner) {
        const int peer = index >= 0 ? sends[static_cast<std::size_t>(index)].peer
                                    : receives[static_cast<std::size_t>(~index)].peer;
        waiting_for.insert(global_rank(peer));
      }
      const std::string ranks = ranks_text({waiting_for.begin(), waiting_for.end()});
      const std::string what =
          waiting == Waiting::kForPeers
              ? ranks + " did not arrive (no data moved)"
              : "no data came round the ring from " + ranks +
                    " (it did not arrive, or waits in turn for one that did not: the rank the "
                    "other ranks' errors name too)";
      fail(call.label() + who + " timed out after " + duration_text(timeout_) + ": " + what +
           "; are they still running, and calling the same collectives in the same order? (the "
           "timeout is ACCEL_RUNTIME_TIMEOUT)");
    }
    for (std::size_t entry = 0; entry < polled.size(); ++entry) {
      if (polled[entry].revents == 0) continue;
      if (owner[entry] >= 0) {
        const Send& op = sends[static_cast<std::size_t>(owner[entry])];
        std::size_t& done = sent[static_cast<std::size_t>(owner[entry])];
        const std::size_t size = std::min(op.bytes - done, kMaxStep);
        const ssize_t moved = base::retry_on_eintr([&] {
          return ::send(polled[entry].fd, static_cast<const char*>(op.data) + done, size,
                        MSG_NOSIGNAL | MSG_DONTWAIT);
        });
        if (moved > 0) {
          done += static_cast<std::size_t>(moved);
        } else if (moved < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
          disconnected(op.peer, std::strerror(errno));
        }
      } else {
        Receive& op = receives[static_cast<std::size_t>(~owner[entry])];
        std::size_t& done = received[static_cast<std::size_t>(~owner[entry])];
        const std::size_t size = std::min(op.bytes - done, kMaxStep);
        const ssize_t moved = base::retry_on_eintr([&] {
          return ::recv(polled[entry].fd, static_cast<char*>(op.data) + done, size, MSG_DONTWAIT);
        });
        if (moved > 0) {
          done += static_cast<std::size_t>(moved);
          if (op.on_progress) op.on_progress(done);
        } else if (moved == 0) {
          disconnected(op.peer, "it closed the connection");
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
          disconnected(op.peer, std::strerror(errno));
        }
      }
    }
  }
}

}  // namespace accel::runtime_detail
