#!/usr/bin/env bash
# Runs every test: the Swift unit and integration tests, then the end-to-end
# tests that drive real kernels through jupyter_client and nbclient.
# `--slow` also installs and tests what CI leaves out (IRkernel).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
export JUPYTER_LMK_PYTHON="$PWD/.venv/bin/python"
export JUPYTER_LMK_BIN="$PWD/.build/debug/jupyter-lmk"
swift build
swift test --no-parallel --disable-xctest # no XCTest cases: its runner would only print "Executed 0 tests"
if [ "${1:-}" = "--slow" ]; then
  # What CI does not install: IRkernel (r-cran-irkernel, about 6 minutes of apt).
  if ! [ -e /usr/share/jupyter/kernels/ir/kernel.json ]; then
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq r-cran-irkernel >/dev/null
  fi
  .venv/bin/python -m pytest Tests/e2e -q
else
  .venv/bin/python -m pytest Tests/e2e -q -m "not slow"
fi
