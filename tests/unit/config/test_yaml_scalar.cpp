// PyYAML's typing of scalars and safe_dump's quoting, which decide how every
// value reads and writes.
#include <catch2/catch.hpp>

#include "config/yaml_scalar.hpp"

using namespace accel::config;

TEST_CASE("plain scalars resolve as PyYAML's SafeLoader resolves them") {
  for (const char* text : {"yes", "No", "TRUE", "false", "on", "OFF"}) {
    CHECK(resolve_plain_scalar(text) == ScalarType::kBool);
  }
  for (const char* text : {"0", "-1", "+7", "1_000", "0x1F", "017", "0b101", "1:30"}) {
    CHECK(resolve_plain_scalar(text) == ScalarType::kInt);
  }
  for (const char* text : {"1.0", "-0.5", ".5", "1.5e+3", ".inf", "-.Inf", ".nan"}) {
    CHECK(resolve_plain_scalar(text) == ScalarType::kFloat);
  }
  for (const char* text : {"", "~", "null", "Null", "NULL"}) {
    CHECK(resolve_plain_scalar(text) == ScalarType::kNull);
  }
  CHECK(resolve_plain_scalar("2024-01-02") == ScalarType::kTimestamp);
  CHECK(resolve_plain_scalar("2024-1-2 10:00:00") == ScalarType::kTimestamp);
  // YAML 1.1 details that differ from YAML 1.2 and from intuition:
  for (const char* text : {"y", "n", "1e-5", "0,1", "NO_SUCH", "all", "MULTI_GPU", "09"}) {
    CHECK(resolve_plain_scalar(text) == ScalarType::kString);
  }
}

TEST_CASE("scalar_type: quoted scalars are strings, plain ones resolve, built ones resolve") {
  const YAML::Node doc = YAML::Load("a: 'no'\nb: no\nc: \"3\"\nd: 3\ne: !!str true\n");
  CHECK(scalar_type(doc["a"]) == ScalarType::kString);
  CHECK(scalar_type(doc["b"]) == ScalarType::kBool);
  CHECK(scalar_type(doc["c"]) == ScalarType::kString);
  CHECK(scalar_type(doc["d"]) == ScalarType::kInt);
  CHECK(scalar_type(doc["e"]) == ScalarType::kString);
  CHECK(scalar_type(YAML::Node(false)) == ScalarType::kBool);
  YAML::Node forced("no");
  forced.SetTag("!");
  CHECK(scalar_type(forced) == ScalarType::kString);
}

TEST_CASE("parse_yaml_bool and parse_yaml_int take PyYAML's spellings") {
  CHECK(parse_yaml_bool("yes") == true);
  CHECK(parse_yaml_bool("On") == true);
  CHECK(parse_yaml_bool("NO") == false);
  CHECK(parse_yaml_bool("off") == false);
  CHECK_FALSE(parse_yaml_bool("y").has_value());
  CHECK(parse_yaml_int("29500") == 29500);
  CHECK(parse_yaml_int("-1") == -1);
  CHECK(parse_yaml_int("1_000") == 1000);
  CHECK(parse_yaml_int("0x10") == 16);
  CHECK(parse_yaml_int("010") == 8);
  CHECK(parse_yaml_int("0b11") == 3);
  CHECK(parse_yaml_int("1:30") == 90);
  CHECK_FALSE(parse_yaml_int("1.0").has_value());
  CHECK_FALSE(parse_yaml_int("99999999999999999999").has_value());
}

TEST_CASE("yaml_string quotes exactly what safe_dump quotes") {
  CHECK(yaml_string("LOCAL_MACHINE") == "LOCAL_MACHINE");
  CHECK(yaml_string("0,1,2") == "0,1,2");
  CHECK(yaml_string("python train.py --lr 1e-4") == "python train.py --lr 1e-4");
  CHECK(yaml_string("/home/user/ds.json") == "/home/user/ds.json");
  CHECK(yaml_string("no") == "'no'");
  CHECK(yaml_string("NO") == "'NO'");
  CHECK(yaml_string("0") == "'0'");
  CHECK(yaml_string("1.0") == "'1.0'");
  CHECK(yaml_string("null") == "'null'");
  CHECK(yaml_string("") == "''");
  CHECK(yaml_string("2024-01-02") == "'2024-01-02'");
  CHECK(yaml_string("a: b") == "'a: b'");
  CHECK(yaml_string("x #y") == "'x #y'");
  CHECK(yaml_string("- x") == "'- x'");
  CHECK(yaml_string("*star") == "'*star'");
  CHECK(yaml_string(" lead") == "' lead'");
  CHECK(yaml_string("it's") == "it's");
  CHECK(yaml_string("'q'") == "'''q'''");
  CHECK(yaml_string("line\nbreak") == "\"line\\nbreak\"");
  CHECK(yaml_string("tab\there") == "\"tab\\there\"");
  CHECK(yaml_string("caf\xC3\xA9") == "\"caf\\xE9\"");
  CHECK(yaml_string("\xE2\x82\xAC") == "\"\\u20AC\"");
}

TEST_CASE("json_string escapes as json.dumps with ensure_ascii") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(json_string("\n\t") == "\"\\n\\t\"");
  CHECK(json_string("\x01") == "\"\\u0001\"");
  CHECK(json_string("caf\xC3\xA9") == "\"caf\\u00e9\"");
  CHECK(json_string("\xF0\x9F\x98\x80") == "\"\\ud83d\\ude00\"");
}
