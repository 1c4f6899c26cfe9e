#include "config/config_writer.hpp"

#include "config/document_dump.hpp"

namespace accel::config {

namespace {

YAML::Node string_node(std::string_view text) {
  YAML::Node node{std::string(text)};
  node.SetTag("!");  // 'no' and '0' stay strings
  return node;
}

YAML::Node list_node(const std::vector<std::string>& items) {
  YAML::Node list(YAML::NodeType::Sequence);
  for (const std::string& item : items) list.push_back(string_node(item));
  return list;
}

void put_optional(YAML::Node& document, const char* key, const std::optional<std::string>& value) {
  if (value) document[key] = string_node(*value);
}

void put_optional(YAML::Node& document, const char* key,
                  const std::optional<std::vector<std::string>>& value) {
  if (value) document[key] = list_node(*value);
}

// Accelerate's to_dict turns an empty dict into None and drops it.
void put_map(YAML::Node& document, const char* key, const YAML::Node& map) {
  if (map && map.IsMap() && map.size() > 0) document[key] = map;
}

}  // namespace

FileFormat format_for_path(const std::string& path) {
  return path.ends_with(".json") ? FileFormat::kJson : FileFormat::kYaml;
}

YAML::Node to_document(const ClusterConfig& config) {
  if (config.sagemaker_document && config.sagemaker_document.IsMap()) {
    return YAML::Clone(config.sagemaker_document);
  }
  YAML::Node document(YAML::NodeType::Map);
  document["compute_environment"] = string_node(to_string(config.compute_environment));
  document["distributed_type"] = string_node(to_string(config.distributed_type));
  document["mixed_precision"] = string_node(to_string(config.mixed_precision));
  document["use_cpu"] = config.use_cpu;
  document["debug"] = config.debug;
  document["num_processes"] = config.num_processes;
  document["machine_rank"] = config.machine_rank;
  document["num_machines"] = config.num_machines;
  put_optional(document, "gpu_ids", config.gpu_ids);
  put_optional(document, "main_process_ip", config.main_process_ip);
  if (config.main_process_port) document["main_process_port"] = *config.main_process_port;
  document["rdzv_backend"] = string_node(config.rdzv_backend);
  document["same_network"] = config.same_network;
  document["main_training_function"] = string_node(config.main_training_function);
  document["enable_cpu_affinity"] = config.enable_cpu_affinity;
  if (const bool* flag = std::get_if<bool>(&config.downcast_bf16)) {
    document["downcast_bf16"] = *flag;
  } else {
    document["downcast_bf16"] = string_node(std::get<std::string>(config.downcast_bf16));
  }
  put_optional(document, "tpu_name", config.tpu_name);
  put_optional(document, "tpu_zone", config.tpu_zone);
  document["tpu_use_cluster"] = config.tpu_use_cluster;
  document["tpu_use_sudo"] = config.tpu_use_sudo;
  put_optional(document, "command_file", config.command_file);
  put_optional(document, "commands", config.commands);
  put_optional(document, "tpu_vm", config.tpu_vm);
  put_optional(document, "tpu_env", config.tpu_env);
  put_map(document, "deepspeed_config", config.deepspeed_config);
  put_map(document, "fsdp_config", config.fsdp_config);
  put_map(document, "megatron_lm_config", config.megatron_lm_config);
  put_map(document, "dynamo_config", config.dynamo_config);
  put_map(document, "fp8_config", config.fp8_config);
  put_map(document, "parallelism_config", config.parallelism_config);
  put_map(document, "mpirun_config", config.mpirun_config);
  return document;
}

std::string to_yaml(const ClusterConfig& config) {
  return dump_yaml(to_document(config));
}
std::string to_json(const ClusterConfig& config) {
  return dump_json(to_document(config));
}

WriteResult save_config(const ClusterConfig& config, const std::string& path, FileFormat format,
                        IfExists if_exists) {
  const std::string text = format == FileFormat::kJson ? to_json(config) : to_yaml(config);
  return write_file_atomically(path, text, if_exists);
}

}  // namespace accel::config
