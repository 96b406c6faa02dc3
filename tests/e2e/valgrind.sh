#!/bin/bash
# The binaries' main paths under valgrind: no leak, no invalid access.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif
VG="valgrind -q --suppressions=$H_TOP/tests/harness/valgrind.supp --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"

h_bridge xenbr0
h_guest 1 0 vifname=web1 ip=10.0.0.1
h_guest 2 0 mtu=abc


# vgrun NAME EXPECTED-STATUS BINARY ARGS...: under valgrind in dom0, with
# libxl's environment for guest $VG_DOM.
vgrun() {
	local name=$1 want=$2 b=$3 d=${VG_DOM:-1}
	shift 3
	d0 "${H_ENV_BASE[@]}" XENBUS_PATH="backend/vif/$d/0" vif="vif$d.0" \
		$VG "$b" "$@" </dev/null >"$H_DIR/vg.out" 2>&1
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "valgrind: $name"
	else not_ok "valgrind: $name (status $rc, want $want)"; cat "$H_DIR/vg.out"; fi
}
# vg NAME EXPECTED-STATUS DOMID CMD ARGS...: vif-bridge, libxl's way.
vg() {
	local name=$1 want=$2 d=$3 cmd=$4
	shift 4
	VG_DOM=$d vgrun "$name" "$want" "$VB" "$cmd" type_if=vif "$@"
}
# nft_web1: web1's anti-spoofing is in place with nft (its element of set
# vifs, which lists what it may send).
nft_web1() { d0 nft list set bridge xen vifs 2>/dev/null | grep -q '"web1" comment'; }
mkdir -p "$XEN_SCRIPT_DIR/vif-post.d"
printf 'true\n' >"$XEN_SCRIPT_DIR/vif-post.d/a.hook"
chmod +x "$XEN_SCRIPT_DIR/vif-post.d/a.hook"
vg "vif-bridge online (rename, hook, nft)" 0 1 online firewall=nft
teq "valgrind: online really happened" xenbr0 "$(link_master web1)"
t "valgrind: its nft rules are there" nft_web1
vg "vif-bridge online again (iptables)" 0 1 online firewall=iptables
t "valgrind: its iptables rules are there" d0 iptables-legacy -S xen-web1
vg "vif-bridge offline" 0 1 offline
vg "vif-bridge offline again" 0 1 offline
vg "vif-bridge bad input (fatal path)" 1 2 online
vg "vif-bridge misuse (usage path)" 2 2 bogus

# vif-route, vif-nat and the network scripts on an uplink with an address.
h_outside
h_guest 3 0 "ip=192.0.2.13 2001:db8::13"
h_guest 4 0
mkdir -p "$H_DIR/hosts" "$H_DIR/opts"
VG_DOM=3 vgrun "vif-route online (IPv4 and IPv6)" 0 "$(bin vif-route)" online type_if=vif
tmatch "valgrind: vif-route online really happened" "192.0.2.13" "$(d0 ip route show dev vif3.0)"
VG_DOM=3 vgrun "vif-route offline" 0 "$(bin vif-route)" offline type_if=vif
VG_DOM=4 vgrun "vif-nat online (dnsmasq lease)" 0 "$(bin vif-nat)" online type_if=vif \
	dhcp_hostsdir="$H_DIR/hosts" dhcp_optsdir="$H_DIR/opts"
t "valgrind: vif-nat wrote the lease" test -e "$H_DIR/hosts/vif4.0"
VG_DOM=4 vgrun "vif-nat offline" 0 "$(bin vif-nat)" offline type_if=vif \
	dhcp_hostsdir="$H_DIR/hosts" dhcp_optsdir="$H_DIR/opts"
vgrun "network-route start" 0 "$(bin network-route)" start ipv6=yes
vgrun "network-route status" 0 "$(bin network-route)" status
vgrun "network-route stop" 0 "$(bin network-route)" stop
vgrun "network-nat start" 0 "$(bin network-nat)" start subnet=10.0.0.0/8,192.168.0.0/16
vgrun "network-nat status" 0 "$(bin network-nat)" status
vgrun "network-nat stop" 0 "$(bin network-nat)" stop
vgrun "network-nat bad input" 1 "$(bin network-nat)" start subnet=nonsense
printf 'CreateZone NAME=z1 NIC=uplink EXT=192.0.2.40 BR=vgbr1 INT=10.40.0.1 MASK=255.255.255.0\nCreateApp NAME=web ZONE=z1 EXT=tcp:80 INT=10.40.0.2:8080\nMapAddress NAME=m ZONE=z1 EXT=192.0.2.41 INT=10.40.0.3\n' >"$H_DIR/zones.conf"
printf '00:16:3e:00:40:02 10.40.0.2\n' >"$H_DIR/ethers"
vgrun "network-zones plan" 0 "$(bin network-zones)" plan config="$H_DIR/zones.conf"
vgrun "network-zones start (DHCP)" 0 "$(bin network-zones)" start config="$H_DIR/zones.conf" \
	ethers="$H_DIR/ethers" hosts=/dev/null
