// The settings of `accelerate launch` that Accelerate keeps in a paradigm's
// config map (dynamo_config, deepspeed_config, fsdp_config, megatron_lm_config,
// fp8_config) and that each have a `--<name>` flag. One table describes them
// all: the cli binds a flag per row and prints its help, resolution starts
// from each row's default, and the worker environment reads them by name.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "config/launch_spec_value.hpp"

namespace accel::config {

// How Accelerate's argparse turns the flag's text into a Python value.
enum class SettingType {
  kStr,        // type=str: kept as typed
  kInt,        // type=int
  kFloat,      // type=float: "1" becomes 1.0
  kSwitch,     // action="store_true": no value, True when given
  kPyBool,     // type=bool: Python's bool(text), so any non-empty text is True
  kTruthInt,   // type=str_to_bool: "true" -> 1, "false" -> 0
  kTruthList,  // comma-separated str_to_bool values (fp8_override_linear_precision)
};

// The help sections of `accel launch --help`, named as Accelerate's argparse
// groups them; the cli's own flags and the table's rows share them.
namespace help_group {
inline constexpr const char* kHardware = "Hardware Selection Arguments";
inline constexpr const char* kResource = "Resource Selection Arguments";
inline constexpr const char* kParadigm = "Training Paradigm Arguments";
inline constexpr const char* kDistributed = "Distributed GPUs";
inline constexpr const char* kDeepspeed = "DeepSpeed Arguments";
inline constexpr const char* kFsdp = "FSDP Arguments";
inline constexpr const char* kMegatron = "Megatron-LM Arguments";
inline constexpr const char* kFp8 = "FP8 Arguments";
}  // namespace help_group

struct SettingInfo {
  const char* name;  // argparse dest, also the flag: --<name> / --<name with dashes>
  SettingType type;
  const char* default_text;  // argparse default, converted by `type`; nullptr = None
  const char* choices;       // "a|b|c" when argparse restricts the value, else nullptr
  const char* group;         // help section, as Accelerate groups them
  const char* help;
};

std::span<const SettingInfo> launch_settings();
const SettingInfo* find_launch_setting(std::string_view name);

// Settings by name, the way they sit in Accelerate's argparse namespace.
// A missing key is None.
using LaunchSettings = std::map<std::string, PyValue, std::less<>>;

// The value argparse stores for `--<info.name> <text>`. nullopt when the text
// does not convert (not a number for kInt/kFloat, not a truth value for
// kTruthInt); the cli validates before this is called.
std::optional<PyValue> setting_from_flag(const SettingInfo& info, const std::string& text);

// Every row's default (rows whose default is None are absent).
LaunchSettings default_launch_settings();

}  // namespace accel::config
