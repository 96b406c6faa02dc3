#!/bin/bash
# Neighbour announcements (common/kernel/announce.h), driven through
# tests/harness/announcetool since no program sends them yet: dom0 announces
# a guest's IPv4 and IPv6 address on its uplink, as it will when a routed
# guest arrives by migration.  On the LAN host: the frames are a gratuitous
# ARP request and an unsolicited neighbour advertisement as RFC 5227 and RFC
# 4861 have them (scapy decodes the capture and recomputes the ICMPv6
# checksum), each sent as many times as asked and that far apart; and the
# host's stale neighbour entries for both addresses, which pointed at another
# MAC (the guest's old host), now point at dom0's uplink.  Then the errors:
# no such link, a link that is down, one that is not Ethernet.
# no firewall backend
. "$(dirname "$0")/../harness/lib.sh"
h_setup
AT=$(bin announcetool)
IP4=192.0.2.10
IP6=2001:db8:1::10
OLD=02:00:00:00:00:99 # the MAC of the host the guest left

h_outside # dom0's uplink and the LAN host's eth0, one veth
MAC=$(link_mac uplink)

# neigh ADDR: the LAN host's MAC for ADDR ("" when it has no entry).
neigh() { out ip neigh show "$1" dev eth0 | awk '{for(i=1;i<NF;i++) if($i=="lladdr") print $(i+1)}'; }

# A link's IPv6 takes a moment to come up after the link: until its
# multicast route is there, the LAN host drops what comes to ff02::1.
lan_ipv6_up() { out ip -6 route show table local | grep -q '^multicast ff00::/8 dev eth0 '; }
h_wait "the LAN host's IPv6 is up" 5 lan_ipv6_up

out ip neigh replace "$IP4" lladdr "$OLD" dev eth0 nud stale
out ip neigh replace "$IP6" lladdr "$OLD" dev eth0 nud stale
teq "before: the LAN host has $IP4 at the old host's MAC" "$OLD" "$(neigh "$IP4")"
teq "before: the LAN host has $IP6 at the old host's MAC" "$OLD" "$(neigh "$IP6")"

pcap=$H_DIR/lan.pcap
out tcpdump -i eth0 --immediate-mode -U -n -w "$pcap" "ether src $MAC and (arp or icmp6)" \
	>"$pcap.log" 2>&1 &
pid=$!
h_until 2 grep -q 'listening on' "$pcap.log"
h_net "$AT" uplink 3 200 "$IP4" "$IP6"
teq "announcetool uplink 3 200 $IP4 $IP6: exit 0" 0 "$H_RC"
# Six frames: three rounds of two.
h_until 3 bash -c '[ "$(tcpdump -r "$0" -n "arp or icmp6[0] == 136" 2>/dev/null | wc -l)" -ge 6 ]' "$pcap"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null

# What scapy reads in each announcement, one line per frame, and the
# shortest time between two rounds.
decoded=$(/usr/bin/python3 - "$pcap" "$IP4" <<'EOF'
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
EOF
)
echo "$decoded" | sed 's/^/# /'
arp="arp dst=ff:ff:ff:ff:ff:ff op=1 hwsrc=$MAC psrc=$IP4 hwdst=00:00:00:00:00:00 pdst=$IP4"
na="na dst=33:33:00:00:00:01 src=$IP6 ip6dst=ff02::1 hlim=255 code=0 tgt=$IP6 R=0 S=0 O=1 checksum=valid option=2/1/$MAC"
teq "three gratuitous ARP requests, sender = target = $IP4, from dom0's MAC" \
	"$(printf '%s\n' "$arp" "$arp" "$arp")" "$(grep '^arp' <<<"$decoded")"
teq "three neighbour advertisements of $IP6 to all nodes, override set, solicited and router clear, hop limit 255, a valid checksum, dom0's MAC in the option" \
	"$(printf '%s\n' "$na" "$na" "$na")" "$(grep '^na' <<<"$decoded")"
gap=$(sed -n 's/^gap //p' <<<"$decoded")
tmatch "the rounds are 200 ms apart (shortest gap $gap ms)" '^(19[0-9]|[2-9][0-9][0-9])$' "$gap"

teq "after: the LAN host has $IP4 at dom0's uplink" "$MAC" "$(neigh "$IP4")"
teq "after: the LAN host has $IP6 at dom0's uplink" "$MAC" "$(neigh "$IP6")"

# The errors, each named; nothing is sent.
h_net "$AT" nosuch0 1 0 "$IP4"
teq "no such link: exit 1" 1 "$H_RC"
teq "no such link: the message" "announcetool: announce on 'nosuch0': No such device" "$H_OUT"
d0 ip link add down0 type veth peer name down1
h_net "$AT" down0 1 0 "$IP4"
teq "a link that is down: exit 1" 1 "$H_RC"
teq "a link that is down: the message" "announcetool: announce on 'down0': Network is down" "$H_OUT"
h_net "$AT" lo 1 0 "$IP4"
teq "loopback, not Ethernet: exit 1" 1 "$H_RC"
teq "loopback, not Ethernet: the message" "announcetool: announce on 'lo': Wrong medium type" "$H_OUT"
