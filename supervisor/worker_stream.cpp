#include "supervisor/worker_stream.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "base/fd_io.hpp"
#include "base/system_error.hpp"
#include "supervisor/log.hpp"

namespace accel::supervisor {

namespace {
// Pipes carry at most 1 MiB (see attempt.cpp); one read takes a full pipe.
constexpr std::size_t kReadSize = 1024 * 1024;
std::array<char, kReadSize>& read_buffer() {
  static std::array<char, kReadSize> buffer;
  return buffer;
}
}  // namespace

WorkerStream::WorkerStream(boost::asio::io_context& io, base::UniqueFd read_end,
                           StreamDestinations destinations)
    : pipe_(io), destinations_(std::move(destinations)) {
  base::set_nonblocking(read_end.get());
  pipe_.assign(read_end.release());
  if (destinations_.console != nullptr) {
    forwarder_.emplace(destinations_.prefix, *destinations_.console);
  }
}

void WorkerStream::start() {
  wait_readable();
}

void WorkerStream::wait_readable() {
  // Handlers never touch `this` after an error or once the stream is gone:
  // finish() cancels the wait, and a completed wait may still be queued when
  // the stream is destroyed.
  pipe_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                   [this, watch = lifetime_.watch()](const boost::system::error_code& error) {
                     if (error || watch.ended()) return;
                     if (read_available(8) != ReadState::Closed) wait_readable();
                   });
}

WorkerStream::ReadState WorkerStream::read_available(int max_reads) {
  if (at_eof_ || !pipe_.is_open()) return ReadState::Closed;
  auto& buffer = read_buffer();
  for (int i = 0; i < max_reads; ++i) {
    ssize_t got = base::retry_on_eintr(
        [&] { return ::read(pipe_.native_handle(), buffer.data(), buffer.size()); });
    if (got > 0) {
      deliver(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
      continue;
    }
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadState::Empty;
    if (got < 0) log()->warn("reading worker output: {}", std::strerror(errno));
    at_eof_ = true;
    return ReadState::Closed;
  }
  return ReadState::BudgetSpent;
}

void WorkerStream::deliver(std::string_view bytes) {
  if (destinations_.log_file.valid() && !log_broken_ &&
      !base::write_all(destinations_.log_file.get(), bytes.data(), bytes.size())) {
    log_broken_ = true;
    log()->warn("cannot write a worker log file: {}", std::strerror(errno));
  }
  if (forwarder_) forwarder_->forward(bytes);
  if (destinations_.keep_tail) tail_.append(bytes);
}

void WorkerStream::drain() {
  // Bounded on purpose: what a dead worker left fits in one pipe (1 MiB),
  // and a grandchild still writing must not keep the loop here forever.
  read_available(64);
}

void WorkerStream::finish() {
  if (!pipe_.is_open()) return;
  drain();
  if (forwarder_) forwarder_->finish();
  boost::system::error_code ignored;
  pipe_.close(ignored);
  destinations_.log_file.reset();
}

}  // namespace accel::supervisor
