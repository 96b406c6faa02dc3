#!/bin/bash
# Differential test: Debian's /etc/xen/scripts/vif-bridge and ours, run the
# same way against the same xenstored and the same dom0, each on its own
# guest.  Links, addresses, routes, sysctls and xenstore writes must match,
# except where we differ on purpose; each such difference is named here.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
UP=$H_UPSTREAM/vif-bridge
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif
mkdir -p /var/log/xen    # the shell scripts append their stderr there

[ -x "$UP" ] || { not_ok "upstream $UP is missing (xen-utils-common)"; exit 1; }

h_bridge xenbr0
h_bridge xenbr9 9000

# snap DOMID DEV: what a user can observe of guest DOMID's vif, with the
# guest's own names replaced so that two guests compare.
snap() {
	local d=$1 dev=$2 s
	local mac; mac=$(link_mac "$dev")
	[ "$mac" = fe:ff:ff:ff:ff:ff ] || mac=untouched   # veth's own random MAC
	s="master=$(link_master "$dev") mtu=$(link_mtu "$dev") mac=$mac state=$(link_state "$dev")"
	s+=" exists=$(link_exists "$dev" && echo yes || echo no)"
	s+=" ipv4=[$(d0 ip -o -4 addr show dev "$dev" 2>/dev/null | awk '{print $4}' | tr '\n' ' ')]"
	s+=" routes=[$(d0 ip route show dev "$dev" 2>/dev/null | tr '\n' ' ')]"
	s+=" proxy_arp=$(d0 cat /proc/sys/net/ipv4/conf/$dev/proxy_arp 2>/dev/null)"
	s+=" forwarding=$(d0 cat /proc/sys/net/ipv4/conf/$dev/forwarding 2>/dev/null)"
	s+=" hotplug-status=$(xs $BE/$d/0/hotplug-status)"
	s+=" hotplug-error=$( [ -n "$(xs $BE/$d/0/hotplug-error)" ] && echo set)"
	s+=" frontend-mtu=$(xs /local/domain/$d/device/vif/0/mtu)"
	echo "${s//$dev/VIF}"
}

# pair NAME CMDS KEYS...: guests A (upstream) and B (ours) with the same
# backend keys; run each command on both; compare after each.
next=1
pair() {
	local name=$1 cmds=$2; shift 2
	local a=$next b=$((next + 1)) cmd
	next=$((next + 2))
	h_guest $a 0 "$@"
	h_guest $b 0 "$@"
	for cmd in $cmds; do
		h_run "$UP" "$cmd" $a
		local rca=$H_RC
		h_run "$VB" "$cmd" $b
		local rcb=$H_RC
		teq "$name: $cmd: same exit status" "$rca" "$rcb"
		teq "$name: $cmd: same state" "$(snap $a "$(devname $a)")" "$(snap $b "$(devname $b)")"
	done
}
devname() { local v; v=$(xs $BE/$1/0/vifname); if [ -n "$v" ] && link_exists "$v"; then echo "$v"; else echo "vif$1.0"; fi; }

pair "plain online" "online offline" ip=10.0.0.9
pair "online twice" "online online"
pair "mtu from xenstore" "online" mtu=1400
pair "mtu from the bridge" "online offline" bridge=xenbr9

# Intended difference: no bridge key, so "the first bridge".  Upstream (run
# as on a host without bridge-utils, see h_upstream_path) takes it from
# `bridge link | cut -d" " -f7`: the master of every attached port, one per
# line.  With several ports attached (guests 3-6 are, on xenbr0) that is no
# bridge name, and with none attached it is empty: either way upstream fails.
# Ours takes the first bridge on the host.
h_guest 30 0 bridge=; h_guest 31 0 bridge=
h_run "$UP" online 30; rca=$H_RC
h_run "$VB" online 31; rcb=$H_RC
teq "first bridge (intended difference): upstream without brctl fails" "1 error" \
	"$rca $(xs $BE/30/0/hotplug-status)"
teq "first bridge (intended difference): ours exits 0, connected" "0 connected" \
	"$rcb $(xs $BE/31/0/hotplug-status)"
teq "first bridge: ours attached to the first bridge" xenbr0 "$(link_master vif31.0)"
teq "first bridge: upstream attached nothing" "" "$(link_master vif30.0)"
pair "offline without online" "offline"

# Rename: the same new name on both sides, then compare.
h_guest 40 0 vifname=upweb
h_guest 41 0 vifname=ourweb
h_run "$UP" online 40; h_run "$VB" online 41
# Intended difference: upstream derives the frontend path from the renamed
# device ("upweb"), so it writes /local/domain/upweb/device/vif/upweb/mtu
# and the guest never gets its MTU; ours writes the guest's own key.
teq "vifname (intended difference): upstream writes the MTU under a bogus path" \
	"$(link_mtu upweb)" "$(xs /local/domain/upweb/device/vif/upweb/mtu)"
teq "vifname (intended difference): ours writes the guest's frontend mtu" \
	"$(link_mtu ourweb)" "$(xs /local/domain/41/device/vif/0/mtu)"
nofe() { sed -e 's/ frontend-mtu=[0-9]*//' -e "s/$1/VIF/g"; }
teq "vifname: otherwise the same state" "$(snap 40 upweb | nofe upweb)" "$(snap 41 ourweb | nofe ourweb)"
# Intended difference: ours keeps the kernel's name as an altname, so that
# offline and a repeated online still find the device.
tn "vifname: upstream leaves no altname" bash -c "ip netns exec $H_D0 ip link show upweb | grep -q altname"
t "vifname (intended difference): ours keeps vif41.0 as altname" bash -c "ip netns exec $H_D0 ip link show vif41.0 | grep -q ourweb"
h_run "$UP" offline 40; h_run "$VB" offline 41
teq "vifname offline: same state" "$(snap 40 upweb | nofe upweb)" "$(snap 41 ourweb | nofe ourweb)"

# Errors: both report through hotplug-status=error and exit 1.
pair "bridge that does not exist" "online" bridge=nosuchbr

# Intended difference: offline when the bridge has gone.  Upstream dies on
# "Could not find bridge device" (and writes hotplug-status=error); ours
# releases the device and exits 0 (offline must cope with half-done state).
h_bridge tmpbr
h_guest 50 0 bridge=tmpbr; h_guest 51 0 bridge=tmpbr
h_run "$UP" online 50; h_run "$VB" online 51
d0 ip link del tmpbr
h_run "$UP" offline 50; rca=$H_RC
h_run "$VB" offline 51; rcb=$H_RC
teq "bridge gone (intended difference): upstream offline fails" 1 "$rca"
teq "bridge gone (intended difference): ours exits 0" 0 "$rcb"

# Intended difference: online after the device was renamed by an earlier
# online.  Upstream fails ("an interface with name ... already exists") and
# writes hotplug-status=error; ours sees it is already done.
h_guest 60 0 vifname=up60; h_guest 61 0 vifname=our61
h_run "$UP" online 60; h_run "$UP" online 60; rca=$H_RC
h_run "$VB" online 61; h_run "$VB" online 61; rcb=$H_RC
teq "repeated rename (intended difference): upstream fails" 1 "$rca"
teq "repeated rename (intended difference): ours exits 0" 0 "$rcb"
teq "repeated rename: ours stays connected" connected "$(xs $BE/61/0/hotplug-status)"
