#!/usr/bin/env bash
# Tests the wheel as a user without Swift gets it: tools/wheel.sh builds it (or pass its path),
# it is installed with the pinned jupyter_client, ipykernel, nbclient and jupyter_server into a
# fresh venv (.venv-wheel-test), and Tests/wheel runs with that venv's Python in a mount
# namespace where the Swift toolchain (/opt/swift) is an empty tmpfs and the system's libzmq
# and libcurl are empty files. Then the launcher and provisioner end-to-end tests run again
# there, against the wheel's binary.
#
#   bash tools/test-wheel.sh [dist/jupyter_lmk-….whl]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ge 1 ]; then
  wheel=$1
else
  wheel=$(bash tools/wheel.sh | tail -n 1)
fi
bash tools/setup.sh # the project's .venv runs the LMK stand-in and the e2e tests

command -v unshare >/dev/null || { echo "test-wheel: unshare (util-linux) is needed" >&2; exit 1; }
venv=.venv-wheel-test
rm -rf "$venv"
"${PYTHON:-python3}" -m venv "$venv"
pins=$(grep -E '^(jupyter_client|ipykernel|nbclient|nbformat|pyzmq|jupyter_server|pytest)==' tools/requirements.txt)
# shellcheck disable=SC2086 # one pin per word
"$venv"/bin/python -m pip install -q --disable-pip-version-check "$wheel" $pins
site=$("$venv"/bin/python -c 'import sysconfig; print(sysconfig.get_path("platlib"))')
binary="$site/jupyter_lmk/bin/jupyter-lmk"

# What the namespace hides: the toolchain, and the system copies of the libraries the wheel bundles.
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift || echo /opt/swift/usr/bin/swift)")")")")
hidden=()
for lib in libzmq.so.5 libcurl.so.4; do
  path=$(ldconfig -p | awk -v lib="$lib" '$1 == lib && /x86-64/ && !found { print $NF; found = 1 }')
  [ -n "$path" ] && hidden+=("$(readlink -f "$path")")
done
echo "test-wheel: hiding $toolchain ${hidden[*]}" >&2

export JUPYTER_LMK_PYTHON="$PWD/.venv/bin/python" JUPYTER_LMK_BIN="$binary"
# In the namespace: PATH without the toolchain, then the wheel's tests, then the e2e tests
# (wrapped kernelspec and provisioner) on the wheel's binary.
unshare --mount --propagation private -- bash -euo pipefail -c '
  toolchain=$1; venv=$2; shift 2
  mount -t tmpfs -o ro,size=1m none "$toolchain"
  for lib in "$@"; do mount --bind /dev/null "$lib"; done
  export PATH=$(printf %s "$PATH" | tr : "\n" | grep -v "^$toolchain" | paste -sd:)
  ! command -v swift >/dev/null
  "$venv"/bin/python -m pytest Tests/wheel -q -p no:cacheprovider
  .venv/bin/python -m pytest Tests/e2e/test_launcher.py Tests/e2e/test_provisioner.py -q -p no:cacheprovider
' test-wheel "$toolchain" "$venv" "${hidden[@]}"
