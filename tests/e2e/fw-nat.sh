#!/bin/bash
# The firewall API's NAT and routed anti-spoofing, with the backend in $H_FW
# (run.sh runs both), driven directly through tests/harness/fwtool: masquerading (whole, and limited to a subnet),
# replacement and removal, other owners untouched, backend switches, and a
# routed vif that cannot send from a foreign address.  (Port forwards are
# network-zones' own nft rules: zones.sh's CreateApp tests.)
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VB=$(bin vif-bridge)
FT=$(bin fwtool)
other=iptables; [ "$H_FW" = iptables ] && other=nft

# fw SUBCOMMAND...: fwtool in dom0.
fw() { h_net "$FT" "$@"; }
# nat_rules OWNER: the owner's NAT rules as the backend lists them.
nat_rules() {
	if [ "$1" = nft ] || { [ $# = 1 ] && [ "$H_FW" = nft ]; }; then
		d0 nft list table inet xen 2>/dev/null | grep -F "comment \"${2:-$1}: "
	else
		{ d0 iptables-legacy -t nat -S "xen-${2:-$1}-pre"
		  d0 iptables-legacy -t nat -S "xen-${2:-$1}-post"; } 2>/dev/null | grep -- '^-A' 
	fi
}

# An outside host on dom0's uplink, 192.0.2.0/24.
h_outside
d0 sysctl -qw net.ipv4.ip_forward=1

# Guests 1 (10.0.0.1) and 2 (10.0.0.200) on xenbr0 behind dom0's 10.0.0.254.
h_bridge xenbr0
d0 ip addr add 10.0.0.254/24 dev xenbr0
for g in 1:10.0.0.1 2:10.0.0.200; do
	d=${g%%:*} a=${g#*:}
	h_guest $d 0 ip=$a
	h_run "$VB" online $d
	g $d ip addr add $a/24 dev eth0
	g $d ip route add default via 10.0.0.254
done


# --- masquerading of a subnet ----------------------------------------------
t "nat-set with $H_FW" fw nat-set network-nat "$H_FW" out=uplink from=10.0.0.0/25
teq "guest 1 (in the subnet) is seen as dom0's address outside" 192.0.2.2 \
	"$(h_sources g 1 ping -c1 -W2 192.0.2.1)"
t "guest 1 reaches the outside host" g 1 ping -c1 -W2 192.0.2.1
teq "guest 2 (outside the subnet) is not masqueraded" 10.0.0.200 \
	"$(h_sources g 2 ping -c1 -W1 192.0.2.1)"

rules=$(nat_rules network-nat)
teq "one rule of network-nat, commented" 1 "$(grep -c . <<<"$rules")"
t "set again (replace)" fw nat-set network-nat "$H_FW" out=uplink from=10.0.0.0/25
teq "set again: the same rules, once" "$rules" "$(nat_rules network-nat)"

# --- another owner, backend switches, removal ------------------------------
t "another owner masquerades everything out of uplink" fw nat-set other "$H_FW" out=uplink
t "network-nat moves to $other" fw nat-set network-nat "$other" out=uplink from=10.0.0.0/25
teq "no $H_FW rules of network-nat left" "" "$(nat_rules network-nat)"
t "$other holds network-nat's rule" test -n "$(nat_rules "$other" network-nat)"
t "back to $H_FW" fw nat-set network-nat "$H_FW" out=uplink from=10.0.0.0/25
teq "no $other rules of network-nat left" "" "$(nat_rules "$other" network-nat)"
t "nat-clear" fw nat-clear network-nat
t "nat-clear again" fw nat-clear network-nat
teq "nat-clear leaves no rule of network-nat" "" "$(nat_rules network-nat)"
t "nat-clear leaves the other owner's rule" test -n "$(nat_rules other)"
t "clear the other owner" fw nat-clear other
teq "without NAT guest 1 is seen as itself" 10.0.0.1 "$(h_sources g 1 ping -c1 -W1 192.0.2.1)"
tn "an invalid owner is refused" fw nat-set "bad owner" "$H_FW" out=uplink
tn "an overlong owner is refused" fw nat-clear a-name-too-long-x

# --- a routed vif: IP sources checked on ingress ---------------------------
h_netns g5
d0 ip link add vif5.0 type veth peer name eth0 netns "$H_ID-g5"
d0 ip addr add 10.0.5.254/24 dev vif5.0
d0 ip link set vif5.0 up
g 5 ip link set eth0 address 00:16:3e:00:05:00 up
g 5 ip addr add 10.0.5.1/24 dev eth0
g 5 ip addr add 10.0.5.9/24 dev eth0
g 5 ip route add default via 10.0.5.254
out ip route add 10.0.5.0/24 via 192.0.2.2
t "allow routed vif5.0 with $H_FW" fw allow vif5.0 "$H_FW" routed mac=00:16:3e:00:05:00 ip=10.0.5.1
t "the routed guest reaches the outside host from its address" g 5 ping -c1 -W2 -I 10.0.5.1 192.0.2.1
teq "from a foreign address nothing gets out" "" "$(h_sources g 5 ping -c1 -W1 -I 10.0.5.9 192.0.2.1)"
if [ "$H_FW" = nft ]; then
	tmatch "its address is in table inet xen, set addr4" '"vif5.0" \. 10\.0\.5\.1 comment "vif5.0"' \
		"$(d0 nft list set inet xen addr4)"
else
	tmatch "xen-antispoof sends it by input interface" '-i vif5.0 .*-j xen-vif5.0' \
		"$(d0 iptables-legacy -S xen-antispoof)"
fi
t "revoke" fw revoke vif5.0
t "after revoke the foreign address gets out again" g 5 ping -c1 -W2 -I 10.0.5.9 192.0.2.1
teq "after revoke nothing of vif5.0 is left" "" \
	"$({ d0 nft list ruleset; d0 iptables-legacy -S; d0 ip6tables-legacy -S; } 2>/dev/null | grep vif5.0)"
