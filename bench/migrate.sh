#!/bin/bash
# Benchmark of a routed guest's live migration (issue 12): two hosts on a
# LAN with a router (BIRD) and a LAN host, as tests/e2e/migrate.sh builds
# them, xen-netscripts watch on both hosts, the guest moved back and forth
# MIGRATIONS (20) times with BIRD on the hosts, then as often with FRR's
# bgpd and zebra (announce_metric=1020), the shipped examples included.
# Reports; passes or fails on no number.
#   bench/migrate.sh [MIGRATIONS]
#
# Each migration: vif-route online on the destination while the guest is
# paused there, the LAN host pings the guest (its neighbour entries are in
# use, and older than the 1 s locktime), the source's guest end goes down,
# then the clock starts and the destination's comes up (resume).  Measured
# from the resume, polled every 5 ms: until the router's kernel routes both
# of the guest's addresses (/32, /128) through the destination, and until the
# LAN host's neighbour entries for both point at the destination's uplink.
# Then vif-route offline on the source.  Medians, min and max, in ms.
top=$(cd "$(dirname "$0")/.." && pwd)
: "${B:=$top/build}"
for p in "$B/vif-route" "$B/xen-netscripts" /usr/sbin/bird /usr/lib/frr/bgpd; do
	if [ ! -x "$p" ]; then
		echo "bench/migrate.sh: $p is missing (make all; bash scripts/deps)" >&2
		exit 1
	fi
done
. "$top/tests/harness/lib.sh"
H_QUIET=1
H_XS_TRACE=	# xenstored as on a host: no trace of every request
H_BIN=$B
N=${1:-20}
h_setup
. "$top/bench/lib.sh"
. "$top/tests/harness/hosts.sh"

h_lan
h_bird_router 2 3 4 5
h_until 5 h_lan_ipv6_up lanhost eth0

# at N: the router routes both of the guest's addresses via host N.
at() { [ "$(h_router_via "$H_G4")" = "$1" ] && [ "$(h_router_via "$H_G6")" = "$1" ]; }
# seen_at HOST: the LAN host has both of the guest's addresses at HOST's MAC.
seen_at() {
	local m
	m=$(hx "$1" cat /sys/class/net/uplink/address)
	[ "$(h_neigh_mac lanhost "$H_G4")" = "$m" ] && [ "$(h_neigh_mac lanhost "$H_G6")" = "$m" ]
}
# since T0 CMD...: when CMD is so (polled every 5 ms), the ms since T0
# ($EPOCHREALTIME); "timeout" after 10 s.
since() {
	local t0=${1/./}
	shift
	until "$@" >/dev/null 2>&1; do
		[ $((${EPOCHREALTIME/./} - t0)) -lt 10000000 ] || { echo timeout; return; }
		sleep 0.005
	done
	echo $(((${EPOCHREALTIME/./} - t0) / 1000))
}
# ping_guest: the LAN host talks to the guest (IPv4 and IPv6).
ping_guest() {
	ip netns exec "$H_ID-lanhost" ping -c1 -w5 "$H_G4" >/dev/null
	ip netns exec "$H_ID-lanhost" ping -6 -c1 -w5 "$H_G6" >/dev/null
}
# stats: "median M ms (min A, max B)" of the numbers on stdin, and how many
# timed out.
stats() {
	local v m to
	v=$(cat)
	to=$(grep -c timeout <<<"$v")
	m=$(grep -v timeout <<<"$v" | median)
	printf 'median %4s ms (min %s, max %s)' "${m:--}" \
		"$(grep -v timeout <<<"$v" | sort -n | head -1)" "$(grep -v timeout <<<"$v" | sort -n | tail -1)"
	[ "$to" -gt 0 ] && printf ' [%s timed out]' "$to"
}

# run DAEMON X N Y M [METRIC]: N migrations between hosts X (192.0.2.N) and Y
# with DAEMON (bird or frr) on them; prints a line of figures.
dom=10
run() {
	local dm=$1 x=$2 xn=$3 y=$4 yn=$5 metric=${6:-} src dst sn dn i sd dd t0 rp np h
	local routes=() neighs=()
	for h in "$x,$xn" "$y,$yn"; do
		h_lan_host "${h%,*}" "${h#*,}"
		[ -n "$metric" ] && echo "announce_metric=$metric" >>"$H_DIR/${h%,*}/netscripts.conf"
		"h_${dm}_host" "${h%,*}" "${h#*,}"
		h_host_bg "${h%,*}" "$H_DIR/${h%,*}/watch.log" "$B/xen-netscripts" watch
	done
	h_until 20 h_bgp_up "$xn" "$yn"
	src=$x sn=$xn dst=$y dn=$yn sd=$dom
	h_mg_arrive "$src" "$sd"
	h_mg_resume "$src" "$sd"
	h_mg_config "$src" "$sd"
	h_until 10 at "$sn"
	for ((i = 0; i < N; i++)); do
		dd=$((++dom))
		h_mg_arrive "$dst" "$dd"
		ping_guest
		sleep 1.1
		h_mg_pause "$src" "$sd"
		t0=$EPOCHREALTIME
		h_mg_resume "$dst" "$dd"
		since "$t0" at "$dn" >"$H_DIR/route.t" &
		rp=$!
		since "$t0" seen_at "$dst" >"$H_DIR/neigh.t" &
		np=$!
		wait "$rp" "$np"
		routes+=("$(cat "$H_DIR/route.t")")
		neighs+=("$(cat "$H_DIR/neigh.t")")
		h_mg_leave "$src" "$sd"
		h_mg_config "$dst" "$dd"
		set -- "$src" "$sn"
		src=$dst sn=$dn sd=$dd dst=$1 dn=$2
	done
	h_mg_leave "$src" "$sd" # the router must not keep this round's route
	printf '  %-5s resume -> router route moved: %s\n' "$dm" "$(printf '%s\n' "${routes[@]}" | stats)"
	printf '  %-5s resume -> LAN host neighbour moved: %s\n' "$dm" "$(printf '%s\n' "${neighs[@]}" | stats)"
}

echo "migration of a routed guest between two hosts ($N times each way and back):"
run bird A 2 B 3
run frr C 4 D 5 1020
