#!/bin/bash
# Benchmarks of the guard, xen-netscripts (issue 11), per firewall backend,
# with 1, 100 and MAX_PRESENT (1000) vifs online (our vif-bridge, as
# bench/run.sh brings them online).  Reports; passes or fails on no number.
#   bench/guard.sh [RUNS] [MAX_PRESENT] [FLUSHES] [IDLE_SECONDS]
#
# 1. status, check and restore with nothing to restore: the median of RUNS
#    (20) runs each.
# 2. watch: the time from a flush until every vif's anti-spoofing is back
#    (each vif in set vifs again, or jumped to from xen-antispoof; then check
#    confirms), the median over FLUSHES (20) flushes: `nft flush ruleset`
#    with nft, and with iptables `iptables -F; iptables -X` (legacy, IPv4
#    and IPv6), which sends no event (watch's periodic check; at 1 and 100
#    vifs only: each iptables online rewrites the whole table).
# 3. watch idle: its CPU time over IDLE_SECONDS (60) with 100 vifs online.
# B: the build to measure (default build/); its xen-netscripts must exist.
top=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$top/build}"
XNS=$B/xen-netscripts
if [ ! -x "$XNS" ]; then
	echo "bench/guard.sh: $XNS is missing: build the guard first (make all)" >&2
	exit 1
fi
. "$top/tests/harness/lib.sh"
H_QUIET=1
H_XS_TRACE=	# xenstored as on a host: no trace of every request
RUNS=${1:-20}
MAX=${2:-1000}
FLUSHES=${3:-20}
IDLE=${4:-60}
h_setup
. "$top/bench/lib.sh"
present_init

# watch_start: watch in dom0 (h_bg: killed by its PID on every way out),
# then a second for it to read its first pass.
watch_start() {
	h_bg d0 "$H_DIR/watch.log" "${H_ENV_BASE[@]}" "$XNS" watch
	WATCH_PID=$H_BG_PID
	sleep 1
}

# guard_times COUNT ARGS...: COUNT runs of xen-netscripts ARGS in dom0,
# timed by one bash loop there; one figure (us) a line, FAIL for a run that
# exited non-zero or (restore) printed something.
guard_times() {
	local n=$1
	shift
	d0 "${H_ENV_BASE[@]}" X="$XNS" N="$n" OUT="$H_DIR/guard.out" bash -c '
		for ((i = 0; i < N; i++)); do
			t0=$EPOCHREALTIME
			"$X" "$@" </dev/null >"$OUT" 2>&1
			rc=$?
			t1=$EPOCHREALTIME
			if [ "$rc" != 0 ] || { [ "$1" = restore ] && [ -s "$OUT" ]; }; then echo FAIL; continue; fi
			echo $(( ${t1/./} - ${t0/./} ))
		done' bash "$@"
}

# dispatched FW: how many vifs have their anti-spoofing (nft: the elements
# of set vifs, each commented with what its vif may send; iptables: the
# jumps of xen-antispoof, IPv4 and IPv6 each), in dom0.  The same text runs
# in the timing loop below.
DISPATCHED='
	if [ "$FW" = nft ]; then
		nft list set bridge xen vifs 2>/dev/null | grep -o "\" comment \"" | wc -l
	else
		{ iptables-legacy -S xen-antispoof; ip6tables-legacy -S xen-antispoof; } 2>/dev/null |
			grep -c -- "--physdev-in "
	fi'
# watch_latency FW COUNT: FLUSHES flushes with watch running; one figure
# (ms, from just before the flush until all COUNT vifs are dispatched again)
# a line; TIMEOUT (and no more flushes) when that took over 60 s, FAIL
# when check did not then exit 0.
watch_latency() {
	local want=$2
	[ "$1" = iptables ] && want=$((2 * $2))
	d0 "${H_ENV_BASE[@]}" X="$XNS" FW="$1" WANT="$want" N="$FLUSHES" D="$DISPATCHED" bash -c '
		for ((i = 0; i < N; i++)); do
			t0=$EPOCHREALTIME
			if [ "$FW" = nft ]; then
				nft flush ruleset
			else
				for c in iptables-legacy ip6tables-legacy; do "$c" -F; "$c" -X; done
			fi
			end=$(( ${t0/./} + 60000000 ))
			until [ "$(eval "$D")" = "$WANT" ]; do
				[ "${EPOCHREALTIME/./}" -lt "$end" ] || { echo TIMEOUT; break 2; }
			done
			t1=$EPOCHREALTIME
			# Confirmed by check, outside the timing.
			"$X" check </dev/null >/dev/null 2>&1 || { echo FAIL; continue; }
			echo $(( (${t1/./} - ${t0/./}) / 1000 ))
			sleep 0.2
		done'
}
# cpu_ms PID: the CPU time PID and its waited-for children have used (ms).
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15 + $16 + $17) * 1000 / hz)}' "/proc/$1/stat"
}
# report SAMPLES UNIT: their median and UNIT, and how many runs failed ("-"
# when all did).
report() {
	local bad m
	bad=$(grep -cE 'FAIL|TIMEOUT' <<<"$1")
	m=$(grep -vE 'FAIL|TIMEOUT' <<<"$1" | median)
	printf '%s %s' "${m:--}" "$2"
	[ "$bad" -gt 0 ] && printf ' (%s FAILED)' "$bad"
	return 0
}

declare -A times lat idle
for count in 1 100 "$MAX"; do
	add_present "$count"
	for fw in nft iptables; do
		online_present "$fw"
		n=0
		for ((d = 1000; d < count + 1000; d++)); do
			[ "$(xs /local/domain/0/backend/vif/$d/0/hotplug-status)" = connected ] && n=$((n + 1))
		done
		[ "$n" = "$count" ] || echo "  ($fw, $count vifs: only $n connected: figures not valid)"
		sleep 1		# let the kernel finish freeing what those replaced
		for cmd in status check restore; do
			times[$fw,$count,$cmd]=$(report "$(guard_times "$RUNS" $cmd)" us)
		done
		if [ "$fw" = nft ] || [ "$count" -le 100 ]; then
			watch_start
			lat[$fw,$count]=$(report "$(watch_latency "$fw" "$count")" ms)
			if [ "$count" = 100 ]; then
				before=$(cpu_ms "$WATCH_PID")
				sleep "$IDLE"
				idle[$fw]=$(( $(cpu_ms "$WATCH_PID") - before ))
			fi
			h_bg_kill "$WATCH_PID"
		fi
	done
done

echo "xen-netscripts: one run, median of $RUNS (us), with N vifs online"
for fw in nft iptables; do
	for cmd in status check restore; do
		printf '  %-9s %-8s' "$fw" "$cmd"
		for count in 1 100 "$MAX"; do printf '  %5s vifs: %11s' "$count" "${times[$fw,$count,$cmd]}"; done
		echo
	done
done
echo
echo "watch: from a flush until every vif's anti-spoofing is back, median of $FLUSHES (ms)"
for fw in nft iptables; do
	printf '  %-9s' "$fw"
	[ "$fw" = nft ] && printf '%-22s' "(nft flush ruleset)" || printf '%-22s' "(iptables -F, -X)"
	for count in 1 100 "$MAX"; do
		[ -n "${lat[$fw,$count]:-}" ] && printf '  %5s vifs: %9s' "$count" "${lat[$fw,$count]}"
	done
	echo
done
echo
echo "watch idle: CPU time over $IDLE s with 100 vifs online"
for fw in nft iptables; do printf '  %-9s %6s ms\n' "$fw" "${idle[$fw]}"; done
