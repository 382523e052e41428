#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang, ASan, UBSan) and runs
# each for SECONDS (default 60) from its seed corpus in tests/fuzz/corpus/.
# New inputs go to build-fuzz/corpus/<target>/, crashes to build-fuzz/crashes/;
# a crash fails the run. For hours:  tests/fuzz/run.sh 14400
# One target only:                   tests/fuzz/run.sh 600 http
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
only=${2:-}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
mkdir -p build-fuzz/crashes
for target in workflow records template http plugin_settings; do
  [ -n "$only" ] && [ "$only" != "$target" ] && continue
  work=build-fuzz/corpus/$target
  mkdir -p "$work"
  seeds=(tests/fuzz/corpus/$target)
  # The workflow loader's seeds are the bundled workflows and the invalid
  # ones the loader's tests refuse.
  [ "$target" = workflow ] && seeds+=(workflows tests/fixtures/workflows)
  echo "fuzz_$target: ${seconds} s from $(find "${seeds[@]}" -type f | wc -l) seed(s)"
  # Leaks are checked (detect_leaks) and a slow input is a failure, as a
  # hang would be in the daemon.
  extra=()
  [ -f "tests/fuzz/$target.dict" ] && extra+=(-dict="tests/fuzz/$target.dict")
  log=build-fuzz/fuzz_$target.log
  rc=0
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "build-fuzz/tests/fuzz/fuzz_$target" "$work" "${seeds[@]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
      -artifact_prefix=build-fuzz/crashes/"$target"- -print_final_stats=1 "${extra[@]}" >"$log" 2>&1 || rc=$?
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+ +DONE" "$log" || true
  if [ "$rc" -ne 0 ]; then
    tail -n 60 "$log" >&2
    echo "fuzz_$target: FAILED (exit $rc); the input is in build-fuzz/crashes/" >&2
    exit 1
  fi
done
echo "fuzz: no crash"
