#!/bin/bash
# Run every test: the Check unit suites (plain and sanitized builds), the
# layering check (tests/layers.sh), the format check (tests/format.sh), each
# fuzz target for a few seconds (FUZZ_SMOKE_SECONDS, 3), the end-to-end and differential scenarios (against the plain and the sanitized
# binaries), the valgrind leak check, the user-mode Linux lane (VLAN traffic,
# iptables with its modules unloaded: tests/uml/lane.sh) and the Debian
# package (tests/pkg/package.sh).  Ends with "N passed, N failed".
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
export H_RESULTS=$results
export ASAN_OPTIONS=detect_leaks=1:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:exitcode=87:print_stacktrace=1

[ "$(id -u)" = 0 ] || { echo "tests/run.sh: the tests need root (network namespaces)"; exit 2; }

unit() {
	local out
	out=$("$1" 2>&1)
	echo "$out"
	# Check's summary: "100%: Checks: N, Failures: F, Errors: E"
	echo "$out" | sed -n 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/p' |
		while read -r n f e; do echo "$((n - f - e)) $((f + e))" >>"$results"; done
}

# The harness's namespaces are named xns<PID>r<N>-...: PID the test's shell.
xns() { ip netns list | awk '/^xns/ {print $1}' | sort; }
ns_before=$(xns)

echo "== unit tests (Check)"
unit build/unit-tests
echo "== unit tests (Check, ASan+UBSan)"
unit build/asan/unit-tests

# Every file of common/ is linked into two or more binaries.
echo "== tests/layers.sh"
bash tests/layers.sh || true
echo "== tests/format.sh"
bash tests/format.sh || true

# Each fuzz target briefly, with its seeds: a smoke test (make fuzz runs them
# longer).  What they add to the corpus is thrown away; a reproducer is kept.
echo "== fuzz targets (libFuzzer, ${FUZZ_SMOKE_SECONDS:-3} s each)"
fuzz_work=$(mktemp -d /tmp/xns-fuzz-XXXXXX)
FUZZ_BIN=$top/build/fuzz FUZZ_WORK=$fuzz_work bash tests/fuzz/run.sh \
	"${FUZZ_SMOKE_SECONDS:-3}" && rm -rf "$fuzz_work"

# Every scenario with each firewall backend (but those marked as not using
# one), plain and sanitized.
for f in tests/e2e/*.sh; do
	case $f in *valgrind*) continue ;; esac
	fws="nft iptables"
	grep -q '^# no firewall backend' "$f" && fws=nft
	for fw in $fws; do
		echo "== $f (firewall=$fw)"
		H_FW=$fw H_BIN=$top/build bash "$f" || true
		echo "== $f (firewall=$fw, ASan+UBSan build)"
		H_FW=$fw H_BIN=$top/build/asan bash "$f" || true
	done
done
echo "== tests/e2e/valgrind.sh"
bash tests/e2e/valgrind.sh || true

# A kernel of its own, as a process: what this host's kernel may lack.  A
# lane that cannot boot is a failure that says why (lane.sh).
echo "== tests/uml/lane.sh (user-mode Linux)"
bash tests/uml/lane.sh || true

# The Debian package: built, lintian, installed and removed in a throwaway
# debootstrap chroot (the network for apt; about a minute, the first run
# longer while it fills /var/cache/xen-netscripts-tests).
echo "== tests/pkg/package.sh"
bash tests/pkg/package.sh || true

# Hygiene: every namespace a test started is gone.  New ones whose test is
# still running belong to another run on the same machine, not to this one.
left=$(comm -13 <(echo "$ns_before") <(xns) | while read -r n; do
	p=${n#xns} && kill -0 "${p%%r*}" 2>/dev/null || echo "$n"
done)
if [ -n "$left" ]; then
	echo "FAIL - tests left network namespaces behind:" $left; echo "0 1" >>"$results"
else
	echo "ok   - no network namespace left behind"; echo "1 0" >>"$results"
fi

read -r pass fail < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$results")
runs=$(wc -l <"$results")
echo
echo "$runs suites"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
