#!/bin/bash
# vif-route, network-route and network-nat end to end, with the backend in
# $H_FW: guests with their own public addresses reached from an outside host
# through proxy ARP and proxy NDP, spoofing from a routed guest, and the
# info16 seed: NAT guests on a bridge plus one routed guest whose public
# address must not be masqueraded.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VR=$(bin vif-route)
VB=$(bin vif-bridge)
NR=$(bin network-route)
NN=$(bin network-nat)
BE=/local/domain/0/backend/vif

knob() { d0 cat "/proc/sys/$1"; }

# The provider's router on dom0's uplink: 192.0.2.0/24 and 2001:db8:1::/64.
h_outside

# --- network-route ------------------------------------------------------------
h_net "$NR" status
teq "network-route status before start: exit 3" 3 "$H_RC"
tmatch "network-route status says stopped" "network-route is stopped" "$H_OUT"
d0 sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.uplink.proxy_arp=0
h_net "$NR" start ipv6=yes
teq "network-route start exits 0" 0 "$H_RC"
teq "start: IPv4 forwarding on" 1 "$(knob net/ipv4/ip_forward)"
teq "start: proxy ARP on the default route's device" 1 "$(knob net/ipv4/conf/uplink/proxy_arp)"
teq "start ipv6=yes: IPv6 forwarding on" 1 "$(knob net/ipv6/conf/all/forwarding)"
teq "start ipv6=yes: proxy NDP on uplink" 1 "$(knob net/ipv6/conf/uplink/proxy_ndp)"
h_net "$NR" start ipv6=yes
teq "start again exits 0" 0 "$H_RC"
h_net "$NR" status
teq "status when started: exit 0" 0 "$H_RC"
tmatch "status names netdev and the knobs" "started on uplink.*ip_forward is 1 \(was 0" "$(echo $H_OUT)"
h_net "$NR" start netdev=no/such
teq "start with a bad netdev: exit 1" 1 "$H_RC"
tmatch "a bad netdev is named" "invalid netdev 'no/such'" "$H_OUT"
h_net "$NR" bogus
teq "an unknown command: exit 2" 2 "$H_RC"

# --- routed guests ----------------------------------------------------------
for d in 1 2; do
	h_guest $d 0 "ip=192.0.2.1$d 2001:db8:1::1$d" script="$VR"
	g $d ip addr add 192.0.2.1$d/24 dev eth0
	# A routed IPv6 guest holds its address alone, its router on the link.
	g $d ip addr add 2001:db8:1::1$d/128 dev eth0 nodad
done
h_run "$VR" online 1
teq "vif-route online exits 0" 0 "$H_RC"
teq "online: hotplug-status connected" connected "$(xs $BE/1/0/hotplug-status)"
teq "online: dom0's address on the vif as /32" "192.0.2.2/32" \
	"$(d0 ip -o -4 addr show dev vif1.0 | awk '{print $4}')"
teq "online: proxy ARP on the vif" 1 "$(knob net/ipv4/conf/vif1.0/proxy_arp)"
tmatch "online: host route with dom0's source, metric 2" \
	"192.0.2.11 .*src 192.0.2.2 metric 2" "$(d0 ip -4 route show dev vif1.0)"
tmatch "online: IPv6 host route" "2001:db8:1::11 .*metric 2" "$(d0 ip -6 route show dev vif1.0)"
tmatch "online: proxy NDP for the guest on uplink" "2001:db8:1::11 dev uplink proxy" \
	"$(d0 ip -6 neigh show proxy)"
h_run "$VR" online 2
teq "second routed guest online" connected "$(xs $BE/2/0/hotplug-status)"
for d in 1 2; do
	g $d ip route add default via 192.0.2.2
	h_until 3 link_ll vif$d.0
	ll=$(link_ll vif$d.0)
	g $d ip -6 route add default via "$ll" dev eth0
done
t "the outside host reaches guest 1's public address (proxy ARP)" out ping -c1 -W2 192.0.2.11
t "guest 1 reaches the outside host" g 1 ping -c1 -W2 192.0.2.1
# Proxy NDP answers after a random delay of up to proxy_delay (0.8 s).
t "the outside host reaches guest 1 over IPv6 (proxy NDP)" out ping -6 -c4 -i0.5 -W3 2001:db8:1::11
t "the outside host reaches guest 2" out ping -c1 -W2 192.0.2.12

# Spoofing from a routed guest does not get out.
g 1 ip addr add 192.0.2.99/24 dev eth0
teq "a spoofed source from guest 1 does not get out" "" \
	"$(h_sources g 1 ping -c1 -W1 -I 192.0.2.99 192.0.2.1)"
