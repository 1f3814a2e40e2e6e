#!/usr/bin/env bash
# The demo: a notebook runs on a wrapped kernel and the local LMK stand-in shows what LMK got.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
swift build --product jupyter-lmk 2>&1 | grep -E "error|Compiling|Build complete" | tail -3
exec .venv/bin/python tools/demo.py
