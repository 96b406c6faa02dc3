#!/bin/bash
# Routed guests follow their host (vif-route(8), ANNOUNCEMENT): a routed
# vif's routes are announced (protocol xen, 220, and announce_metric=) only
# while the vif has carrier, that is while its guest runs here, and the LAN
# hears of the guest's addresses from this host when it arrives.
# The guest's end of the veth is its frontend: down is a guest paused here
# (the destination of a migration before the resume), up a guest running.
# - online without carrier: routes that work locally, protocol boot, no
#   frame on the uplink; check finds nothing wrong.
# - xen-netscripts watch, carrier on (the resume): the routes turn protocol
#   xen, the LAN host's neighbour entries for both addresses (stale, at the
#   MAC of the host the guest left) move to dom0's uplink; on the uplink
#   three gratuitous ARP requests and three unsolicited neighbour
#   advertisements as RFC 5227 and RFC 4861 have them (scapy decodes them
#   and recomputes the ICMPv6 checksum), a second or more apart.  Carrier
#   off: protocol boot again.  A guest flapping its carrier costs a few
#   switches, not one per flap.
# - announce_metric=1020: announced routes have metric 1020 and no other;
#   withdrawn, metric 2 and no other.  A tap's routes are never announced.
# - only one watch runs; the switches are watch's own (its log), no restore.
# - without watch: announcement needs it, so a route not announced with
#   carrier is no problem for check; one announced without carrier is, and so
#   is a stray protocol-xen route; restore puts them right.
# - offline removes the routes whatever their metric; an invalid
#   announce_metric is refused before any change.
# no firewall backend
. "$(dirname "$0")/../harness/lib.sh"
h_setup
VR=$(bin vif-route)
XNS=$(bin xen-netscripts)
IP4=192.0.2.10
IP6=2001:db8:1::10
OLD=02:00:00:00:00:99 # the MAC of the host the guest left

# within NAME SECONDS CMD...: CMD exits 0 within SECONDS.
within() { h_wait "$@" && ok "$1"; }
watch_start() {
	h_bg d0 "$H_DIR/watch.log" "${H_ENV_BASE[@]}" "$XNS" watch
	WATCH=$H_BG_PID
	h_first_pass "$WATCH"
}
# said REGEX: watch's log has a line matching REGEX.
said() { grep -qE "xen-netscripts\[$WATCH\]: $1" "$XEN_HOTPLUG_LOG"; }

h_outside # dom0's uplink (netdev) and the LAN host's eth0
MAC=$(link_mac uplink)

# routes ADDR: "PROTO METRIC" of each route to ADDR through vif1.0.
routes() {
	local f=-4
	[[ $1 == *:* ]] && f=-6
	d0 ip "$f" -d route show "$1" dev vif1.0 2>/dev/null | awk '{p="";m=0;
		for(i=1;i<NF;i++){if($i=="proto")p=$(i+1);if($i=="metric")m=$(i+1)}
		print p, m}' | sed 's/^xen /220 /' | sort | xargs
}
routes_are() { [ "$(routes "$IP4")" = "$1" ] && [ "$(routes "$IP6")" = "$1" ]; }
# neigh ADDR: the LAN host's MAC for ADDR ("" when it has no entry).
neigh() { out ip neigh show "$1" dev eth0 | awk '{for(i=1;i<NF;i++) if($i=="lladdr") print $(i+1)}'; }
neigh_at() { [ "$(neigh "$IP4")" = "$1" ] && [ "$(neigh "$IP6")" = "$1" ]; }
carrier() { g 1 ip link set eth0 "$1"; }
xns() {
	XO=$(d0 "${H_ENV_BASE[@]}" "$XNS" "$@" 2>&1 </dev/null)
	XRC=$?
	echo "$XO" >>"$H_DIR/run.out"
}
# A link's IPv6 takes a moment to come up after the link: until its
# multicast route is there, the LAN host drops what comes to ff02::1.
lan_ipv6_up() { out ip -6 route show table local | grep -q '^multicast ff00::/8 dev eth0 '; }
h_wait "the LAN host's IPv6 is up" 5 lan_ipv6_up

pcap=$H_DIR/lan.pcap
out tcpdump -i eth0 --immediate-mode -U -n -w "$pcap" "ether src $MAC and (arp or icmp6)" \
	>"$pcap.log" 2>&1 &
TCPDUMP=$!
h_until 5 grep -q 'listening on' "$pcap.log"
frames() { tcpdump -r "$pcap" -n "(arp and arp[6:2] == 1) or (icmp6 and ip6[40] == 136)" 2>/dev/null | wc -l; }

# --- paused here: online without carrier -------------------------------------
h_guest 1 0 "ip=$IP4 $IP6" script="$VR"
carrier down
h_run "$VR" online 1
teq "online without carrier: exit 0" 0 "$H_RC"
teq "paused: the routes to $IP4 and $IP6 are protocol boot, metric 2" "boot 2|boot 2" \
	"$(routes "$IP4")|$(routes "$IP6")"
