#!/bin/bash
# Values that would take dom0's or another guest's traffic are refused:
# vif-route's and vif-nat's ip, gatewaydev and netdev, and vif-bridge's ip
# where it applies.  Each refusal exits 1, names the value and what is wrong
# with it in hotplug-error, and changes nothing (no route, no address, the
# vif still down and not renamed, no proxy entry, no sysctl, no rule, no
# lease file).  Two guests with one address: the second is refused and the
# first keeps its route, also after the second's offline.  The ip key's
# limits: 64 addresses, 1024 bytes, one line.
# no firewall backend
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VR=$(bin vif-route)
VN=$(bin vif-nat)
VB=$(bin vif-bridge)
NR=$(bin network-route)
BE=/local/domain/0/backend/vif
hosts=$H_DIR/dnsmasq/hosts opts=$H_DIR/dnsmasq/opts
mkdir -p "$hosts" "$opts"
printf 'dhcp_hostsdir=%s\ndhcp_optsdir=%s\n' "$hosts" "$opts" >>"$XEN_NETSCRIPTS_CONF"

# No duplicate address detection: addresses and their local routes are
# there at once, so that "nothing changed" compares settled states.
d0 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
# The uplink: dom0 192.0.2.2/24 and 2001:db8:1::2/64, gateways 192.0.2.1
# and 2001:db8:1::1.  A second link with an address of dom0's, the gateway
# of a route in another table, and a link with no IPv4 address.
h_outside
d0 ip -6 route add default via 2001:db8:1::1 dev uplink
d0 ip link add side0 type veth peer name side0p
d0 ip addr add 198.51.100.7/24 dev side0
d0 ip addr add 10.0.9.128/32 dev side0
d0 ip link set side0p up
d0 ip link set side0 up
d0 ip route add 203.0.113.0/24 via 198.51.100.1 dev side0 table 100
d0 ip link add side1 type veth peer name side1p
d0 ip link set side1p up
d0 ip link set side1 up
h_net "$NR" start ipv6=yes

# Everything a script could change in dom0.
state() {
	d0 ip -o link show | awk '{print $2, $3}'
	d0 ip -o addr show | awk '{print $2, $4}'
	d0 ip route show table all
	d0 ip -6 route show table all
	d0 ip neigh show proxy
	d0 ip -6 neigh show proxy
	d0 sh -c 'grep -H . /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv4/conf/*/proxy_arp \
		/proc/sys/net/ipv6/conf/*/proxy_ndp /proc/sys/net/ipv6/conf/*/forwarding'
	d0 nft list ruleset 2>/dev/null
	d0 iptables-legacy -S 2>/dev/null
	ls "$hosts" "$opts"
}

# refused SCRIPT DOMID WHAT REGEX [ARGS...]: online of guest DOMID exits 1,
# its hotplug-error matches REGEX, and nothing changed.
refused() {
	local s=$1 d=$2 what=$3 re=$4 before after
	shift 4
	before=$(state)
	xsw $BE/$d/0/hotplug-error ""
	h_run "$s" online "$d" 0 "$@"
	teq "$what: exit 1" 1 "$H_RC"
	tmatch "$what: hotplug-error says what is wrong" "$re" "$(xs -R $BE/$d/0/hotplug-error)"
	after=$(state)
	if [ "$before" = "$after" ]; then
		ok "$what: nothing changed"
	else
		not_ok "$what: changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' |
			head -6 | tr '\n' ' ')"
	fi
}

# ip VALUE...: set guest 3's and 4's ip key.
setip() { xsw $BE/3/0/ip "$1" $BE/4/0/ip "$1"; }

# Guest 3 for vif-route, guest 4 for vif-nat; a vifname shows any rename.
h_guest 3 0 vifname=hj3 script="$VR"
h_guest 4 0 vifname=nj4 script="$VN"
while read -r value re; do
	setip "$value"
	refused "$VR" 3 "vif-route ip=$value" "^invalid ip '${value//./\\.}': .*$re"
	refused "$VN" 4 "vif-nat ip=$value" "^invalid ip '${value//./\\.}': .*$re"
