"""The real `accel` binary: version, help and exit codes."""
import unittest

from harness import run_accel


class CliBasics(unittest.TestCase):
    def test_version(self):
        r = run_accel(["--version"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^accel \d+\.\d+\.\d+")

    def test_unknown_subcommand_is_usage_error(self):
        r = run_accel(["frobnicate"])
        self.assertEqual(r.returncode, 2)
        self.assertIn("frobnicate", r.stderr)
        self.assertNotIn("terminate called", r.stderr)


if __name__ == "__main__":
    unittest.main()
