#include "launch/slurm_syntax.hpp"

#include <cctype>
#include <charconv>

namespace accel::launch {

namespace {

// More hosts than any cluster has: a list that expands past this is a typo
// (or garbage), and expanding it would only eat memory.
constexpr std::size_t kMaxHosts = 1 << 20;

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) return false;
  }
  return true;
}

std::optional<unsigned long> number(std::string_view text) {
  unsigned long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "7" or "01-3" inside brackets: the numbers as text, padded to the low end's width.
bool expand_range(std::string_view item, std::vector<std::string>& out, std::string& error) {
  const std::size_t dash = item.find('-');
  const std::string_view low_text = item.substr(0, dash);
  const std::string_view high_text =
      dash == std::string_view::npos ? low_text : item.substr(dash + 1);
  const auto low = all_digits(low_text) ? number(low_text) : std::nullopt;
  const auto high = all_digits(high_text) ? number(high_text) : std::nullopt;
  if (!low || !high) {
    error = "'" + std::string(item) + "' in brackets is not a number or a range such as 1-4";
    return false;
  }
  if (*high < *low) {
    error = "the range " + std::string(item) + " runs backwards";
    return false;
  }
  if (*high - *low >= kMaxHosts) {
    error = "the range " + std::string(item) + " names more hosts than a cluster has";
    return false;
  }
  for (unsigned long value = *low; value <= *high; ++value) {
    std::string text = std::to_string(value);
    if (text.size() < low_text.size()) text.insert(0, low_text.size() - text.size(), '0');
    out.push_back(std::move(text));
  }
  return true;
}

// One host entry, brackets and all: every combination of its bracket groups.
bool expand_entry(std::string_view entry, std::vector<std::string>& hosts, std::string& error) {
  std::vector<std::string> names{""};
  while (!entry.empty()) {
    const std::size_t open = entry.find('[');
    const std::string_view literal = entry.substr(0, open);
    if (literal.find(']') != std::string_view::npos) {
      error = "a ']' without its '['";
      return false;
    }
    for (std::string& name : names) name += literal;
    if (open == std::string_view::npos) break;
    const std::size_t close = entry.find(']', open);
    if (close == std::string_view::npos) {
      error = "a '[' without its ']'";
      return false;
    }
    std::vector<std::string> numbers;
    std::string_view inside = entry.substr(open + 1, close - open - 1);
    for (;;) {
      const std::size_t comma = inside.find(',');
      if (!expand_range(inside.substr(0, comma), numbers, error)) return false;
      if (comma == std::string_view::npos) break;
      inside.remove_prefix(comma + 1);
    }
    if (names.size() * numbers.size() > kMaxHosts) {
      error = "it names more hosts than a cluster has";
      return false;
    }
    std::vector<std::string> combined;
    combined.reserve(names.size() * numbers.size());
    for (const std::string& name : names) {
      for (const std::string& digits : numbers) combined.push_back(name + digits);
    }
    names = std::move(combined);
    entry.remove_prefix(close + 1);
  }
  if (hosts.size() + names.size() > kMaxHosts) {
    error = "it names more hosts than a cluster has";
    return false;
  }
  hosts.insert(hosts.end(), names.begin(), names.end());
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> expand_hostlist(std::string_view list, std::string& error) {
  std::vector<std::string> hosts;
  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= list.size(); ++i) {
    const char c = i < list.size() ? list[i] : ',';
    if (c == '[') ++depth;
    if (c == ']') --depth;
    const bool separator = c == ',' || std::isspace(static_cast<unsigned char>(c)) != 0;
    if (!separator || (depth > 0 && i < list.size())) continue;
    const std::string_view entry = list.substr(start, i - start);
    start = i + 1;
    if (entry.empty()) continue;
    if (!expand_entry(entry, hosts, error)) {
      error = "'" + std::string(entry) + "': " + error;
      return std::nullopt;
    }
  }
  if (hosts.empty()) {
    error = "no host in '" + std::string(list) + "'";
    return std::nullopt;
  }
  return hosts;
}

std::optional<std::vector<int>> expand_tasks_per_node(std::string_view list, std::string& error) {
  std::vector<int> counts;
  std::string_view rest = list;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view entry = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    // "2" or "2(x3)"
    const std::size_t paren = entry.find('(');
    const std::string_view count_text = entry.substr(0, paren);
    std::optional<unsigned long> repeat = 1;
    if (paren != std::string_view::npos) {
      const std::string_view times = entry.substr(paren);
      repeat = times.size() > 3 && times.starts_with("(x") && times.ends_with(")")
                   ? number(times.substr(2, times.size() - 3))
                   : std::nullopt;
    }
    const auto count = all_digits(count_text) ? number(count_text) : std::nullopt;
    if (!count || !repeat || *count == 0 || *count > kMaxHosts || *repeat == 0 ||
        counts.size() + *repeat > kMaxHosts) {
      error = "'" + std::string(entry) + "' is not a task count such as 4 or 4(x2)";
      return std::nullopt;
    }
    counts.insert(counts.end(), *repeat, static_cast<int>(*count));
  }
  if (counts.empty()) {
    error = "no task count in '" + std::string(list) + "'";
    return std::nullopt;
  }
  return counts;
}

}  // namespace accel::launch
