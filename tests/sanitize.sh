#!/usr/bin/env bash
# The sanitizer suites CI runs, on the code where threads meet: the clock and
# its alarms, the store (group commit, the audit chain's sealer), the runtime
# (case locks, the timer window and the timer loop's threads) and the
# dispatcher, under ThreadSanitizer (build-tsan); those and the API's
# application layer under AddressSanitizer and UBSan (clang, build-fuzz). CI
# runs it (.ci/run). The whole suite under ASan is `ctest --preset asan`
# after a full asan build with gcc (README).
set -euo pipefail
cd "$(dirname "$0")/.."
core=(clock_test store_test runtime_test dispatch_test)
labels() { local IFS='|'; echo "^($*)\$"; }

start=$(date +%s)
cmake --preset tsan >/dev/null
cmake --build --preset tsan --target "${core[@]}"
# A firing batch locks the case stripes of up to 256 cases at once, past the
# 64 locks a thread may hold under TSan's deadlock detector (a CHECK in the
# sanitizer, not a finding); the tests that fire a thousand at once run in
# the release and asan suites instead.
many_locks='TimersTest.AThousandCasesDueAtTheSameInstantFireInOneCall|RecoveryTest.(ManyFutureTimersStayInTheStoreUntilTheirWindow|CapOnTimersInMemoryStillFiresEveryDueTimer|CapDoesNotSplitTimersDueAtTheSameInstant)'
ctest --preset tsan -L "$(labels "${core[@]}")" -E "$many_locks"
echo "sanitize: tsan took $(( $(date +%s) - start )) s"

# AddressSanitizer and UBSan from the fuzz preset's clang build, which CI
# makes anyway for the fuzz targets (tests/fuzz/run.sh): one instrumented
# build of the engine serves both.
start=$(date +%s)
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${core[@]}" api_unit_test
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build-fuzz --output-on-failure -j 2 --timeout 1200 \
    -L "$(labels "${core[@]}" api_unit_test)"
echo "sanitize: asan took $(( $(date +%s) - start )) s"
