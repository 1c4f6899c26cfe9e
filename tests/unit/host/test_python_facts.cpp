// The Python probe: its report parsed, the interpreter chosen as `accel
// launch` chooses it, and real runs of a fake interpreter (a shell script)
// that answers, fails, or hangs past the deadline.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "base/environment.hpp"
#include "host/python_facts.hpp"
#include "tests/unit/scratch_dir.hpp"

using namespace accel::host;
using accel::testing::ScratchDir;
using namespace std::chrono_literals;

namespace {

std::string fake_python(const ScratchDir& dir, const std::string& body) {
  const std::string path = dir.write("bin/python3", "#!/bin/sh\n" + body + "\n");
  ::chmod(path.c_str(), 0755);
  return path;
}

}  // namespace

TEST_CASE("the probe's report is parsed; missing packages stay empty", "[python_facts]") {
  PythonFacts facts;
  parse_python_report(
      "version=3.11.2\nexecutable=/usr/bin/python3\ntorch=2.4.0\ntorch_cuda=12.1\nfuture=1\n",
      facts);
  CHECK(facts.version == "3.11.2");
  CHECK(facts.executable == "/usr/bin/python3");
  CHECK(facts.torch_version == "2.4.0");
  CHECK(facts.torch_cuda_version == "12.1");
  CHECK_FALSE(facts.accelerate_version.has_value());
}

TEST_CASE("a CPU build of torch reports CUDA none", "[python_facts]") {
  PythonFacts facts;
  parse_python_report("torch=1.13.0a0+gitunknown\ntorch_cuda=None\r\n", facts);
  CHECK(facts.torch_version == "1.13.0a0+gitunknown");
  CHECK(facts.torch_cuda_version == "none");
}

TEST_CASE("the interpreter: ACCEL_PYTHON, else python3 on PATH", "[python_facts]") {
  ScratchDir dir;
  const std::string python = fake_python(dir, "exit 0");
  accel::base::Environment env{{"PATH", (dir.path() / "bin").string()}};
  std::string source;
  CHECK(find_python(accel::base::lookup_in(env), source) == python);
  CHECK(source == "PATH");
  env["ACCEL_PYTHON"] = "/opt/venv/bin/python";
  CHECK(find_python(accel::base::lookup_in(env), source) == "/opt/venv/bin/python");
  CHECK(source == "ACCEL_PYTHON");
  accel::base::Environment empty{{"PATH", (dir.path() / "nothing").string()}};
  CHECK_FALSE(find_python(accel::base::lookup_in(empty), source).has_value());
}

TEST_CASE("a fake interpreter's answer is taken", "[python_facts]") {
  ScratchDir dir;
  const std::string python =
      fake_python(dir, "echo version=3.12.1; echo accelerate=1.2.0; echo torch=2.5.1");
  const PythonFacts facts = probe_python(python, 10s);
  CHECK(facts.probed);
  CHECK(facts.note.empty());
  CHECK(facts.version == "3.12.1");
  CHECK(facts.accelerate_version == "1.2.0");
  CHECK(facts.torch_version == "2.5.1");
}

TEST_CASE("a failing interpreter is a note with its last error line", "[python_facts]") {
  ScratchDir dir;
  const std::string python =
      fake_python(dir, "echo 'Traceback...' >&2; echo 'SyntaxError: bad site.py' >&2; exit 1");
  const PythonFacts facts = probe_python(python, 10s);
  CHECK_FALSE(facts.version.has_value());
  CHECK_THAT(facts.note, Catch::Contains("exited with status 1") &&
                             Catch::Contains("SyntaxError: bad site.py"));
}

TEST_CASE("a hanging interpreter is killed at the deadline", "[python_facts]") {
  ScratchDir dir;
  const std::string python = fake_python(dir, "echo version=3.9.0; exec sleep 30");
  const auto start = std::chrono::steady_clock::now();
  const PythonFacts facts = probe_python(python, 300ms);
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK(facts.version == "3.9.0");  // what it said before hanging is kept
  CHECK_THAT(facts.note, Catch::Contains("no answer within 300 ms"));
}

TEST_CASE("the real probe script runs under /usr/bin/python3", "[python_facts]") {
  struct stat info {};
  if (::stat("/usr/bin/python3", &info) != 0) {
    SUCCEED("no /usr/bin/python3 on this machine");
    return;
  }
  const PythonFacts facts = probe_python("/usr/bin/python3", 10s);
  CHECK(facts.note.empty());
  CHECK(facts.version.has_value());
  CHECK(facts.executable.has_value());
}
