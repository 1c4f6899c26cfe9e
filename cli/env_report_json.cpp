// The report as one JSON document. Every field is documented in docs/env.md
// (tests/integration/test_env_command.py checks the two agree); a fact that
// could not be learned is null, never left out, so scripts can index
// without checking.
#include <nlohmann/json.hpp>

#include "cli/env_report.hpp"

namespace accel::cli {

namespace {

using Json = nlohmann::ordered_json;

template <typename T>
Json or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

Json or_null(const std::string& value) {
  return value.empty() ? Json(nullptr) : Json(value);
}

Json sourced(const SourcedValue& value) {
  return {{"value", value.value}, {"source", value.source}};
}

Json system_json(const host::SystemFacts& s) {
  return {{"hostname", or_null(s.hostname)},
          {"os", or_null(s.os)},
          {"kernel", or_null(s.kernel)},
          {"architecture", or_null(s.architecture)},
          {"glibc", or_null(s.glibc)},
          {"cpu_model", or_null(s.cpu_model)},
          {"physical_cores", s.physical_cores},
          {"logical_cpus", s.logical_cpus},
          {"numa_nodes", s.numa_nodes},
          {"memory_total_bytes", or_null(s.memory_total_bytes)},
          {"memory_available_bytes", or_null(s.memory_available_bytes)}};
}

Json python_json(const host::PythonFacts& p) {
  return {{"probed", p.probed},
          {"interpreter", or_null(p.interpreter)},
          {"interpreter_source", or_null(p.interpreter_source)},
          {"version", or_null(p.version)},
          {"executable", or_null(p.executable)},
          {"torch", or_null(p.torch_version)},
          {"torch_cuda", or_null(p.torch_cuda_version)},
          {"accelerate", or_null(p.accelerate_version)},
          {"note", or_null(p.note)}};
}

Json gpus_json(const EnvReport& r) {
  const host::GpuInventory& g = r.gpus;
  Json devices = Json::array();
  for (const host::GpuDevice& d : g.devices) {
    devices.push_back({{"index", d.index},
                       {"name", d.name},
                       {"uuid", or_null(d.uuid)},
                       {"pci_bus_id", or_null(d.pci_bus_id)},
                       {"memory_total_bytes", or_null(d.memory_total_bytes)},
                       {"memory_used_bytes", or_null(d.memory_used_bytes)},
                       {"compute_capability", or_null(d.compute_capability)}});
  }
  return {{"nvml_found", g.nvml_found},
          {"nvml_library", or_null(g.nvml_path)},
          {"driver_version", or_null(g.driver_version)},
          {"cuda_driver_version", or_null(g.cuda_driver_version)},
          {"count", g.devices.size()},
          {"visible_count", r.visible_gpus},
          {"cuda_visible_devices", or_null(r.cuda_visible_devices)},
          {"devices", devices},
          {"topology", g.topology},
          {"note", or_null(g.note)}};
}

Json nccl_json(const host::GpuInventory& g) {
  return {{"found", g.nccl_found},
          {"library", or_null(g.nccl_path)},
          {"version", or_null(g.nccl_version)}};
}

Json network_json(const NetworkReport& n) {
  Json interfaces = Json::array();
  for (const host::InterfaceAddress& a : n.addresses) {
    Json* entry = nullptr;
    for (Json& existing : interfaces) {
      if (existing["name"] == a.interface) entry = &existing;
    }
    if (entry == nullptr) {
      interfaces.push_back({{"name", a.interface}, {"up", a.up}, {"addresses", Json::array()}});
      entry = &interfaces.back();
    }
    (*entry)["addresses"].push_back(a.address);
  }
  Json infiniband = Json::array();
  for (const host::InfinibandDevice& device : n.infiniband) {
    Json ports = Json::array();
    for (const host::InfinibandPort& port : device.ports) {
      ports.push_back({{"port", port.number},
                       {"state", port.state},
                       {"rate", port.rate},
                       {"link_layer", port.link_layer}});
    }
    infiniband.push_back({{"name", device.name}, {"ports", ports}});
  }
  return {{"interfaces", interfaces},
          {"nccl_socket_ifname", or_null(n.nccl_socket_ifname)},
          {"nccl_socket_family", or_null(n.nccl_socket_family)},
          {"nccl_interfaces", n.nccl.interfaces},
          {"nccl_bootstrap_interface",
           n.nccl.interfaces.empty() ? Json(nullptr) : Json(n.nccl.interfaces.front())},
          {"nccl_rule", n.nccl.rule},
          {"infiniband", infiniband},
          {"note", or_null(n.note)}};
}

Json config_json(const ConfigReport& c) {
  return {{"path", c.path},
          {"path_source", c.path_source},
          {"exists", c.exists},
          {"content", c.exists ? Json(c.content) : Json(nullptr)},
          {"valid", c.exists ? Json(c.valid) : Json(nullptr)},
          {"error", or_null(c.error)},
          {"warnings", c.warnings}};
}

Json launch_json(const LaunchReport& l) {
  Json launch = {{"flags", l.flags},
                 {"ok", l.ok},
                 {"error", or_null(l.error)},
                 {"config_file", or_null(l.config_file)}};
  if (!l.ok) {
    for (const char* field : {"launch_path", "use_cpu", "job_system", "num_processes",
                              "processes_per_machine", "num_machines", "machine_rank", "first_rank",
                              "last_rank", "rendezvous_role", "rendezvous_endpoint", "run_id"}) {
      launch[field] = nullptr;
    }
    launch["notices"] = Json::array();
    return launch;
  }
  launch["launch_path"] = l.launch_path;
  launch["use_cpu"] = l.use_cpu;
  launch["job_system"] = l.job_system;
  launch["num_processes"] = sourced(l.num_processes);
  launch["processes_per_machine"] = sourced(l.processes_per_machine);
  launch["num_machines"] = sourced(l.num_machines);
  launch["machine_rank"] = sourced(l.machine_rank);
  launch["first_rank"] = l.first_rank;
  launch["last_rank"] = l.last_rank;
  launch["rendezvous_role"] = l.rendezvous_role;
  launch["rendezvous_endpoint"] = sourced(l.rendezvous_endpoint);
  launch["run_id"] = sourced(l.run_id);
  launch["notices"] = l.notices;
  return launch;
}

}  // namespace

std::string render_json(const EnvReport& r) {
  const Json document = {
      {"accel",
       {{"version", r.accel.version},
        {"compiler", r.accel.compiler},
        {"build_type", r.accel.build_type},
        {"built_with_cuda", r.accel.cuda},
        {"built_with_nccl", r.accel.nccl}}},
      {"system", system_json(r.system)},
      {"python", python_json(r.python)},
      {"gpus", gpus_json(r)},
      {"nccl", nccl_json(r.gpus)},
      {"network", network_json(r.network)},
      {"job",
       {{"system", r.job.system}, {"error", or_null(r.job.error)}, {"variables", r.job.variables}}},
      {"environment", r.environment},
      {"config", config_json(r.config)},
      {"launch", launch_json(r.launch)}};
  // A config file in another encoding must not make the report fail: bad bytes become U+FFFD.
  return document.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace accel::cli
