"""The real `accel env` on this machine (no GPU, no NVML here): it succeeds
and says so, --json has every field docs/env.md documents, --no_python
skips Python, and flags after `--` are planned as `accel launch` plans them."""
import json
import os
import re
import unittest

import harness
from harness import run_accel

DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "env.md")


def documented_fields():
    """The dotted paths of docs/env.md's JSON field table."""
    with open(DOCS, encoding="utf-8") as f:
        return [m.group(1) for m in re.finditer(r"^\| `([a-z_.\[\]]+)` \|", f.read(), re.M)]


def values_at(document, path):
    """Every value at `path` ("a.b[].c"): one per element where the path
    crosses an array, none for an empty array. Raises KeyError naming the
    first member that is missing, or that is not an array where one is
    documented."""
    values = [document]
    walked = []
    for part in path.split("."):
        is_array = part.endswith("[]")
        name = part[:-2] if is_array else part
        walked.append(part)
        following = []
        for value in values:
            if not isinstance(value, dict) or name not in value:
                raise KeyError(".".join(walked))
            member = value[name]
            if is_array:
                if not isinstance(member, list):
                    raise KeyError(".".join(walked) + " (not an array)")
                following.extend(member)
            else:
                following.append(member)
        values = following
    return values


class EnvCommand(unittest.TestCase):
    def env(self, args, **extra):
        r = run_accel(["env"] + args, env=extra or None, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_text_report_succeeds_without_a_gpu(self):
        r = self.env([])
        self.assertTrue(r.stdout.startswith("Copy-and-paste the text below in your GitHub issue\n"))
        for group in ("accel", "System", "Python", "GPUs", "Network", "Job", "Environment",
                      "Config", "accel launch here"):
            self.assertIn(f"\n{group}\n", r.stdout)
        if not os.path.exists("/dev/nvidiactl"):
            self.assertIn("no NVIDIA driver (libnvidia-ml.so.1 not found)", r.stdout)
        self.assertRegex(r.stdout, r"- version: \d+\.\d+\.\d+")

    def test_json_has_every_documented_field(self):
        document = json.loads(self.env(["--json"]).stdout)
        fields = documented_fields()
        self.assertGreater(len(fields), 50, "docs/env.md's field table was not found")
        for path in fields:
            with self.subTest(field=path):
                try:
                    values_at(document, path)
                except KeyError as missing:
                    self.fail(f"{missing} is documented but missing from accel env --json")

    def test_json_fields_are_all_documented(self):
        """The other way round: nothing in the document escapes the docs."""
        document = json.loads(self.env(["--json", "--", "--cpu"]).stdout)
        fields = set(documented_fields())

        def documented(path):
            return path in fields or any(f.startswith(path + ".") for f in fields)

        def walk(value, path):
            if path in ("environment", "job.variables"):
                return  # maps of variable names
            if isinstance(value, dict) and set(value) != {"value", "source"}:
                for name, member in value.items():
                    child = f"{path}.{name}" if path else name
                    self.assertTrue(documented(child), f"{child} is not documented in docs/env.md")
                    walk(member, child)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for element in value:
                    walk(element, path + "[]")

        walk(document, "")

    def test_json_without_gpu_says_so(self):
        document = json.loads(self.env(["--json", "--no_python"]).stdout)
        if not os.path.exists("/dev/nvidiactl"):
            self.assertFalse(document["gpus"]["nvml_found"])
            self.assertEqual(document["gpus"]["count"], 0)
            self.assertIn("libnvidia-ml.so.1 not found", document["gpus"]["note"])

    def test_no_python_skips_the_probe(self):
        r = self.env(["--no_python"])
        self.assertIn("- python: not probed (--no_python)", r.stdout)
        document = json.loads(self.env(["--json", "--no_python"]).stdout)
        self.assertFalse(document["python"]["probed"])
        self.assertIsNone(document["python"]["version"])

    def test_python_absent_is_not_found_not_an_error(self):
        empty = harness.temp_dir(self)
        r = self.env(["--json"], PATH=empty)
        python = json.loads(r.stdout)["python"]
        self.assertTrue(python["probed"])
        self.assertIsNone(python["interpreter"])
        self.assertIn("no python3 on PATH", python["note"])

    def test_launch_flags_after_the_marker(self):
        r = self.env(["--no_python", "--", "--num_processes", "4", "--cpu"])
        self.assertIn("- processes: 4 (from --num_processes)", r.stdout)
        self.assertIn("- ranks of this machine: 0-3", r.stdout)
        launch = json.loads(self.env(["--json", "--no_python", "--", "--num_processes", "4",
                                      "--cpu"]).stdout)["launch"]
        self.assertTrue(launch["ok"], launch["error"])
        self.assertEqual(launch["num_processes"], {"value": "4", "source": "--num_processes"})
        self.assertEqual(launch["num_machines"]["source"], "default")
        self.assertEqual(launch["flags"], ["--num_processes", "4", "--cpu"])

    def test_a_config_file_is_reported_and_used(self):
        folder = harness.temp_dir(self)
        path = os.path.join(folder, "cfg.yaml")
        with open(path, "w") as f:
            f.write("compute_environment: LOCAL_MACHINE\ndistributed_type: MULTI_CPU\n"
                    "num_processes: 3\nuse_cpu: true\n")
        document = json.loads(self.env(["--json", "--no_python", "--config_file", path]).stdout)
        self.assertTrue(document["config"]["valid"])
        self.assertIn("num_processes: 3", document["config"]["content"])
        self.assertEqual(document["launch"]["num_processes"]["value"], "3")
        self.assertIn("cfg.yaml", document["launch"]["num_processes"]["source"])

    def test_an_invalid_config_is_reported_not_fatal(self):
        folder = harness.temp_dir(self)
        path = os.path.join(folder, "bad.yaml")
        with open(path, "w") as f:
            f.write("num_processes: many\n")
        document = json.loads(self.env(["--json", "--no_python", "--config_file", path]).stdout)
        self.assertFalse(document["config"]["valid"])
        self.assertIn("num_processes", document["config"]["error"])
        self.assertFalse(document["launch"]["ok"])

    def test_a_bad_launch_flag_is_reported_not_fatal(self):
        r = self.env(["--no_python", "--", "--num_processes", "many"])
        self.assertIn("- would fail: ", r.stdout)

    def test_secrets_are_hidden(self):
        r = self.env(["--no_python"], ACCEL_RDZV_TOKEN="hunter2", NCCL_DEBUG="WARN")
        self.assertNotIn("hunter2", r.stdout)
        self.assertIn("- ACCEL_RDZV_TOKEN: (set, hidden)", r.stdout)
        self.assertIn("- NCCL_DEBUG: WARN", r.stdout)


if __name__ == "__main__":
    harness.main()
