// A launch setting's value as Accelerate's launcher holds it: a Python object
// (str, bool, int or float) that came from argparse or from PyYAML. The
// worker environment is built from `str(value)` (and sometimes
// `str(value).lower()`), so to give workers byte-identical variables accel
// keeps the Python type and renders it the way Python does: a YAML `true`
// becomes "True", a `--gradient_clipping 1` becomes "1.0".
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace YAML {
class Node;
}

namespace accel::config {

class PyValue {
 public:
  enum class Kind { kStr, kBool, kInt, kFloat };

  static PyValue str(std::string text) { return PyValue(Kind::kStr, std::move(text)); }
  static PyValue boolean(bool value) { return PyValue(Kind::kBool, value ? "True" : "False"); }
  static PyValue integer(long long value) { return PyValue(Kind::kInt, std::to_string(value)); }
  static PyValue floating(double value);

  // A YAML scalar resolved as PyYAML's safe_load resolves it (YAML 1.1: yes/on
  // are booleans, `1e8` without a dot is a string, quoted scalars are
  // strings). nullopt for null and for nodes that are not scalars or flat
  // sequences of scalars (a sequence renders as Python's list repr).
  static std::optional<PyValue> from_yaml(const YAML::Node& node);

  Kind kind() const { return kind_; }
  // Python's str(value).
  const std::string& text() const { return text_; }
  // Python's str(value).lower().
  std::string lower() const;
  // Python's bool(value): a non-empty string is true, even "false".
  bool truthy() const;

  bool operator==(const PyValue&) const = default;

 private:
  PyValue(Kind kind, std::string text) : kind_(kind), text_(std::move(text)) {}
  Kind kind_;
  std::string text_;
};

// Python's repr(float): the shortest text that round-trips, always with a
// decimal point or an exponent ("1.0", "0.0001", "1e-05", "1e+16").
std::string python_float_repr(double value);

// Accelerate's str_to_bool: y/yes/t/true/on/1 and n/no/f/false/off/0, any case.
std::optional<bool> parse_truth_value(std::string_view text);

}  // namespace accel::config
