// Reading config files: YAML as `accelerate config` writes it, and JSON as
// `accelerate config default` writes it (JSON text in a .yaml file; YAML is a
// superset of JSON, so one parser reads both). Legacy forms load as
// Accelerate's ClusterConfig.from_yaml_file loads them: `fp16: true`,
// top-level `dynamo_backend`, missing compute_environment / use_cpu / debug /
// enable_cpu_affinity, num_processes 1 when missing for distributed_type NO,
// and `mixed_precision: no` (which YAML 1.1 reads as false).
//
// Every problem of a file is collected (syntax, unknown keys, types, values),
// never thrown; a result is usable only when its diagnostics are empty.
#pragma once

#include <string>
#include <string_view>

#include "config/cluster_config.hpp"
#include "config/diagnostic.hpp"

namespace accel::config {

struct LoadResult {
  ClusterConfig config;       // meaningful only when ok()
  Diagnostics diagnostics;    // in file order
  bool file_missing = false;  // the path does not exist (the one diagnostic says so)
  bool ok() const { return diagnostics.empty(); }
};

// Parses `text`; `file` is the name diagnostics use.
LoadResult parse_config(std::string_view text, const std::string& file);

// Reads and parses the file at `path`. A missing or unreadable file is one
// diagnostic naming the path and the system's reason.
LoadResult load_config(const std::string& path);

}  // namespace accel::config
