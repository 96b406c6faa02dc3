#!/bin/bash
# The storm: N vifs brought online at once, then offline at once, as a host
# starting or stopping all its guests does (every hotplug run started
# before the first ends).  Time from the first start to the last exit, and
# the runs that failed.  Not a test: nothing here passes or fails on a
# number.
#   bench/storm.sh [N] [ROUNDS] [FW]
# With BASE=DIR (another build, e.g. of an older commit), its vif-bridge
# runs too, rounds interleaved with ours, and the ratios are printed.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/lib.sh"
H_QUIET=1
H_XS_TRACE=	# xenstored as on a host: no trace of every request
N=${1:-1000}
ROUNDS=${2:-3}
FW=${3:-nft}
h_setup
. "$top/bench/lib.sh"
mkdir -p /var/log/xen
present_init
add_present "$N"

# storm CMD BIN: CMD (online or offline) of every present vif at once with
# BIN's vif-bridge, timed inside dom0; prints "MS FAILURES".
storm() {
	d0 "${H_ENV_BASE[@]}" S="$2/vif-bridge" C="$1" N="$N" FW="$FW" bash -c '
		fail=$(mktemp)
		t0=$EPOCHREALTIME
		for ((d = 1000; d < N + 1000; d++)); do
			XENBUS_PATH=backend/vif/$d/0 vif=vif$d.0 "$S" "$C" type_if=vif \
				firewall="$FW" </dev/null >/dev/null 2>&1 || echo "$d" >>"$fail" &
		done
		wait
		t1=$EPOCHREALTIME
		echo $(( (${t1/./} - ${t0/./}) / 1000 )) $(wc -l <"$fail")
		rm -f "$fail"'
}

names=(ours)
declare -A bin=([ours]=$B)
if [ -n "${BASE:-}" ]; then
	names=(base ours)
	bin[base]=$BASE
fi
declare -A on off fails
for ((r = 0; r < ROUNDS; r++)); do
	for name in "${names[@]}"; do
		# Each contender starts from no table: an older build cannot
		# use the newer layout (a newer one replaces the older).
		d0 nft delete table bridge xen 2>/dev/null
		sleep 1	# the previous storm's deferred releases and grace periods
		read -r ms f < <(storm online "${bin[$name]}")
		on[$name]+="$ms"$'\n'
		fails[$name]=$(( ${fails[$name]:-0} + f ))
		sleep 1
		read -r ms f < <(storm offline "${bin[$name]}")
		off[$name]+="$ms"$'\n'
		fails[$name]=$(( ${fails[$name]:-0} + f ))
	done
done
echo "storm: $N vifs online at once, then offline at once (firewall=$FW, $ROUNDS rounds), median (ms)"
for name in "${names[@]}"; do
	mon=$(printf '%s' "${on[$name]}" | median)
	moff=$(printf '%s' "${off[$name]}" | median)
	printf '  %-5s online %6s ms  offline %6s ms  failures %s  (online: %s; offline: %s)\n' \
		"$name" "$mon" "$moff" "${fails[$name]}" \
		"$(printf '%s' "${on[$name]}" | tr '\n' ' ' | sed 's/ $//')" \
		"$(printf '%s' "${off[$name]}" | tr '\n' ' ' | sed 's/ $//')"
	eval "m_on_$name=$mon m_off_$name=$moff"
done
if [ -n "${BASE:-}" ]; then
	printf '  base/ours: online %sx, offline %sx\n' \
		"$(ratio "$m_on_base" "$m_on_ours")" "$(ratio "$m_off_base" "$m_off_ours")"
fi
