#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, runs the quickstart sweep on the built-in
# phantoms (cardiac, liver, retina), then writes the report (runs/quickstart/report.html, report.md,
# report.tex, report.csv, report/*.png).
# Running it again resumes: finished cells are skipped and the report is regenerated.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
./build/ganbench run experiments/configs/quickstart.yaml --resume "$@"
echo "report: runs/quickstart/report.html (tables: report.md, report.tex, report.csv)"
