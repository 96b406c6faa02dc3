#!/usr/bin/python3
"""Send real frames from a guest, each marked so that a capture on the other
side can tell which arrived; or list the marks a capture holds.

  frames.py send IFACE IPV4 IPV6 OTHER_IPV4 CASE...
  frames.py seen PCAP
  frames.py tags PCAP

Besides the cases of the table below, "tagged-VID" is an IPv4 frame from
IPV4 tagged with 802.1Q VLAN VID, "tagged-VID-spoof" the same from an
address not the guest's.  "tags" lists each case seen with the VLAN it
arrived tagged with ("ipv4 10"), or "untagged".

Every frame goes to the broadcast MAC, so the bridge floods it to every port
whether or not it knows the addresses.  The mark "XNS:CASE" rides in the
payload (or, for ARP, in the padding after the ARP body).  A last frame
"end", from the guest's own MAC and link-local address (which anti-spoofing
always lets through), tells the capture that everything sent has passed the
bridge.
"""
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import (ARP, BOOTP, Dot1Q, Ether, ICMPv6ND_NS, ICMPv6ND_RA,  # noqa: E402
                       IP, IPv6, Padding, Raw, UDP, get_if_hwaddr, rdpcap, sendp)

BCAST = "ff:ff:ff:ff:ff:ff"


def link_local(mac):
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 2
    return "fe80::%02x%02x:%02xff:fe%02x:%02x%02x" % tuple(b)


def frames(iface, ip4, ip6, other):
    mac = get_if_hwaddr(iface)
    ll = link_local(mac)
    eth = Ether(src=mac, dst=BCAST)

    def mark(case):
        return Raw(load=("XNS:" + case).encode())

    def pad(case):
        return Padding(load=("XNS:" + case).encode())

    def udp4(src, case, sport=5000, dport=5000):
        return eth / IP(src=src, dst="255.255.255.255") / UDP(sport=sport, dport=dport) / mark(case)

    def udp6(src, case, sport=5000, dport=5000):
        return eth / IPv6(src=src, dst="ff02::1") / UDP(sport=sport, dport=dport) / mark(case)

    return {
        # what a guest legitimately sends
        "end": udp6(ll, "end"),
        "ipv4": udp4(ip4, "ipv4"),
        "arp": eth / ARP(op=2, hwsrc=mac, psrc=ip4, hwdst=BCAST, pdst=other) / pad("arp"),
        "arp-probe": eth / ARP(op=1, hwsrc=mac, psrc="0.0.0.0", pdst=ip4) / pad("arp-probe"),
        "dhcp-client": eth / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
        / BOOTP(chaddr=bytes.fromhex(mac.replace(":", ""))) / mark("dhcp-client"),
        "ipv6-ll": udp6(ll, "ipv6-ll"),
        "ipv6": udp6(ip6, "ipv6"),
        "dad": eth / IPv6(src="::", dst="ff02::1") / ICMPv6ND_NS(tgt=ip6) / mark("dad"),
        # spoofing
        "spoof-ipv4": udp4("10.99.99.99", "spoof-ipv4"),
        "spoof-mac": Ether(src="00:16:3e:99:99:99", dst=BCAST) / IP(src=ip4, dst="255.255.255.255")
        / UDP(sport=5000, dport=5000) / mark("spoof-mac"),
        "spoof-arp-reply": eth / ARP(op=2, hwsrc=mac, psrc=other, hwdst=BCAST, pdst=other)
        / pad("spoof-arp-reply"),
        "spoof-garp": eth / ARP(op=1, hwsrc=mac, psrc=other, hwdst="00:00:00:00:00:00", pdst=other)
        / pad("spoof-garp"),
        "spoof-arp-sha": eth / ARP(op=2, hwsrc="00:16:3e:99:99:99", psrc=ip4, hwdst=BCAST, pdst=other)
        / pad("spoof-arp-sha"),
        "spoof-ipv6": udp6("2001:db8:99::99", "spoof-ipv6"),
        "ra": eth / IPv6(src=ll, dst="ff02::1") / ICMPv6ND_RA() / mark("ra"),
        "dhcp-offer": udp4(ip4, "dhcp-offer", sport=67, dport=68),
        "dhcpv6-server": udp6(ll, "dhcpv6-server", sport=547, dport=546),
        "vlan": Ether(src=mac, dst=BCAST) / Dot1Q(vlan=10) / IP(src=ip4, dst="255.255.255.255")
        / UDP(sport=5000, dport=5000) / mark("vlan"),
        "ethertype": Ether(src=mac, dst=BCAST, type=0x88b5) / mark("ethertype"),
    }


def tagged(iface, ip4, case):
    vid = int(case.split("-")[1])
    src = "10.99.99.99" if case.endswith("-spoof") else ip4
    return (Ether(src=get_if_hwaddr(iface), dst=BCAST) / Dot1Q(vlan=vid)
            / IP(src=src, dst="255.255.255.255") / UDP(sport=5000, dport=5000)
            / Raw(load=("XNS:" + case).encode()))


def main():
    if sys.argv[1] == "send":
        iface, ip4, ip6, other = sys.argv[2:6]
        table = frames(iface, ip4, ip6, other)
        for case in sys.argv[6:]:
            if case.startswith("tagged-"):
                table[case] = tagged(iface, ip4, case)
        # "end", legitimate for any guest, tells the capture it has all.
        for case in sys.argv[6:] + ["end"]:
            sendp(table[case], iface=iface, verbose=False)
    elif sys.argv[1] in ("seen", "tags"):
        seen = set()
        for pkt in rdpcap(sys.argv[2]):
            raw = bytes(pkt)
            i = raw.find(b"XNS:")
            if i >= 0:
                case = raw[i + 4:].split(b"\0")[0].decode(errors="replace").strip()
                if sys.argv[1] == "tags":
                    case += " %s" % (pkt[Dot1Q].vlan if Dot1Q in pkt else "untagged")
                seen.add(case)
        for case in sorted(c for c in seen if c.split()[0] != "end"):
            print(case)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
