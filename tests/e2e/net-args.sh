#!/bin/bash
# network-route and network-nat refuse what they would not apply as meant:
# unknown arguments (a typo must not start something else), an
# empty subnet= (which would masquerade everything), a subnet with host bits
# set, a loopback netdev or one without an address, more subnets than
# network-nat holds.  Each refusal has its exit status and a message naming
# the value, and changes nothing: sysctls, firewall rules, bridges and the
# state files are as before.  The environment libxl and xend pass is not
# checked, only NAME=VALUE arguments.
# no firewall backend: the refusals come before any firewall is touched.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
NR=$(bin network-route)
NN=$(bin network-nat)

h_outside				# uplink 192.0.2.2/24, the default route
d0 ip link add noaddr type veth peer name noaddrp
d0 ip link set noaddr up
d0 sysctl -qw net.ipv4.ip_forward=0

# What a refused start must leave as it was.
snapshot() {
	local k
	for k in net/ipv4/ip_forward net/ipv6/conf/all/forwarding \
		net/ipv4/conf/uplink/proxy_arp net/ipv6/conf/uplink/proxy_ndp \
		net/ipv4/conf/noaddr/proxy_arp net/ipv4/conf/lo/proxy_arp; do
		echo "$k=$(d0 cat /proc/sys/$k)"
	done
	d0 nft list ruleset 2>&1
	d0 iptables-legacy -t nat -S 2>&1
	d0 ip -o link show type bridge
	ls -l "$XEN_NETSCRIPTS_RUNDIR" 2>&1
	cat "$XEN_NETSCRIPTS_RUNDIR"/*.state 2>&1
}

# refused NAME STATUS MESSAGE-REGEX BINARY ARGS...: run it, then check the
# status, the message and that nothing changed.
refused() { h_refused "$1" "$2" "$3" snapshot "${@:4}"; }

# --- network-route --------------------------------------------------------
refused "network-route start frobnicate=1" 2 \
	"unknown argument 'frobnicate': known are netdev, ipv6, antispoof, firewall" "$NR" start frobnicate=1
refused "network-route antispoof=maybe (the shell script's argument, yes or no)" 1 \
	"invalid antispoof 'maybe': expected yes or no" "$NR" start antispoof=maybe
refused "network-route an empty netdev=" 2 "empty argument 'netdev=': give a value or leave it out" \
	"$NR" start netdev=
refused "network-route netdev=lo" 1 "netdev 'lo' is a loopback device" "$NR" start netdev=lo
refused "network-route a netdev without an address" 1 "netdev 'noaddr' has no IPv4 address" \
	"$NR" start netdev=noaddr
h_net env frobnicate=1 vifnum=0 "$NR" start firewall=nft
teq "network-route: unknown environment variables (as libxl passes) are no arguments; firewall= is one" \
	0 "$H_RC"
teq "network-route start did start" 1 "$(d0 cat /proc/sys/net/ipv4/ip_forward)"
refused "network-route stop frobnicate=1" 2 "unknown argument 'frobnicate'" "$NR" stop frobnicate=1
t "network-route: the refused stop kept the state" test -s "$XEN_NETSCRIPTS_RUNDIR/network-route.state"
# A start killed while writing its state leaves the temporary beside it:
# stop removes it with the state.
: >"$XEN_NETSCRIPTS_RUNDIR/.network-route.state.tmp"
h_net "$NR" stop
teq "network-route stop" 0 "$H_RC"
t "network-route stop removed a killed start's temporary state file" \
	test ! -e "$XEN_NETSCRIPTS_RUNDIR/.network-route.state.tmp"

# --- network-nat ----------------------------------------------------------
refused "network-nat start frobnicate=1" 2 \
	"unknown argument 'frobnicate': known are netdev, subnet, antispoof, dhcp, firewall" \
	"$NN" start frobnicate=1
refused "network-nat ipv6= (network-route's, not network-nat's)" 2 \
	"unknown argument 'ipv6': known are netdev, subnet, antispoof, dhcp, firewall" "$NN" start ipv6=maybe
refused "network-nat antispoof=maybe" 1 "invalid antispoof 'maybe': expected yes or no" \
	"$NN" start antispoof=maybe
refused "network-nat dhcp=maybe" 1 "invalid dhcp 'maybe': expected yes or no" "$NN" start dhcp=maybe
refused "network-nat an empty subnet= (it would masquerade everything)" 2 \
	"empty argument 'subnet=': give a value or leave it out" "$NN" start subnet=
refused "network-nat a subnet with host bits set" 1 \
	"invalid subnet '192.168.0.0/16,10.0.0.1/8': 10.0.0.1/8 has host bits set \(the network is 10.0.0.0/8\)" \
	"$NN" start subnet=192.168.0.0/16,10.0.0.1/8
refused "network-nat netdev=lo" 1 "netdev 'lo' is a loopback device" "$NN" start netdev=lo
refused "network-nat a netdev without an address" 1 "netdev 'noaddr' has no IPv4 address" \
	"$NN" start netdev=noaddr

# MAX_SUBNETS (16): 16 are taken, 17 refused.
nets() { local i s=; for i in $(seq "$1"); do s=$s${s:+,}10.$i.0.0/16; done; echo "$s"; }
refused "network-nat 17 subnets" 1 "invalid subnet '10.1.0.0/16,.*,10.17.0.0/16': more than 16 networks" \
	"$NN" start subnet="$(nets 17)"
h_net "$NN" start subnet="$(nets 16)"
teq "network-nat 16 subnets: exit 0" 0 "$H_RC"
if d0 nft list chain inet xen network-nat-postrouting >/dev/null 2>&1; then
	teq "network-nat 16 subnets: one rule each" 16 \
		"$(d0 nft list chain inet xen network-nat-postrouting | grep -c masquerade)"
else
	teq "network-nat 16 subnets: one rule each" 16 \
		"$(d0 iptables-legacy -t nat -S xen-network-nat-post | grep -c MASQUERADE)"
fi
h_net "$NN" stop
teq "network-nat stop" 0 "$H_RC"
teq "after stop forwarding is back off" 0 "$(d0 cat /proc/sys/net/ipv4/ip_forward)"

# The shell scripts' own arguments (xend-config.sxp lines such as
# "network-nat dhcp=no antispoof=no") are taken, change nothing, and the log
# says what to use instead.
h_net "$NR" start antispoof=yes
teq "network-route antispoof=yes (the shell script's): started" "0 1" \
	"$H_RC $(d0 cat /proc/sys/net/ipv4/conf/uplink/proxy_arp)"
tmatch "network-route antispoof=yes: the log says it is per vif" "antispoof=yes: anti-spoofing is per vif" \
	"$(cat "$XEN_HOTPLUG_LOG")"
h_net "$NR" stop
h_net "$NN" start dhcp=no antispoof=no
teq "network-nat dhcp=no antispoof=no (the shell script's): started" "0 1" \
	"$H_RC $(d0 cat /proc/sys/net/ipv4/ip_forward)"
tmatch "network-nat dhcp=no: the log names vif-nat's leases" "dhcp=no: the guests' leases are vif-nat's" \
	"$(cat "$XEN_HOTPLUG_LOG")"
h_net "$NN" stop
teq "network-nat stop" 0 "$H_RC"

# --- the settings file ----------------------------------------------------
# A NUL byte in its last line: an error naming the file and the line, not
# the rest of the line silently dropped.
touch "$XEN_NETSCRIPTS_CONF"
cp "$XEN_NETSCRIPTS_CONF" "$H_DIR/conf.saved"
line=$(($(wc -l <"$XEN_NETSCRIPTS_CONF") + 1))
printf 'firewall=nft\0 and the rest' >>"$XEN_NETSCRIPTS_CONF"
refused "a NUL byte in the settings file" 1 "netscripts.conf:$line: a NUL byte" "$NR" start
cp "$H_DIR/conf.saved" "$XEN_NETSCRIPTS_CONF"
