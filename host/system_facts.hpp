// The machine in a few lines, for `accel env`: OS, kernel, C library, CPU,
// NUMA nodes and memory. Everything comes from files under a root directory
// ("/" in production; a fake tree in tests), so every parser runs on
// recorded /proc, /sys and /etc contents:
//
//   etc/os-release                   PRETTY_NAME (else NAME VERSION)
//   proc/sys/kernel/{osrelease,hostname}
//   proc/cpuinfo                     the CPU model ("model name", or ARM's
//                                    "Hardware"/"CPU part" lines)
//   proc/meminfo                     MemTotal, MemAvailable
//   sys/devices/system/cpu/online    logical CPUs ("0-7,16-23")
//   sys/devices/system/cpu/cpu*/topology  physical cores (host/cpu.hpp)
//   sys/devices/system/node/online   NUMA nodes
//
// A file that is missing or unreadable leaves its fact empty; reading never
// fails. Only the C library's version and the architecture come from the
// running process (gnu_get_libc_version, uname), as no file holds them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace accel::host {

struct SystemFacts {
  std::string hostname;
  std::string os;            // "Debian GNU/Linux 12 (bookworm)"
  std::string kernel;        // "6.1.0-18-amd64"
  std::string architecture;  // "x86_64"
  std::string glibc;         // "2.36"
  std::string cpu_model;     // "AMD EPYC 7B13"
  int logical_cpus = 0;      // online CPUs
  int physical_cores = 0;    // distinct cores (SMT siblings counted once)
  int numa_nodes = 0;        // online NUMA nodes; 1 where the kernel has no NUMA
  std::optional<std::uint64_t> memory_total_bytes;
  std::optional<std::uint64_t> memory_available_bytes;
};

SystemFacts read_system_facts(const std::filesystem::path& root = "/");

// The parsers, for tests.
// os-release(5): PRETTY_NAME, else "NAME VERSION"; quotes removed.
std::string os_name_from_release(std::string_view os_release);
// The first "model name" (x86), else "Hardware" / "cpu model" / "Processor" line.
std::string cpu_model_from_cpuinfo(std::string_view cpuinfo);
// A /proc/meminfo field ("MemTotal") in bytes; nullopt when absent.
std::optional<std::uint64_t> meminfo_bytes(std::string_view meminfo, std::string_view field);
// How many ids a kernel CPU list names: "0-3,8,10-11" -> 7; 0 for "" or garbage.
int count_cpu_list(std::string_view list);

}  // namespace accel::host
