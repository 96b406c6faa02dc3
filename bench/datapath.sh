#!/bin/bash
# The data path: 64-byte UDP datagrams per second from one guest to another
# across a bridge (iperf3 -u -l 64, as fast as the sender can), with
# anti-spoofing (nft) and without (firewall=none), rounds interleaved;
# medians and the ratio.  With PRESENT=N, N other vifs are online with
# anti-spoofing too (the sets hold their elements).  With BASE=DIR (another
# build) and no PRESENT, its anti-spoofing is measured too.  Not a test: nothing here passes
# or fails on a number.
#   bench/datapath.sh [ROUNDS] [SECONDS]
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/lib.sh"
H_QUIET=1
H_XS_TRACE=	# xenstored as on a host: no trace of every request
ROUNDS=${1:-5}
SECS=${2:-4}
command -v iperf3 >/dev/null || { echo "datapath: iperf3 is not installed (scripts/deps)"; exit 1; }
h_setup
. "$top/bench/lib.sh"
mkdir -p /var/log/xen
h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1
h_guest 2 0 ip=10.0.0.2
g 1 ip addr add 10.0.0.1/24 dev eth0
g 2 ip addr add 10.0.0.2/24 dev eth0
if [ "${PRESENT:-0}" -gt 0 ]; then
	present_init
	add_present "$PRESENT"
	online_present nft
fi

# use BIN FW: both guests' vifs made again by BIN's vif-bridge with FW.
use() {
	local d
	for d in 1 2; do h_run "$1/vif-bridge" offline "$d" 0; done
	# An older build cannot use the newer layout: each starts from none.
	[ "${PRESENT:-0}" -gt 0 ] || d0 nft delete table bridge xen 2>/dev/null
	for d in 1 2; do
		h_run "$1/vif-bridge" online "$d" 0 firewall="$2"
		[ "$H_RC" = 0 ] || { echo "datapath: online of guest $d with $1 ($2) failed"; exit 1; }
	done
	h_until 5 g 1 ping -c1 -W1 10.0.0.2
}
# rate: datagrams per second that arrived in guest 2.
rate() {
	local out
	g 2 iperf3 -s -1 -B 10.0.0.2 >/dev/null 2>&1 &
	h_until 5 h_listens "$H_ID-g2" tcp 5201
	out=$(g 1 iperf3 -c 10.0.0.2 -u -l 64 -b 0 -t "$SECS" -J 2>/dev/null)
	wait
	python3 -c 'import json, sys
s = json.loads(sys.stdin.read())["end"]["sum"]
print(int((s["packets"] - s["lost_packets"]) / s["seconds"]))' <<<"$out"
}

names=(none nft)
declare -A bin=([none]=$B [nft]=$B) fw=([none]=none [nft]=nft)
# An older build cannot use the newer layout that the present vifs are in.
if [ -n "${BASE:-}" ] && [ "${PRESENT:-0}" -eq 0 ]; then
	names+=(base-nft)
	bin[base-nft]=$BASE fw[base-nft]=nft
fi
declare -A samples
for ((r = 0; r < ROUNDS; r++)); do
	for name in "${names[@]}"; do
		use "${bin[$name]}" "${fw[$name]}"
		samples[$name]+=$(rate)$'\n'
	done
done
echo "data path: 64-byte UDP datagrams per second, guest to guest across a bridge ($ROUNDS rounds of ${SECS}s, ${PRESENT:-0} other vifs online), median"
declare -A med
for name in "${names[@]}"; do
	med[$name]=$(printf '%s' "${samples[$name]}" | median)
	printf '  %-9s %9s/s  (%s)' "$name" "${med[$name]}" "$(printf '%s' "${samples[$name]}" | tr '\n' ' ' | sed 's/ $//')"
	[ "$name" = none ] || printf '   %s%% of none' "$(awk -v a="${med[$name]}" -v b="${med[none]}" 'BEGIN {printf "%.0f", 100 * a / b}')"
	echo
done
