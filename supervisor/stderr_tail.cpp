#include "supervisor/stderr_tail.hpp"

#include <algorithm>

namespace accel::supervisor {

void StderrTail::append(std::string_view data) {
  if (data.size() >= kWindow) {
    window_.assign(data.substr(data.size() - kWindow));
    return;
  }
  window_.append(data);
  // Trim only once the window has doubled: amortised O(1) per byte.
  if (window_.size() > 2 * kWindow) {
    window_.erase(0, window_.size() - kWindow);
  }
}

std::vector<std::string> StderrTail::last_lines(std::size_t count) const {
  // When bytes were dropped, the first line of the window is the end of a
  // longer line; it is shown cut rather than not at all.
  std::string_view text = window_;
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);

  std::vector<std::string> lines;
  while (lines.size() < count) {
    std::size_t start = text.rfind('\n');
    std::string_view line = start == std::string_view::npos ? text : text.substr(start + 1);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t redraw = line.rfind('\r');
    if (redraw != std::string_view::npos) line.remove_prefix(redraw + 1);
    lines.emplace_back(line);
    if (start == std::string_view::npos) break;
    text = text.substr(0, start);
  }
  if (lines.size() == 1 && lines.front().empty() && window_.empty()) lines.clear();
  std::reverse(lines.begin(), lines.end());
  return lines;
}

}  // namespace accel::supervisor
