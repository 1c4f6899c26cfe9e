#include "config/config_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include "config/config_keys.hpp"
#include "config/file_io.hpp"
#include "config/node_reader.hpp"
#include "config/syntax_error.hpp"
#include "config/value_checks.hpp"
#include "config/yaml_scalar.hpp"

namespace accel::config {

namespace {

template <typename Enum>
std::vector<std::string_view> spellings(std::span<const Enum> values) {
  std::vector<std::string_view> names;
  for (Enum value : values) names.push_back(to_string(value));
  return names;
}

// Values that depend on other keys, settled after every key has been read.
struct Pending {
  YAML::Node distributed_type_key;  // null when the key is missing
  bool has_num_processes = false;
  YAML::Node machine_rank_value;  // null unless machine_rank was read as an int
  long long machine_rank = 0;
  bool has_mixed_precision = false;
  std::optional<bool> legacy_fp16;
  std::optional<std::string> legacy_dynamo_backend;
  bool sagemaker = false;
};

class ConfigDecoder {
 public:
  ConfigDecoder(const std::string& file, Diagnostics& diagnostics) : reader_(file, diagnostics) {}

  void decode(const YAML::Node& root, ClusterConfig& config);

 private:
  void decode_key(const YAML::Node& key_node, const YAML::Node& value, ClusterConfig& config);
  void finish(ClusterConfig& config);

  template <typename Enum, typename Parse>
  void read_enum(const YAML::Node& value, std::string_view key, std::span<const Enum> all,
                 Parse parse, Enum& out) {
    const auto text = reader_.read_string(value, key);
    if (!text) return;
    if (auto parsed = parse(*text); parsed && scalar_type(value) == ScalarType::kBool) {
      // `distributed_type: NO` unquoted is YAML 1.1's false, and Accelerate
      // refuses it; say why the spelling that looks right is not.
      reader_.error(value, key,
                    *text +
                        " without quotes is the boolean false in YAML (Accelerate reads it "
                        "so too); write '" +
                        *text + "' in quotes");
    } else if (parsed) {
      out = *parsed;
    } else {
      const auto names = spellings(all);
      reader_.error(value, key, not_one_of(*text, names));
    }
  }

  void read_bool(const YAML::Node& value, std::string_view key, bool& out) {
    if (auto parsed = reader_.read_bool(value, key)) out = *parsed;
  }

  void read_optional_string(const YAML::Node& value, std::string_view key,
                            std::optional<std::string>& out) {
    if (auto parsed = reader_.read_string(value, key)) out = *parsed;
  }

  void read_list(const YAML::Node& value, std::string_view key,
                 std::optional<std::vector<std::string>>& out) {
    if (auto parsed = reader_.read_string_list(value, key)) out = std::move(*parsed);
  }

  void read_map(const YAML::Node& value, std::string_view key, YAML::Node& out) {
    if (auto parsed = reader_.read_map(value, key)) out = *parsed;
  }

  // An int that must also pass `check`; returns it only when both hold.
  template <typename Check>
  std::optional<long long> read_checked_int(const YAML::Node& value, std::string_view key,
                                            Check check) {
    const auto number = reader_.read_int(value, key);
    if (!number) return std::nullopt;
    if (auto problem = check(*number)) {
      reader_.error(value, key, *problem);
      return std::nullopt;
    }
    return number;
  }

