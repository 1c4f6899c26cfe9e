// The last lines of a worker's stderr, as a terminal would show them.
#include <catch2/catch.hpp>

#include "supervisor/stderr_tail.hpp"

using accel::supervisor::StderrTail;
using Lines = std::vector<std::string>;

TEST_CASE("tail: empty stderr has no lines", "[supervisor][tail]") {
  StderrTail tail;
  CHECK(tail.last_lines(20).empty());
}

TEST_CASE("tail: keeps the last N lines, across appends", "[supervisor][tail]") {
  StderrTail tail;
  tail.append("a\nb\n");
  tail.append("c\nd");
  CHECK(tail.last_lines(3) == Lines{"b", "c", "d"});
  CHECK(tail.last_lines(10) == Lines{"a", "b", "c", "d"});
}

TEST_CASE("tail: a redrawn line shows its last drawing", "[supervisor][tail]") {
  StderrTail tail;
  tail.append("start\n\r 10%\r 50%\r100%\nValueError: boom\r\n");
  CHECK(tail.last_lines(3) == Lines{"start", "100%", "ValueError: boom"});
}

TEST_CASE("tail: keeps the end of a stream much larger than its window", "[supervisor][tail]") {
  StderrTail tail;
  std::string block;
  for (int i = 0; i < 1000; ++i) block += "noise line " + std::to_string(i) + "\n";
  for (int i = 0; i < 100; ++i) tail.append(block);
  tail.append("Traceback (most recent call last):\nRuntimeError: last words\n");
  Lines lines = tail.last_lines(20);
  REQUIRE(lines.size() == 20);
  CHECK(lines.back() == "RuntimeError: last words");
  CHECK(lines[17] == "noise line 999");
}

TEST_CASE("tail: one append bigger than the window", "[supervisor][tail]") {
  StderrTail tail;
  std::string huge(StderrTail::kWindow * 3, 'x');
  tail.append(huge + "\nend\n");
  Lines lines = tail.last_lines(2);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1] == "end");
}
