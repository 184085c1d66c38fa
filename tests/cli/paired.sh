#!/usr/bin/env bash
# ganbench paired on the frozen SynthRAD fixtures (tests/fixtures/synthrad: values that scikit-image and scipy
# computed as SynthRAD's evaluation code calls them) agrees to 1e-6 per case; identical images give MAE 0,
# SSIM 1 and PSNR inf; a shape mismatch and a missing prediction are clear errors (empty masks: test_paired_image).
set -uo pipefail
g=$1 fx=$2
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir -p "$t/pred" "$t/true" "$t/mask"
for c in ct2d ct3d clipped2d; do
  ln -s "$fx/${c}_pred.npy" "$t/pred/$c.npy"; ln -s "$fx/${c}_gt.npy" "$t/true/$c.npy"; ln -s "$fx/${c}_mask.npy" "$t/mask/$c.npy"
done
out=$("$g" paired "$t/pred" "$t/true" --mask "$t/mask" --per-case) || { echo "paired failed"; exit 1; }
echo "$out"
fail=0
while IFS=$'\t' read -r c mae psnr ssim ms; do
  [[ $c == case || $c == \#* ]] && continue
  got=$(awk -F'\t' -v c="$c" '$1 == c {print $2, $3, $4, $5}' <<< "$out")
  [[ -n $got ]] || { echo "no line for $c"; fail=1; continue; }
  awk -v g="$got" -v w="$mae $psnr $ssim $ms" -v c="$c" 'BEGIN {
    split(g, a, " "); split(w, b, " ");
    for (i = 1; i <= 4; i++) { d = a[i] - b[i]; if (d < 0) d = -d; if (d > 1e-6) { print c, "metric", i, "got", a[i], "want", b[i]; exit 1 } } }' || fail=1
done < "$fx/metrics.tsv"
(( fail == 0 )) || exit 1
grep -q '^MAE: ' <<< "$out" && grep -q '^MS-SSIM: ' <<< "$out" || { echo "no summary lines"; exit 1; }
# Identical images.
out=$("$g" paired "$t/true" "$t/true" --mask "$t/mask") || exit 1
grep -q '^MAE: *0$' <<< "$out" && grep -q '^PSNR: *inf$' <<< "$out" && grep -q '^SSIM: *1$' <<< "$out" || { echo "identity: $out"; exit 1; }
# Bad input: a shape mismatch, a prediction missing.
mkdir -p "$t/p2" "$t/e"
ln -s "$fx/ct3d_pred.npy" "$t/p2/ct2d.npy"; ln -s "$fx/ct2d_pred.npy" "$t/p2/ct3d.npy"; ln -s "$fx/clipped2d_pred.npy" "$t/p2/clipped2d.npy"
err=$("$g" paired "$t/p2" "$t/true" 2>&1) && { echo "shape mismatch accepted"; exit 1; }
grep -q "differ in shape" <<< "$err" || { echo "$err"; exit 1; }
rm "$t/p2/ct3d.npy"
err=$("$g" paired "$t/p2" "$t/true" 2>&1) && { echo "missing prediction accepted"; exit 1; }
grep -q "case 'ct3d' has no prediction" <<< "$err" || { echo "$err"; exit 1; }
echo "paired: fixtures agree to 1e-6; identity, shape, missing-case checks pass"
