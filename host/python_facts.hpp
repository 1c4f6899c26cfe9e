// Which Python `accel launch` would run .py scripts with, and which torch and
// accelerate it sees: the first questions about any "it works with
// accelerate launch but not here" report.
//
// One subprocess answers everything, with a deadline (default 10 s): it asks
// importlib where the packages are and their installed versions instead of
// importing them, so it takes tens of milliseconds where `import torch`
// takes seconds, and reads torch's CUDA build from torch/version.py without
// running torch's __init__. A missing interpreter or package is a fact
// ("not found"), never an error; `note` says what went wrong, if anything.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/environment.hpp"

namespace accel::host {

struct PythonFacts {
  bool probed = false;                       // false when the probe was skipped (--no_python)
  std::optional<std::string> interpreter;    // what would run: a path, or nullopt when none found
  std::string interpreter_source;            // "ACCEL_PYTHON" or "PATH"
  std::optional<std::string> version;        // "3.11.2"
  std::optional<std::string> executable;     // sys.executable (resolves pyenv shims, venvs)
  std::optional<std::string> torch_version;  // installed distribution's version
  std::optional<std::string> torch_cuda_version;  // torch.version.cuda; "none" for a CPU build
  std::optional<std::string> accelerate_version;
  std::string note;  // why something is missing; "" when the probe answered
};

// The interpreter `accel launch` runs scripts with when --python is not
// given: $ACCEL_PYTHON (searched on PATH when it has no '/'), else python3 on
// PATH. `source` says which.
std::optional<std::string> find_python(const base::EnvLookup& env, std::string& source);

// Runs `interpreter` once with the probe script; never throws for a broken
// or slow interpreter.
PythonFacts probe_python(const std::string& interpreter, std::chrono::milliseconds timeout);

// The probe script's output ("key=value" lines) into `facts`; unknown keys
// are ignored, so an older accel reads a newer probe's answer.
void parse_python_report(std::string_view output, PythonFacts& facts);

// The script itself, for tests and docs.
const char* python_probe_script();

}  // namespace accel::host
