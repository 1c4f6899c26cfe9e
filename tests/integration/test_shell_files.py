"""The man page and the bash, zsh and fish completions the build generates
(packaging/shell_files.cmake, found through ACCEL_SHELL_FILES_DIR) against
the binary's own help: every subcommand and every flag that `accel <command>
--help` prints is in the man page and in each script; man renders the page
without warnings; bash really completes (its completion function run with
COMP_WORDS set as bash would set them); zsh and fish parse their scripts and
fish completes from its own."""
import os
import re
import shutil
import subprocess
import unittest

import harness
from harness import run_accel

SHELL_FILES = os.environ.get("ACCEL_SHELL_FILES_DIR", "")

# In help, an option row starts with its names: "  -h,--help", "  -q, --quiet".
OPTION_ROW = re.compile(r"^\s+(-{1,2}[\w-]+(?:,\s?-{1,2}[\w-]+)*)")
# CLI11's "Subcommands:" section: "  config   Create, show, ...".
SUBCOMMAND_ROW = re.compile(r"^\s+([a-z][\w-]*)\s{2,}\S")


def read(name):
    with open(os.path.join(SHELL_FILES, name)) as f:
        return f.read()


def help_of(command):
    r = run_accel(command + ["--help"])
    if r.returncode != 0:
        raise AssertionError(f"accel {' '.join(command)} --help failed: {r.stdout}{r.stderr}")
    return r.stdout


def flags_and_subcommands(help_text):
    flags, subcommands, section = [], [], ""
    for line in help_text.splitlines():
        if line and not line[0].isspace():
            section = line
            continue
        if section.startswith("Subcommands"):
            m = SUBCOMMAND_ROW.match(line)
            if m:
                subcommands.append(m.group(1))
            continue
        m = OPTION_ROW.match(line)
        if m:
            flags += [name.strip() for name in m.group(1).split(",")]
    return flags, subcommands


def command_tree():
    """{("config", "show"): [flags...], ...} for every command help lists, root included."""
    tree, pending = {}, [()]
    while pending:
        command = pending.pop()
        flags, subcommands = flags_and_subcommands(help_of(list(command)))
        tree[command] = flags
        pending += [command + (sub,) for sub in subcommands]
    return tree


def bash_complete(script, words):
    """What bash's completion function offers for the command line `words`
    (the last word is the one being completed)."""
    program = (f"source {script}\n"
               f"COMP_WORDS=({' '.join(repr(w) if w else repr('') for w in words)})\n"
               f"COMP_CWORD={len(words) - 1}\n"
               "_accel\n"
               "printf '%s\\n' \"${COMPREPLY[@]}\"\n")
    r = subprocess.run(["bash", "--norc", "--noprofile", "-c", program],
                       capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"bash completion failed: {r.stderr}")
    return [line for line in r.stdout.splitlines() if line]


class ShellFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not SHELL_FILES:
            raise unittest.SkipTest("ACCEL_SHELL_FILES_DIR is not set (run through ctest)")
        cls.tree = command_tree()

    def test_help_lists_the_commands_the_files_cover(self):
        # The walk itself must see the tree, or the other checks prove nothing.
        for command in [(), ("config",), ("config", "show"), ("launch",), ("env",), ("test",),
                        ("bench",)]:
            self.assertIn(command, self.tree)
        self.assertIn("--num_processes", self.tree[("launch",)])
        self.assertIn("--help", self.tree[()])

    def test_the_man_page_documents_every_command_and_flag(self):
        page = read("accel.1")
        for command, flags in self.tree.items():
            if command:
                self.assertIn('.SS "accel ' + " ".join(command).replace("-", "\\-") + '"', page)
            for flag in flags:
                self.assertIn(flag.replace("-", "\\-"), page, f"accel {' '.join(command)} {flag}")
        # Hidden commands (the generator, the workers of test and bench) are not there.
        self.assertNotIn("_", "".join(re.findall(r'^\.SS "([^"]*)"', page, re.M)))

    def test_man_renders_the_page_without_warnings(self):
        if not shutil.which("groff"):
            self.skipTest("groff is not installed")
        r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z",
                            os.path.join(SHELL_FILES, "accel.1")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_every_script_names_every_subcommand_and_flag(self):
        for name in ["accel.bash", "_accel", "accel.fish"]:
            script = read(name)
            for command, flags in self.tree.items():
                for word in command:
                    self.assertIn(word, script, name)
                for flag in flags:
                    # fish spells a flag without its dashes: -l num_processes, -s q.
                    spelled = flag if name != "accel.fish" else (
                        ("-l " if flag.startswith("--") else "-s ") + flag.lstrip("-"))
                    self.assertIn(spelled, script, f"{name}: accel {' '.join(command)} {flag}")
            self.assertNotIn("_worker", script, name)
            self.assertEqual(script.count("__generate"), 1, name)  # the header comment

    def test_bash_completes_subcommands_flags_and_values(self):
        script = os.path.join(SHELL_FILES, "accel.bash")
        self.assertEqual(bash_complete(script, ["accel", "la"]), ["launch"])
        self.assertEqual(sorted(bash_complete(script, ["accel", ""])),
                         ["bench", "config", "env", "launch", "test"])
        self.assertEqual(sorted(bash_complete(script, ["accel", "config", ""])),
                         ["default", "show", "update", "validate"])
        self.assertIn("--num_processes", bash_complete(script, ["accel", "launch", "--num_p"]))
        self.assertIn("--num-processes", bash_complete(script, ["accel", "launch", "--num-p"]))
        self.assertEqual(bash_complete(script, ["accel", "config", "show", "--conf"]),
                         ["--config_file", "--config-file"])
        self.assertEqual(
            sorted(bash_complete(script, ["accel", "launch", "--mixed_precision", ""])),
            ["bf16", "fp16", "fp8", "no"])
        # A flag's value is skipped; the walk goes on after it.
        self.assertIn("--cpu", bash_complete(
            script, ["accel", "launch", "--num_processes", "2", "--cp"]))
        # After the program, the words are the program's: nothing of accel's.
        self.assertEqual(bash_complete(script, ["accel", "launch", "train.py", "--num"]), [])
        # A flag without a value does not swallow the program.
        self.assertEqual(
            bash_complete(script, ["accel", "launch", "--cpu", "train.py", "--num"]), [])

    def test_zsh_parses_its_script(self):
        if not shutil.which("zsh"):
            self.skipTest("zsh is not installed")
        r = subprocess.run(["zsh", "-n", os.path.join(SHELL_FILES, "_accel")],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_fish_parses_and_completes_from_its_script(self):
        if not shutil.which("fish"):
            self.skipTest("fish is not installed")
        script = os.path.join(SHELL_FILES, "accel.fish")
        r = subprocess.run(["fish", "-n", script], capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stderr), (0, ""))

        def complete(line):
            r = subprocess.run(["fish", "--no-config", "-c",
                                f"source {script}; complete -C '{line}'"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            return [row.split("\t")[0] for row in r.stdout.splitlines()]

        self.assertEqual(complete("accel la"), ["launch"])
        self.assertEqual(sorted(complete("accel config ")),
                         ["default", "show", "update", "validate"])
        self.assertIn("--num_processes", complete("accel launch --num_p"))
        self.assertEqual(sorted(complete("accel launch --mixed_precision ")),
                         ["bf16", "fp16", "fp8", "no"])


if __name__ == "__main__":
    harness.main()