xns check
teq "paused: check finds nothing wrong" 0 "$XRC"
xns status
tmatch "paused: status says carrier=off (not announced)" \
	'vif1\.0 1\.0 vif-route vif1\.0 netdev=uplink .* kernel: routed up carrier=off \(not announced\) mtu=' "$XO"

# --- resumed: watch announces -------------------------------------------------
out ip neigh replace "$IP4" lladdr "$OLD" dev eth0 nud stale
out ip neigh replace "$IP6" lladdr "$OLD" dev eth0 nud stale
watch_start
teq "watch's first pass sends nothing for a guest that does not run here" 0 "$(frames)"
h_net timeout 5 "$XNS" watch # would run on, were the first not holding its lock
teq "a second watch: exit 1" 1 "$H_RC"
tmatch "a second watch: the message" "another xen-netscripts watch is running" "$H_OUT"
carrier up
within "resumed: the routes turn protocol xen (220) within 3 s" 3 routes_are "220 2"
within "resumed: the LAN host has $IP4 and $IP6 at dom0's uplink within 3 s" 3 neigh_at "$MAC"
t "resumed: watch followed the carrier itself" said "vif1\.0: carrier on: routes announced"
h_until 5 eval '[ "$(frames)" -ge 6 ]' # three rounds
sleep 1.5 # a fourth round would be here by now
# By now the watch has made the pass that the announcement's route changes
# woke it for.
tn "resumed: no restore was needed" said "restored vif1\.0"
kill "$TCPDUMP"; wait "$TCPDUMP" 2>/dev/null

decoded=$(/usr/bin/python3 - "$pcap" "$IP4" <<'PY'
import sys
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, Ether, ICMPv6ND_NA, ICMPv6NDOptDstLLAddr, IPv6, rdpcap

times = []
for p in rdpcap(sys.argv[1]):
    if ARP in p and p[ARP].psrc == sys.argv[2]:
        a = p[ARP]
        times.append(float(p.time))
        print("arp dst=%s op=%d hwsrc=%s psrc=%s hwdst=%s pdst=%s" %
              (p[Ether].dst, a.op, a.hwsrc, a.psrc, a.hwdst, a.pdst))
    elif ICMPv6ND_NA in p:
        na = p[ICMPv6ND_NA]
        sent = na.cksum
        again = Ether(bytes(p))
        del again[ICMPv6ND_NA].cksum
        good = Ether(bytes(again))[ICMPv6ND_NA].cksum == sent
        opt = p[ICMPv6NDOptDstLLAddr] if ICMPv6NDOptDstLLAddr in p else None
        print("na dst=%s src=%s ip6dst=%s hlim=%d code=%d tgt=%s R=%d S=%d O=%d "
              "checksum=%s option=%s" %
              (p[Ether].dst, p[IPv6].src, p[IPv6].dst, p[IPv6].hlim, na.code, na.tgt,
               na.R, na.S, na.O, "valid" if good else "wrong",
               "%d/%d/%s" % (opt.type, opt.len, opt.lladdr) if opt else "none"))
gaps = [b - a for a, b in zip(times, times[1:])]
print("gap %d" % (min(gaps) * 1000 if gaps else -1))
PY
)
echo "$decoded" | sed 's/^/# /'
LL=$(d0 ip -6 -o addr show dev uplink scope link | awk '{print $4}' | cut -d/ -f1)
arp="arp dst=ff:ff:ff:ff:ff:ff op=1 hwsrc=$MAC psrc=$IP4 hwdst=00:00:00:00:00:00 pdst=$IP4"
na="na dst=33:33:00:00:00:01 src=$LL ip6dst=ff02::1 hlim=255 code=0 tgt=$IP6 R=0 S=0 O=1 checksum=valid option=2/1/$MAC"
teq "three gratuitous ARP requests, sender = target = $IP4, from dom0's uplink MAC" \
	"$(printf '%s\n' "$arp" "$arp" "$arp")" "$(grep '^arp' <<<"$decoded")"
teq "three neighbour advertisements of $IP6 from the uplink's link-local address ($LL) to all nodes, override set, solicited and router clear, hop limit 255, a valid checksum, the uplink's MAC in the option" \
	"$(printf '%s\n' "$na" "$na" "$na")" "$(grep '^na' <<<"$decoded")"
gap=$(sed -n 's/^gap //p' <<<"$decoded")
tmatch "the rounds are a second apart, past a peer's lock time (shortest gap $gap ms)" \
	'^(9[5-9][0-9]|1[0-9][0-9][0-9])$' "$gap"
xns check
teq "running here: check finds nothing wrong" 0 "$XRC"
xns status
tmatch "running here: status says carrier=on (announced)" 'routed up carrier=on \(announced\) mtu=' "$XO"
xns status --json
tmatch "running here: status --json has carrier and announcement" '"carrier":true,"mtu":[0-9]+,"announcement":"announced"' "$XO"

carrier down
within "paused again (carrier off): protocol boot within 3 s" 3 routes_are "boot 2"