teq "its own source does" 192.0.2.11 "$(h_sources g 1 ping -c1 -W1 -I 192.0.2.11 192.0.2.1)"
g 1 ip addr del 192.0.2.99/24 dev eth0

# --- idempotency, offline ----------------------------------------------------
h_run "$VR" online 1
teq "online twice exits 0" 0 "$H_RC"
teq "online twice: one host route" 1 "$(d0 ip -4 route show 192.0.2.11 | grep -c .)"
h_run "$VR" offline 1
teq "offline exits 0" 0 "$H_RC"
teq "offline removes the host routes" "" "$(d0 ip route show 192.0.2.11; d0 ip -6 route show 2001:db8:1::11)"
teq "offline removes the /32 (the shell version leaves it)" "" "$(d0 ip -o -4 addr show dev vif1.0)"
teq "offline removes the proxy NDP entry" "" "$(d0 ip -6 neigh show proxy | grep ::11)"
teq "offline removes the anti-spoofing" "" \
	"$({ d0 nft list ruleset; d0 iptables-legacy -S; } 2>/dev/null | grep vif1.0)"
t "guest 2 still reachable after guest 1 went offline" out ping -c1 -W2 192.0.2.12
tn "guest 1 no longer reachable" out ping -c1 -W1 192.0.2.11
h_run "$VR" offline 1
teq "offline twice exits 0" 0 "$H_RC"

# --- bad input changes nothing -------------------------------------------------
h_guest 3 0 "ip=192.0.2.13 nonsense"
h_run "$VR" online 3
teq "bad ip: exit 1" 1 "$H_RC"
tmatch "bad ip: hotplug-error names it" "invalid ip '192.0.2.13 nonsense'" "$(xs $BE/3/0/hotplug-error)"
teq "bad ip: no address on vif3.0" "" "$(d0 ip -o -4 addr show dev vif3.0)"
xsw $BE/3/0/ip 192.0.2.13
h_run "$VR" online 3 0 netdev=nosuchdev
teq "a netdev that does not exist: exit 1" 1 "$H_RC"
tmatch "a netdev that does not exist: named" "invalid netdev 'nosuchdev': no such device" "$(xs $BE/3/0/hotplug-error)"
teq "a netdev that does not exist: no route" "" "$(d0 ip route show 192.0.2.13)"

# --- info16: NAT guests on a bridge and a routed public guest -------------
h_bridge br0
d0 ip addr add 192.168.1.254/24 dev br0
h_guest 5 0 ip=192.168.1.2 bridge=br0
h_run "$VB" online 5
g 5 ip addr add 192.168.1.2/24 dev eth0
g 5 ip route add default via 192.168.1.254
h_net "$NN" start subnet=192.168.1.0/24
teq "network-nat start subnet=: exit 0" 0 "$H_RC"
teq "the NAT guest is seen as dom0's public address" 192.0.2.2 "$(h_sources g 5 ping -c1 -W2 192.0.2.1)"
t "the NAT guest reaches the outside host" g 5 ping -c1 -W2 192.0.2.1
teq "the routed guest keeps its own public address" 192.0.2.12 "$(h_sources g 2 ping -c1 -W2 192.0.2.1)"
h_net "$NN" status
tmatch "network-nat status in words" "masquerading 192.168.1.0/24 out of uplink with $H_FW" "$H_OUT"
h_net "$NN" start subnet=192.168.1.0/24
teq "network-nat start again: exit 0" 0 "$H_RC"
if [ "$H_FW" = nft ]; then
	teq "start again: one masquerade rule" 1 "$(d0 nft list chain inet xen network-nat-postrouting | grep -c masquerade)"
else
	teq "start again: one masquerade rule" 1 "$(d0 iptables-legacy -t nat -S xen-network-nat-post | grep -c MASQUERADE)"
fi
h_net "$NN" start subnet=192.168.1.0/33
teq "a bad subnet: exit 1" 1 "$H_RC"
h_net "$NN" stop
teq "network-nat stop: exit 0" 0 "$H_RC"
tn "stop: the NAT guest is no longer masqueraded" g 5 ping -c1 -W1 192.0.2.1
h_net "$NN" status
teq "network-nat status after stop: exit 3" 3 "$H_RC"
teq "network-nat stop left network-route's forwarding on" 1 "$(knob net/ipv4/ip_forward)"

h_net "$NR" stop
teq "network-route stop: exit 0" 0 "$H_RC"
teq "stop: forwarding back to what it was" 0 "$(knob net/ipv4/ip_forward)"
teq "stop: proxy ARP back to what it was" 0 "$(knob net/ipv4/conf/uplink/proxy_arp)"
h_net "$NR" stop
teq "stop again: exit 0" 0 "$H_RC"
