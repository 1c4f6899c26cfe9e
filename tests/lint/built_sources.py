"""Filters source paths (one per line on stdin, relative to the repository
root) to those the build's compile_commands.json (argv[1]) compiles, and
names on stderr those it left out: a build configured without the CUDA
toolkit does not compile the CUDA-only sources, and one with it does not
compile their no-CUDA stand-ins (*_unavailable.cpp).
Exits 2 when the compile database cannot be read."""
import json
import os
import sys


def main():
    database = sys.argv[1]
    try:
        with open(database) as f:
            entries = json.load(f)
    except (OSError, ValueError) as error:
        print(f"lint: cannot read {database}: {error}", file=sys.stderr)
        return 2
    built = {os.path.realpath(os.path.join(entry["directory"], entry["file"]))
             for entry in entries}
    left_out = []
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        if os.path.realpath(path) in built:
            print(path)
        else:
            left_out.append(path)
    if left_out:
        print(f"lint: not compiled in this configuration, so not given to clang-tidy (the "
              f"CUDA-only sources without the toolkit, their no-CUDA stand-ins with it): "
              f"{' '.join(left_out)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
