"""Every example in the documentation is one this test runs: it reads every
fenced block of README.md and docs/*.md and, by the convention written down in
docs_examples.py (and in docs/index.md), runs the console sessions and
compares their output, validates the configs, syntax-checks the shell scripts
that need a cluster, and fails on a block it cannot place. The blocks marked
`not run` are listed with their reasons."""
import glob
import os
import shutil
import signal
import subprocess
import tempfile
import unittest

import docs_examples
import harness
from docs_examples import blocks_of, commands_of, output_matches, session_script
from harness import ACCEL, TEST_PYTHON

SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD_DIR = os.environ.get("ACCEL_BUILD_DIR", "")
SESSION_TIMEOUT = 150  # seconds for one page's console blocks together
SHOWN_HOME = "/home/me"
# Left out of the output unless the example shows it: another test holding
# port 29500 while this one runs is no fault of the example.
PORT_TAKEN_NOTICE = "the default port 29500 is already in use"
# Variables of the machine running the tests that would change what the
# examples print; a fresh machine has none of them.
UNSET = ("HF_HOME", "XDG_CACHE_HOME", "TORCHELASTIC_LOG_LINE_PREFIX_TEMPLATE", "OMP_NUM_THREADS")


def documentation_pages():
    pages = ["README.md"] + sorted(
        os.path.relpath(p, SOURCE_DIR) for p in glob.glob(os.path.join(SOURCE_DIR, "docs", "*.md")))
    found = []
    for page in pages:
        with open(os.path.join(SOURCE_DIR, page)) as f:
            found.append((page, blocks_of(page, f.read())))
    return found


def placement(block):
    """What the test does with a block, or None when it cannot place it."""
    if block.marker == "not run":
        return "listed"
    if block.marker == "file":
        return "written"
    if block.language == "console":
        return "run"
    if block.language in docs_examples.CONFIG_LANGUAGES:
        return "validated"
    return None


def bash_syntax_error(text):
    r = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True, timeout=30)
    return r.stderr if r.returncode != 0 else None


class OutputRules(unittest.TestCase):
    """The matching rules the pages rely on."""

    def test_rules(self):
        self.assertTrue(output_matches(["a", "...", "d"], ["a", "b", "c", "d"]))
        self.assertTrue(output_matches(["a", "...", "b"], ["a", "b"]))
        self.assertTrue(output_matches(["pid ... ok"], ["pid 4242 ok"]))
        self.assertTrue(output_matches(["took 0.98 s"], ["took 12.50 s", ""]))
        self.assertFalse(output_matches(["exit 2"], ["exit 1"]))
        self.assertFalse(output_matches(["a"], ["a", "b"]))
        self.assertFalse(output_matches(["took 0.98 s"], ["took 1 s"]))
        self.assertTrue(output_matches(["  8      1.21"], ["  8    112.30"]))

    def test_commands_and_continuations(self):
        block = docs_examples.Block("x.md", 1, "console", "$ a \\\n  b\nout\n$ echo $?\n0\n")
        commands = commands_of(block)
        self.assertEqual([c.text for c in commands], ["a \\\n  b", "echo $?"])
        self.assertEqual(commands[0].expected, ["out"])


