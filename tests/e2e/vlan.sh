#!/bin/bash
# xl's vlan key end to end, with the backend in $H_FW (run.sh runs both):
# bridge VLAN filtering proven with traffic between guests in namespaces.
# Access ports: the same VLAN reaches, another does not (pings and
# broadcast frames); a trunk with tagged VLANs and an untagged PVID; every
# form of the key (VID, p, u, pu, ranges, VID+STEPxCOUNT, several terms);
# online twice, a changed key, offline taking the memberships away; VLANs
# with anti-spoofing, tagged frames included.
#
# Bridge VLAN filtering is a kernel option (CONFIG_BRIDGE_VLAN_FILTERING).
# On a kernel without it, what is checked is the refusal: a vlan key fails
# loudly rather than let the guest see every VLAN.  tests/run.sh runs this on
# the host and in the user-mode Linux lane (tests/uml/lane.sh, H_UML set),
# whose kernel has it: there the traffic must run.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif

h_bridge brv
if ! d0 ip link add vlanprobe type bridge vlan_filtering 1 2>/dev/null; then
	[ -n "${H_UML:-}" ] && { not_ok "the lane's kernel cannot filter VLANs"; exit 1; }
	echo "# this kernel's bridge cannot filter VLANs: checking the refusal"
	h_guest 11 0 bridge=brv vlan=10
	before=$(d0 ip -o link show vif11.0 | sed 's/^[0-9]*: //')
	h_run "$VB" online 11
	teq "vlan without kernel support: online fails" 1 "$H_RC"
	tmatch "vlan without kernel support: hotplug-error names the cause" \
		"cannot filter VLANs" "$(xs $BE/11/0/hotplug-error)"
	teq "vlan without kernel support: the vif is untouched" "$before" \
		"$(d0 ip -o link show vif11.0 | sed 's/^[0-9]*: //')"
	h_run "$VB" offline 11
	teq "vlan without kernel support: offline exits 0" 0 "$H_RC"
	exit 0
fi
d0 ip link del vlanprobe

# vlans DEV: the port's VLANs as `bridge vlan` has them, "VID[P][U]" each
# (P: PVID, U: egress untagged), in order; nothing for a port of no bridge.
vlans() {
	d0 bridge -j vlan show dev "$1" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
t = sys.stdin.read().strip()
out = []
for port in json.loads(t) if t else []:
    for v in port.get("vlans", []):
        f = v.get("flags", [])
        end = v.get("vlanEnd", v["vlan"])
        for vid in range(v["vlan"], end + 1):
            out.append("%d%s%s" % (vid, "P" if "PVID" in f else "", "U" if "Egress Untagged" in f else ""))
print(" ".join(out))'
}
# sub D VID...: guest D's eth0.VID for each VID, 10.VID.0.D/24 on it; its
# earlier ones gone.
sub() {
	local d=$1 v
	shift
	for v in $(g "$d" ip -o link show | grep -o 'eth0\.[0-9]*' | sort -u); do g "$d" ip link del "$v"; done
	for v in "$@"; do
		g "$d" ip link add link eth0 name "eth0.$v" type vlan id "$v"
		g "$d" ip addr add "10.$v.0.$d/24" dev "eth0.$v"
		g "$d" ip link set "eth0.$v" up
	done
}
# access D VID: guest D on an access port of VID, address 10.VID.0.D (or
# the one given as $3), anti-spoofing its address.
access() {
	local a=${3:-10.$2.0.$1}
	h_guest "$1" 0 bridge=brv "vlan=$2" "ip=$a"
	g "$1" ip addr add "$a/24" dev eth0
	h_run "$VB" online "$1"
}
# peer VID: dom0 itself in VLAN VID, through the bridge's own port: brv.VID
# with 10.VID.0.254.
peer() {
	d0 bridge vlan add dev brv vid "$1" self
	d0 ip link add link brv name "brv.$1" type vlan id "$1"
	d0 ip addr add "10.$1.0.254/24" dev "brv.$1"
	d0 ip link set "brv.$1" up
}
reach() { g "$1" ping -c1 -W2 "$2"; }
noreach() { ! g "$1" ping -c1 -W1 "$2"; }

# --- access ports --------------------------------------------------------
access 11 10
access 12 10
access 13 20 10.10.0.13 # another VLAN, the same subnet: only the VLAN parts them
access 15 20
access 16 30
access 17 40
n=0; for d in 11 12 13 15 16 17; do [ "$(xs $BE/$d/0/hotplug-status)" = connected ] && n=$((n + 1)); done
teq "six access ports online" 6 "$n"
teq "VLAN filtering turned on on the bridge" 1 "$(d0 cat /sys/class/net/brv/bridge/vlan_filtering)"
teq "vif11.0 is an access port of VLAN 10 (PVID, untagged), VLAN 1 gone" 10PU "$(vlans vif11.0)"
teq "vif13.0 is an access port of VLAN 20" 20PU "$(vlans vif13.0)"
t "same VLAN: guest 11 pings guest 12" reach 11 10.10.0.12
t "other VLAN, same subnet: guest 11 cannot reach guest 13" noreach 11 10.10.0.13
t "other VLAN, same subnet: nor guest 13 guest 11" noreach 13 10.10.0.11
t "same VLAN: guest 11's broadcast reaches guest 12" \
	in_list ipv4 "$(h_frames 11 12 10.10.0.11 2001:db8::11 10.10.0.12 ipv4)"
