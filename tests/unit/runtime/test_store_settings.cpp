#include <catch2/catch.hpp>

#include "runtime/store_settings.hpp"
#include "store_server_fixture.hpp"

using accel::runtime_detail::runtime_timeout_from_env;
using accel::runtime_detail::store_settings_from_env;
using accel::testing::env_of;

namespace {

std::map<std::string, std::string> launcher_vars() {
  return {{"ACCEL_STORE_ADDR", "10.0.0.1"},
          {"ACCEL_STORE_PORT", "29500"},
          {"ACCEL_JOB_TOKEN", "t0ken"},
          {"ACCEL_JOB_ID", "job-1"}};
}

std::map<std::string, std::string> with(std::map<std::string, std::string> vars,
                                        const std::string& name,
                                        const std::optional<std::string>& value) {
  if (value) {
    vars[name] = *value;
  } else {
    vars.erase(name);
  }
  return vars;
}

}  // namespace

TEST_CASE("a world of one without a launcher needs no store", "[store_settings]") {
  CHECK_FALSE(store_settings_from_env(env_of({}), 1));
}

TEST_CASE("the launcher's store variables are read back", "[store_settings]") {
  const auto settings = store_settings_from_env(env_of(launcher_vars()), 4);
  REQUIRE(settings);
  CHECK(settings->address() == "10.0.0.1:29500");
  CHECK(settings->token == "t0ken");
  CHECK(settings->job_id == "job-1");
}

TEST_CASE("missing or malformed store variables are named", "[store_settings]") {
  CHECK_THROWS_WITH(store_settings_from_env(env_of({}), 2),
                    Catch::Contains("WORLD_SIZE=2 but ACCEL_STORE_ADDR is not set") &&
                        Catch::Contains("accel launch"));
  CHECK_THROWS_WITH(
      store_settings_from_env(env_of(with(launcher_vars(), "ACCEL_STORE_PORT", "x")), 2),
      Catch::StartsWith("ACCEL_STORE_PORT='x' is not a port (1-65535)"));
  CHECK_THROWS_WITH(
      store_settings_from_env(env_of(with(launcher_vars(), "ACCEL_STORE_PORT", "70000")), 2),
      Catch::StartsWith("ACCEL_STORE_PORT='70000' is not a port"));
  CHECK_THROWS_WITH(
      store_settings_from_env(env_of(with(launcher_vars(), "ACCEL_JOB_TOKEN", std::nullopt)), 2),
      Catch::StartsWith("ACCEL_JOB_TOKEN is not set"));
  CHECK_THROWS_WITH(store_settings_from_env(env_of(with(launcher_vars(), "ACCEL_JOB_ID", "")), 1),
                    Catch::StartsWith("ACCEL_JOB_ID is not set"));
  CHECK_THROWS_WITH(
      store_settings_from_env(env_of(with(launcher_vars(), "ACCEL_STORE_ADDR", std::nullopt)), 2),
      Catch::StartsWith("ACCEL_STORE_ADDR is not set"));
}

TEST_CASE("an empty job token is a job started without --rdzv_token, not a mistake",
          "[store_settings]") {
  const auto settings =
      store_settings_from_env(env_of(with(launcher_vars(), "ACCEL_JOB_TOKEN", "")), 2);
  REQUIRE(settings);
  CHECK(settings->token.empty());
}

TEST_CASE("the runtime timeout comes from ACCEL_RUNTIME_TIMEOUT", "[store_settings]") {
  using namespace std::chrono_literals;
  CHECK(runtime_timeout_from_env(env_of({})) == 600s);
  CHECK(runtime_timeout_from_env(env_of({{"ACCEL_RUNTIME_TIMEOUT", "45"}})) == 45s);
  for (const char* bad : {"abc", "0", "-3", "1.5", "", "100000"}) {
    CHECK_THROWS_WITH(
        runtime_timeout_from_env(env_of({{"ACCEL_RUNTIME_TIMEOUT", bad}})),
        Catch::StartsWith(std::string("ACCEL_RUNTIME_TIMEOUT='") + bad + "' is not a timeout"));
  }
}
