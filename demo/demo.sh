#!/bin/bash
# The demo: a throwaway dom0 in a network namespace with Debian's real C
# xenstored, two guests attached to a bridge exactly as libxl attaches them,
# traffic between them, anti-spoofing at work, then offline and clean-up.  Leaves nothing behind.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/lib.sh"
H_QUIET=1
h_setup
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" 2>&1 | sed 's/^/  /'; }

step "A private xenstored (Debian's, unmodified, under the hypervisor shim)"
echo "  pid $H_XS_PID, socket $XENSTORED_PATH"
step "dom0 is network namespace $H_D0, with bridge xenbr0"
h_bridge xenbr0
show d0 ip -br link show xenbr0

step "Guest 1 and guest 2: netback's vifD.0 in dom0, eth0 in each guest's namespace"
h_guest 1 0 ip=10.0.0.1
h_guest 2 0 ip=10.0.0.2 vifname=web2
g 1 ip addr add 10.0.0.1/24 dev eth0
g 2 ip addr add 10.0.0.2/24 dev eth0
echo "  libxl wrote the backend keys:"
show xenstore-ls /local/domain/0/backend/vif/2/0

step "libxl runs the script: execve(vif-bridge, [vif-bridge, online, type_if=vif])"
for d in 1 2; do
	echo "  XENBUS_PATH=backend/vif/$d/0 vif=vif$d.0 $VB online type_if=vif"
	h_time_start=$(date +%s%N)
	h_run "$VB" online $d
	echo "  -> exit $H_RC in $(( ($(date +%s%N) - h_time_start) / 1000 )) us, hotplug-status=$(xs $BE/$d/0/hotplug-status)"
done
echo "  guest 2 asked for vifname=web2; the kernel's name stays as an altname:"
show d0 ip -br link show master xenbr0
show d0 ip link show vif2.0

step "Traffic: guest 1 pings guest 2 through dom0's bridge"
show g 1 ping -c 3 -i 0.2 10.0.0.2

step "Anti-spoofing: guest 1 may send only from its MAC and its ip key (nftables, table bridge xen)"
show d0 nft list chain bridge xen vif1.0
echo "  guest 1 takes an address that is not its own and tries it:"
g 1 ip addr add 10.0.0.9/24 dev eth0
show g 1 ping -c 1 -W 1 -I 10.0.0.9 10.0.0.2
echo "  and claims guest 2's address with a spoofed ARP reply (scapy), while guest 2 listens:"
seen=$(h_frames 1 2 10.0.0.1 fe80::1 10.0.0.2 spoof-arp-reply ipv4)
echo "  frames that reached guest 2: $(echo $seen)   (the spoofed ARP reply did not)"
g 1 ip addr del 10.0.0.9/24 dev eth0

step "Routed: a guest with its own public address (vif-route), reached from outside"
h_outside
echo "  an outside router 192.0.2.1 on dom0's uplink (192.0.2.2); dom0 becomes a router:"
show d0 "$(bin network-route)" start
show d0 "$(bin network-route)" status
h_guest 4 0 ip=192.0.2.10
g 4 ip addr add 192.0.2.10/24 dev eth0
h_run "$(bin vif-route)" online 4
g 4 ip route add default via 192.0.2.2
echo "  vif-route online guest 4 (ip=192.0.2.10) -> exit $H_RC, hotplug-status=$(xs $BE/4/0/hotplug-status)"
show d0 ip route show dev vif4.0
echo "  the outside router reaches the guest's public address (dom0 answers ARP for it):"
show out ping -c 2 -i 0.2 192.0.2.10

step "NAT: network-nat masquerades the bridge's guests, and only them (subnet=)"
d0 ip addr add 10.0.0.254/24 dev xenbr0
g 1 ip route add default via 10.0.0.254
show d0 "$(bin network-nat)" start subnet=10.0.0.0/24
show d0 nft list chain inet xen network-nat-postrouting
echo "  guest 1 (10.0.0.1) pings the outside router, which sees dom0's address:"
out timeout 3 tcpdump -l -n -c 2 -i eth0 icmp 2>/dev/null | sed 's/^/  out: /' &
sleep 0.5
g 1 ping -c 1 -W 2 192.0.2.1 >/dev/null
wait $!
show d0 "$(bin network-nat)" stop
show d0 "$(bin network-route)" stop
h_run "$(bin vif-route)" offline 4

step "Security zones: network-zones puts a web server in a DMZ behind its own public address"
cat >"$H_DIR/zones.conf" <<'EOF2'
CreateZone NAME=dmz NIC=uplink EXT=192.0.2.80 BR=xen-dmz INT=10.80.0.1 MASK=255.255.255.0
CreateApp NAME=web ZONE=dmz EXT=tcp:80 INT=10.80.0.2:8080
CreateApp NAME=dom0-ssh ZONE=none EXT=tcp:22 INT=uplink
EOF2
sed 's/^/  /' "$H_DIR/zones.conf"
echo "  the plan (nothing changed yet), its NAT part:"
d0 "$(bin network-zones)" plan config="$H_DIR/zones.conf" | grep -E '^#|prerouting|postrouting' | grep -v 'add chain' | sed 's/^/  /'
show d0 "$(bin network-zones)" start config="$H_DIR/zones.conf"
h_guest 6 0 bridge=xen-dmz ip=10.80.0.2
h_run "$VB" online 6
g 6 ip addr add 10.80.0.2/24 dev eth0
g 6 ip route add default via 10.80.0.1
g 6 /usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("0.0.0.0", 8080)); s.listen(1); c, p = s.accept()
c.sendall(("hello from the DMZ guest, you are " + p[0]).encode())' &
sleep 0.3
echo "  the outside router connects to 192.0.2.80:80:"
out /usr/bin/python3 -c '
import socket
print("  " + socket.create_connection(("192.0.2.80", 80), timeout=3).recv(100).decode())'
show d0 "$(bin network-zones)" status
h_run "$VB" offline 6
show d0 "$(bin network-zones)" stop

step "A mistake is refused with a clear hotplug-error, and nothing changes"
h_guest 3 0 mtu=9x9
h_run "$VB" online 3
echo "  -> exit $H_RC, hotplug-status=$(xs $BE/3/0/hotplug-status)"
echo "     hotplug-error=$(xs $BE/3/0/hotplug-error)"
show d0 ip -br link show vif3.0

step "Guests shut down: libxl runs offline (twice does no harm)"
for d in 1 2 2; do h_run "$VB" offline $d; echo "  offline guest $d -> exit $H_RC"; done
show d0 ip -br link show master xenbr0
show g 1 ping -c 1 -W 1 10.0.0.2
echo "  their anti-spoofing is gone too:"
show d0 nft list map bridge xen vifs

step "What the hotplug log says"
sed 's/^/  /' "$XEN_HOTPLUG_LOG"
step "Cleaning up: namespaces $H_ID-*, xenstored pid $H_XS_PID"