tn "other VLAN: guest 11's broadcast does not reach guest 13" \
	in_list ipv4 "$(h_frames 11 13 10.10.0.11 2001:db8::11 10.10.0.13 ipv4)"

# --- a trunk: VLANs 10 and 20 tagged, 30 untagged and the PVID -------------
h_guest 14 0 bridge=brv vlan=10/20/30pu "ip=10.30.0.14 10.10.0.14 10.20.0.14"
g 14 ip addr add 10.30.0.14/24 dev eth0
sub 14 10 20 40
h_run "$VB" online 14
teq "trunk online" connected "$(xs $BE/14/0/hotplug-status)"
teq "trunk: VLANs 10 and 20 tagged, 30 the untagged PVID" "10 20 30PU" "$(vlans vif14.0)"
t "trunk: tagged VLAN 10 reaches guest 11" reach 14 10.10.0.11
t "trunk: tagged VLAN 20 reaches guest 15" reach 14 10.20.0.15
t "trunk: untagged, the PVID 30, reaches guest 16" reach 14 10.30.0.16
t "trunk: VLAN 40, not one of its VLANs, does not reach guest 17" noreach 14 10.40.0.17
teq "trunk: what guest 11 sends arrives tagged 10" "ipv4 10" \
	"$(H_SEEN=tags h_frames 11 14 10.10.0.11 2001:db8::11 10.10.0.14 ipv4)"
teq "trunk: what guest 16 (the PVID) sends arrives untagged" "ipv4 untagged" \
	"$(H_SEEN=tags h_frames 16 14 10.30.0.16 2001:db8::16 10.30.0.14 ipv4)"

# --- every form of the key, on guest 18 ----------------------------------
# (peers in VLANs no guest is in: dom0 on the bridge's own port)
for v in 11 12 14; do peer $v; done
h_guest 18 0 bridge=brv ip=10.0.0.0/8
# form SPEC: guest 18's key set to SPEC and online again (no offline).
form() { xsw $BE/18/0/vlan "$1"; h_run "$VB" online 18; }

form 20pu
teq "20pu: online" connected "$(xs $BE/18/0/hotplug-status)"
teq "20pu: VLAN 20, PVID and untagged" 20PU "$(vlans vif18.0)"
g 18 ip addr add 10.20.0.18/24 dev eth0
t "20pu: untagged reaches guest 15 in VLAN 20" reach 18 10.20.0.15
form 20p
teq "20p: the PVID, tagged on the way out" 20P "$(vlans vif18.0)"
t "20p: untagged frames go to VLAN 20 (guest 15)" \
	in_list ipv4 "$(h_frames 18 15 10.20.0.18 2001:db8::18 10.20.0.15 ipv4)"
teq "20p: VLAN 20 leaves the port tagged 20" "ipv4 20" \
	"$(H_SEEN=tags h_frames 15 18 10.20.0.15 2001:db8::15 10.20.0.18 ipv4)"
form 20u
teq "20u: untagged, no PVID" 20U "$(vlans vif18.0)"
teq "20u: VLAN 20 leaves the port untagged" "ipv4 untagged" \
	"$(H_SEEN=tags h_frames 15 18 10.20.0.15 2001:db8::15 10.20.0.18 ipv4)"
tn "20u: untagged frames from the guest go nowhere (no PVID)" \
	in_list ipv4 "$(h_frames 18 15 10.20.0.18 2001:db8::18 10.20.0.15 ipv4)"
g 18 ip addr flush dev eth0
form 10-12
teq "10-12: a range, tagged; 20 gone" "10 11 12" "$(vlans vif18.0)"
sub 18 10 11 12 14
t "10-12: VLAN 10 reaches guest 11" reach 18 10.10.0.11
t "10-12: VLAN 11 reaches dom0" reach 18 10.11.0.254
t "10-12: VLAN 12 reaches dom0" reach 18 10.12.0.254
t "10-12: VLAN 14 is not among them" noreach 18 10.14.0.254
form 10+2x3
teq "10+2x3: VLANs 10, 12, 14" "10 12 14" "$(vlans vif18.0)"
t "10+2x3: VLAN 14 reaches dom0" reach 18 10.14.0.254
t "10+2x3: VLAN 11 is not among them" noreach 18 10.11.0.254
form 30pu/10-11/20+20x2
teq "30pu/10-11/20+20x2: four terms" "10 11 20 30PU 40" "$(vlans vif18.0)"
sub 18 11 20 40
g 18 ip addr add 10.30.0.18/24 dev eth0
t "several terms: untagged reaches the PVID 30 (guest 16)" reach 18 10.30.0.16
t "several terms: VLAN 11 reaches dom0" reach 18 10.11.0.254
t "several terms: VLAN 20 reaches guest 15" reach 18 10.20.0.15
t "several terms: VLAN 40 reaches guest 17" reach 18 10.40.0.17

