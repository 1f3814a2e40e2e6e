#!/usr/bin/env bash
# Builds release binaries and runs the benchmarks of BENCHMARKS.md side by side
# (see BENCHMARKS.md). Prints a table; JSON goes to $JUPYTER_LMK_BENCH_JSON
# (default .build/bench/results.json). Knobs: see Benchmarks/run.py.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${JUPYTER_LMK_PYTHON:-}" ]; then
  tools/setup.sh
  python=.venv/bin/python
else
  python=$JUPYTER_LMK_PYTHON
fi

# Part a counts instructions per message under callgrind (valgrind), as other tools install theirs.
if [ "${JUPYTER_LMK_BENCH_CALLGRIND:-1}" != 0 ] && ! command -v valgrind >/dev/null; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq valgrind >/dev/null
fi

# Linked as tools/wheel.sh ships it: the Swift runtime and Foundation inside the binary.
echo "bench: building release binaries (--static-swift-stdlib)" >&2
swift build -c release --static-swift-stdlib --product jupyter-lmk >&2
swift build -c release --static-swift-stdlib --product lmk-bench >&2
build_dir=$(swift build -c release --static-swift-stdlib --show-bin-path)

bench_dir=.build/bench
mkdir -p "$bench_dir"
cc -O2 -Wall -o "$bench_dir/publisher" Benchmarks/publisher.c Benchmarks/frames_file.c -lzmq -lpthread
cc -O2 -Wall -o "$bench_dir/raw_receiver" Benchmarks/raw_receiver.c -lzmq
cc -O2 -Wall -o "$bench_dir/exec_stamp" Benchmarks/exec_stamp.c
# The verify-floor receiver needs OpenSSL's headers (libssl-dev); it is skipped without them.
rm -f "$bench_dir/hmac_receiver"
if pkg-config --exists libcrypto 2>/dev/null; then
  cc -O2 -Wall -Wno-deprecated-declarations -DBENCH_HMAC -o "$bench_dir/hmac_receiver" \
    Benchmarks/raw_receiver.c -lzmq $(pkg-config --libs libcrypto)
fi

exec "$python" Benchmarks/run.py --build-dir "$build_dir" --bench-dir "$bench_dir"
