#!/usr/bin/env bash
# Installs everything accel needs to build and test on Debian 12, from Debian's
# own packages, starting from a minimal system (debootstrap --variant=minbase:
# no procps, no python3, no compiler). Idempotent and fast when everything is
# there: one dpkg-query for all packages, and apt runs only when something is
# missing (tests/fresh_machine.sh checks the list on such a system).
#
#   packaging/install-deps.sh          build + test dependencies
#   packaging/install-deps.sh --build  build dependencies only
set -euo pipefail

# What the build needs (CMakeLists.txt's find_package calls; git for
# tests/lint.sh's file list; binutils' readelf, in build-essential, for
# tests/integration/test_cli_basics.py).
build_packages=(
  build-essential cmake ninja-build pkg-config git
  libcli11-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libboost1.81-dev libssl-dev nlohmann-json3-dev
)
# What the tests, tests/lint.sh, docs/examples and the benchmarks call. Each
# line says who needs it, so a package can be dropped when its user goes.
test_packages=(
  catch2                       # unit tests (tests/CMakeLists.txt)
  python3 python3-torch        # integration tests, docs/examples/train_ddp.py
  python3-yaml                 # tests/integration/test_config_*.py read configs back
  tmux                         # tests/integration/test_config_wizard.py (a real terminal)
  procps iproute2              # ps and ip (network namespaces): DESIGN.md's multi-machine tests
  # A real SLURM cluster on this machine: tests/integration/slurm_cluster.py
  # (issue 7's multi-machine tests). Without systemd their postinst starts
  # nothing (invoke-rc.d finds no runlevel); under systemd munge starts with
  # /etc/munge's key, and slurmctld/slurmd are skipped for want of
  # /etc/slurm/slurm.conf. The tests run their own daemons either way.
  slurmctld slurmd slurm-client munge
  openmpi-bin libopenmpi-dev   # tests/bench: mpirun, the CPU performance anchor
  hyperfine                    # tests/bench/compare_launchers.sh
  clang-format clang-tidy      # tests/lint.sh
  # tests/integration/test_shell_files.py: groff renders the man page; zsh
  # and fish parse (and fish runs) the generated completions.
  groff-base zsh fish
  # tests/integration/test_cpack_packages.py: besides dpkg-deb (dpkg) and
  # dpkg-shlibdeps (dpkg-dev, in build-essential), CPack's DEB generator
  # runs `file` on every installed file to find the ELF ones.
  file
)

packages=("${build_packages[@]}")
if [[ "${1:-}" != "--build" ]]; then
  packages+=("${test_packages[@]}")
fi

# dpkg-query prints one line per known package; unknown ones only go to
# stderr, and count as missing.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null |
  awk '$2 == "ii" { print $1 }' || true)
missing=()
for p in "${packages[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || {
    echo "install-deps: missing ${missing[*]}; run this script as root (sudo is not installed)" >&2
    exit 1
  }
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
