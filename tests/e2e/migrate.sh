#!/bin/bash
# Routed guests follow their host (issue 12), end to end: hosts with their
# own xenstored each (tests/harness/hosts.sh) on a LAN with a router and a
# LAN host, network-route on every host, a routed guest whose IPv4 and IPv6
# addresses are in the LAN's subnet (proxy ARP and NDP), and its live
# migration as libxl and netback make it: the destination's vif goes online
# while the guest is paused there (no carrier), the source's guest end goes
# down, the destination's comes up (resumed), the source's vif goes offline.
#
# Two rounds, A -> B with BIRD on the hosts, then C -> D with FRR's bgpd and
# zebra on the hosts (announce_metric=1020); BIRD on the router throughout.
# Each host includes the shipped etc/bird or etc/frr example unmodified.
# Asserted each round: the LAN host's neighbour entries for the guest point
# at the source while the guest is paused at the destination and at the
# destination within 3 s of the resume; the router learns the guest's /32
# and /128 from the source, not from the destination while paused there,
# from the destination within 3 s of the resume, and drops them after the
# last offline; the LAN host reaches the guest once the source left the LAN.
# And once: without xen-netscripts watch, a vif whose carrier comes up after
# online is not announced.  Then a third migration, E -> F with BIRD, as
# netback makes it when the source's frontend only suspends: the
# destination resumes before the source's carrier goes (overlap).
# no firewall backend
. "$(dirname "$0")/../harness/lib.sh"
h_setup
. "$H_TOP/tests/harness/hosts.sh"
VR=$(bin vif-route)
XNS=$(bin xen-netscripts)

h_lan
h_bird_router 2 3 4 5 6 7
h_wait "the LAN host's IPv6 is up" 5 h_lan_ipv6_up lanhost eth0

# mac HOST: the MAC of host HOST's uplink.
mac() { hx "$1" ip -o link show uplink | awk '{for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1)}'; }
# announced HOST DOMID [METRIC]: both routes of the guest on HOST are
# protocol 220 (xen) [with METRIC].
announced() {
	local re="proto (220|xen) .*metric ${3:-2}( |\$)"
	[[ $(hx "$1" ip route show "$H_G4" dev "vif$2.0") =~ $re ]] &&
		[[ $(hx "$1" ip -6 route show "$H_G6" dev "vif$2.0") =~ $re ]]
}
# not_announced HOST DOMID: both routes are there, neither protocol 220.
not_announced() {
	local r4 r6
	r4=$(hx "$1" ip route show "$H_G4" dev "vif$2.0")
	r6=$(hx "$1" ip -6 route show "$H_G6" dev "vif$2.0")
	[ -n "$r4" ] && [ -n "$r6" ] && ! [[ $r4$r6 =~ proto\ (220|xen) ]]
}
# via N: the router routes both of the guest's addresses through host N.
via() { [ "$(h_router_via "$H_G4")" = "$1" ] && [ "$(h_router_via "$H_G6")" = "$1" ]; }
# from_session N: what BIRD on the router has from host N's sessions, of the
# guest's routes.
from_session() {
	h_birdc router show route protocol "h$1v4" | grep -F "$H_G4/32"
	h_birdc router show route protocol "h$1v6" | grep -F "$H_G6/128"
}
# neighbours: the LAN host's MACs for the guest's IPv4 and IPv6 address.
neighbours() { echo "$(h_neigh_mac lanhost "$H_G4") $(h_neigh_mac lanhost "$H_G6")"; }
# watch HOST: xen-netscripts watch on HOST, once it has made its first pass.
watch() {
	h_host_bg "$1" "$H_DIR/$1/watch.log" "$XNS" watch
	h_first_pass "$H_BG_PID" "$H_DIR/$1/hotplug.log"
}
# reach WHAT: the LAN host reaches the guest (IPv4 and IPv6).
reach() {
	t "$1: the LAN host reaches the guest" ip netns exec "$H_ID-lanhost" ping -c1 -w5 "$H_G4"
	t "$1: the LAN host reaches the guest over IPv6" ip netns exec "$H_ID-lanhost" ping -6 -c1 -w5 "$H_G6"
}

# within NAME SECONDS CMD...: CMD is so within SECONDS (an assertion).
within() { h_wait "$@" && ok "$1"; }

