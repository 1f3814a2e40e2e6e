#!/usr/bin/env bash
# Builds the libFuzzer targets (Fuzz/) with -sanitize=fuzzer,address and runs
# each for a while on its seed corpus (Fuzz/corpus/<target>/).
#
#   tools/fuzz.sh [--seconds N] [target…] [-- libFuzzer flags…]
#   tools/fuzz.sh --ci                 # every target for 30 s (CI)
#
# Targets: fuzz-iopub (frames → decoder → monitor/core), fuzz-lmk (HTTP
# answers, token refresh, INI credentials), fuzz-config (user config,
# notebook metadata, cell directives, connection files, runner command lines), each with the
# tokens of Fuzz/dict/<target>.dict. New inputs go to
# .fuzz/corpus/<target>/ (kept between runs, not committed); a crashing input
# is kept under .fuzz/crashes/<target>/ and the script exits 1. Rerun one with
#   .build-fuzz/debug/<target> -runs=1 <path>   (or the plain build's replayer:
#   swift build --product <target> && .build/debug/<target> <path>)
set -euo pipefail
cd "$(dirname "$0")/.."

all_targets=(fuzz-iopub fuzz-lmk fuzz-config)
seconds=60
targets=()
extra=()
while (($#)); do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --ci) seconds=30; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
((${#targets[@]})) || targets=("${all_targets[@]}")

# Not -sanitize=fuzzer: SwiftPM passes -Xswiftc flags to the build tools too
# (the OpenAPI generator plugin), whose links then pull libFuzzer's main. The
# same coverage instrumentation, with libFuzzer linked without its main (our
# entry point calls LLVMFuzzerRunDriver), links everywhere.
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
libfuzzer=$(ls "$toolchain"/lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-"$(uname -m)".a | head -1)
flags=(-Xswiftc -sanitize=address -Xswiftc -DLIBFUZZER
  -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -Xlinker "$libfuzzer")
build_start=$SECONDS
for target in "${targets[@]}"; do
  # The instrumented build tools run during the build: no leak report at their exit.
  ASAN_OPTIONS=detect_leaks=0 swift build --product "$target" --scratch-path .build-fuzz \
    "${flags[@]}" 2>&1 | sed -e '/^\[/d' -e '/Cannot export local symbol/d'
done
echo "fuzz: built ${targets[*]} in $((SECONDS - build_start)) s"

failed=0
for target in "${targets[@]}"; do
  corpus=.fuzz/corpus/$target crashes=.fuzz/crashes/$target log=.fuzz/logs/$target.log
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  dict=()
  [[ -f Fuzz/dict/$target.dict ]] && dict=(-dict="Fuzz/dict/$target.dict")
  status=0
  touch "$crashes/.started"
  # Swift's backtracer would spend seconds symbolicating a trap; libFuzzer reports it.
  # Allocation stacks halve the speed: rerun a crashing input for them.
  SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no} \
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:malloc_context_size=0} \
    .build-fuzz/debug/"$target" \
    -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$crashes/" ${dict[@]+"${dict[@]}"} ${extra[@]+"${extra[@]}"} \
    "$corpus" "Fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  # The last status line (`#runs …` or, with -fork, `#runs: …`) has the totals.
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-$(grep -oE '^#[0-9]+' <<<"$last" | tr -d '#' || true)}
  rate=$((${runs:-0} / (seconds > 0 ? seconds : 1)))
  coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$last" || true)
  artifacts=$(find "$crashes" -type f -newer "$crashes/.started" ! -name .started | sort)
  if ((status != 0)) || [[ -n $artifacts ]]; then
    failed=1
    echo "fuzz: $target FAILED (exit $status) after ${runs:-?} runs; log $log"
    grep -m1 -E '^(==[0-9]+==|SUMMARY|Fatal error|.*error: )' "$log" || true
    grep -m6 -E '^ +#[0-9]+ ' "$log" | grep -v -E 'libclang_rt|compiler-rt|sanitizer' || true
    for artifact in $artifacts; do echo "fuzz: $target crashing input: $artifact"; done
    [[ -n $artifacts ]] || echo "fuzz: $target: no input kept (see the log)"
  else
    echo "fuzz: $target ok: ${runs:-?} runs in ${seconds} s (${rate}/s), ${coverage:-no coverage line}, 0 crashes"
  fi
done
exit "$failed"
