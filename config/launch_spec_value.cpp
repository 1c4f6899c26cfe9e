#include "config/launch_spec_value.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "config/yaml_scalar.hpp"

namespace accel::config {

namespace {

double parse_yaml_float(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
  std::string lowered = text;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (lowered.find("nan") != std::string::npos) return std::nan("");
  if (lowered.find("inf") != std::string::npos) return lowered[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  return std::strtod(text.c_str(), nullptr);
}

// PyYAML's types (yaml_scalar.hpp), rendered as Python's str() renders them.
// Timestamps stay text: no launch setting holds a date.
std::optional<PyValue> scalar_from_yaml(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  switch (scalar_type(node)) {
    case ScalarType::kNull: return std::nullopt;
    case ScalarType::kBool: return PyValue::boolean(parse_yaml_bool(text).value_or(false));
    case ScalarType::kInt: {
      if (const auto value = parse_yaml_int(text)) return PyValue::integer(*value);
      return PyValue::str(text);
    }
    case ScalarType::kFloat: return PyValue::floating(parse_yaml_float(text));
    default: return PyValue::str(text);
  }
}

// Python's repr of a list of scalars: ['a', 1, True].
std::optional<PyValue> list_from_yaml(const YAML::Node& node) {
  std::string repr = "[";
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) return std::nullopt;
    const std::optional<PyValue> value = scalar_from_yaml(item);
    if (repr.size() > 1) repr += ", ";
    if (!value) {
      repr += "None";
    } else if (value->kind() == PyValue::Kind::kStr) {
      repr += "'" + value->text() + "'";
    } else {
      repr += value->text();
    }
  }
  return PyValue::str(repr + "]");
}

}  // namespace

PyValue PyValue::floating(double value) {
  return PyValue(Kind::kFloat, python_float_repr(value));
}

std::optional<PyValue> PyValue::from_yaml(const YAML::Node& node) {
  if (!node.IsDefined() || node.IsNull()) return std::nullopt;
  if (node.IsScalar()) return scalar_from_yaml(node);
  if (node.IsSequence()) return list_from_yaml(node);
  return std::nullopt;
}

std::string PyValue::lower() const {
  std::string lowered = text_;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return lowered;
}

bool PyValue::truthy() const {
  switch (kind_) {
    case Kind::kStr: return !text_.empty();
    case Kind::kBool: return text_ == "True";
    case Kind::kInt: return text_ != "0";
    case Kind::kFloat: return std::strtod(text_.c_str(), nullptr) != 0.0;
  }
  return false;
}

std::string python_float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // Shortest round-trip digits in scientific form, e.g. "1.5e+08", then laid
  // out as Python's float_repr_style 'short' does.
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);
  const size_t e = scientific.find('e');
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  std::string mantissa = scientific.substr(0, e);
  const bool negative = mantissa[0] == '-';
  if (negative) mantissa.erase(0, 1);
  std::string digits = mantissa;
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());

  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const int magnitude = std::abs(exponent);
    out += exponent < 0 ? "e-" : "e+";
    if (magnitude < 10) out += "0";
    return out + std::to_string(magnitude);
  }
  if (exponent < 0)
    return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  const auto integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    return out + digits + std::string(integer_digits - digits.size(), '0') + ".0";
  }
  return out + digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
}

std::optional<bool> parse_truth_value(std::string_view text) {
  std::string lowered(text);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  for (const char* yes : {"y", "yes", "t", "true", "on", "1"}) {
    if (lowered == yes) return true;
  }
  for (const char* no : {"n", "no", "f", "false", "off", "0"}) {
    if (lowered == no) return false;
  }
  return std::nullopt;
}

}  // namespace accel::config
