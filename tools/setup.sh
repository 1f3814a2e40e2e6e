#!/usr/bin/env bash
# Installs what the build, the tests and the demo need, and nothing by hand:
# Debian packages (libzmq, libcurl, libwebsockets, pkg-config, python venv support) and a
# Python virtual environment at .venv with the pinned tools/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(libzmq3-dev libcurl4-openssl-dev libwebsockets-dev pkg-config python3-venv)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
stamp=.venv/.requirements.sha256
want=$(sha256sum tools/requirements.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing tools/requirements.txt into .venv" >&2
  # An existing venv (also one linked from another checkout) is updated in place.
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -r tools/requirements.txt
  .venv/bin/python -m bash_kernel.install --sys-prefix >/dev/null
  .venv/bin/python -m calysto_scheme install --sys-prefix >/dev/null 2>&1
  echo "$want" > "$stamp"
fi
