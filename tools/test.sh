#!/usr/bin/env bash
# Runs every test: the Swift unit and integration tests, then the end-to-end
# tests that drive real kernels through jupyter_client and nbclient.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export JUPYTER_LMK_PYTHON="$PWD/.venv/bin/python"
export JUPYTER_LMK_BIN="$PWD/.build/debug/jupyter-lmk"
swift build
swift test --no-parallel --disable-xctest # no XCTest cases: its runner would only print "Executed 0 tests"
.venv/bin/python -m pytest Tests/e2e -q
