#!/usr/bin/env python3
"""Checks that every #include follows DESIGN.md's layering.

Every CMake target exports the source root as an include directory, so the
compiler accepts any include; this is what stops supervisor/ from reaching
into config/, or a test from using CLI11 behind the cli's back. It reads the
sources only (no build folder needed) and prints, for each include that
breaks a rule, file:line, the include and the rule.

    tests/lint/check_layering.py [SOURCE_ROOT]    (default: the current folder)

Exit status: 0 clean, 1 an include breaks a rule, 2 bad usage.
Parts that do not exist (yet) in the tree are simply not there to check.
"""
import os
import re
import sys

# The arrows: each part, and the parts of ours it may include (besides
# itself). Nothing reaches a part that is not listed on its right.
ALLOWED = {
    "base": [],
    "host": ["base"],
    "config": ["base"],
    "rendezvous": ["base"],
    "supervisor": ["rendezvous", "base"],
    "runtime": ["rendezvous", "base"],
    "launch": ["host", "config", "supervisor", "rendezvous", "base"],
    # `accel test` and `accel bench` run the runtime's own workers.
    "cli": ["launch", "host", "config", "supervisor", "rendezvous", "runtime", "base"],
}
# Test folders that are checked as if they were a part: tests/unit/<part>/
# is that part (it may also use the helpers at the top of tests/unit/), and
# the benchmarks are the cli's peers.
TESTS_AS_PART = {"tests/bench": "cli"}
# Third-party headers, by include prefix, that only these parts may include.
# CLI11 stays inside cli/: tests reach it through accel_cli's own functions.
ONLY_IN = {"CLI/": ("CLI11", ["cli"])}
# Public headers installed for native workers: runtime/include/accel/... is
# included as "accel/...".
PUBLIC_INCLUDE_DIRS = {"runtime/include": "runtime"}

UNIT_TESTS = "tests/unit"
SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cu", ".cuh", ".h", ".hh", ".hpp", ".inl", ".ipp",
                   ".hpp.in", ".h.in")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def part_of(path):
    """The part a source-root-relative path belongs to, as the rules see it:
    a part name, 'tests' (the shared helpers at the top of tests/unit), or
    None for files no rule covers (docs/, build outputs, ...)."""
    parts = path.split("/")
    if parts[0] in ALLOWED:
        return parts[0]
    if path.startswith(UNIT_TESTS + "/"):
        below = parts[2:]
        if len(below) > 1 and below[0] in ALLOWED:
            return below[0]
        return "tests" if len(below) == 1 else None
    for folder, part in TESTS_AS_PART.items():
        if path.startswith(folder + "/"):
            return part
    return None


def allowed_for(part):
    """The parts an includer of `part` may reach, itself included. The shared
    helpers at the top of tests/unit serve every part's tests, so they sit
    at the bottom with base."""
    if part == "tests":
        return {"tests", "base"}
    return {part, *ALLOWED[part]}


def is_test_file(path):
    return path.startswith(UNIT_TESTS + "/") or any(
        path.startswith(folder + "/") for folder in TESTS_AS_PART)


def resolve(root, includer, name):
    """The source-root-relative path an include names, where it exists in
    the tree, searched as the build does: the includer's own folder, the
    unit-test helpers (tests only), the source root, the public include
    folders. None where it is not in the tree (a library's header, or one
    generated into the build folder)."""
    bases = [os.path.dirname(includer)]
    if includer.startswith(UNIT_TESTS + "/"):
        bases.append(UNIT_TESTS)
    bases.append("")
    bases.extend(PUBLIC_INCLUDE_DIRS)
    for base in bases:
        candidate = os.path.normpath(os.path.join(base, name))
        if not candidate.startswith("..") and os.path.isfile(os.path.join(root, candidate)):
            return candidate
    return None


def part_of_include(root, includer, name):
    """The part an included header belongs to, or None for third-party ones."""
    found = resolve(root, includer, name)
    if found is not None:
        for folder, part in PUBLIC_INCLUDE_DIRS.items():
            if found.startswith(folder + "/"):
                return part
        return part_of(found)
    # Not in the tree: generated headers (cli/version.hpp) are still ours,
    # named by their part's folder; "accel/..." is the runtime's public API.
    first = name.split("/")[0]
    if first in ALLOWED and "/" in name:
        return first
    if first == "accel" and "/" in name:
        return "runtime"
    return None


def includes(path):
    """(line number, delimiter, name) of each #include outside comments."""
    in_comment = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            if in_comment:
                end = line.find("*/")
                if end < 0:
                    continue
                line, in_comment = line[end + 2:], False
            line = re.sub(r"/\*.*?\*/", "", line)
            if "/*" in line:
                line, in_comment = line[:line.index("/*")], True
            match = INCLUDE.match(line)
            if match:
                yield number, match.group(1), match.group(2)


def source_files(root):
    """Source-root-relative paths of every file a rule covers."""
    folders = list(ALLOWED) + [UNIT_TESTS] + list(TESTS_AS_PART)
    for folder in folders:
        top = os.path.join(root, folder)
        for directory, subdirs, files in os.walk(top):
            subdirs.sort()
            for name in sorted(files):
                if name.endswith(SOURCE_SUFFIXES):
                    yield os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")


def check_file(root, path):
    """Messages for each include of `path` that breaks a rule."""
    includer = part_of(path)
    if includer is None:
        return []
    problems = []
    for number, delimiter, name in includes(os.path.join(root, path)):
        closing = ">" if delimiter == "<" else '"'
        where = f"{path}:{number}: #include {delimiter}{name}{closing}:"
        for prefix, (library, parts) in ONLY_IN.items():
            if name.startswith(prefix) and (is_test_file(path) or includer not in parts):
                users = ", ".join(part + "/" for part in parts)
                problems.append(f"{where} {library} is used only inside {users}"
                                + (" (tests go through the part's own functions)"
                                   if is_test_file(path) else ""))
        included = part_of_include(root, path, name)
        if included is None or included == includer:
            continue
        if included == "tests" and is_test_file(path):
            continue
        if included in allowed_for(includer):
            continue
        owner = "tests/unit/" if includer == "tests" else f"{includer}/"
        subject = owner
        if includer == "tests":
            subject = "the shared test helpers in tests/unit/"
        elif is_test_file(path):
            subject = f"tests of {owner}"
        reach = ", ".join(sorted(allowed_for(includer) - {includer})) or "nothing of ours"
        problems.append(f"{where} {subject} must not depend on {included}/ "
                        f"({owner} may include: {reach})")
    return problems


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    root = argv[1] if len(argv) == 2 else "."
    if not os.path.isdir(root):
        print(f"check_layering: {root} is not a folder", file=sys.stderr)
        return 2
    problems = [p for path in sorted(source_files(root)) for p in check_file(root, path)]
    for problem in problems:
        print(problem)
    if problems:
        print(f"layering: {len(problems)} include(s) break the rules "
              "(tests/lint/check_layering.py, DESIGN.md)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
