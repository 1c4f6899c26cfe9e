// Where the default config lives, with the environment injected.
#include <catch2/catch.hpp>

#include "config/config_path.hpp"
#include "config_test_support.hpp"

using accel::config::default_config_dir;
using accel::config::default_config_path;
using accel::config::expand_user;
using accel::config::testing::fake_env;

TEST_CASE("default path: HF_HOME wins over XDG_CACHE_HOME and HOME") {
  const auto env =
      fake_env({{"HF_HOME", "/data/hf"}, {"XDG_CACHE_HOME", "/xdg"}, {"HOME", "/home/u"}});
  CHECK(default_config_path(env) == "/data/hf/accelerate/default_config.yaml");
  CHECK(default_config_dir(env) == "/data/hf/accelerate");
}

TEST_CASE("default path: XDG_CACHE_HOME/huggingface without HF_HOME") {
  const auto env = fake_env({{"XDG_CACHE_HOME", "/xdg/cache"}, {"HOME", "/home/u"}});
  CHECK(default_config_path(env) == "/xdg/cache/huggingface/accelerate/default_config.yaml");
}

TEST_CASE("default path: ~/.cache/huggingface from HOME when neither is set") {
  const auto env = fake_env({{"HOME", "/home/u"}});
  CHECK(default_config_path(env) == "/home/u/.cache/huggingface/accelerate/default_config.yaml");
}

TEST_CASE("default path: a trailing slash in HOME or HF_HOME does not double") {
  CHECK(default_config_path(fake_env({{"HOME", "/home/u/"}})) ==
        "/home/u/.cache/huggingface/accelerate/default_config.yaml");
  CHECK(default_config_path(fake_env({{"HF_HOME", "/hf/"}})) ==
        "/hf/accelerate/default_config.yaml");
}

TEST_CASE("default path: ~ in HF_HOME and XDG_CACHE_HOME is expanded, as Python's expanduser") {
  CHECK(default_config_path(fake_env({{"HF_HOME", "~/hf"}, {"HOME", "/home/u"}})) ==
        "/home/u/hf/accelerate/default_config.yaml");
  CHECK(default_config_path(fake_env({{"XDG_CACHE_HOME", "~/c"}, {"HOME", "/home/u"}})) ==
        "/home/u/c/huggingface/accelerate/default_config.yaml");
}

TEST_CASE("default path: empty variables count as unset") {
  const auto env = fake_env({{"HF_HOME", ""}, {"XDG_CACHE_HOME", ""}, {"HOME", "/home/u"}});
  CHECK(default_config_path(env) == "/home/u/.cache/huggingface/accelerate/default_config.yaml");
}

TEST_CASE("expand_user: only a leading ~ is expanded") {
  const auto env = fake_env({{"HOME", "/home/u"}});
  CHECK(expand_user("~", env) == "/home/u");
  CHECK(expand_user("~/x", env) == "/home/u/x");
  CHECK(expand_user("/a/~/b", env) == "/a/~/b");
  CHECK(expand_user("relative", env) == "relative");
  CHECK(expand_user("~root/x", env) == "/root/x");
  CHECK(expand_user("~no-such-user-accel/x", env) == "~no-such-user-accel/x");
  CHECK(expand_user("~/x", fake_env({{"HOME", "/"}})) == "/x");
}
