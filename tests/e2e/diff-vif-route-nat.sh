#!/bin/bash
# Differential test: Debian's /etc/xen/scripts/vif-route and vif-nat against
# ours, run the same way against the same xenstored and dom0, each on its
# own guest.  Addresses, routes, proxy ARP, link state and xenstore writes
# must match, except where we differ on purpose; each difference is named.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
BE=/local/domain/0/backend/vif
mkdir -p /var/log/xen    # the shell scripts append their stderr there
for s in vif-route vif-nat; do
	[ -x "$H_UPSTREAM/$s" ] || { not_ok "upstream $s is missing (xen-utils-common)"; exit 1; }
done

# dom0's uplink, where the shell scripts' default eth0 would be.
h_outside

# snap DOMID: what a user can observe of guest DOMID's vif, with the
# guest's own numbers replaced so that two guests compare.
snap() {
	local d=$1 dev=vif$1.0 s
	s="state=$(link_state "$dev") exists=$(link_exists "$dev" && echo yes || echo no)"
	s+=" ipv4=[$(d0 ip -o -4 addr show dev "$dev" 2>/dev/null | awk '{print $4}' | tr '\n' ' ')]"
	s+=" routes=[$(d0 ip route show dev "$dev" 2>/dev/null | tr '\n' ' ')]"
	s+=" proxy_arp=$(d0 cat /proc/sys/net/ipv4/conf/$dev/proxy_arp 2>/dev/null)"
	s+=" hotplug-status=$(xs $BE/$d/0/hotplug-status)"
	s+=" hotplug-error=$( [ -n "$(xs $BE/$d/0/hotplug-error)" ] && echo set)"
	s=${s//$dev/VIF}
	s=${s//10.0.$d./10.0.D.}
	s=${s//198.51.100.$d/198.51.100.D}
	echo "${s//192.0.2.1$d/192.0.2.GUEST}"
}

# pair SCRIPT NAME CMDS [KEYS...]: guests A (upstream) and B (ours); in KEYS
# @D stands for the guest's domid; run each command on both; compare after
# each.  NOCHECK (a regex on "CMD #N") names the runs whose exit status and
# state are compared further down, as intended differences.
next=1
pair() {
	local script=$1 name=$2 cmds=$3 kv a b cmd i=0
	shift 3
	a=$next b=$((next + 1))
	next=$((next + 2))
	h_guest $a 0 "${@//@D/$a}"
	h_guest $b 0 "${@//@D/$b}"
	for cmd in $cmds; do
		i=$((i + 1))
		h_run "$H_UPSTREAM/$script" "$cmd" $a 0 netdev=uplink
		local rca=$H_RC
		h_run "$(bin $script)" "$cmd" $b 0 netdev=uplink
		[[ "$cmd #$i" =~ ${NOCHECK:-^$} ]] && continue
		teq "$script $name: $cmd: same exit status" "$rca" "$H_RC"
		teq "$script $name: $cmd: same state" "$(snap $a)" "$(snap $b)"
	done
	LAST_A=$a LAST_B=$b
}

# --- vif-route -------------------------------------------------------------
pair vif-route "one address" "online" ip=192.0.2.1@D
pair vif-route "two addresses" "online" "ip=192.0.2.1@D 198.51.100.@D"
pair vif-route "no ip" "online"
NOCHECK='offline #2' pair vif-route "online, offline" "online offline" ip=192.0.2.1@D
a=$LAST_A b=$LAST_B
# Intended difference: upstream's offline (ifdown, absent here as on most
# hosts with iproute2 only) leaves the vif up with dom0's /32 on it; ours
# takes back what online added.
tmatch "vif-route offline (intended difference): upstream leaves the /32" "192.0.2.2/32" "$(snap $a)"
tmatch "vif-route offline (intended difference): ours removes it" "ipv4=\[\]" "$(snap $b)"
teq "vif-route offline: neither leaves a route" "" "$(d0 ip route show 192.0.2.1$a; d0 ip route show 192.0.2.1$b)"
NOCHECK='online #2' pair vif-route "online twice" "online online" ip=192.0.2.1@D
a=$LAST_A b=$LAST_B
# Intended difference: upstream's second online fails on `ip route add`
# (File exists); ours replaces the route and says connected.
teq "vif-route online twice (intended difference): upstream fails, ours connects" \
	"error connected" "$(xs $BE/$a/0/hotplug-status) $(xs $BE/$b/0/hotplug-status)"
teq "vif-route online twice: one route each" "1 1" \
	"$(d0 ip route show 192.0.2.1$a | grep -c .) $(d0 ip route show 192.0.2.1$b | grep -c .)"

# --- vif-nat ------------------------------------------------------------------
pair vif-nat "derived address" "online"
pair vif-nat "ip key" "online" ip=10.0.@D.5
NOCHECK='offline #2' pair vif-nat "online, offline" "online offline"
a=$LAST_A b=$LAST_B
# Intended difference: upstream's offline (ifconfig down) leaves the router
# address on the vif; ours removes it.
tmatch "vif-nat offline (intended difference): upstream leaves the router address" \
	"10.0.D.128/32" "$(snap $a)"
tmatch "vif-nat offline (intended difference): ours removes it" "ipv4=\[\]" "$(snap $b)"
teq "vif-nat offline: both take the vif down" "down down" "$(link_state vif$a.0) $(link_state vif$b.0)"
NOCHECK='online #2' pair vif-nat "online twice" "online online"
a=$LAST_A b=$LAST_B
# Intended difference: upstream's second online finds its route and exits
# 0 without writing hotplug-status; ours does it all again and says so.
xsw $BE/$a/0/hotplug-status "" $BE/$b/0/hotplug-status ""
h_run "$H_UPSTREAM/vif-nat" online $a; h_run "$(bin vif-nat)" online $b
teq "vif-nat online twice (intended difference): upstream never says connected" "" \
	"$(xs $BE/$a/0/hotplug-status)"
teq "vif-nat online twice (intended difference): ours does" connected "$(xs $BE/$b/0/hotplug-status)"
