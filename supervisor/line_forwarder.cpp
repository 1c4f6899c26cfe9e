#include "supervisor/line_forwarder.hpp"

#include <cstring>

namespace accel::supervisor {

namespace {

iovec as_iovec(std::string_view bytes) {
  return iovec{const_cast<char*>(bytes.data()), bytes.size()};
}

// Offset just past the last '\n' or '\r' in `data`, 0 if there is none.
std::size_t end_of_last_unit(std::string_view data) {
  const void* newline = ::memrchr(data.data(), '\n', data.size());
  const void* carriage = ::memrchr(data.data(), '\r', data.size());
  const char* last = static_cast<const char*>(newline > carriage ? newline : carriage);
  return last == nullptr ? 0 : static_cast<std::size_t>(last - data.data()) + 1;
}

// Length of the first unit of `data` (through its '\n', '\r' or "\r\n"), 0
// if `data` holds no terminator. Searches for '\r' only up to the next '\n',
// so the cost stays linear in the data.
std::size_t first_unit_length(std::string_view data) {
  const void* newline = std::memchr(data.data(), '\n', data.size());
  std::size_t limit =
      newline ? static_cast<std::size_t>(static_cast<const char*>(newline) - data.data())
              : data.size();
  const void* carriage = std::memchr(data.data(), '\r', limit);
  if (carriage != nullptr) {
    std::size_t end =
        static_cast<std::size_t>(static_cast<const char*>(carriage) - data.data()) + 1;
    if (end < data.size() && data[end] == '\n') ++end;  // "\r\n" is one line end
    return end;
  }
  return newline ? limit + 1 : 0;
}

}  // namespace

LineForwarder::LineForwarder(std::string prefix, ByteSink& sink)
    : prefix_(std::move(prefix)), sink_(sink) {}

void LineForwarder::forward(std::string_view data) {
  if (data.empty()) return;
  if (!prefix_.empty()) {
    forward_prefixed(data);
    return;
  }
  std::size_t complete = end_of_last_unit(data);
  if (complete > 0) {
    iovec parts[] = {as_iovec(held_), as_iovec(data.substr(0, complete))};
    sink_.write(parts);
    held_.clear();
    data.remove_prefix(complete);
  }
  held_.append(data);
  if (held_.size() >= kMaxHeld) {
    // A line longer than this is not a line anyone reads; keep memory bounded.
    iovec part = as_iovec(held_);
    sink_.write({&part, 1});
    held_.clear();
  }
}

void LineForwarder::forward_prefixed(std::string_view data) {
  if (!held_.empty()) {
    // Complete the held unit with the start of this read.
    std::size_t rest = first_unit_length(data);
    if (rest == 0) {
      held_.append(data);
      if (held_.size() >= kMaxHeld) {
        append_unit(held_);
        held_.clear();
        flush_batch();
      }
      return;
    }
    held_.append(data.substr(0, rest));
    append_unit(held_);
    held_.clear();
    data.remove_prefix(rest);
  }
  if (!after_cr_ && std::memchr(data.data(), '\r', data.size()) == nullptr) {
    // The common case, checked once per read: no progress bars, so a unit
    // ends only at '\n' and one memchr per line finds it.
    while (const void* newline = std::memchr(data.data(), '\n', data.size())) {
      auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - data.data()) + 1;
      batch_.append(prefix_);
      batch_.append(data.data(), length);
      data.remove_prefix(length);
      if (batch_.size() >= kMaxBatch) flush_batch();
    }
  } else {
    while (std::size_t length = first_unit_length(data)) {
      append_unit(data.substr(0, length));
      data.remove_prefix(length);
      if (batch_.size() >= kMaxBatch) flush_batch();
    }
  }
  held_.assign(data);
  flush_batch();
}

void LineForwarder::append_unit(std::string_view unit) {
  // A bare "\r" only moves the cursor, and the "\n" of a "\r\n" that was
  // split across reads ends the previous unit: neither starts a new line.
  bool continues = unit == "\r" || (unit == "\n" && after_cr_);
  if (!continues) batch_.append(prefix_);
  batch_.append(unit);
  after_cr_ = !unit.empty() && unit.back() == '\r';
}

void LineForwarder::flush_batch() {
  if (batch_.empty()) return;
  iovec part = as_iovec(batch_);
  sink_.write({&part, 1});
  batch_.clear();
}

void LineForwarder::finish() {
  if (held_.empty()) return;
  held_.push_back('\n');
  if (prefix_.empty()) {
    iovec part = as_iovec(held_);
    sink_.write({&part, 1});
  } else {
    append_unit(held_);
    flush_batch();
  }
  held_.clear();
}

}  // namespace accel::supervisor
