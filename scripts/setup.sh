#!/usr/bin/env bash
# Installs ganbench's build and run dependencies from Debian 12's packages. Safe to run twice.
# --bench also installs scipy, which bench/fid_vs_python.py compares against (PyTorch is always installed);
# --browser installs chromium, node and playwright-core (into build/node) for the browser tests.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git
      libtorch-dev libopencv-dev libyaml-cpp-dev libfmt-dev doctest-dev libeigen3-dev
      libbenchmark-dev libsqlite3-dev zlib1g-dev libnifti2-dev libopenblas0-pthread liblapack-dev
      curl python3-torch python3-numpy  # curl: `weights fetch`; python3-torch: PyTorch-written .pth for a test
      slurmctld slurmd slurm-client munge)  # a one-node Slurm cluster for the Slurm executor's test
if [[ "${1:-}" == "--bench" ]]; then pkgs+=(python3-scipy); fi
if [[ "${1:-}" == "--browser" ]]; then
  pkgs+=(chromium)
  command -v npm > /dev/null || pkgs+=(nodejs npm)  # any node >= 18 will do, Debian's or another
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# The browser tests drive chromium with playwright-core (npm; no browser download, Debian's chromium is used).
if [[ "${1:-}" == "--browser" && ! -d build/node/node_modules/playwright-core ]]; then
  npm install --silent --no-audit --no-fund --prefix build/node playwright-core@1.49.1
fi
