#include <catch2/catch.hpp>
#include <string>

#include "config/dynamo_backends.hpp"

using accel::config::dynamo_backend_menu;
using accel::config::dynamo_backends;
using accel::config::find_dynamo_backend;

TEST_CASE("dynamo backends: names are found in any case, unknown ones are not",
          "[dynamo_backends]") {
  CHECK(find_dynamo_backend("inductor") == "INDUCTOR");
  CHECK(find_dynamo_backend("No") == "NO");
  CHECK(find_dynamo_backend("torchxla_trace_once") == "TORCHXLA_TRACE_ONCE");
  CHECK_FALSE(find_dynamo_backend("TORHCHXLA_TRACE_ONCE").has_value());
  CHECK_FALSE(find_dynamo_backend("").has_value());
  CHECK_FALSE(find_dynamo_backend("inductorx").has_value());
}

TEST_CASE("dynamo backends: every wizard menu entry is one launch accepts", "[dynamo_backends]") {
  REQUIRE(dynamo_backend_menu().size() == 13);  // Accelerate's DYNAMO_BACKENDS
  CHECK(dynamo_backend_menu().front() == "EAGER");
  CHECK(dynamo_backend_menu()[2] == "INDUCTOR");
  CHECK(dynamo_backend_menu().back() == "TVM");
  for (std::string_view entry : dynamo_backend_menu()) {
    INFO(std::string(entry));
    CHECK(find_dynamo_backend(entry) == entry);
  }
  CHECK(dynamo_backends().size() == 16);
}