# --- announce_metric= -----------------------------------------------------------
echo "announce_metric=1020" >>"$XEN_NETSCRIPTS_CONF"
h_run "$VR" online 1
teq "online again with announce_metric=1020, no carrier: exit 0" 0 "$H_RC"
carrier up
within "announce_metric=1020, carrier on: the routes are protocol xen, metric 1020, and only those" 3 routes_are "220 1020"
carrier down
within "announce_metric=1020, carrier off: protocol boot, metric 2, and only those" 3 routes_are "boot 2"

# The guest's emulated NIC (an HVM guest's tap): its carrier comes with the
# device model, paused or not, so its routes are never announced.
d0 ip link add vif1.0-emu type veth peer name tap0 netns "$H_ID-g1"
g 1 ip link set tap0 up
H_ENV=INTERFACE=vif1.0-emu h_run "$VR" add 1 0 type_if=tap
teq "the tap, with carrier: add exits 0" 0 "$H_RC"
sleep 0.5 # watch's pass after add's events
teq "the tap, with carrier: its route is protocol boot, metric 1, not announced" \
	"proto boot metric 1" "$(d0 ip -d route show "$IP4" dev vif1.0-emu | grep -oE 'proto [a-z0-9]+|metric [0-9]+' | xargs)"
H_ENV=INTERFACE=vif1.0-emu h_run "$VR" remove 1 0 type_if=tap
d0 ip link del vif1.0-emu

# A guest flapping its carrier (its frontend connecting and going, 80
# times, 5 ms apart): watch switches the routes at most once per 100 ms
# (less and less often while it goes on), not once per change, restores
# nothing, and ends with the carrier's last state.
switches() { grep -c "xen-netscripts\[$WATCH\]: vif1.0: carrier" "$XEN_HOTPLUG_LOG"; }
before=$(switches)
t0=${EPOCHREALTIME/./}
g 1 sh -c 'for i in $(seq 40); do ip link set eth0 up; sleep 0.005
	ip link set eth0 down; sleep 0.005; done; ip link set eth0 up'
ms=$(( (${EPOCHREALTIME/./} - t0) / 1000 ))
within "after 81 carrier changes, ending up: announced (within the 5 s hold at most)" 6 routes_are "220 1020"
sleep 0.3
n=$(( $(switches) - before ))
echo "# 81 carrier changes in $ms ms, $n switches"
t "81 carrier changes in $ms ms: watch followed them ($n switches)" test "$n" -ge 1
t "81 carrier changes in $ms ms: at most one switch per 100 ms ($n)" test "$n" -le $(( ms / 100 + 2 ))
tn "81 carrier changes: no restore" said "restored vif1\.0"
carrier down
within "then carrier off: protocol boot (within the hold)" 6 routes_are "boot 2"
h_bg_kill # watch

# --- without watch: check and restore ------------------------------------------
carrier up
xns check
teq "carrier on without watch: nothing announces, and check does not ask it to" 0 "$XRC"
xns status
tmatch "carrier on without watch: status says carrier=on (not announced)" \
	'routed up carrier=on \(not announced\)' "$XO"
h_run "$VR" online 1
teq "online with carrier (without watch): announced, protocol xen, metric 1020" "220 1020|220 1020" \
	"$(routes "$IP4")|$(routes "$IP6")"
carrier down
xns check
teq "carrier off without watch: check exits 1" 1 "$XRC"
tmatch "carrier off without watch: check names route $IP6 announced without carrier" \
	"vif1\.0 \(vif1\.0\): route $IP6 announced without carrier \(the guest does not run here\)" "$XO"
xns restore
teq "restore: exit 0" 0 "$XRC"
teq "restore withdrew the routes: protocol boot, metric 2" "boot 2|boot 2" \
	"$(routes "$IP4")|$(routes "$IP6")"
d0 ip route add "$IP4" dev vif1.0 metric 1050 proto 220
xns check
tmatch "a stray protocol-xen route at another metric: check names it" \
	"route $IP4 announced without carrier" "$XO"
xns restore
teq "restore removed the stray route" "boot 2|boot 2" "$(routes "$IP4")|$(routes "$IP6")"

# --- offline; a refused setting -------------------------------------------------
carrier up
h_run "$VR" online 1
teq "announced again before offline" "220 1020" "$(routes "$IP4")"
h_run "$VR" offline 1
teq "offline: exit 0" 0 "$H_RC"
teq "offline: no route to $IP4 or $IP6 through vif1.0 at any metric" "|" \
	"$(routes "$IP4")|$(routes "$IP6")"

sed -i 's/^announce_metric=.*/announce_metric=2/' "$XEN_NETSCRIPTS_CONF"
h_run "$VR" online 1
teq "announce_metric=2: online exits 1" 1 "$H_RC"
tmatch "announce_metric=2: the message" "invalid announce_metric '2': expected a route metric from 3 to 4294967295" \
	"$(xs /local/domain/0/backend/vif/1/0/hotplug-error)"
teq "announce_metric=2: no route made" "|" "$(routes "$IP4")|$(routes "$IP6")"
