#!/usr/bin/env bash
# The README's benchmark tables (issue 16) in one command: installs what the comparisons need (scipy beside
# Debian's python3-torch), builds, then runs ganbench against scipy and PyTorch side by side in one sitting
# and writes one Markdown file headed by the machine (lscpu model, cores, threads, BLAS, commit).
#
#   ./scripts/bench.sh [--quick] [--skip-rss] [--rss-images N1,N2] [--threads N] [--arch NAME ...] [--out FILE]
#
#   --quick        a smoke run: few repetitions, 600-sample statistics, dcgan only, 0.5 s per step measure
#   --skip-rss     leave out the peak-memory rows (the longest part: Inception on N2 images)
#   --rss-images   image counts for the memory rows (default 200,2000; the README's figure used 200,20000)
#   --arch NAME    only these architectures in the train-step table (repeatable; default all four)
#   --out FILE     where the tables go (default build/bench-<commit>.md); they are also printed
# Nothing else may run on the machine meanwhile: the ratios are only as good as the quiet they get.
set -euo pipefail
cd "$(dirname "$0")/.."

args="$*"
quick=0 skip_rss=0 rss_images=200,2000 threads=$(nproc) out="" archs=()
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --skip-rss) skip_rss=1 ;;
    --rss-images) rss_images="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --arch) archs+=(--arch "$2"); shift ;;
    --out) out="$2"; shift ;;
    -h | --help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

./scripts/setup.sh --bench
./scripts/build.sh
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || commit="$commit+changes"
out=${out:-build/bench-$commit.md}

fid_args=(--threads "$threads" --rss-images "$rss_images")
step_args=(--threads "$threads" "${archs[@]}")
if ((quick)); then
  fid_args+=(--quick)
  step_args+=(--min-time 0.5)
  ((${#archs[@]})) || step_args+=(--arch dcgan)
fi
((skip_rss)) && fid_args+=(--skip-rss)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$(date -u '+%Y-%m-%d %H:%M UTC')
/usr/bin/python3 bench/fid_vs_python.py "${fid_args[@]}" >"$tmp/fid.md"
/usr/bin/python3 bench/train_step_vs_python.py "${step_args[@]}" >"$tmp/step.md"

model=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
{
  echo "# ganbench against scipy and PyTorch, side by side"
  echo
  echo "- command: \`./scripts/bench.sh${args:+ $args}\`, started $started, commit $commit"
  echo "- CPU: $model ($(nproc) cores seen), $threads threads on both sides"
  echo "- $(./build/ganbench --version)"
  echo "- $(. /etc/os-release && echo "$PRETTY_NAME"); $(/usr/bin/python3 -c 'import sys, numpy, scipy, torch; print(f"Python {sys.version.split()[0]}, numpy {numpy.__version__}, scipy {scipy.__version__}, PyTorch {torch.__version__}")')"
  echo
  echo "## FID: Fréchet distance, Inception, memory"
  cat "$tmp/fid.md"
  echo
  echo "## One training step (D and G), batch 32"
  cat "$tmp/step.md"
} >"$out.tmp.$$"
mv "$out.tmp.$$" "$out"
cat "$out"
echo "written: $out" >&2
