#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Builds and runs every suite: cmocka unit tests (normal and ASan+UBSan),
# the libFuzzer targets for a bounded time, and the integration tests that
# drive the real daemon. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
TOP=$PWD
BUILD=${BUILD:-build}
ASAN_BUILD=${ASAN_BUILD:-build-asan}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
PYTHON=${PYTHON:-/usr/bin/python3}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
LOGDIR=${LOGDIR:-$TOP/$BUILD/test-logs}

passed=0
failed=0
failures=()

count() { # suite passed failed
	passed=$((passed + $2))
	failed=$((failed + $3))
	[ "$3" -eq 0 ] || failures+=("$1")
	printf '%-34s %4d passed, %d failed\n' "$1" "$2" "$3"
}

setup() { # dir [meson args...]
	local dir=$1; shift
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >"$LOGDIR/setup-$(basename "$dir").log" 2>&1 || {
		cat "$LOGDIR/setup-$(basename "$dir").log"; return 1; }
	ninja -C "$dir" >"$LOGDIR/ninja-$(basename "$dir").log" 2>&1 || {
		tail -50 "$LOGDIR/ninja-$(basename "$dir").log"; return 1; }
}

# A cmocka binary prints "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s)".
run_cmocka() { # label exe
	local label=$1 exe=$2 log out p f
	log="$LOGDIR/$(echo "$label" | tr ' /' '__').log"
	timeout 300 "$exe" >"$log" 2>&1
	out=$(cat "$log")
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out" | tail -1)
	if [ -z "$p" ] && [ -z "$f" ]; then p=0; f=1; fi
	[ "${f:-0}" -eq 0 ] || grep -E '^\[  (FAILED|ERROR)|Assert|error|ERROR' "$log" | head -20
	count "$label" "${p:-0}" "${f:-0}"
}

run_unit_suites() { # build-dir label-suffix
	local exe
	for exe in "$1"/tests/unit/test_*; do
		[ -x "$exe" ] && [ -f "$exe" ] || continue
		run_cmocka "unit/$(basename "$exe" | sed 's/^test_//')$2" "$exe"
	done
}

run_fuzz() {
	local exe name corpus log
	for exe in "$FUZZ_BUILD"/tests/fuzz/fuzz_*; do
		[ -x "$exe" ] && [ -f "$exe" ] || continue
		name=$(basename "$exe")
		corpus="$TOP/tests/fuzz/corpus/${name#fuzz_}"
		log="$LOGDIR/$name.log"
		mkdir -p "$LOGDIR/$name-new"
		# New inputs go to a scratch dir; the committed corpus is only read.
		if timeout $((FUZZ_SECONDS + 120)) "$exe" -max_total_time="$FUZZ_SECONDS" \
			-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$LOGDIR/" "$LOGDIR/$name-new" "$corpus" >"$log" 2>&1; then
			count "fuzz/$name (${FUZZ_SECONDS}s)" 1 0
		else
			tail -30 "$log"
			count "fuzz/$name (${FUZZ_SECONDS}s)" 0 1
		fi
	done
}

run_integration() {
	local t log p f
	for t in tests/integration/test_*.py pktgen-scripts/tests/test_*.py; do
		log="$LOGDIR/integration-$(basename "$t" .py).log"
		VSW_BUILD="$TOP/$BUILD" timeout 900 "$PYTHON" "$t" >"$log" 2>&1
		p=$(sed -n 's/^RESULT: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p' "$log" | tail -1)
		f=$(sed -n 's/^RESULT: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p' "$log" | tail -1)
		if [ -z "$p" ]; then p=0; f=1; fi
		[ "$f" -eq 0 ] || grep -E '^(FAIL|ERROR)|Error|assert' "$log" | head -20
		count "integration/$(basename "$t" .py)" "$p" "$f"
	done
}

mkdir -p "$BUILD"
mkdir -p "$LOGDIR"
start=$(date +%s)

if setup "$BUILD"; then
	run_unit_suites "$BUILD" ""
	run_integration
else
	count "build ($BUILD)" 0 1
fi

if setup "$ASAN_BUILD" -Db_sanitize=address,undefined -Db_lundef=false; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		run_unit_suites "$ASAN_BUILD" " (asan+ubsan)"
else
	count "build ($ASAN_BUILD)" 0 1
fi

if CC=clang setup "$FUZZ_BUILD" -Dfuzz=true -Dtests=true \
	-Db_sanitize=address,undefined -Db_lundef=false; then
	run_fuzz
else
	count "build ($FUZZ_BUILD)" 0 1
fi

echo "logs: $LOGDIR; $(( $(date +%s) - start )) s"
[ ${#failures[@]} -eq 0 ] || echo "failed suites: ${failures[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