done <<'EOF'
192.0.2.1 gateway of dom0's route to default via uplink
192.0.2.2 dom0's own address, on uplink
198.51.100.7 dom0's own address, on side0
198.51.100.1 gateway of dom0's route to 203.0.113.0/24 via side0 in table 100
0.0.0.0/0 /0
0.0.0.0 unspecified
0.0.0.0/8 unspecified
127.0.0.1 loopback
224.0.0.1 multicast
255.255.255.255 broadcast
169.254.0.1 link-local
EOF
# IPv6 (and a value whose router would pass .254): vif-nat takes the
# first IPv4 address of ip.
while read -r value re; do
	setip "$value"
	refused "$VR" 3 "vif-route ip=$value" "^invalid ip '$value': .*$re"
done <<'EOF'
169.254.169.254 link-local
2001:db8:1::1 gateway of dom0's route to default via uplink
2001:db8:1::2 dom0's own address, on uplink
::/0 /0
:: unspecified
::1 loopback
fe80::1 link-local
ff02::1 multicast
::ffff:192.0.2.1 IPv4-mapped
EOF
# Prefixes: routed guests get host routes.
setip 192.0.2.0/24
refused "$VR" 3 "vif-route ip=192.0.2.0/24 (the LAN)" \
	"^invalid ip '192\.0\.2\.0/24': a /24 network.*routed_prefix4"
setip 2001:db8:1::/64
refused "$VR" 3 "vif-route ip=2001:db8:1::/64 (the LAN)" \
	"^invalid ip '2001:db8:1::/64': a /64 network.*routed_prefix6"
setip 192.0.2.0/24
refused "$VR" 3 "vif-route ip=192.0.2.0/24 routed_prefix4=24 (holds dom0's address)" \
	"^invalid ip '192\.0\.2\.0/24': .*(dom0's own address|gateway)" routed_prefix4=24
setip 203.0.113.65/28
refused "$VR" 3 "vif-route ip=203.0.113.65/28 routed_prefix4=28 (not a network)" \
	"^invalid ip '203\.0\.113\.65/28': .*203\.0\.113\.64/28" routed_prefix4=28
setip 203.0.113.64/28
refused "$VR" 3 "vif-route routed_prefix4=0" "^invalid routed_prefix4 '0'" routed_prefix4=0
refused "$VR" 3 "vif-route routed_prefix6=129" "^invalid routed_prefix6 '129'" routed_prefix6=129
# The router vif-nat puts on the vif (the guest's + 127) is checked too.
setip 10.0.9.1
refused "$VN" 4 "vif-nat ip=10.0.9.1 (router 10.0.9.128 is dom0's)" \
	"^invalid router address '10\.0\.9\.128': .*dom0's own address, on side0"
# The broadcast address of dom0's LAN.
setip 192.0.2.255
refused "$VR" 3 "vif-route ip=192.0.2.255" "^invalid ip '192\.0\.2\.255': .*broadcast address of uplink"
# A list: the address that is wrong is named.
setip "203.0.113.9 192.0.2.1"
refused "$VR" 3 "vif-route ip='203.0.113.9 192.0.2.1'" "^invalid ip '192\.0\.2\.1': .*gateway"
# Nothing to allow is not "allow nothing".
setip "   "
refused "$VR" 3 "vif-route ip of spaces" "^invalid ip '   ': no address"
refused "$VN" 4 "vif-nat ip of spaces" "^invalid ip '   ': no address"

# gatewaydev and netdev.
setip 203.0.113.9
xsw $BE/3/0/gatewaydev lo
refused "$VR" 3 "vif-route gatewaydev=lo" "^invalid gatewaydev 'lo': the loopback device"
xsw $BE/3/0/gatewaydev nosuch0
refused "$VR" 3 "vif-route gatewaydev=nosuch0" "^invalid gatewaydev 'nosuch0': no such device"
xsw $BE/3/0/gatewaydev side1
refused "$VR" 3 "vif-route gatewaydev=side1" "^invalid gatewaydev 'side1': it has no IPv4 address"
xsw $BE/3/0/gatewaydev vif3.0
refused "$VR" 3 "vif-route gatewaydev=vif3.0" "^invalid gatewaydev 'vif3.0': the guest's own device"
xenstore-rm $BE/3/0/gatewaydev
refused "$VR" 3 "vif-route netdev=lo" "^invalid netdev 'lo': the loopback device" netdev=lo

