// The text of written files, compared with what PyYAML's safe_dump and
// Python's json.dumps(indent=2, sort_keys=True) print for the same data.
#include <catch2/catch.hpp>

#include "config/document_dump.hpp"

using namespace accel::config;

TEST_CASE("dump_yaml: sorted keys, indentless lists, nested collections, empty ones inline") {
  const YAML::Node doc = YAML::Load("{c: [{d: {e: 1}}], b: {}, a: [[1, 2], {y: [], x: 1}]}");
  CHECK(dump_yaml(doc) ==
        "a:\n"
        "- - 1\n"
        "  - 2\n"
        "- x: 1\n"
        "  y: []\n"
        "b: {}\n"
        "c:\n"
        "- d:\n"
        "    e: 1\n");
}

TEST_CASE("dump_yaml: scalars keep their PyYAML type") {
  const YAML::Node doc = YAML::Load("s: 'no'\nb: No\ni: 0x10\nf: 1.50\nn: ~\nt: 'true'\nu: 0,1\n");
  CHECK(dump_yaml(doc) ==
        "b: false\n"
        "f: 1.50\n"
        "i: 16\n"
        "n: null\n"
        "s: 'no'\n"
        "t: 'true'\n"
        "u: 0,1\n");
}

TEST_CASE("dump_yaml: does not disturb the document it prints") {
  const YAML::Node doc = YAML::Load("z: 1\ny: 2\nx: 3\n");
  dump_yaml(doc);
  CHECK(doc["z"].Scalar() == "1");
  CHECK(doc["x"].Scalar() == "3");
}

TEST_CASE("dump_json: indent 2, sorted keys, Python's float repr") {
  const YAML::Node doc =
      YAML::Load("{a: [[1, 2], {x: 1.5e-07, y: []}], b: {}, f: 100000.0, g: 1.0e+16, s: 'no'}");
  CHECK(dump_json(doc) ==
        "{\n"
        "  \"a\": [\n"
        "    [\n"
        "      1,\n"
        "      2\n"
        "    ],\n"
        "    {\n"
        "      \"x\": 1.5e-07,\n"
        "      \"y\": []\n"
        "    }\n"
        "  ],\n"
        "  \"b\": {},\n"
        "  \"f\": 100000.0,\n"
        "  \"g\": 1e+16,\n"
        "  \"s\": \"no\"\n"
        "}\n");
}

TEST_CASE("dump_json: bools, null and ints are JSON literals") {
  CHECK(dump_json(YAML::Load("{a: yes, b: null, c: 0x10, d: 0.5}")) ==
        "{\n  \"a\": true,\n  \"b\": null,\n  \"c\": 16,\n  \"d\": 0.5\n}\n");
}
