#include "host/python_facts.hpp"

#include "base/path_search.hpp"
#include "base/run_captured.hpp"

namespace accel::host {

namespace {

// Prints key=value lines. find_spec answers "importable?" without importing;
// importlib.metadata gives the installed version (Debian's python3-torch
// ships egg-info, pip wheels dist-info: both answer). torch/version.py is a
// plain file of constants, executed on its own so torch's heavy __init__
// never runs.
constexpr const char* kProbeScript = R"PY(import sys
print("version=" + sys.version.split()[0])
print("executable=" + sys.executable)
import importlib.util, importlib.metadata, os
for name in ("torch", "accelerate"):
    try:
        spec = importlib.util.find_spec(name)
    except Exception:
        spec = None
    if spec is None:
        continue
    try:
        version = importlib.metadata.version(name)
    except Exception:
        version = "unknown"
    print(name + "=" + version)
    if name == "torch" and spec.submodule_search_locations:
        path = os.path.join(list(spec.submodule_search_locations)[0], "version.py")
        constants = {}
        try:
            with open(path) as f:
                exec(compile(f.read(), path, "exec"), constants)
            print("torch_cuda=" + str(constants.get("cuda")))
        except Exception:
            pass
)PY";

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  return text;
}

// The last non-empty line of a child's stderr: Python's exception line.
std::string last_line(const std::string& text) {
  std::string_view rest = trimmed(text);
  while (!rest.empty() && rest.back() == '\n') rest = trimmed(rest.substr(0, rest.size() - 1));
  const std::size_t newline = rest.rfind('\n');
  return std::string(newline == std::string_view::npos ? rest : rest.substr(newline + 1));
}

}  // namespace

const char* python_probe_script() {
  return kProbeScript;
}

std::optional<std::string> find_python(const base::EnvLookup& env, std::string& source) {
  const std::string path_env = env("PATH").value_or(std::string(base::kDefaultPath));
  if (const auto chosen = env("ACCEL_PYTHON"); chosen && !chosen->empty()) {
    source = "ACCEL_PYTHON";
    if (chosen->find('/') != std::string::npos) return *chosen;
    return base::find_on_path(*chosen, path_env);
  }
  source = "PATH";
  return base::find_on_path("python3", path_env);
}

void parse_python_report(std::string_view output, PythonFacts& facts) {
  while (!output.empty()) {
    const std::size_t newline = output.find('\n');
    const std::string_view line = trimmed(output.substr(0, newline));
    output = newline == std::string_view::npos ? std::string_view{} : output.substr(newline + 1);
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, equals);
    const std::string value(line.substr(equals + 1));
    if (key == "version") facts.version = value;
    if (key == "executable") facts.executable = value;
    if (key == "torch") facts.torch_version = value;
    if (key == "accelerate") facts.accelerate_version = value;
    if (key == "torch_cuda") facts.torch_cuda_version = value == "None" ? "none" : value;
  }
}

PythonFacts probe_python(const std::string& interpreter, std::chrono::milliseconds timeout) {
  PythonFacts facts;
  facts.probed = true;
  facts.interpreter = interpreter;
  const base::CapturedRun run = base::run_captured({interpreter, "-c", kProbeScript}, timeout);
  parse_python_report(run.output, facts);
  if (!run.error.empty()) {
    facts.note = interpreter + ": " + run.error;
    if (const std::string why = last_line(run.errors); !why.empty()) facts.note += ": " + why;
  }
  return facts;
}

}  // namespace accel::host
