#!/usr/bin/env bash
# Installs everything accel needs to build and test on Debian 12, from Debian's
# own packages. Idempotent: packages already present are skipped by apt-get,
# and the package index is refreshed only when something is missing.
#
#   packaging/install-deps.sh          build + test dependencies
#   packaging/install-deps.sh --build  build dependencies only
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  libcli11-dev libyaml-cpp-dev libspdlog-dev libfmt-dev
  libboost1.81-dev libssl-dev
)
test_packages=(
  catch2 python3 python3-torch tmux procps iproute2
  openmpi-bin libopenmpi-dev hyperfine
)

packages=("${build_packages[@]}")
if [[ "${1:-}" != "--build" ]]; then
  packages+=("${test_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
