// One output pipe of one worker (its stdout or its stderr) on the event
// loop: the launcher's read end, made non-blocking and watched by Asio; each
// time it is readable the stream reads everything there is in big reads and
// hands the bytes to its destinations -- the per-rank log file (raw bytes),
// the console (through a LineForwarder, so lines stay whole) and, for
// stderr, the tail kept for the failure summary.
//
// drain() reads what is buffered right now without waiting: when a worker
// has exited, everything it wrote is already in the pipe, so its tail is
// complete before the failure is judged, even while a grandchild keeps the
// pipe open.
//
// Not thread-safe; the reads share one buffer, so only one event loop per
// process may run streams (one Supervisor per process anyway).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <optional>
#include <string>

#include "base/unique_fd.hpp"
#include "supervisor/lifetime.hpp"
#include "supervisor/line_forwarder.hpp"
#include "supervisor/stderr_tail.hpp"

namespace accel::supervisor {

struct StreamDestinations {
  ByteSink* console = nullptr;  // null: not forwarded (filtered, or log_dir without tee)
  std::string prefix;           // "[rank3]:" or empty
  base::UniqueFd log_file;      // invalid: no log file
  bool keep_tail = false;       // stderr: keep the last lines for the summary
};

class WorkerStream {
 public:
  WorkerStream(boost::asio::io_context& io, base::UniqueFd read_end,
               StreamDestinations destinations);
  WorkerStream(const WorkerStream&) = delete;
  WorkerStream& operator=(const WorkerStream&) = delete;

  void start();
  void drain();
  // Drains, writes any held partial line, stops watching and closes the pipe.
  void finish();
  const StderrTail& tail() const { return tail_; }

 private:
  void wait_readable();
  enum class ReadState { Empty, Closed, BudgetSpent };
  // Reads until the pipe is empty, closed, or `max_reads` reads were done
  // (so one chatty worker cannot starve the others).
  ReadState read_available(int max_reads);
  void deliver(std::string_view bytes);

  boost::asio::posix::stream_descriptor pipe_;
  StreamDestinations destinations_;
  std::optional<LineForwarder> forwarder_;
  StderrTail tail_;
  bool at_eof_ = false;
  bool log_broken_ = false;
  Lifetime lifetime_;  // last: ends first
};

}  // namespace accel::supervisor
