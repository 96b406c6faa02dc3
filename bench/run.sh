#!/bin/bash
# Benchmarks against the upstream shell scripts: the same dom0 namespace,
# the same xenstored, the same guest, cycles interleaved.  Reports medians
# and ratios.  Not a test: nothing here passes or fails on a number.
#   bench/run.sh [CYCLES]
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/lib.sh"
H_QUIET=1
N=${1:-40}
h_setup
mkdir -p /var/log/xen
h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1

# One online+offline cycle, timed inside dom0 by the same bash loop for
# every contender (a fork+exec per run, as libxl does it).
cycle_times() {
	d0 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XENSTORED_PATH="$XENSTORED_PATH" \
		XEN_HOTPLUG_LOG="$XEN_HOTPLUG_LOG" XEN_SCRIPT_DIR="$XEN_SCRIPT_DIR" \
		XENBUS_PATH=backend/vif/1/0 vif=vif1.0 script="$1" N="$2" S="$1" \
		bash -c 'for ((i = 0; i < N; i++)); do
			t0=$EPOCHREALTIME
			"$S" online type_if=vif </dev/null >/dev/null 2>&1 || { echo FAIL; exit 1; }
			"$S" offline type_if=vif </dev/null >/dev/null 2>&1 || { echo FAIL; exit 1; }
			t1=$EPOCHREALTIME
			echo $(( (${t1/./} - ${t0/./}) ))
		done'
}
median() { sort -n | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

declare -A contender=(
	[upstream]=$H_UPSTREAM/vif-bridge
	[ours]=$top/build/vif-bridge
	[ours-dynamic]=$top/build/dyn/vif-bridge
)
order=(upstream ours ours-dynamic)
declare -A samples
for name in "${order[@]}"; do samples[$name]=; done
# Interleave in rounds of 5 so that drift in the machine's load hits all.
for ((r = 0; r < N; r += 5)); do
	for name in "${order[@]}"; do
		samples[$name]+=$(cycle_times "${contender[$name]}" 5)$'\n'
	done
done

echo "vif-bridge: one online+offline cycle, $N cycles each, medians (us)"
up=$(printf '%s' "${samples[upstream]}" | grep -v '^$' | median)
printf '  %-14s %8s us\n' upstream "$up"
for name in ours ours-dynamic; do
	m=$(printf '%s' "${samples[$name]}" | grep -v '^$' | median)
	printf '  %-14s %8s us   %5.1fx faster than upstream\n' "$name" "$m" \
		"$(awk -v a="$up" -v b="$m" 'BEGIN {print a / b}')"
done
if grep -q FAIL <<<"${samples[*]}"; then echo "  (a run failed: figures are not valid)"; fi

# Start-up alone: the binary's usage path, static versus dynamic linking.
for name in ours ours-dynamic; do
	t=$(d0 bash -c 'S='"${contender[$name]}"'; t0=$EPOCHREALTIME; for ((i = 0; i < 200; i++)); do "$S" online type_if=bogus >/dev/null 2>&1; done; t1=$EPOCHREALTIME; echo $(( (${t1/./} - ${t0/./}) / 200 ))')
	printf '  start-up + exit (%s): %s us\n' "$name" "$t"
done
