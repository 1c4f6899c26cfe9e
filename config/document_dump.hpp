// Text of a YAML document tree, byte for byte as Accelerate's two writers
// produce it, so files accel writes diff cleanly against files Accelerate
// writes:
//   dump_yaml: yaml.safe_dump(d) — block style, keys sorted at every level,
//              indent 2, lists under a key not indented ("- item"), empty
//              list `[]`, empty map `{}`, strings quoted only when they would
//              read back as another type (see yaml_scalar.hpp).
//   dump_json: json.dumps(d, indent=2, sort_keys=True) + "\n".
// Scalar types follow scalar_type(): quoted -> string, plain -> YAML 1.1.
// Known gaps, harmless for reading back: long strings are not folded at 80
// columns, floats keep the spelling they were read with (json: converted).
#pragma once

#include <string>

#include <yaml-cpp/yaml.h>

namespace accel::config {

std::string dump_yaml(const YAML::Node& document);
std::string dump_json(const YAML::Node& document);

}  // namespace accel::config