# round DAEMON SRC N DOMID DST N DOMID [METRIC]: one migration from host SRC
# (192.0.2.N) to host DST with DAEMON (bird or frr) on both.
round() {
	local dm=$1 src=$2 sn=$3 sd=$4 dst=$5 dn=$6 dd=$7 metric=${8:-2} r=$1
	h_lan_host "$src" "$sn"
	h_lan_host "$dst" "$dn"
	if [ "$dm" = frr ]; then
		echo announce_metric="$metric" >>"$H_DIR/$src/netscripts.conf"
		echo announce_metric="$metric" >>"$H_DIR/$dst/netscripts.conf"
	fi
	"h_${dm}_host" "$src" "$sn"
	"h_${dm}_host" "$dst" "$dn"
	within "$r: the router's BGP sessions with $src and $dst are up" 20 h_bgp_up "$sn" "$dn"

	# The guest starts on SRC: online while paused, then it runs.
	h_mg_arrive "$src" "$sd"
	teq "$r: online on $src exits 0" 0 "$H_RC"
	t "$r: without carrier, the routes on $src are there, not announced" not_announced "$src" "$sd"
	if [ "$dm" = bird ]; then
		h_mg_resume "$src" "$sd"
		sleep 2
		t "$r: carrier after online, no watch: still not announced" not_announced "$src" "$sd"
		teq "$r: carrier after online, no watch: the router has not learnt the guest" "" \
			"$(h_router_via "$H_G4")$(h_router_via "$H_G6")"
		h_mg_pause "$src" "$sd"
	fi
	watch "$src"
	watch "$dst"
	h_mg_resume "$src" "$sd"
	h_mg_config "$src" "$sd"
	within "$r: carrier with watch: announced on $src within 3 s" 3 announced "$src" "$sd" "$metric"
	within "$r: the router has the guest's /32 and /128 via $src" 5 via "$sn"
	reach "$r, on $src"
	teq "$r: the LAN host has the guest at $src's MAC" "$(mac "$src") $(mac "$src")" "$(neighbours)"

	# Online on DST while the guest is paused there.
	h_mg_arrive "$dst" "$dd"
	teq "$r: online on $dst (paused) exits 0" 0 "$H_RC"
	sleep 1.5
	t "$r: paused on $dst: its routes are there, not announced" not_announced "$dst" "$dd"
	teq "$r: paused on $dst: the router has learnt nothing from $dst" "" "$(from_session "$dn")"
	t "$r: paused on $dst: the router still routes via $src" via "$sn"
	teq "$r: paused on $dst: the LAN host still has the guest at $src's MAC" \
		"$(mac "$src") $(mac "$src")" "$(neighbours)"

	# The switch-over.
	h_mg_pause "$src" "$sd"
	h_mg_resume "$dst" "$dd"
	within "$r: resumed on $dst: the router routes via $dst within 3 s" 3 via "$dn"
	within "$r: resumed on $dst: the LAN host has the guest at $dst's MAC within 3 s" 3 \
		eval '[ "$(neighbours)" = "$(mac "$dst") $(mac "$dst")" ]'
	t "$r: resumed on $dst: announced there" announced "$dst" "$dd" "$metric"
	t "$r: paused on $src: not announced there" not_announced "$src" "$sd"
	within "$r: the router has nothing left from $src" 3 eval '[ -z "$(from_session "$sn")" ]'
	h_mg_config "$dst" "$dd"
	h_mg_leave "$src" "$sd"
	teq "$r: offline on $src exits 0" 0 "$H_RC"
	teq "$r: offline on $src: its routes are gone" "" \
		"$(hx "$src" ip route show "$H_G4"; hx "$src" ip -6 route show "$H_G6")"
	t "$r: the router still routes via $dst" via "$dn"
	# SRC leaves the LAN: the guest is reached through DST alone.
	ip -n "$H_ID-lan" link del "p-$src"
	reach "$r, on $dst, $src gone"

	h_mg_leave "$dst" "$dd"
	teq "$r: the last offline exits 0" 0 "$H_RC"
	within "$r: after the last offline the router drops the guest" 3 eval \
		'[ -z "$(h_router_via "$H_G4")$(h_router_via "$H_G6")" ]'
}

round bird A 2 1 B 3 2
round frr C 4 3 D 5 4 1020

# overlap SRC N DOMID DST N DOMID: as netback does it, where a suspended
# frontend does not disconnect: the destination resumes while the source's
# vif still has carrier (until the source domain is destroyed), so both
# announce for a moment; once the source's carrier goes, the router and the
# LAN host are at the destination within 3 s, and nothing is left from the
# source.
overlap() {
	local src=$1 sn=$2 sd=$3 dst=$4 dn=$5 dd=$6 r="bird, overlap"
	h_lan_host "$src" "$sn"
	h_lan_host "$dst" "$dn"
	h_bird_host "$src" "$sn"
	h_bird_host "$dst" "$dn"
	within "$r: the router's BGP sessions with $src and $dst are up" 20 h_bgp_up "$sn" "$dn"
	watch "$src"
	watch "$dst"
	h_mg_arrive "$src" "$sd"
	h_mg_resume "$src" "$sd"
	h_mg_config "$src" "$sd"
	within "$r: the router has the guest via $src" 5 via "$sn"
	h_mg_arrive "$dst" "$dd"
	teq "$r: online on $dst (paused) exits 0" 0 "$H_RC"
	h_mg_resume "$dst" "$dd"
	within "$r: resumed on $dst while $src still has carrier: announced on both" 3 \
		eval 'announced "$dst" "$dd" && announced "$src" "$sd"'
	# Both answer the LAN host now, the source's repeats too (1 and 2 s
	# after its announcement): the destination's come after them.
	h_mg_pause "$src" "$sd" # the source domain destroyed: its vif goes
	within "$r: $src's carrier gone: the router routes via $dst within 3 s" 3 via "$dn"
	within "$r: ... the LAN host has the guest at $dst's MAC within 3 s" 3 \
		eval '[ "$(neighbours)" = "$(mac "$dst") $(mac "$dst")" ]'
	within "$r: the router has nothing left from $src" 3 eval '[ -z "$(from_session "$sn")" ]'
	h_mg_config "$dst" "$dd"
	h_mg_leave "$src" "$sd"
	reach "$r, on $dst"
	h_mg_leave "$dst" "$dd"
	within "$r: after the last offline the router drops the guest" 3 eval \
		'[ -z "$(h_router_via "$H_G4")$(h_router_via "$H_G6")" ]'
}
overlap E 6 5 F 7 6

# What the watches and daemons said, when something failed.
if [ "$H_FAIL" -gt 0 ]; then
	tail -n 20 "$H_DIR"/*/watch.log "$H_DIR"/bird-*.log* "$H_DIR"/frr-*/*.log 2>/dev/null
fi
