#include "host/system_facts.hpp"

#include <gnu/libc-version.h>
#include <sys/utsname.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "host/cpu.hpp"

namespace accel::host {

namespace {

// The whole file, or "" when it cannot be read (a fact we simply lack).
std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() &&
         (text.back() == ' ' || text.back() == '\t' || text.back() == '\n' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::string first_line(const std::filesystem::path& path) {
  const std::string text = read_text(path);
  return std::string(trim(std::string_view(text).substr(0, text.find('\n'))));
}

// Calls visit(line) for each line of `text` until it returns false.
template <typename Visit>
void for_each_line(std::string_view text, Visit&& visit) {
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    if (!visit(text.substr(0, newline))) return;
    if (newline == std::string_view::npos) return;
    text.remove_prefix(newline + 1);
  }
}

// "key<spaces>: value" lines of /proc/cpuinfo; the value of the first `key`.
std::string cpuinfo_value(std::string_view cpuinfo, std::string_view key) {
  std::string found;
  for_each_line(cpuinfo, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || trim(line.substr(0, colon)) != key) return true;
    found = std::string(trim(line.substr(colon + 1)));
    return found.empty();
  });
  return found;
}

std::optional<long> to_number(std::string_view text) {
  long value = 0;
  text = trim(text);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string os_name_from_release(std::string_view os_release) {
  std::string pretty, name, version;
  for_each_line(os_release, [&](std::string_view line) {
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) return true;
    std::string_view value = trim(line.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    const std::string_view key = trim(line.substr(0, equals));
    if (key == "PRETTY_NAME") pretty = value;
    if (key == "NAME") name = value;
    if (key == "VERSION") version = value;
    return true;
  });
  if (!pretty.empty()) return pretty;
  return version.empty() ? name : name + " " + version;
}

std::string cpu_model_from_cpuinfo(std::string_view cpuinfo) {
  // x86 names the model; ARM and POWER kernels use other keys, or none.
  for (const char* key : {"model name", "Hardware", "cpu model", "cpu", "Processor"}) {
    if (std::string model = cpuinfo_value(cpuinfo, key); !model.empty()) return model;
  }
  if (std::string part = cpuinfo_value(cpuinfo, "CPU part"); !part.empty()) {
    return "CPU implementer " + cpuinfo_value(cpuinfo, "CPU implementer") + ", part " + part;
  }
  return "";
}

std::optional<std::uint64_t> meminfo_bytes(std::string_view meminfo, std::string_view field) {
  std::optional<std::uint64_t> bytes;
  for_each_line(meminfo, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || line.substr(0, colon) != field) return true;
    std::string_view value = trim(line.substr(colon + 1));
    const bool kib = value.ends_with("kB");
    if (kib) value = trim(value.substr(0, value.size() - 2));
    if (const auto number = to_number(value); number && *number >= 0) {
      bytes = static_cast<std::uint64_t>(*number) * (kib ? 1024U : 1U);
    }
    return false;
  });
  return bytes;
}

int count_cpu_list(std::string_view list) {
  int count = 0;
  list = trim(list);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view range = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    const std::size_t dash = range.find('-');
    const auto low = to_number(range.substr(0, dash));
    const auto high = dash == std::string_view::npos ? low : to_number(range.substr(dash + 1));
    if (!low || !high || *high < *low) return 0;
    count += static_cast<int>(*high - *low + 1);
  }
  return count;
}

SystemFacts read_system_facts(const std::filesystem::path& root) {
  SystemFacts facts;
  facts.os = os_name_from_release(read_text(root / "etc/os-release"));
  facts.kernel = first_line(root / "proc/sys/kernel/osrelease");
  facts.hostname = first_line(root / "proc/sys/kernel/hostname");
  utsname names{};
  if (::uname(&names) == 0) {
    facts.architecture = names.machine;
    if (facts.kernel.empty() && root == "/") facts.kernel = names.release;
  }
  facts.glibc = ::gnu_get_libc_version();

  const std::string cpuinfo = read_text(root / "proc/cpuinfo");
  facts.cpu_model = cpu_model_from_cpuinfo(cpuinfo);
  const std::filesystem::path cpu_dir = root / "sys/devices/system/cpu";
  facts.logical_cpus = count_cpu_list(first_line(cpu_dir / "online"));
  if (facts.logical_cpus == 0) facts.logical_cpus = logical_cpus();
  facts.physical_cores = physical_cpu_cores(cpu_dir.string());
  // A kernel without NUMA has no node folder: the machine is one node.
  facts.numa_nodes = count_cpu_list(first_line(root / "sys/devices/system/node/online"));
  if (facts.numa_nodes == 0) facts.numa_nodes = 1;

  const std::string meminfo = read_text(root / "proc/meminfo");
  facts.memory_total_bytes = meminfo_bytes(meminfo, "MemTotal");
  facts.memory_available_bytes = meminfo_bytes(meminfo, "MemAvailable");
  return facts;
}

}  // namespace accel::host
