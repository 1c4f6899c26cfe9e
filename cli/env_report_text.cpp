// The report as text to paste into an issue: Accelerate's opening line, then
// groups of "- key: value" lines. Missing facts read "not found" or "none"
// with the reason, never an empty value.
#include <cstdio>
#include <sstream>

#include "cli/env_report.hpp"

namespace accel::cli {

namespace {

std::string gib(std::uint64_t bytes) {
  char text[32];
  (void)std::snprintf(text, sizeof text, "%.1f GiB", static_cast<double>(bytes) / (1ULL << 30));
  return text;
}

std::string mib(std::uint64_t bytes) {
  return std::to_string(bytes >> 20) + " MiB";
}

std::string or_text(const std::optional<std::string>& value, const std::string& otherwise) {
  return value ? *value : otherwise;
}

std::string plural(int count, const char* one, const char* many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

class Writer {
 public:
  void group(const std::string& title) { out_ << "\n" << title << "\n"; }
  void line(const std::string& key, const std::string& value) {
    out_ << "- " << key << ": " << value << "\n";
  }
  void raw(const std::string& text) { out_ << text; }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

void write_accel(const BuildFacts& accel, Writer& w) {
  w.group("accel");
  w.line("version", accel.version);
  w.line("compiler", accel.compiler);
  w.line("build type", accel.build_type);
  w.line("built against CUDA", accel.cuda);
  w.line("built against NCCL", accel.nccl);
}

void write_system(const host::SystemFacts& s, Writer& w) {
  w.group("System");
  w.line("hostname", s.hostname.empty() ? "unknown" : s.hostname);
  w.line("OS", s.os.empty() ? "unknown" : s.os);
  w.line("kernel", (s.kernel.empty() ? "unknown" : s.kernel) +
                       (s.architecture.empty() ? "" : " (" + s.architecture + ")"));
  w.line("glibc", s.glibc);
  w.line("CPU", (s.cpu_model.empty() ? "unknown model" : s.cpu_model) + ", " +
                    plural(s.physical_cores, "core", "cores") + ", " +
                    plural(s.logical_cpus, "logical CPU", "logical CPUs") + ", " +
                    plural(s.numa_nodes, "NUMA node", "NUMA nodes"));
  w.line("RAM",
         s.memory_total_bytes
             ? gib(*s.memory_total_bytes) + " total" +
                   (s.memory_available_bytes ? ", " + gib(*s.memory_available_bytes) + " available"
                                             : "")
             : "unknown");
}

void write_python(const host::PythonFacts& p, Writer& w) {
  w.group("Python");
  if (!p.probed) {
    w.line("python", "not probed (--no_python)");
    return;
  }
  if (!p.interpreter) {
    w.line("python", "not found (" + p.note + ")");
    return;
  }
  w.line("python", *p.interpreter + " (from " + p.interpreter_source + ")" +
                       (p.version ? ", Python " + *p.version : ""));
  if (p.executable && *p.executable != *p.interpreter) w.line("executable", *p.executable);
  w.line("torch", p.torch_version ? *p.torch_version + " (CUDA " +
                                        or_text(p.torch_cuda_version, "unknown") + ")"
                                  : "not found");
  w.line("accelerate", or_text(p.accelerate_version, "not found"));
  if (!p.note.empty()) w.line("note", p.note);
}

std::string padded(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text;
}

// nvidia-smi's layout: a header row of GPU names, then one row per GPU.
void write_topology(const std::vector<std::vector<std::string>>& matrix, Writer& w) {
  constexpr std::size_t kWidth = 6;
  std::string table = "- topology (as nvidia-smi topo -m shows it):\n";
  std::string header = "  " + padded("", kWidth);
  for (std::size_t j = 0; j < matrix.size(); ++j)
    header += padded("GPU" + std::to_string(j), kWidth);
  std::vector<std::string> rows = {header};
  for (std::size_t i = 0; i < matrix.size(); ++i) {
    std::string row = "  " + padded("GPU" + std::to_string(i), kWidth);
    for (const std::string& label : matrix[i]) row += padded(label, kWidth);
    rows.push_back(row);
  }
  for (std::string& row : rows) {
    while (!row.empty() && row.back() == ' ') row.pop_back();
    table += row + "\n";
  }
  w.raw(table);
}

void write_gpus(const EnvReport& r, Writer& w) {
  const host::GpuInventory& g = r.gpus;
  w.group("GPUs");
  if (!g.nvml_found) {
    w.line("GPUs", "none: no NVIDIA driver (libnvidia-ml.so.1 not found)");
  } else {
    w.line("NVIDIA driver", or_text(g.driver_version, "unknown") + " (CUDA " +
                                or_text(g.cuda_driver_version, "unknown") + ")" +
                                (g.nvml_path.empty() ? "" : ", NVML " + g.nvml_path));
    w.line("GPUs",
           std::to_string(g.devices.size()) + " (" + std::to_string(r.visible_gpus) + " visible" +
               (r.cuda_visible_devices ? " with CUDA_VISIBLE_DEVICES=" + *r.cuda_visible_devices
                                       : "") +
               ")");
    for (const host::GpuDevice& d : g.devices) {
      std::string text = d.name;
      if (d.memory_total_bytes) {
        text += ", " + gib(*d.memory_total_bytes) + " (" +
                (d.memory_used_bytes ? mib(*d.memory_used_bytes) : "?") + " used)";
      }
      if (d.compute_capability) text += ", compute capability " + *d.compute_capability;
      if (!d.pci_bus_id.empty()) text += ", PCI " + d.pci_bus_id;
      w.line("GPU " + std::to_string(d.index), text);
    }
    if (!g.topology.empty()) write_topology(g.topology, w);
  }
  w.line("NCCL", g.nccl_version
                     ? *g.nccl_version + (g.nccl_path.empty() ? "" : " (" + g.nccl_path + ")")
                 : g.nccl_found ? "found, version unknown"
                                : "not found (libnccl.so.2)");
  // Without the driver the GPUs line already says why.
  if (g.nvml_found && !g.note.empty()) w.line("note", g.note);
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

void write_network(const NetworkReport& n, Writer& w) {
  w.group("Network");
  std::vector<std::string> order;
  std::map<std::string, std::vector<std::string>> addresses;
  for (const host::InterfaceAddress& a : n.addresses) {
    if (!addresses.contains(a.interface)) order.push_back(a.interface);
    addresses[a.interface].push_back(a.address + (a.up ? "" : " (down)"));
  }
  for (const std::string& name : order) w.line(name, join(addresses[name], ", "));
  if (!n.note.empty()) w.line("interfaces", "unknown (" + n.note + ")");
  w.line("NCCL_SOCKET_IFNAME", or_text(n.nccl_socket_ifname, "not set"));
  w.line("NCCL would use",
         n.nccl.interfaces.empty()
             ? "no interface (" + n.nccl.rule + "): NCCL's socket transport would fail"
             : join(n.nccl.interfaces, ", ") + " (" + n.nccl.rule + "; bootstrap on " +
                   n.nccl.interfaces.front() + ")");
  if (n.infiniband.empty())
    w.line("InfiniBand", "none (/sys/class/infiniband is empty or missing)");
  for (const host::InfinibandDevice& device : n.infiniband) {
    std::vector<std::string> ports;
    for (const host::InfinibandPort& port : device.ports) {
      ports.push_back("port " + std::to_string(port.number) + " " + port.state + ", " + port.rate +
                      ", " + port.link_layer);
    }
    w.line("InfiniBand " + device.name, ports.empty() ? "no ports" : join(ports, "; "));
  }
}

void write_job_and_environment(const EnvReport& r, Writer& w) {
  w.group("Job");
  w.line("job system", r.job.system);
  if (!r.job.error.empty()) w.line("job variables refused", r.job.error);
  for (const auto& [name, value] : r.job.variables) w.line(name, value);
  w.group("Environment");
  if (r.environment.empty()) w.line("relevant variables", "none set");
  for (const auto& [name, value] : r.environment) w.line(name, value);
}

void write_config(const ConfigReport& c, Writer& w) {
  w.group("Config");
  w.line("path", c.path + " (" + c.path_source + ")");
  if (!c.exists) {
    w.line("status", "not found (accel launch uses its defaults)");
    return;
  }
  w.line("status", c.valid ? "valid" : "invalid");
  if (!c.error.empty()) w.line("error", c.error);
  for (const std::string& warning : c.warnings) w.line("warning", warning);
  std::string content = c.content;
  if (!content.empty() && content.back() != '\n') content += "\n";
  w.raw("- content:\n```yaml\n" + content + "```\n");
}

void write_launch(const LaunchReport& l, Writer& w) {
  w.group("accel launch here");
  w.line("launch flags",
         l.flags.empty() ? "none (give them after `accel env --`)" : join(l.flags, " "));
  w.line("config file", l.config_file.empty() ? "none" : l.config_file);
  if (!l.ok) {
    w.line("would fail", l.error);
    return;
  }
  const auto sourced = [&w](const std::string& key, const SourcedValue& value) {
    w.line(key, value.value + " (from " + value.source + ")");
  };
  w.line("launch path", l.launch_path + (l.use_cpu ? " (CPU)" : ""));
  w.line("job system", l.job_system);
  sourced("processes", l.num_processes);
  sourced("processes on this machine", l.processes_per_machine);
  sourced("machines", l.num_machines);
  sourced("machine rank", l.machine_rank);
  w.line("ranks of this machine", l.first_rank == l.last_rank ? std::to_string(l.first_rank)
                                                              : std::to_string(l.first_rank) + "-" +
                                                                    std::to_string(l.last_rank));
  w.line("rendezvous", l.rendezvous_role == "local"
                           ? l.rendezvous_endpoint.value +
                                 " (this machine's workers only; port from " +
                                 l.rendezvous_endpoint.source + ")"
                           : l.rendezvous_role + " " + l.rendezvous_endpoint.value + " (" +
                                 l.rendezvous_endpoint.source + ")");
  sourced("run id", l.run_id);
  for (const std::string& notice : l.notices) w.line("notice", notice);
}

}  // namespace

std::string render_text(const EnvReport& report) {
  Writer w;
  w.raw("Copy-and-paste the text below in your GitHub issue\n");
  write_accel(report.accel, w);
  write_system(report.system, w);
  write_python(report.python, w);
  write_gpus(report, w);
  write_network(report.network, w);
  write_job_and_environment(report, w);
  write_config(report.config, w);
  write_launch(report.launch, w);
  return w.str();
}

}  // namespace accel::cli
