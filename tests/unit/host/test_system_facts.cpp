// The system facts read from a fake root: os-release, cpuinfo of x86 and
// ARM machines, meminfo, CPU and NUMA node lists.
#include <catch2/catch.hpp>

#include "host/system_facts.hpp"
#include "tests/unit/scratch_dir.hpp"

using namespace accel::host;
using accel::testing::ScratchDir;

TEST_CASE("os-release: PRETTY_NAME, else NAME and VERSION, quotes removed", "[system_facts]") {
  CHECK(os_name_from_release("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 "
                             "(bookworm)\"\nVERSION_ID=\"12\"\n") ==
        "Debian GNU/Linux 12 (bookworm)");
  CHECK(os_name_from_release("NAME='Alpine'\nVERSION=3.19\n") == "Alpine 3.19");
  CHECK(os_name_from_release("NAME=Plain\n") == "Plain");
  CHECK(os_name_from_release("").empty());
}

TEST_CASE("cpuinfo: the model of x86 and ARM machines", "[system_facts]") {
  CHECK(cpu_model_from_cpuinfo("processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD "
                               "EPYC 7B13\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n") ==
        "AMD EPYC 7B13");
  CHECK(cpu_model_from_cpuinfo("processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd4f\n") ==
        "CPU implementer 0x41, part 0xd4f");
  CHECK(cpu_model_from_cpuinfo("").empty());
}

TEST_CASE("meminfo: fields in bytes", "[system_facts]") {
  const char* meminfo = "MemTotal:       16318452 kB\nMemFree:  100 kB\nMemAvailable:   8000 kB\n";
  CHECK(meminfo_bytes(meminfo, "MemTotal") == std::uint64_t{16318452} * 1024);
  CHECK(meminfo_bytes(meminfo, "MemAvailable") == std::uint64_t{8000} * 1024);
  CHECK_FALSE(meminfo_bytes(meminfo, "SwapTotal").has_value());
  CHECK_FALSE(meminfo_bytes("MemTotal: lots kB\n", "MemTotal").has_value());
}

TEST_CASE("kernel CPU lists are counted", "[system_facts]") {
  CHECK(count_cpu_list("0-3,8,10-11\n") == 7);
  CHECK(count_cpu_list("0") == 1);
  CHECK(count_cpu_list("") == 0);
  CHECK(count_cpu_list("3-1") == 0);
  CHECK(count_cpu_list("x") == 0);
}

TEST_CASE("a whole fake machine is read from its root", "[system_facts]") {
  ScratchDir root;
  root.write("etc/os-release", "PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\n");
  root.write("proc/sys/kernel/osrelease", "6.8.0-45-generic\n");
  root.write("proc/sys/kernel/hostname", "gpu-node-7\n");
  root.write("proc/cpuinfo", "processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n");
  root.write("proc/meminfo", "MemTotal: 2048 kB\nMemAvailable: 1024 kB\n");
  root.write("sys/devices/system/cpu/online", "0-3\n");
  root.write("sys/devices/system/node/online", "0-1\n");
  for (const char* cpu : {"cpu0", "cpu1", "cpu2", "cpu3"}) {
    const std::string siblings =
        (cpu == std::string("cpu0") || cpu == std::string("cpu2")) ? "0,2" : "1,3";
    root.write(std::string("sys/devices/system/cpu/") + cpu + "/topology/core_cpus_list",
               siblings + "\n");
  }
  const SystemFacts facts = read_system_facts(root.path());
  CHECK(facts.os == "Ubuntu 24.04.1 LTS");
  CHECK(facts.kernel == "6.8.0-45-generic");
  CHECK(facts.hostname == "gpu-node-7");
  CHECK(facts.cpu_model == "Intel(R) Xeon(R) Platinum 8480+");
  CHECK(facts.logical_cpus == 4);
  CHECK(facts.physical_cores == 2);
  CHECK(facts.numa_nodes == 2);
  CHECK(facts.memory_total_bytes == 2048u * 1024);
  CHECK(facts.memory_available_bytes == 1024u * 1024);
  CHECK_FALSE(facts.glibc.empty());
}

TEST_CASE("an empty root leaves facts empty but never fails", "[system_facts]") {
  ScratchDir root;
  const SystemFacts facts = read_system_facts(root.path());
  CHECK(facts.os.empty());
  CHECK(facts.kernel.empty());
  CHECK(facts.numa_nodes == 1);  // no NUMA folder: one node
  CHECK(facts.logical_cpus >= 1);
  CHECK_FALSE(facts.memory_total_bytes.has_value());
}
