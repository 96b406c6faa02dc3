#!/bin/bash
# Differential test: Debian's /etc/xen/scripts/vif-bridge and ours, run the
# same way against the same xenstored and the same dom0, each on its own
# guest.  Links, addresses, routes, sysctls and xenstore writes must match,
# except where we differ on purpose; each such difference is named here.
. "$(dirname "$0")/../harness/lib.sh"
. "$(dirname "$0")/../harness/diff.sh"
h_setup
UP=$H_UPSTREAM/vif-bridge
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif
d_upstream vif-bridge

h_bridge xenbr0
h_bridge xenbr9 9000

# pair NAME CMDS KEYS...: guests A (upstream) and B (ours) with the same
# backend keys; run each command on both; compare after each.
pair() { d_pair "$UP" "$VB" "$@"; }

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
teq "vifname: otherwise the same state" "$(d_snap 40 upweb | nofe upweb)" "$(d_snap 41 ourweb | nofe ourweb)"
# Intended difference: ours keeps the kernel's name as an altname, so that
# offline and a repeated online still find the device.
tn "vifname: upstream leaves no altname" bash -c "ip netns exec $H_D0 ip link show upweb | grep -q altname"
t "vifname (intended difference): ours keeps vif41.0 as altname" bash -c "ip netns exec $H_D0 ip link show vif41.0 | grep -q ourweb"
h_run "$UP" offline 40; h_run "$VB" offline 41
teq "vifname offline: same state" "$(d_snap 40 upweb | nofe upweb)" "$(d_snap 41 ourweb | nofe ourweb)"

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
