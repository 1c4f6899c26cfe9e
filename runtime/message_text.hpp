// Pieces of the runtime's error messages, worded the same way by every part.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace accel::runtime_detail {

// "3 s" or "300 ms".
std::string duration_text(std::chrono::milliseconds duration);

// "rank 3" or "ranks 1, 3".
std::string ranks_text(const std::vector<int>& ranks);

}  // namespace accel::runtime_detail
