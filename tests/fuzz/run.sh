#!/bin/bash
# Run fuzz targets, each for SECONDS seconds, and say per target how many
# inputs it ran and whether it found anything.
#
#   tests/fuzz/run.sh SECONDS [TARGET...]     (default: every build/fuzz target)
#
# FUZZ_BIN: the targets (build/fuzz).  FUZZ_WORK: where each target's new
# corpus entries (corpus/TARGET) and the reproducers of what it finds
# (TARGET-crash-*, -leak-*, -timeout-*, -oom-*) go; build/fuzz/work unless
# given, never the repository.  The seeds, tests/fuzz/corpus/TARGET, and the
# dictionary, tests/fuzz/TARGET.dict, are read when they exist.  FUZZ_FLAGS:
# more libFuzzer flags (e.g. -max_len=8192).  With
# H_RESULTS set (tests/run.sh), each target adds one "pass fail" line.
# Exits 1 when a target found something.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
[ $# -ge 1 ] || { echo "usage: tests/fuzz/run.sh SECONDS [TARGET...]" >&2; exit 2; }
secs=$1
shift
bin=${FUZZ_BIN:-build/fuzz}
work=${FUZZ_WORK:-$bin/work}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for f in tests/fuzz/*.c; do targets+=("$(basename "$f" .c)"); done
fi
mkdir -p "$work"
found=0
for t in "${targets[@]}"; do
	flags=(-max_total_time="$secs" -timeout=10 -use_value_profile=1 -print_final_stats=1
	       -artifact_prefix="$work/$t-")
	[ -f "tests/fuzz/$t.dict" ] && flags+=(-dict="tests/fuzz/$t.dict")
	# shellcheck disable=SC2206
	flags+=(${FUZZ_FLAGS:-})
	dirs=("$work/corpus/$t")
	[ -d "tests/fuzz/corpus/$t" ] && dirs+=("tests/fuzz/corpus/$t")
	mkdir -p "$work/corpus/$t"
	rm -f "$work/$t"-crash-* "$work/$t"-leak-* "$work/$t"-timeout-* "$work/$t"-oom-* \
		"$work/$t"-slow-unit-*
	log="$work/$t.log"
	start=$SECONDS
	if [ ! -x "$bin/$t" ]; then
		echo "FAIL - fuzz $t: no $bin/$t (make fuzzers)"
		rc=1
	else
		"$bin/$t" "${flags[@]}" "${dirs[@]}" >"$log" 2>&1
		rc=$?
	fi
	took=$((SECONDS - start))
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" 2>/dev/null | tail -n1)
	what=$(find "$work" -maxdepth 1 \( -name "$t-crash-*" -o -name "$t-leak-*" -o -name "$t-timeout-*" \
		-o -name "$t-oom-*" \) | head -n1)
	if [ "$rc" -eq 0 ] && [ -z "$what" ] && [ -n "$runs" ]; then
		echo "ok   - fuzz $t: $runs inputs in $took s, nothing found"
		[ -n "${H_RESULTS:-}" ] && echo "1 0" >>"$H_RESULTS"
	else
		found=1
		[ -f "$log" ] && grep -E '^(==[0-9]+==ERROR|SUMMARY|.*check failed|.*runtime error)' \
			"$log" | head -n5
		echo "FAIL - fuzz $t: ${runs:-?} inputs in $took s, exit $rc," \
			"reproducer ${what:-none} (log $log; run: $bin/$t ${what:-})"
		[ -n "${H_RESULTS:-}" ] && echo "0 1" >>"$H_RESULTS"
	fi
done
exit $found
