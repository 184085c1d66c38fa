#!/usr/bin/env bash
# Peak RSS of `ganbench sample` against N (issue 32): a 128-px DCGAN cell (2 training steps: the weights do
# not change the memory), exported as nnU-Net at each N. The process keeps one bit per case, so the peak
# should not grow with N. Prints a Markdown table headed by the machine.
#   bench/sample_memory.sh [GANBENCH] [N ...]     (defaults: build/ganbench, 1000 20000)
set -euo pipefail
g=${1:-build/ganbench}; shift || true
ns=("$@"); ((${#ns[@]})) || ns=(1000 20000)
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
cat > "$w/mem.yaml" <<YAML
name: mem
architectures: [dcgan]
modalities: [cardiac]
image_size: 128
threads: $(nproc)
train: {steps: 2, batch_size: 8, checkpoint_every: 0}
data: {count: 60}
eval: {samples: 64, grid: 4, kid_subsets: 2, kid_subset_size: 16}
YAML
"$g" run "$w/mem.yaml" --out "$w/runs" --quiet > /dev/null 2>&1
echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) threads; $("$g" --version)"
echo
echo "| N | wall s | cases/s | peak RSS (MiB) | export size (MiB) |"
echo "|---|---|---|---|---|"
for n in "${ns[@]}"; do
  out="$w/Dataset501_Mem$n"
  t0=$(date +%s.%N)
  line=$("$g" sample "$w/runs/mem" --cell dcgan-cardiac-s0 --n "$n" --batch 64 --out "$out")
  t1=$(date +%s.%N)
  rss=$(sed -n 's/.*peak RSS \([0-9]*\) MiB.*/\1/p' <<< "$line")
  size=$(du -sm "$out" | cut -f1)
  awk -v n="$n" -v a="$t0" -v b="$t1" -v r="$rss" -v s="$size" 'BEGIN { printf "| %d | %.1f | %.0f | %s | %s |\n", n, b - a, n / (b - a), r, s }'
  rm -rf "$out"
done
