// torchrun's --log_line_prefix_template: the placeholders, Python Template's
// syntax, and the templates refused with a message that says why.
#include <catch2/catch.hpp>
#include <stdexcept>

#include "supervisor/line_prefix.hpp"

using accel::supervisor::expand_line_prefix;
using accel::supervisor::line_prefix_problem;
using accel::supervisor::LinePrefixFields;

namespace {
const LinePrefixFields kWorker{5, 1, "trainer", "node7"};
}

TEST_CASE("line prefix: every placeholder, braced or not", "[supervisor][line_prefix]") {
  CHECK(expand_line_prefix("[${role_name}${rank}|${local_rank}@${host}]: ", kWorker) ==
        "[trainer5|1@node7]: ");
  CHECK(expand_line_prefix("$rank/$local_rank $host-$role_name:", kWorker) == "5/1 node7-trainer:");
  CHECK(expand_line_prefix("${rank}${rank}", kWorker) == "55");
}

TEST_CASE("line prefix: plain text, $$ and an empty template", "[supervisor][line_prefix]") {
  CHECK(expand_line_prefix("rank ", kWorker) == "rank ");
  CHECK(expand_line_prefix("$$${rank}$$", kWorker) == "$5$");
  CHECK(expand_line_prefix("", kWorker).empty());
  CHECK_FALSE(line_prefix_problem("[${rank}]: $$"));
}

TEST_CASE("line prefix: an unbraced name ends where an identifier ends",
          "[supervisor][line_prefix]") {
  CHECK(expand_line_prefix("$rank:", kWorker) == "5:");
  // As in Python: $rankx is the (unknown) name rankx, not $rank then x.
  CHECK(line_prefix_problem("$rankx"));
}

TEST_CASE("line prefix: unknown names and stray $ are refused with the reason",
          "[supervisor][line_prefix]") {
  auto unknown = line_prefix_problem("[${node}]");
  REQUIRE(unknown);
  CHECK_THAT(*unknown, Catch::Contains("unknown placeholder 'node'") &&
                           Catch::Contains("offset 1") && Catch::Contains("${local_rank}"));
  CHECK_THAT(line_prefix_problem("${rank").value_or(""), Catch::Contains("unclosed ${"));
  CHECK_THAT(line_prefix_problem("cost: 5$").value_or(""),
             Catch::Contains("starts no placeholder"));
  CHECK_THAT(line_prefix_problem("${}").value_or(""), Catch::Contains("unknown placeholder ''"));
  CHECK_THROWS_AS(expand_line_prefix("${world}", kWorker), std::invalid_argument);
}
