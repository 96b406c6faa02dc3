#!/bin/bash
# Differential test: Debian's /etc/xen/scripts/vif-route and vif-nat against
# ours, run the same way against the same xenstored and dom0, each on its
# own guest.  Addresses, routes, proxy ARP, link state and xenstore writes
# must match, except where we differ on purpose; each difference is named.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/diff.sh"
h_setup
BE=/local/domain/0/backend/vif
d_upstream vif-route vif-nat

# dom0's uplink, where the shell scripts' default eth0 would be.
h_outside

# What a user can observe of a guest's vif (no bridge, no MTU), with the
# guest's own numbers replaced so that two guests compare (d_snap).
D_FIELDS="state exists ipv4 routes proxy_arp hotplug-status hotplug-error"
# Intended difference: a routed guest that runs here (its vif has carrier,
# as every guest here has) has its routes announced, protocol xen (220;
# vif-route(8), ANNOUNCEMENT), where upstream's are protocol boot (which `ip
# route` does not show); compared without it, asserted below.
D_SUBST=(10.0.@D. 10.0.D. 198.51.100.@D 198.51.100.D 192.0.2.1@D 192.0.2.GUEST
	"proto 220 " "")

# pair SCRIPT NAME CMDS [KEYS...]: guests A (upstream) and B (ours); in KEYS
# @D stands for the guest's domid; run each command on both, with
# netdev=uplink; compare after each.  NOCHECK (a regex on "CMD #N") names
# the runs whose exit status and state are compared further down, as
# intended differences.
D_ARGS=(netdev=uplink)
pair() { d_pair "$H_UPSTREAM/$1" "$(bin "$1")" "$1 $2" "${@:3}"; }

# --- vif-route -------------------------------------------------------------
pair vif-route "one address" "online" ip=192.0.2.1@D
teq "vif-route online (intended difference): upstream's route is protocol boot, ours xen (220)" \
	"boot 220" "$(d0 ip -d route show 192.0.2.1$D_A | grep -o 'proto [a-z0-9]*' | cut -d' ' -f2) $(d0 ip -d route show 192.0.2.1$D_B | grep -o 'proto [a-z0-9]*' | cut -d' ' -f2)"
pair vif-route "two addresses" "online" "ip=192.0.2.1@D 198.51.100.@D"
pair vif-route "no ip" "online"
NOCHECK='offline #2' pair vif-route "online, offline" "online offline" ip=192.0.2.1@D
a=$D_A b=$D_B
# Intended difference: upstream's offline (ifdown, absent here as on most
# hosts with iproute2 only) leaves the vif up with dom0's /32 on it; ours
# takes back what online added.
tmatch "vif-route offline (intended difference): upstream leaves the /32" "192.0.2.2/32" "$(d_snap $a)"
tmatch "vif-route offline (intended difference): ours removes it" "ipv4=\[\]" "$(d_snap $b)"
teq "vif-route offline: neither leaves a route" "" "$(d0 ip route show 192.0.2.1$a; d0 ip route show 192.0.2.1$b)"
NOCHECK='online #2' pair vif-route "online twice" "online online" ip=192.0.2.1@D
a=$D_A b=$D_B
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
a=$D_A b=$D_B
# Intended difference: upstream's offline (ifconfig down) leaves the router
# address on the vif; ours removes it.
tmatch "vif-nat offline (intended difference): upstream leaves the router address" \
	"10.0.D.128/32" "$(d_snap $a)"
tmatch "vif-nat offline (intended difference): ours removes it" "ipv4=\[\]" "$(d_snap $b)"
teq "vif-nat offline: both take the vif down" "down down" "$(link_state vif$a.0) $(link_state vif$b.0)"
NOCHECK='online #2' pair vif-nat "online twice" "online online"
a=$D_A b=$D_B
# Intended difference: upstream's second online finds its route and exits
# 0 without writing hotplug-status; ours does it all again and says so.
xsw $BE/$a/0/hotplug-status "" $BE/$b/0/hotplug-status ""
h_run "$H_UPSTREAM/vif-nat" online $a; h_run "$(bin vif-nat)" online $b
teq "vif-nat online twice (intended difference): upstream never says connected" "" \
	"$(xs $BE/$a/0/hotplug-status)"
teq "vif-nat online twice (intended difference): ours does" connected "$(xs $BE/$b/0/hotplug-status)"
