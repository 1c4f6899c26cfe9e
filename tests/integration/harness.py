"""Shared helpers for integration tests: find the binary, run it, make temp
dirs, and look at live processes through /proc."""
import os
import subprocess
import sys
import tempfile

ACCEL = os.environ.get("ACCEL_BIN", "accel")
TEST_PYTHON = os.environ.get("ACCEL_TEST_PYTHON", sys.executable)
SKIP = 77  # ctest SKIP_RETURN_CODE


def run_accel(args, env=None, cwd=None, timeout=120, input=None, preexec_fn=None):
    """Runs `accel ARGS...` to completion and returns the CompletedProcess.
    `preexec_fn` runs in the child before exec (e.g. to lower a limit)."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run([ACCEL] + list(args), env=full_env, cwd=cwd, timeout=timeout,
                          input=input, capture_output=True, text=True, preexec_fn=preexec_fn)


def run_checked(command, timeout=300, **kwargs):
    """Runs a tool (cmake, cpack, dpkg-deb, ...) to completion; a non-zero
    exit fails the test with the command and its output."""
    r = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)
    if r.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed ({r.returncode}):\n{r.stdout}{r.stderr}")
    return r


def temp_dir(test):
    """A fresh directory removed when the test case ends."""
    d = tempfile.TemporaryDirectory(prefix="accel-test-")
    test.addCleanup(d.cleanup)
    return d.name


def live_pids_with_marker(marker):
    """Pids of live (non-zombie) processes whose environment or command line
    contains `marker`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                continue
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{name}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if marker.encode() in cmdline or marker.encode() in environ:
            found.append(int(name))
    return found


def skip_file(reason):
    """Ends a test file that cannot run here as skipped (ctest SKIP_RETURN_CODE)."""
    print(f"skipped: {reason}")
    sys.exit(SKIP)


def main():
    """Runs the test cases of the calling file. Its exit status tells ctest
    the truth: 1 when a case failed; 77 (skipped) when a case was skipped,
    with each reason printed, because a file whose cases did not all run
    must never show up as passed; else 0."""
    import unittest
    result = unittest.main(module="__main__", exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped:
        for case, reason in result.skipped:
            print(f"skipped: {case.id()}: {reason}")
        sys.exit(SKIP)
    sys.exit(0)
