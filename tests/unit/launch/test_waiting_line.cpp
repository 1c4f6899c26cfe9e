#include <catch2/catch.hpp>

#include <sstream>

#include "launch/waiting_line.hpp"

using accel::launch::describe_missing;
using accel::launch::WaitingLine;
using accel::rendezvous::WaitingStatus;
using Clock = std::chrono::steady_clock;

namespace {

WaitingStatus status(std::vector<int> missing, int missing_count, int members, int seconds) {
  return WaitingStatus{std::move(missing), missing_count, members, std::chrono::seconds(seconds)};
}

}  // namespace

TEST_CASE("the missing machines are named, the lowest first", "[waiting_line]") {
  CHECK(describe_missing(status({3}, 1, 4, 0)) == "machine 3 of 4");
  CHECK(describe_missing(status({2, 3}, 2, 4, 0)) == "machines 2, 3 of 4");
  // The server lists at most 64; the rest are counted.
  CHECK(describe_missing(status({5, 6, 7}, 64, 128, 0)) == "machines 5, 6, 7 and 61 more of 128");
}

TEST_CASE("on a terminal the waiting line is rewritten in place and erased", "[waiting_line]") {
  std::ostringstream out;
  WaitingLine line(out, true);
  const auto now = Clock::now();
  line.show(status({2, 3}, 2, 4, 1), now);
  line.show(status({3}, 1, 4, 2), now + std::chrono::seconds(1));
  line.clear();
  CHECK(out.str() ==
        "\raccel launch: waiting for machines 2, 3 of 4 \u2014 1 s\x1b[K"
        "\raccel launch: waiting for machine 3 of 4 \u2014 2 s\x1b[K"
        "\r\x1b[K");
}

TEST_CASE("in a log the waiting line appears every 30 s, not at every status", "[waiting_line]") {
  std::ostringstream out;
  WaitingLine line(out, false);
  const auto start = Clock::now();
  for (int second = 0; second <= 61; ++second) {
    line.show(status({1}, 1, 2, second), start + std::chrono::seconds(second));
  }
  line.clear();  // nothing to erase in a log
  CHECK(out.str() ==
        "accel launch: waiting for machine 1 of 2 \u2014 0 s\n"
        "accel launch: waiting for machine 1 of 2 \u2014 30 s\n"
        "accel launch: waiting for machine 1 of 2 \u2014 60 s\n");
}
