// The last lines a worker wrote to stderr, for the failure summary ("its last
// words": usually a traceback's final line).
//
// Rather than splitting every chunk of a chatty stream into lines, this keeps
// a bounded window of the newest bytes (kWindow) and cuts it into lines only
// when the summary asks. Lines read as a terminal would show them: of a line
// redrawn with '\r' (a tqdm bar) only the last drawing is kept.
//
// Not thread-safe; one per worker, used by the event loop.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace accel::supervisor {

class StderrTail {
 public:
  static constexpr std::size_t kWindow = 64 * 1024;

  void append(std::string_view data);
  // At most `count` last lines, oldest first, without line terminators. A
  // final line without '\n' counts. A line longer than the window is cut.
  std::vector<std::string> last_lines(std::size_t count) const;

 private:
  std::string window_;  // the newest bytes, at most 2 * kWindow before trimming
};

}  // namespace accel::supervisor
