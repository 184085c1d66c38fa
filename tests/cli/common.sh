# Shared by the crash-consistency scripts in this folder: sourced with GANBENCH and CONFIG as $1 and $2.
# Runs the reference (uninterrupted) sweep and defines fail and compare.
set -u
g=$1
cfg=$2
name=$(sed -n 's/^name: *//p' "$cfg")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dir="$work/run"  # the folder that the script stops, limits and resumes
finished=0
fail() { echo "FAIL: $*"; exit 1; }

"$g" run "$cfg" --out "$work/ref" --quiet > /dev/null 2> "$work/ref.log" || { cat "$work/ref.log"; fail "the reference run"; }
"$g" export "$work/ref/$name" --reproducible > "$work/ref.csv" || fail "export of the reference run"
echo "reference: $(($(wc -l < "$work/ref.csv") - 1)) stored values"

compare() {  # a run that went to the end: its database must equal the reference's, bit for bit
  "$g" export "$dir/$name" --reproducible > "$work/got.csv" || fail "export after $1"
  diff -q "$work/ref.csv" "$work/got.csv" > /dev/null || { diff "$work/ref.csv" "$work/got.csv" | head -20; fail "the database after $1 differs from the uninterrupted run's"; }
  finished=$((finished + 1))
}