t "valgrind: network-zones made its bridge" link_exists vgbr1
vgrun "network-zones status" 0 "$(bin network-zones)" status
vgrun "network-zones stop" 0 "$(bin network-zones)" stop
vgrun "network-zones bad input" 1 "$(bin network-zones)" start config=/nonexistent

# The firewall checks (tests/harness/fwtool, as tests/e2e/fw-check.sh drives
# it): one pass over vifs in place and missing, and a NAT owner, with each
# backend; their answers are asserted there, here only that they came.
FT=$(bin fwtool)
for fw in nft iptables; do
	h_net "$FT" allow vg1.0,vg2.0 "$fw" bridged mac=00:16:3e:00:09:01 "ip=10.9.0.1 2001:db8::91"
	h_net "$FT" allow vg3.0 "$fw" routed "ip=10.9.0.3"
	h_net "$FT" nat-set vgnat "$fw" out=uplink from=10.9.0.0/24
	vgrun "fwtool check, one pass ($fw)" 0 "$FT" check vg1.0,vg2.0,vg9.0 "$fw" bridged \
		mac=00:16:3e:00:09:01 "ip=10.9.0.1 2001:db8::91"
	teq "valgrind: fwtool check ($fw) answered" "1 1 0" "$(cut -c1 "$H_DIR/vg.out" | paste -sd' ')"
	vgrun "fwtool check, routed ($fw)" 0 "$FT" check vg3.0 "$fw" routed "ip=10.9.0.3"
	vgrun "fwtool nat-check ($fw)" 0 "$FT" nat-check vgnat "$fw" out=uplink from=10.9.0.0/24
	vgrun "fwtool check none ($fw)" 0 "$FT" check vg1.0 none bridged
done
vgrun "fwtool table-check" 0 "$FT" table-check inet xen
vgrun "fwtool table-check, bad family" 1 "$FT" table-check inet6 xen

# The guard over a bridged guest online: status, check, restore, and watch
# stopped by SIGTERM after one repair.
XNS=$(bin xen-netscripts)
xsw "$BE/3/0/online" 0 "$BE/4/0/online" 0 # their offline ran, as libxl's
h_run "$VB" online 1
teq "valgrind: guest 1 online for the guard" 0 "$H_RC"
vgrun "xen-netscripts status" 0 "$XNS" status
vgrun "xen-netscripts status --json" 0 "$XNS" status --json
vgrun "xen-netscripts check (all in place)" 0 "$XNS" check
d0 nft flush ruleset
vgrun "xen-netscripts check (flushed)" 1 "$XNS" check
vgrun "xen-netscripts restore" 0 "$XNS" restore
t "valgrind: restore really happened" nft_web1
vgrun "xen-netscripts misuse" 2 "$XNS" frobnicate
# And a routed guest whose carrier watch follows (its frames sent, its
# repeats pending at the SIGTERM).
h_guest 6 0 ip=192.0.2.60 script="$(bin vif-route)"
h_run "$(bin vif-route)" online 6
teq "valgrind: routed guest 6 online for the guard" 0 "$H_RC"
d0 "${H_ENV_BASE[@]}" $VG "$XNS" watch </dev/null >"$H_DIR/vgw.out" 2>&1 &
vgw=$!
h_until 20 grep -q 'xen-netscripts.*: watching' "$XEN_HOTPLUG_LOG"
d0 nft flush ruleset
h_until 20 nft_web1
t "valgrind: watch restored the flushed rules" nft_web1
proto6() { d0 ip -d route show 192.0.2.60 dev vif6.0 | grep -o 'proto [a-z0-9]*' | sed 's/xen/220/'; }
proto6_is() { [ "$(proto6)" = "$1" ]; }
g 6 ip link set eth0 down
h_until 20 proto6_is "proto boot"
teq "valgrind: watch withdrew guest 6's route (carrier off)" "proto boot" "$(proto6)"
g 6 ip link set eth0 up
h_until 20 proto6_is "proto 220"
teq "valgrind: watch announced guest 6's route (carrier on)" "proto 220" "$(proto6)"
pkill -TERM -P "$vgw" # the watch itself: $vgw is the shell that runs it
wait "$vgw"
vgrc=$?
teq "valgrind: xen-netscripts watch (a repair, SIGTERM)" 0 "$vgrc" || cat "$H_DIR/vgw.out"
