#include "config/document_dump.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "config/yaml_scalar.hpp"

namespace accel::config {

namespace {

using Entries = std::vector<std::pair<std::string, YAML::Node>>;

// Map entries sorted by key text, as sort_keys=True sorts string keys.
// Sorted through indices: assigning a YAML::Node (as std::sort's swaps would)
// overwrites the node it refers to, not the handle, and would scramble the
// document.
Entries sorted_entries(const YAML::Node& map) {
  std::vector<std::pair<std::string, YAML::Node>> unsorted;
  for (const auto& entry : map) unsorted.emplace_back(entry.first.Scalar(), entry.second);
  std::vector<std::size_t> order(unsorted.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return unsorted[a].first < unsorted[b].first;
  });
  Entries entries;
  entries.reserve(order.size());
  for (std::size_t i : order) entries.emplace_back(unsorted[i].first, unsorted[i].second);
  return entries;
}

bool is_empty_collection(const YAML::Node& node) {
  return (node.IsMap() || node.IsSequence()) && node.size() == 0;
}

// ---- YAML ---------------------------------------------------------------

std::string yaml_scalar(const YAML::Node& node) {
  if (node.IsNull()) return "null";
  const std::string& text = node.Scalar();
  switch (scalar_type(node)) {
    case ScalarType::kString: return yaml_string(text);
    case ScalarType::kNull: return "null";
    case ScalarType::kBool: return parse_yaml_bool(text).value_or(false) ? "true" : "false";
    case ScalarType::kInt: {
      const auto value = parse_yaml_int(text);
      return value ? std::to_string(*value) : text;
    }
    default: return text;  // floats, dates: as written, which reads back the same
  }
}

std::string inline_collection(const YAML::Node& node) {
  return node.IsMap() ? "{}" : "[]";
}

void emit_yaml(const YAML::Node& node, int indent, std::string& out);

// A value after "key:" or "- ": on the same line when it is a scalar or an
// empty collection, else on the following lines.
void emit_yaml_value(const YAML::Node& value, int indent, bool in_sequence, std::string& out) {
  if (!value.IsMap() && !value.IsSequence()) {
    out += " " + yaml_scalar(value) + "\n";
  } else if (is_empty_collection(value)) {
    out += " " + inline_collection(value) + "\n";
  } else {
    out += "\n";
    // safe_dump does not indent a list that is the value of a map key.
    emit_yaml(value, value.IsSequence() && !in_sequence ? indent : indent + 2, out);
  }
}

void emit_yaml(const YAML::Node& node, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (node.IsMap()) {
    for (const auto& [key, value] : sorted_entries(node)) {
      out += pad + yaml_string(key) + ":";
      emit_yaml_value(value, indent, false, out);
    }
    return;
  }
  for (const YAML::Node& item : node) {
    if (!is_empty_collection(item) && (item.IsMap() || item.IsSequence())) {
      // The first line of a nested collection shares the "- " line:
      // "- a: 1\n  b: 2", "- - x\n  - y".
      std::string nested;
      emit_yaml(item, indent + 2, nested);
      out += pad + "- " + nested.substr(static_cast<std::size_t>(indent) + 2);
    } else {
      out += pad + "-";
      emit_yaml_value(item, indent, true, out);
    }
  }
}

// ---- JSON ---------------------------------------------------------------

// Python's repr(float): the shortest digits that read back to the same
// double, positional when the exponent is in [-4, 16), else scientific with
// at least two exponent digits; always with a '.' or an 'e'.
std::string python_float_repr(double value) {
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string text(buffer, result.ptr);  // "-1.25e+03"
  const bool negative = text.front() == '-';
  if (negative) text.erase(0, 1);
  const auto e = text.find('e');
  std::string digits = text.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string repr;
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) {
      repr = "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    } else {
      const auto whole = static_cast<std::size_t>(exponent) + 1;
      if (digits.size() <= whole) digits.append(whole - digits.size(), '0');
      const std::string fraction = digits.substr(whole);
      repr = digits.substr(0, whole) + "." + (fraction.empty() ? "0" : fraction);
    }
  } else {
    const std::string fraction = digits.substr(1);
    const std::string magnitude = std::to_string(exponent < 0 ? -exponent : exponent);
    repr = digits.substr(0, 1) + (fraction.empty() ? "" : "." + fraction) + "e" +
           (exponent < 0 ? "-" : "+") + (magnitude.size() < 2 ? "0" : "") + magnitude;
  }
  return negative ? "-" + repr : repr;
}

std::string json_float(const std::string& text) {
  std::string cleaned;
  for (char c : text) {
    if (c != '_') cleaned += c;
  }
  if (cleaned.ends_with(".inf") || cleaned.ends_with(".Inf") || cleaned.ends_with(".INF")) {
    return cleaned.front() == '-' ? "-Infinity" : "Infinity";
  }
  if (cleaned.find("nan") != std::string::npos || cleaned.find("NaN") != std::string::npos ||
      cleaned.find("NAN") != std::string::npos) {
    return "NaN";
  }
  const double value = std::strtod(cleaned.c_str(), nullptr);
  return python_float_repr(value);
}

std::string json_scalar(const YAML::Node& node) {
  if (node.IsNull()) return "null";
  const std::string& text = node.Scalar();
  switch (scalar_type(node)) {
    case ScalarType::kNull: return "null";
    case ScalarType::kBool: return parse_yaml_bool(text).value_or(false) ? "true" : "false";
    case ScalarType::kInt: {
      const auto value = parse_yaml_int(text);
      return value ? std::to_string(*value) : json_string(text);
    }
    case ScalarType::kFloat: return json_float(text);
    default: return json_string(text);
  }
}

void emit_json(const YAML::Node& node, int indent, std::string& out) {
  if (!node.IsMap() && !node.IsSequence()) {
    out += json_scalar(node);
    return;
  }
  if (node.size() == 0) {
    out += inline_collection(node);
    return;
  }
  const std::string inner(static_cast<std::size_t>(indent) + 2, ' ');
  out += node.IsMap() ? "{\n" : "[\n";
  bool first = true;
  const auto separator = [&] {
    if (!first) out += ",\n";
    first = false;
  };
  if (node.IsMap()) {
    for (const auto& [key, value] : sorted_entries(node)) {
      separator();
      out += inner + json_string(key) + ": ";
      emit_json(value, indent + 2, out);
    }
  } else {
    for (const YAML::Node& item : node) {
      separator();
      out += inner;
      emit_json(item, indent + 2, out);
    }
  }
  out += "\n" + std::string(static_cast<std::size_t>(indent), ' ') + (node.IsMap() ? "}" : "]");
}

}  // namespace

std::string dump_yaml(const YAML::Node& document) {
  if (!document.IsMap() && !document.IsSequence()) return yaml_scalar(document) + "\n";
  if (is_empty_collection(document)) return inline_collection(document) + "\n";
  std::string out;
  emit_yaml(document, 0, out);
  return out;
}

std::string dump_json(const YAML::Node& document) {
  std::string out;
  emit_json(document, 0, out);
  return out + "\n";
}

}  // namespace accel::config
