#!/usr/bin/env bash
# Every relative link and image in README.md and docs/*.md resolves to a file or folder in the tree (links
# inside code blocks are code, not links, and are skipped). Usage: check_links.sh SOURCE_DIR
set -uo pipefail
cd "${1:?usage: check_links.sh SOURCE_DIR}"
bad=0 n=0
for f in README.md docs/*.md; do
  dir=$(dirname "$f")
  # Markdown links and images outside ``` fences, and <img src="...">.
  targets=$(awk '/^```/ {fence = !fence; next} !fence' "$f" |
            grep -oE '\]\([^) ]+\)|<img [^>]*src="[^"]+"' |
            sed -E 's/^\]\(([^) ]+)\)$/\1/; s/^<img [^>]*src="([^"]+)".*/\1/')
  for t in $targets; do
    case "$t" in http://*|https://*|mailto:*|\#*|data:*) continue ;; esac
    path=${t%%#*}
    n=$((n + 1))
    [[ -e "$dir/$path" ]] || { echo "$f: broken link '$t' (no $dir/$path)"; bad=$((bad + 1)); }
  done
done
(( n > 0 )) || { echo "no relative links found: the extraction is broken"; exit 1; }
(( bad == 0 )) || { echo "$bad broken of $n relative links"; exit 1; }
echo "$n relative links in README.md and docs/*.md resolve"