# The ip key's limits: 64 addresses, 1024 bytes, one line.
addrs() { local i; for i in $(seq "$1"); do printf '203.0.113.%d ' "$i"; done; }
setip "$(addrs 65)"
refused "$VR" 3 "vif-route 65 addresses" "^invalid ip '203\.0\.113\.1 203\.0\.113\.2 .*\.\.\.': more than 64 addresses"
v=$(addrs 119)
setip "$v"
refused "$VR" 3 "vif-route 119 addresses (${#v} bytes)" \
	"^invalid ip '203\.0\.113\.1 203\.0\.113\.2 .*\.\.\.': ${#v} bytes, more than 1024"
v=$(addrs 64); v=$v$(printf '%*s' $((1025 - ${#v})) '')
setip "$v"
refused "$VR" 3 "vif-route ip of 1025 bytes" "^invalid ip '203\.0\.113\.1 .*': 1025 bytes, more than 1024"
setip "$(printf '203.0.113.9\n203.0.113.10')"
refused "$VR" 3 "vif-route ip with a newline" "^invalid ip '203\.0\.113\.9\\\\n203\.0\.113\.10': a newline"
refused "$VN" 4 "vif-nat ip with a newline" "^invalid ip '203\.0\.113\.9\\\\n203\.0\.113\.10': a newline"

# At the limits: 64 addresses in 1024 bytes are routed.
h_guest 8 0 script="$VR"
xsw $BE/8/0/ip "${v% }"
h_run "$VR" online 8
teq "64 addresses in 1024 bytes: online exits 0" 0 "$H_RC"
teq "64 addresses: 64 host routes" 64 "$(d0 ip route show dev vif8.0 | grep -c '^203\.0\.113\.')"
h_run "$VR" offline 8
teq "64 addresses: offline takes them back" 0 "$(d0 ip route show dev vif8.0 | grep -c .)"
# A shorter prefix where the administrator allows it, as an argument or a
# setting; link-local addresses stay a bridged guest's.
xsw $BE/8/0/ip "203.0.113.64/28 2001:db8:5::/64"
echo routed_prefix6=64 >>"$XEN_NETSCRIPTS_CONF"
h_run "$VR" online 8 0 routed_prefix4=28
teq "routed_prefix4=28, routed_prefix6=64: online exits 0" 0 "$H_RC"
tmatch "the /28 is routed" "^203\.0\.113\.64/28 " "$(d0 ip route show dev vif8.0)"
tmatch "the /64 is routed" "^2001:db8:5::/64 " "$(d0 ip -6 route show dev vif8.0)"
h_run "$VR" offline 8
sed -i '/^routed_prefix6=/d' "$XEN_NETSCRIPTS_CONF"

# --- two guests, one address ------------------------------------------------
h_guest 1 0 "ip=192.0.2.11 2001:db8:1::11" script="$VR"
h_guest 2 0 "ip=192.0.2.11 2001:db8:1::11" script="$VR"
g 1 ip addr add 192.0.2.11/24 dev eth0
g 1 ip addr add 2001:db8:1::11/128 dev eth0 nodad
h_run "$VR" online 1
teq "guest 1 online" connected "$(xs $BE/1/0/hotplug-status)"
g 1 ip route add default via 192.0.2.2
h_until 3 link_ll vif1.0
g 1 ip -6 route add default via "$(link_ll vif1.0)" dev eth0
t "the outside reaches guest 1" out ping -c1 -W2 192.0.2.11
refused "$VR" 2 "guest 2 with guest 1's addresses" \
	"^invalid ip '192\.0\.2\.11': a route to 192\.0\.2\.11 goes through vif1\.0"
xsw $BE/2/0/ip 2001:db8:1::11
refused "$VR" 2 "guest 2 with guest 1's IPv6 address" \
	"^invalid ip '2001:db8:1::11': a route to 2001:db8:1::11 goes through vif1\.0"
xsw $BE/2/0/ip "192.0.2.11 2001:db8:1::11"
# libxl runs offline after a failed online: it takes only what is guest 2's.
h_run "$VR" offline 2
teq "guest 2's offline: exit 0" 0 "$H_RC"
tmatch "guest 1's route is still there" "^192\.0\.2\.11 dev vif1\.0 " "$(d0 ip route show 192.0.2.11)"
tmatch "guest 1's proxy NDP entry is still there" "2001:db8:1::11 dev uplink proxy" \
	"$(d0 ip -6 neigh show proxy)"
t "the outside still reaches guest 1" out ping -c1 -W2 192.0.2.11
t "the outside still reaches guest 1 over IPv6" out ping -6 -c4 -i0.5 -W3 2001:db8:1::11
# vif-nat with a routed guest's address, vif-route with a NAT guest's.
h_guest 5 0 script="$VN"
h_run "$VN" online 5
teq "NAT guest 5 online" connected "$(xs $BE/5/0/hotplug-status)"
setip 192.0.2.11
refused "$VN" 4 "vif-nat with routed guest 1's address" \
	"^invalid ip '192\.0\.2\.11': a route to 192\.0\.2\.11 goes through vif1\.0"
setip 10.0.5.1
refused "$VR" 3 "vif-route with NAT guest 5's address" \
	"^invalid ip '10\.0\.5\.1': a route to 10\.0\.5\.1 goes through vif5\.0"
refused "$VN" 4 "vif-nat with NAT guest 5's address" \
	"^invalid ip '10\.0\.5\.1': a route to 10\.0\.5\.1 goes through vif5\.0"
setip 10.0.5.128
refused "$VR" 3 "vif-route with NAT guest 5's router address" \
	"^invalid ip '10\.0\.5\.128': .*dom0's own address, on vif5\.0"
# The same guest's emulated NIC (HVM) routes its addresses too (metric 1).
d0 ip link add vif1.0-emu type veth peer name tap0 netns "$H_ID-g1"
H_ENV=INTERFACE=vif1.0-emu h_run "$VR" add 1 0 type_if=tap
teq "guest 1's tap with guest 1's addresses: add exits 0" 0 "$H_RC"
tmatch "the tap's route, metric 1" "192\.0\.2\.11 dev vif1\.0-emu .*metric 1" "$(d0 ip route show 192.0.2.11)"
H_ENV=INTERFACE=vif1.0-emu h_run "$VR" remove 1 0 type_if=tap
tmatch "the tap's remove leaves the vif's route" "^192\.0\.2\.11 dev vif1\.0 " "$(d0 ip route show 192.0.2.11)"
tmatch "and its proxy NDP entry" "2001:db8:1::11 dev uplink proxy" "$(d0 ip -6 neigh show proxy)"
h_run "$VR" online 1
teq "guest 1 online again (its own routes are no conflict)" connected "$(xs $BE/1/0/hotplug-status)"
h_run "$VN" online 5
teq "NAT guest 5 online again" connected "$(xs $BE/5/0/hotplug-status)"

# --- vif-bridge: ip is what the guest may send from --------------------------
h_bridge xenbr0
h_guest 7 0 vifname=br7
while read -r value re; do
	xsw $BE/7/0/ip "$value"
	refused "$VB" 7 "vif-bridge ip=$value" "^invalid ip '${value//./\\.}': .*$re"
done <<'EOF'
0.0.0.0/0 /0
::/0 /0
0.0.0.0 unspecified
127.0.0.1 loopback
224.0.0.1 multicast
255.255.255.255 broadcast
ff02::1 multicast
::ffff:10.0.0.7 IPv4-mapped
EOF
xsw $BE/7/0/ip "   "
refused "$VB" 7 "vif-bridge ip of spaces" "^invalid ip '   ': no address"
xsw $BE/7/0/ip "10.0.0.0/24 fe80::7 169.254.0.7"
h_run "$VB" online 7
teq "vif-bridge: a prefix and link-local addresses are a bridged guest's: exit 0" 0 "$H_RC"