  NodeReader reader_;
  Pending pending_;
  std::map<std::string, int> first_line_;  // key -> line, to report repeated keys
};

void ConfigDecoder::decode(const YAML::Node& root, ClusterConfig& config) {
  if (!root || root.IsNull()) {
    reader_.error("",
                  "the file is empty; expected `key: value` lines such as "
                  "`distributed_type: NO` (run `accel config` to write one)");
    return;
  }
  if (!root.IsMap()) {
    reader_.error(root, "",
                  "expected `key: value` lines at the top level, found " + describe(root));
    return;
  }
  // compute_environment first: an AMAZON_SAGEMAKER file has its own keys
  // and is kept verbatim (see ClusterConfig::sagemaker_document).
  for (const auto& entry : root) {
    if (entry.first.IsScalar() && entry.first.Scalar() == "compute_environment" &&
        entry.second.IsScalar() && entry.second.Scalar() == "AMAZON_SAGEMAKER") {
      pending_.sagemaker = true;
      config.compute_environment = ComputeEnvironment::kAmazonSagemaker;
      config.sagemaker_document = YAML::Clone(root);
    }
  }
  for (const auto& entry : root) {
    if (!entry.first.IsScalar()) {
      reader_.error(entry.first, "", "expected a plain key name, found " + describe(entry.first));
      continue;
    }
    const std::string key = entry.first.Scalar();
    const int line = entry.first.Mark().line + 1;
    if (const auto [it, inserted] = first_line_.emplace(key, line); !inserted) {
      reader_.error(
          entry.first, key,
          "appears twice (first on line " + std::to_string(it->second) + "); keep only one");
      continue;
    }
    decode_key(entry.first, entry.second, config);
  }
  finish(config);
}

void ConfigDecoder::decode_key(const YAML::Node& key_node, const YAML::Node& value,
                               ClusterConfig& config) {
  const std::string& key = key_node.Scalar();
  const auto sagemaker_keys = sagemaker_only_keys();
  const bool sagemaker_key =
      std::find(sagemaker_keys.begin(), sagemaker_keys.end(), key) != sagemaker_keys.end();
  if (!is_known_key(key) && !(pending_.sagemaker && sagemaker_key)) {
    std::string message = "unknown key";
    if (auto suggestion = closest_key(key)) {
      message += "; did you mean '" + *suggestion + "'?";
    } else {
      message += "; Accelerate's config has no such key (see docs/config.md for the keys)";
    }
    reader_.error(key_node, key, message);
    return;
  }
  // A SageMaker file is kept verbatim (see decode); only typos are checked.
  if (pending_.sagemaker) return;
  if (key == "distributed_type") pending_.distributed_type_key = value;
  // A null value (`key:` or `key: null`) means "not set", as Accelerate's
  // to_dict drops None: the default applies.
  if (value.IsNull()) return;

  if (key == "compute_environment") {
    read_enum(value, key, all_compute_environments(), parse_compute_environment,
              config.compute_environment);
  } else if (key == "distributed_type") {
    read_enum(value, key, all_distributed_types(), parse_distributed_type, config.distributed_type);
  } else if (key == "mixed_precision") {
    pending_.has_mixed_precision = true;
    // YAML 1.1 reads a hand-written `mixed_precision: no` as false.
    if (value.IsScalar() && scalar_type(value) == ScalarType::kBool &&
        parse_yaml_bool(value.Scalar()) == false) {
      config.mixed_precision = MixedPrecision::kNo;
      return;
    }
    const auto text = reader_.read_string(value, key);
    if (!text) return;
    std::string lower = *text;  // `accelerate launch` lower-cases it
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (auto parsed = parse_mixed_precision(lower)) {
      config.mixed_precision = *parsed;
    } else {
      reader_.error(value, key, not_one_of(*text, spellings(all_mixed_precisions())));
    }
  } else if (key == "use_cpu") {
    read_bool(value, key, config.use_cpu);
  } else if (key == "debug") {
    read_bool(value, key, config.debug);
  } else if (key == "num_processes") {
    if (auto n = read_checked_int(value, key, check_num_processes)) {
      config.num_processes = static_cast<int>(*n);
    }
    pending_.has_num_processes = true;
  } else if (key == "machine_rank") {
    if (auto n = reader_.read_int(value, key)) {
      pending_.machine_rank = *n;
      pending_.machine_rank_value = value;
    }
  } else if (key == "num_machines") {
    if (auto n = read_checked_int(value, key, check_num_machines)) {
      config.num_machines = static_cast<int>(std::min<long long>(*n, 1 << 30));
    }
  } else if (key == "gpu_ids") {
    // Accelerate keeps `gpu_ids: 0` as the int 0; it means the same GPU list.
    const auto text = reader_.read_string(value, key);
    if (!text) return;
    if (auto problem = check_gpu_ids(*text)) {
      reader_.error(value, key, *problem);
    } else {
      config.gpu_ids = *text;
    }
  } else if (key == "main_process_ip") {
    read_optional_string(value, key, config.main_process_ip);
  } else if (key == "main_process_port") {
    if (auto port = read_checked_int(value, key, check_port)) {
      config.main_process_port = static_cast<int>(*port);
    }
  } else if (key == "rdzv_backend") {
    if (auto text = reader_.read_string(value, key)) config.rdzv_backend = *text;
  } else if (key == "same_network") {
    read_bool(value, key, config.same_network);
  } else if (key == "main_training_function") {
    if (auto text = reader_.read_string(value, key)) config.main_training_function = *text;
  } else if (key == "enable_cpu_affinity") {
    read_bool(value, key, config.enable_cpu_affinity);
  } else if (key == "downcast_bf16") {
    if (value.IsScalar() && scalar_type(value) == ScalarType::kBool) {
      config.downcast_bf16 = parse_yaml_bool(value.Scalar()).value_or(false);
    } else if (value.IsScalar() && scalar_type(value) == ScalarType::kString) {
      config.downcast_bf16 = value.Scalar();
    } else {
      reader_.error(value, key, "expected true, false or 'no', found " + describe(value));
    }
  } else if (key == "tpu_name") {
    read_optional_string(value, key, config.tpu_name);
  } else if (key == "tpu_zone") {
    read_optional_string(value, key, config.tpu_zone);
  } else if (key == "tpu_use_cluster") {
    read_bool(value, key, config.tpu_use_cluster);
  } else if (key == "tpu_use_sudo") {
    read_bool(value, key, config.tpu_use_sudo);
  } else if (key == "command_file") {
    read_optional_string(value, key, config.command_file);
  } else if (key == "commands") {
    read_list(value, key, config.commands);
  } else if (key == "tpu_vm") {
    read_list(value, key, config.tpu_vm);
  } else if (key == "tpu_env") {
    read_list(value, key, config.tpu_env);
  } else if (key == "deepspeed_config") {
    read_map(value, key, config.deepspeed_config);
  } else if (key == "fsdp_config") {
    read_map(value, key, config.fsdp_config);
  } else if (key == "megatron_lm_config") {
    read_map(value, key, config.megatron_lm_config);
  } else if (key == "dynamo_config") {
    read_map(value, key, config.dynamo_config);
  } else if (key == "fp8_config") {
    read_map(value, key, config.fp8_config);
  } else if (key == "parallelism_config") {
    read_map(value, key, config.parallelism_config);
  } else if (key == "mpirun_config") {
    read_map(value, key, config.mpirun_config);
  } else if (key == "fp16") {
    pending_.legacy_fp16 = reader_.read_bool(value, key);
  } else if (key == "dynamo_backend") {
    pending_.legacy_dynamo_backend = reader_.read_string(value, key);
  }
}

void ConfigDecoder::finish(ClusterConfig& config) {
  if (pending_.sagemaker) return;
  if (!pending_.distributed_type_key || pending_.distributed_type_key.IsNull()) {
    reader_.error("distributed_type",
                  "missing; every config must say how to distribute, "
                  "e.g. `distributed_type: NO` or `distributed_type: "
                  "MULTI_GPU`");
  }
  // Accelerate's process_config: one process when not distributed and unset.
  if (!pending_.has_num_processes && config.distributed_type == DistributedType::kNo) {
    config.num_processes = 1;
  }
  if (pending_.machine_rank_value) {
    if (auto problem = check_machine_rank(pending_.machine_rank, config.num_machines)) {
      reader_.error(pending_.machine_rank_value, "machine_rank", *problem);
    } else {
      config.machine_rank = static_cast<int>(pending_.machine_rank);  // < num_machines: fits
    }
  }
  if (!pending_.has_mixed_precision && pending_.legacy_fp16.value_or(false)) {
    config.mixed_precision = MixedPrecision::kFp16;
  }
  // The top-level dynamo_backend replaces dynamo_config, as in Accelerate.
  if (pending_.legacy_dynamo_backend) {
    config.dynamo_config = YAML::Node(YAML::NodeType::Map);
    if (*pending_.legacy_dynamo_backend != "NO") {
      YAML::Node backend(*pending_.legacy_dynamo_backend);
      backend.SetTag("!");  // a string, whatever it looks like
      config.dynamo_config["dynamo_backend"] = backend;
    }
  }
}

}  // namespace

LoadResult parse_config(std::string_view text, const std::string& file) {
  LoadResult result;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& error) {
    result.diagnostics.push_back(syntax_error(file, error));
    return result;
  }
  ConfigDecoder(file, result.diagnostics).decode(root, result.config);
  return result;
}

LoadResult load_config(const std::string& path) {
  const ReadResult read = read_file(path);
  if (!read.contents) {
    LoadResult result;
    result.file_missing = read.error_number == ENOENT;
    // The diagnostic already starts with the path; say only why.
    result.diagnostics.push_back(Diagnostic{
        path, 0, 0, "", std::string("cannot read: ") + std::strerror(read.error_number)});
    return result;
  }
  return parse_config(*read.contents, path);
}

}  // namespace accel::config
