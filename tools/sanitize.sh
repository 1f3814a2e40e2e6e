#!/usr/bin/env bash
# Runs the Swift tests under AddressSanitizer and/or ThreadSanitizer, each in
# a scratch folder of its own (.build-asan, .build-tsan), and prints the time
# of the build and of the run.
#
#   tools/sanitize.sh [address|thread]…     # default: address thread
#
# Extra `swift test` arguments (e.g. --filter) go after `--`. A sanitizer
# report fails the run (ASan aborts; TSan exits 66 at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

kinds=()
extra=()
while (($#)); do
  case "$1" in
    address|thread) kinds+=("$1"); shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "sanitize: unknown argument $1 (address, thread, -- swift test args)" >&2; exit 2 ;;
  esac
done
((${#kinds[@]})) || kinds=(address thread)

bash tools/setup.sh
export JUPYTER_LMK_PYTHON="$PWD/.venv/bin/python"
# Swift's runtime keeps metadata caches that LeakSanitizer would report at exit.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0}

failed=0
for kind in "${kinds[@]}"; do
  scratch=.build-${kind/address/asan}
  scratch=${scratch/thread/tsan}
  start=$SECONDS
  swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" 2>&1 | sed '/^\[/d'
  built=$SECONDS
  status=0
  swift test --skip-build --no-parallel --sanitize="$kind" --scratch-path "$scratch" \
    ${extra[@]+"${extra[@]}"} || status=$?
  echo "sanitize: $kind: build $((built - start)) s, tests $((SECONDS - built)) s, exit $status"
  ((status == 0)) || failed=1
done
exit "$failed"