class DocsExamples(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.pages = documentation_pages()

    def test_every_block_is_placed(self):
        unplaced = [f"{b.where()} (```{b.language})" for _, blocks in self.pages for b in blocks
                    if placement(b) is None]
        self.assertEqual(unplaced, [], "blocks the test can neither run nor check; mark them as "
                         "docs_examples.py says (<!-- not run: why --> or <!-- file: NAME -->)")
        listed = [b for _, blocks in self.pages for b in blocks if b.marker == "not run"]
        print(f"\n{len(listed)} block(s) not run:")
        for b in listed:
            print(f"  {b.where()} (```{b.language}): {b.argument}")

    def test_shell_blocks_parse(self):
        for _, blocks in self.pages:
            for b in blocks:
                if b.language not in docs_examples.SHELL_LANGUAGES:
                    continue
                text = b.text
                if b.language == "console":
                    text = "\n".join(c.text for c in commands_of(b)) + "\n"
                with self.subTest(block=b.where()):
                    self.assertIsNone(bash_syntax_error(text), b.where())

    def test_configs_validate(self):
        work = harness.temp_dir(self)
        for _, blocks in self.pages:
            for b in blocks:
                if placement(b) != "validated":
                    continue
                with self.subTest(block=b.where()):
                    path = os.path.join(work, f"example.{b.language}")
                    with open(path, "w") as f:
                        f.write(b.text)
                    r = harness.run_accel(["config", "validate", path])
                    self.assertEqual(r.returncode, 0, f"{b.where()}:\n{r.stdout}{r.stderr}")
                    self.assertIn(": ok", r.stdout)

    def test_console_examples(self):
        if not BUILD_DIR:
            self.skipTest("ACCEL_BUILD_DIR is not set (run through ctest)")
        only = os.environ.get("ACCEL_DOCS_ONLY")  # e.g. docs/quickstart.md, while writing one
        for page, blocks in self.pages:
            if only and page != only:
                continue
            if not any(placement(b) == "run" for b in blocks):
                continue
            with self.subTest(page=page):
                self.run_page(page, blocks)

    def scratch_checkout(self):
        """A fresh $HOME with a stand-in for the checkout, and the PATH
        folder; returns (home, work, env)."""
        root = harness.temp_dir(self)
        home = os.path.join(root, "home")
        work = os.path.join(home, "accel")
        tools = os.path.join(root, "bin")
        os.makedirs(os.path.join(work, "build"))
        os.makedirs(tools)
        for entry in os.listdir(SOURCE_DIR):
            if entry not in (".git", "build") and not entry.startswith("build"):
                os.symlink(os.path.join(SOURCE_DIR, entry), os.path.join(work, entry))
        os.symlink(BUILD_DIR, os.path.join(work, "build", "release"))
        os.symlink(os.path.abspath(ACCEL), os.path.join(tools, "accel"))
        os.symlink(shutil.which(TEST_PYTHON) or TEST_PYTHON, os.path.join(tools, "python3"))
        env = {k: v for k, v in os.environ.items()
               if k not in UNSET and not k.startswith(("ACCEL_", "SLURM_", "PET_"))}
        # The pages describe a CPU machine; on a GPU machine `accel config
        # default` would write a MULTI_GPU config, so its GPUs are hidden.
        env.update(HOME=home, PATH=tools + os.pathsep + os.environ.get("PATH", ""),
                   PYTHONDONTWRITEBYTECODE="1", CUDA_VISIBLE_DEVICES="")
        return home, work, env

    def run_page(self, page, blocks):
        home, work, env = self.scratch_checkout()
        script, commands = session_script(blocks)
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as f:
            f.write(script)
        self.addCleanup(os.unlink, f.name)
        session = subprocess.Popen(["bash", f.name], cwd=work, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   errors="replace", start_new_session=True)
        try:
            output, _ = session.communicate(timeout=SESSION_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(session.pid, signal.SIGKILL)
            output, _ = session.communicate()
        finally:
            try:  # whatever an example left in the background
                os.killpg(session.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        results = docs_examples.split_session_output(output.replace(home, SHOWN_HOME))
        for index, (block, command) in enumerate(commands):
            where = f"{page}:{command.line}: $ {command.text}"
            self.assertIn(index, results, f"{where}\ndid not finish within the page's "
                          f"{SESSION_TIMEOUT} s; the session printed:\n{output[-3000:]}")
            lines, status = results[index]
            if not any(PORT_TAKEN_NOTICE in line for line in command.expected):
                lines = [line for line in lines if PORT_TAKEN_NOTICE not in line]
            shows_status = index + 1 < len(commands) and commands[index + 1][1].text == "echo $?"
            self.assertTrue(status == 0 or shows_status,
                            f"{where}\nexited with {status} (show it with `$ echo $?` if meant):\n"
                            + "\n".join(lines))
            self.assertTrue(output_matches(command.expected, lines),
                            f"{where}\nthe page shows:\n" + "\n".join(command.expected) +
                            "\n\nbut it printed:\n" + "\n".join(lines))


if __name__ == "__main__":
    harness.main()
