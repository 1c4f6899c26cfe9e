"""Reads the fenced examples out of the documentation and checks them; used by
test_docs_examples.py. The convention, for whoever writes a page:

Every fenced block in README.md and docs/*.md is one of these:

* ```console -- a shell session that the test runs. Lines starting with `$ `
  are commands (a command ending in `\\` goes on at the next line); the lines
  after a command, up to the next `$ `, are its output (stdout and stderr
  together, as a terminal shows them), which the test compares:
    - a line that is just `...` stands for any number of lines, none included;
    - `...` inside a line stands for any text (a pid, a port, a path);
    - a number with a decimal point (`0.98`, `78.85`) matches any such number,
      since times, and so the numbers printed beside them, vary (with the
      spaces before it, as a column of numbers is aligned to the right);
    - trailing spaces and blank lines at the end do not count.
  A command must exit 0, unless the next command is `echo $?`, which then
  shows its exit code. The commands of one page run in order in one bash
  session (so `export`, `cd` and files written by earlier blocks carry on),
  with its working directory standing for a checkout of the repository: every
  top-level entry of the source tree is there, and `build/release` is the
  build tree under test. `PATH` starts with a folder holding `accel` (the
  binary under test) and `python3` (the Python with torch, as Debian's
  /usr/bin/python3 on a fresh machine). `$HOME` is a fresh empty folder, and
  where its path appears in the output it is compared as `/home/me`;
  `HF_HOME` and `XDG_CACHE_HOME` are unset, and GPUs are hidden
  (`CUDA_VISIBLE_DEVICES` empty): the pages show a CPU machine. A notice that the default port
  29500 was taken (other tests run at the same time) is left out of the
  output unless the example shows one.
* A block preceded by `<!-- file: NAME -->` is written to NAME (relative to
  the working directory at that point of the session), for the console
  blocks after it to use. A shell file is also checked with `bash -n`.
* ```yaml and ```json blocks without a file marker are configs: the test
  checks them with `accel config validate`, which must say `ok`.
* Any other block -- a shell script for a cluster, C++ fragments, output that
  only a GPU or several machines give -- is preceded by
  `<!-- not run: REASON -->`. The test lists each with its reason, and runs
  `bash -n` on those written in sh, bash or console. A block that fits none
  of these fails the test, naming its file and line.

The marker is the last non-blank line before the opening fence."""
import dataclasses
import re

MARKER = re.compile(r"^\s*<!--\s*(not run|file):\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(```+)\s*([\w+-]*)\s*$")
SHELL_LANGUAGES = {"sh", "bash", "console"}
CONFIG_LANGUAGES = {"yaml", "json"}


@dataclasses.dataclass
class Block:
    path: str  # as shown in messages, e.g. docs/launch.md
    line: int  # of the opening fence, from 1
    language: str  # "" for a bare fence
    text: str  # the content, its fence's indentation removed
    marker: str = ""  # "not run", "file" or ""
    argument: str = ""  # the reason, or the file name

    def where(self):
        return f"{self.path}:{self.line}"


def blocks_of(path, markdown):
    """Every fenced block of `markdown`, with the marker before it."""
    lines = markdown.splitlines()
    blocks = []
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, language = opening.groups()
        marker = argument = ""
        before = i - 1
        while before >= 0 and not lines[before].strip():
            before -= 1
        if before >= 0 and (found := MARKER.match(lines[before])):
            marker, argument = found.groups()
        opening_line = i + 1
        body = []
        i += 1
        while i < len(lines) and lines[i].strip() != fence:
            text = lines[i]
            body.append(text[len(indent):] if text.startswith(indent) else text.lstrip())
            i += 1
        blocks.append(Block(path, opening_line, language, "\n".join(body) + "\n", marker,
                            argument))
        i += 1
    return blocks


@dataclasses.dataclass
class Command:
    text: str  # as bash runs it
    expected: list  # the output lines shown after it
    line: int  # in the markdown file


def commands_of(block):
    """The `$ ` commands of a console block, each with the output shown."""
    commands = []
    lines = block.text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("$ "):
            text = line[2:]
            start = block.line + 1 + i
            while text.endswith("\\") and i + 1 < len(lines):
                i += 1
                text += "\n" + lines[i]
            commands.append(Command(text, [], start))
        elif commands:
            commands[-1].expected.append(line)
        elif line.strip():
            raise ValueError(f"{block.where()}: output before the first `$ ` command: {line!r}")
        i += 1
    return commands


def _line_pattern(expected):
    # The spaces before a number go with it: a column of numbers is aligned
    # to the right, so a longer number has fewer spaces before it.
    parts = re.split(r"(\.\.\.| *\d+\.\d+)", expected.rstrip())
    pattern = ""
    for part in parts:
        if part == "...":
            pattern += ".*"
        elif re.fullmatch(r" *\d+\.\d+", part):
            pattern += (" *" if part.startswith(" ") else "") + r"[0-9]+\.[0-9]+"
        else:
            pattern += re.escape(part)
    return re.compile(pattern + r"\Z")


def _trimmed(lines):
    lines = [line.rstrip() for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def output_matches(expected, actual):
    """Whether the output lines `actual` are those shown in `expected`, by the
    rules above."""
    expected = _trimmed(expected)
    actual = _trimmed(actual)
    patterns = [None if line.strip() == "..." else _line_pattern(line) for line in expected]
    memo = {}

    def match(e, a):
        if (e, a) in memo:
            return memo[(e, a)]
        if e == len(patterns):
            result = a == len(actual)
        elif patterns[e] is None:
            result = any(match(e + 1, k) for k in range(a, len(actual) + 1))
        else:
            result = a < len(actual) and bool(patterns[e].match(actual[a])) and match(e + 1, a + 1)
        memo[(e, a)] = result
        return result

    return match(0, 0)


BEGIN = "\x1eBEGIN"
END = "\x1eEND"
FILE_END = "ACCEL_DOCS_EXAMPLE_FILE_END"


def session_script(blocks):
    """One bash script that writes the file blocks and runs the console
    commands of a page in order, marking where each command's output begins
    and ends, and with which status it ended. Returns (script, commands)."""
    script = ["__accel_docs_status=0", "exec 2>&1"]
    commands = []
    for block in blocks:
        if block.marker == "file":
            if FILE_END in block.text:
                raise ValueError(f"{block.where()}: the file holds {FILE_END}")
            script.append(f"cat > '{block.argument}' <<'{FILE_END}'\n{block.text}{FILE_END}")
        elif block.language == "console" and block.marker != "not run":
            for command in commands_of(block):
                index = len(commands)
                commands.append((block, command))
                script.append(f"printf '{BEGIN} {index}\\n'; (exit $__accel_docs_status)")
                script.append(command.text)
                script.append(f"__accel_docs_status=$?; printf '\\n{END} {index} %d\\n' "
                              "$__accel_docs_status")
    return "\n".join(script) + "\n", commands


def split_session_output(output):
    """{command index: (output lines, exit status)} from a session's output."""
    results = {}
    for begin in re.finditer(re.escape(BEGIN) + r" (\d+)\n", output):
        index = int(begin.group(1))
        end = re.compile(r"\n" + re.escape(END) + rf" {index} (\d+)\n").search(output, begin.end())
        if end is None:
            continue
        results[index] = (output[begin.end():end.start()].split("\n"), int(end.group(1)))
    return results
