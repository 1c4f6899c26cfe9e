"""`accel --help` and each subcommand's help agree with the docs: every flag
`accel <command> --help` lists is named on that command's page (or in
docs/cli.md), and every flag a page's tables or synopsis blocks give for its
command exists in that command's --help. The commands come from `accel
--help` itself, so a new subcommand without a page fails here."""
import os
import re
import unittest

import harness
from harness import run_accel

DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                    "docs")
# `accel test` takes `accel launch`'s flags.
FLAGS_FROM = {"test": ["launch"]}
# The page that documents each command; cli.md documents them all.
PAGES = {
    "config": ["config.md"],
    "launch": ["launch.md", "machines.md", "slurm.md"],
    "env": ["env.md"],
    "test": ["bench.md"],
    "bench": ["bench.md"],
}
FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9_-]*|-[a-zA-Z])(?![\w-])")


def help_text(*command):
    r = run_accel(list(command) + ["--help"])
    if r.returncode != 0:
        raise AssertionError(f"accel {' '.join(command)} --help exited {r.returncode}: {r.stderr}")
    return r.stdout


def section(text, title):
    """The indented entries under `title:` in CLI11's help."""
    match = re.search(rf"^{title}:\n((?:[ \t].*\n|\n)*)", text, re.M)
    return match.group(1) if match else ""


def subcommands(text):
    return re.findall(r"^  (\w+) ", section(text, "Subcommands"), re.M)


def help_flags(text):
    """[(primary name, every name)] of the options in a --help text: each
    option line starts with its names, e.g. `-b,--minbytes TEXT=8`."""
    options = []
    for line in text.splitlines():
        names = re.match(r"^  (-[-\w, ]*?)(?:  |\s[A-Z]|$)", line)
        if not names:
            continue
        found = FLAG.findall(names.group(1))
        if not found or found[0] in ("-h", "--help"):
            continue
        longs = [n for n in found if n.startswith("--")]
        options.append(((longs or found)[0], set(found)))
    return options


def page_text(name):
    with open(os.path.join(DOCS, name)) as f:
        return f.read()


def listed_flags(markdown):
    """The flags a page gives as its command's: in the first cell of its
    table rows, a `--flag ...` or the flags of an `accel ...` command line;
    and the flags of its ``` synopsis blocks of `accel ...` lines."""
    flags = set()
    for line in markdown.splitlines():
        if line.startswith("|") and not line.startswith("|--") and not line.startswith("| ---"):
            first_cell = re.sub(r"\\\|", "", line).split("|")[1]
            for code in re.findall(r"`(-[^`]*)`", first_cell):  # `--flag VALUE`, not `ulimit -n`
                flags.update(FLAG.findall(code)[:1])
            for code in re.findall(r"`(accel [^`]*)`", first_cell):  # `accel cmd [--flag F]`
                flags.update(FLAG.findall(code))
    for block in re.findall(r"```\n(accel [^`]*?)```", markdown):
        flags.update(FLAG.findall(block))
    return flags


def documented(markdown, flag):
    return re.search(rf"`[^`]*(?<![\w-]){re.escape(flag)}(?![\w-])[^`]*`", markdown) is not None


class HelpAgreesWithDocs(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.commands = subcommands(help_text())
        cls.cli_md = page_text("cli.md")

    def command_helps(self, command):
        """The --help texts of a command and of its own subcommands."""
        top = help_text(command)
        return [top] + [help_text(command, sub) for sub in subcommands(top)]

    def test_every_command_has_a_page(self):
        self.assertGreaterEqual(set(self.commands), {"config", "launch", "env", "test", "bench"})
        for command in self.commands:
            with self.subTest(command=command):
                self.assertIn(command, PAGES, f"accel {command} has no page in this test's table")
                self.assertIn(f"`accel {command}", self.cli_md, "docs/cli.md lists every command")

    def test_every_help_flag_is_documented(self):
        for command in self.commands:
            pages = "\n".join(page_text(p) for p in PAGES.get(command, [])) + self.cli_md
            for text in self.command_helps(command):
                for primary, _ in help_flags(text):
                    with self.subTest(command=command, flag=primary):
                        self.assertTrue(documented(pages, primary),
                                        f"accel {command} --help lists {primary}, but "
                                        f"{' / '.join(PAGES.get(command, []))} never names it "
                                        "in backquotes")

    def test_every_documented_flag_exists(self):
        pages = {}
        for command in self.commands:
            known = set()
            for source in [command] + FLAGS_FROM.get(command, []):
                for text in self.command_helps(source):
                    # Names, and the aliases their descriptions mention.
                    known |= set(FLAG.findall(text))
            for page in PAGES.get(command, []):
                pages.setdefault(page, set()).update(known)
        for page, known in pages.items():
            for flag in sorted(listed_flags(page_text(page))):
                with self.subTest(page=page, flag=flag):
                    self.assertIn(flag, known, f"docs/{page} lists {flag}, which no --help of "
                                  "its commands has")


if __name__ == "__main__":
    harness.main()