# --- online twice, offline, online again -----------------------------------
h_run "$VB" online 11
teq "online twice exits 0" 0 "$H_RC"
teq "online twice: the same VLANs" 10PU "$(vlans vif11.0)"
t "online twice: guest 11 still pings guest 12" reach 11 10.10.0.12
h_run "$VB" online 14
teq "trunk online twice: the same VLANs" "10 20 30PU" "$(vlans vif14.0)"
t "trunk online twice: tagged VLAN 10 still reaches guest 11" reach 14 10.10.0.11
h_run "$VB" offline 11
teq "offline exits 0" 0 "$H_RC"
teq "offline: vif11.0 is in no VLAN" "" "$(vlans vif11.0)"
t "offline: guest 12 cannot reach guest 11" noreach 12 10.10.0.11
h_run "$VB" offline 14
teq "trunk offline: vif14.0 is in no VLAN" "" "$(vlans vif14.0)"
t "trunk offline: guest 15 cannot reach the trunk" noreach 15 10.20.0.14
h_run "$VB" online 11
h_run "$VB" online 14
teq "online again: VLAN 10 again" 10PU "$(vlans vif11.0)"
t "online again: guest 11 pings guest 12" reach 11 10.10.0.12
t "trunk online again: tagged VLAN 20 reaches guest 15" reach 14 10.20.0.15

# --- VLANs with anti-spoofing ---------------------------------------------
# Guest 11 (access port of VLAN 10) sends spoofed and tagged frames; guest
# 12 (VLAN 10) and guest 15 (VLAN 20) capture.
seen=$(h_frames 11 12 10.10.0.11 2001:db8::11 10.10.0.12 ipv4 spoof-ipv4 spoof-mac vlan)
t "access port: its own IPv4 arrives" in_list ipv4 "$seen"
tn "access port: a spoofed IPv4 source does not arrive" in_list spoof-ipv4 "$seen"
tn "access port: a spoofed MAC does not arrive" in_list spoof-mac "$seen"
if [ "$H_FW" = nft ]; then
	tn "access port: the tagged-frame probe (VLAN 10) does not arrive" in_list vlan "$seen"
else
	# iptables cannot see tags: the bridge takes it into VLAN 10, its own.
	t "access port, iptables: the tagged-frame probe arrives in its own VLAN" in_list vlan "$seen"
fi
tn "access port: a frame tagged 20 does not hop to VLAN 20" \
	in_list tagged-20 "$(h_frames 11 15 10.10.0.11 2001:db8::11 10.20.0.15 tagged-20)"
h_guest 19 0 bridge=brv vlan=10 antispoof=no
h_run "$VB" online 19
tn "access port without anti-spoofing: the bridge alone stops the hop to VLAN 20" \
	in_list tagged-20 "$(h_frames 19 15 10.10.0.19 2001:db8::19 10.20.0.15 tagged-20)"
t "access port without anti-spoofing: a spoofed source arrives (nothing filters it)" \
	in_list spoof-ipv4 "$(h_frames 19 12 10.10.0.19 2001:db8::19 10.10.0.12 spoof-ipv4)"
# The trunk, guest 14: tagged frames of its VLANs pass anti-spoofing,
# untagged ones are checked.
t "trunk: its tagged VLAN 10 frame arrives at guest 11" \
	in_list tagged-10 "$(h_frames 14 11 10.10.0.14 2001:db8::14 10.10.0.11 tagged-10)"
tn "trunk: a frame tagged 40 (not its VLAN) does not arrive at guest 17" \
	in_list tagged-40 "$(h_frames 14 17 10.40.0.14 2001:db8::14 10.40.0.17 tagged-40)"
seen=$(h_frames 14 16 10.30.0.14 2001:db8::14 10.30.0.16 ipv4 spoof-ipv4 spoof-mac)
t "trunk, untagged: its own IPv4 arrives at guest 16" in_list ipv4 "$seen"
tn "trunk, untagged: a spoofed IPv4 source does not arrive" in_list spoof-ipv4 "$seen"
tn "trunk, untagged: a spoofed MAC does not arrive" in_list spoof-mac "$seen"
