#!/usr/bin/env bash
# The demo: a notebook runs on a wrapped kernel and the local LMK stand-in shows what LMK got.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
echo "demo: swift build --product jupyter-lmk (a few minutes the first time)" >&2
if [ -t 1 ]; then
  swift build --product jupyter-lmk # SwiftPM draws its own progress line on a terminal
else
  # Elsewhere: errors and warnings as they come, progress in tenths, the last line.
  swift build --product jupyter-lmk 2>&1 | awk '
    /error:|warning:/ { print; next }
    /^\[[0-9]+\/[0-9]+\]/ {
      split(substr($1, 2), n, "/"); tenth = int(n[1] * 10 / n[2])
      if (tenth > shown) { printf "demo: build %d%%\n", tenth * 10; shown = tenth }
      next
    }
    /[Cc]omplete/ { print }'
fi
exec .venv/bin/python tools/demo.py
