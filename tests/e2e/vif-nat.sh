#!/bin/bash
# vif-nat end to end, with the backend in $H_FW: the shell version's address
# derivation, a real dnsmasq handing out the lease vif-nat wrote, the guest
# reaching an outside host through network-nat's masquerading, the ISC
# dhcpd.conf stanza, idempotency, bad input, spoofing.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VN=$(bin vif-nat)
NN=$(bin network-nat)
BE=/local/domain/0/backend/vif
hosts=$H_DIR/dnsmasq/hosts opts=$H_DIR/dnsmasq/opts
mkdir -p "$hosts" "$opts"
chmod a+rx "$H_DIR" "$H_DIR/dnsmasq"	# dnsmasq reads them as nobody
printf 'dhcp_hostsdir=%s\ndhcp_optsdir=%s\n' "$hosts" "$opts" >>"$XEN_NETSCRIPTS_CONF"

h_outside
h_net "$NN" start subnet=10.0.0.0/8

# A real dnsmasq in dom0 serving every vif from the directories vif-nat
# fills, run exactly as the shipped unit xen-nat-dhcp.service runs it (its
# directories moved into this run's).
unit=$H_TOP/systemd/xen-nat-dhcp.service.in
cmd=$(sed -n 's/^ExecStart=//p' "$unit")
range=$(sed -n 's/^Environment=NAT_DHCP_RANGE=//p' "$unit")
cmd=${cmd//\$\{NAT_DHCP_RANGE\}/$range}
cmd=${cmd//\/run\/xen-netscripts\/dnsmasq/$H_DIR/dnsmasq}
t "the unit's dnsmasq command line is found" test -n "$range"
# shellcheck disable=SC2086
d0 $cmd --log-facility=- >"$H_DIR/dnsmasq.log" 2>&1 &
h_wait "dnsmasq serves DHCP" 5 h_listens "$H_D0" udp 67

# --- derivation, online ---------------------------------------------------
h_guest 5 0 script="$VN"
h_run "$VN" online 5
teq "vif-nat online exits 0" 0 "$H_RC"
teq "online: hotplug-status connected" connected "$(xs $BE/5/0/hotplug-status)"
teq "the router address 10.0.5.128/32 on the vif" "10.0.5.128/32" \
	"$(d0 ip -o -4 addr show dev vif5.0 | awk '{print $4}')"
tmatch "a route to the derived 10.0.5.1 from the router address" \
	"10.0.5.1 .*src 10.0.5.128" "$(d0 ip route show dev vif5.0)"
teq "proxy ARP on the vif" 1 "$(d0 cat /proc/sys/net/ipv4/conf/vif5.0/proxy_arp)"
teq "the dnsmasq host entry" "00:16:3e:00:05:00,set:xen-vif5.0,10.0.5.1,dom5" "$(cat "$hosts/vif5.0")"
teq "the dnsmasq router option" "tag:xen-vif5.0,option:router,10.0.5.128" "$(cat "$opts/vif5.0")"

# The guest asks for a lease and keeps what it is given.
g 5 env LEASE_OUT="$H_DIR/lease5" busybox udhcpc -i eth0 -n -q -f -t 5 -T 1 \
	-s "$H_TOP/tests/harness/udhcpc.sh" >>"$H_DIR/run.out" 2>&1
teq "the guest gets 10.0.5.1 and router 10.0.5.128 from dnsmasq" \
	"10.0.5.1 10.0.5.128" "$(cat "$H_DIR/lease5" 2>/dev/null)"
t "the NAT guest reaches the outside host" g 5 ping -c1 -W2 192.0.2.1
teq "the outside host sees dom0's address" 192.0.2.2 "$(h_sources g 5 ping -c1 -W2 192.0.2.1)"
g 5 ip addr add 10.0.5.9/16 dev eth0
teq "a spoofed source from the NAT guest does not get out" "" \
	"$(h_sources g 5 ping -c1 -W1 -I 10.0.5.9 192.0.2.1)"

# A second vif of another guest: handle 1 gives .2, router .129, dom6-2.
h_guest 6 1 script="$VN"
h_run "$VN" online 6 1
teq "handle 1: router 10.0.6.129" "10.0.6.129/32" "$(d0 ip -o -4 addr show dev vif6.1 | awk '{print $4}')"
teq "handle 1: host dom6-2 at 10.0.6.2" "00:16:3e:00:06:01,set:xen-vif6.1,10.0.6.2,dom6-2" "$(cat "$hosts/vif6.1")"
# An ip key: its router is the address + 127.
h_guest 7 0 ip=192.168.7.5 script="$VN"
h_run "$VN" online 7
teq "ip=192.168.7.5: router 192.168.7.132" "192.168.7.132/32" "$(d0 ip -o -4 addr show dev vif7.0 | awk '{print $4}')"

# --- idempotency (the shell version exited early, never saying connected) --
xsw $BE/5/0/hotplug-status ""
h_run "$VN" online 5
teq "online again exits 0" 0 "$H_RC"
teq "online again writes connected" connected "$(xs $BE/5/0/hotplug-status)"
teq "online again: one route to the guest" 1 "$(d0 ip route show 10.0.5.1 | grep -c .)"

# --- bad input changes nothing ----------------------------------------------
h_guest 8 0 ip=10.0.8.200 script="$VN"
h_run "$VN" online 8
teq "ip=10.0.8.200 (router past .254): exit 1" 1 "$H_RC"
tmatch "the error says why" "would pass .254" "$(xs $BE/8/0/hotplug-error)"
teq "nothing was done to vif8.0" "" "$(d0 ip -o addr show dev vif8.0 | grep inet\ )"
xsw $BE/8/0/ip 2001:db8::8
h_run "$VN" online 8
tmatch "an IPv6-only ip: the error says why" "ip holds no IPv4 address" "$(xs $BE/8/0/hotplug-error)"
xsw $BE/8/0/ip 10.0.8.1 $BE/8/0/handle 300
h_run "$VN" online 8
tmatch "a bad handle is named" "invalid handle '300'" "$(xs $BE/8/0/hotplug-error)"
xsw $BE/8/0/handle 0
h_run "$VN" online 8 0 dhcp=maybe
tmatch "dhcp=maybe is refused" "invalid dhcp 'maybe'" "$(xs $BE/8/0/hotplug-error)"
teq "still nothing on vif8.0" "" "$(d0 ip -o -4 addr show dev vif8.0)"

# --- offline ------------------------------------------------------------------
h_run "$VN" offline 5
teq "offline exits 0" 0 "$H_RC"
teq "offline removes the dnsmasq files" "" "$(ls "$hosts" "$opts" | grep vif5.0)"
teq "offline removes the route and the address" "" \
	"$(d0 ip route show 10.0.5.1; d0 ip -o -4 addr show dev vif5.0)"
teq "offline removes the anti-spoofing" "" \
	"$({ d0 nft list ruleset; d0 iptables-legacy -S; } 2>/dev/null | grep vif5.0)"
h_run "$VN" offline 5
teq "offline twice exits 0" 0 "$H_RC"
t "the other NAT guests' entries stay" test -e "$hosts/vif6.1"

# --- the ISC dhcpd.conf stanza ----------------------------------------------
printf 'subnet 10.0.0.0 netmask 255.255.0.0 { }\nhost other { hardware ethernet 00:16:3e:aa:aa:aa; }\n' \
	>"$H_DIR/dhcpd.conf"
h_run "$VN" online 5 0 dhcp=yes dhcp_hostsdir=/nonexistent dhcpd_conf="$H_DIR/dhcpd.conf"
teq "dhcpd.conf: online exits 0" 0 "$H_RC"
tmatch "dhcpd.conf: the shell version's stanza" \
	'host dom5 \{ hardware ethernet 00:16:3e:00:05:00; fixed-address 10.0.5.1; option routers 10.0.5.128; option host-name "dom5"; \}' \
	"$(cat "$H_DIR/dhcpd.conf")"
h_run "$VN" online 5 0 dhcp=yes dhcp_hostsdir=/nonexistent dhcpd_conf="$H_DIR/dhcpd.conf"
teq "dhcpd.conf: online twice, one stanza" 1 "$(grep -c 'host dom5 ' "$H_DIR/dhcpd.conf")"
h_run "$VN" offline 5 0 dhcpd_conf="$H_DIR/dhcpd.conf"
teq "dhcpd.conf: offline removes the stanza, keeps the rest" \
	"subnet 10.0.0.0 netmask 255.255.0.0 { } host other { hardware ethernet 00:16:3e:aa:aa:aa; }" \
	"$(echo $(cat "$H_DIR/dhcpd.conf"))"

# --- what a rewrite keeps, what a kill leaves -----------------------------------
# dhcpd.conf keeps its mode and owner through the rewrite (dhcpd may run as
# another user, and the file may hold keys that others must not read).
chown 1234:5678 "$H_DIR/dhcpd.conf"
chmod 0640 "$H_DIR/dhcpd.conf"
h_run "$VN" online 5 0 dhcp=yes dhcp_hostsdir=/nonexistent dhcpd_conf="$H_DIR/dhcpd.conf"
teq "dhcpd.conf: online keeps mode 0640 and owner 1234:5678" "640 1234:5678" \
	"$(stat -c '%a %u:%g' "$H_DIR/dhcpd.conf")"
t "dhcpd.conf: the stanza is in" grep -q 'host dom5 ' "$H_DIR/dhcpd.conf"
h_run "$VN" offline 5 0 dhcpd_conf="$H_DIR/dhcpd.conf"
teq "dhcpd.conf: offline keeps mode 0640 and owner 1234:5678" "640 1234:5678" \
	"$(stat -c '%a %u:%g' "$H_DIR/dhcpd.conf")"
teq "dhcpd.conf: the stanza is out" 0 "$(grep -c 'host dom5 ' "$H_DIR/dhcpd.conf")"

# vif-nat killed between writing a lease file's temporary and renaming it
# leaves .vif5.0.tmp beside it: the next offline removes it, and so does
# the next online.
printf '00:16:3e:00:05:00,set:xen-vif5.0,10.0' >"$hosts/.vif5.0.tmp"
printf 'tag:xen-vif5.0,option:rou' >"$opts/.vif5.0.tmp"
h_run "$VN" offline 5
teq "offline after a kill exits 0" 0 "$H_RC"
teq "offline removes a killed run's temporaries" "" "$(ls -A "$hosts" "$opts" | grep vif5.0)"
printf '00:16:3e:00:05:00,set:xen-vif5.0,10.0' >"$hosts/.vif5.0.tmp"
h_run "$VN" online 5
teq "online after a kill exits 0" 0 "$H_RC"
teq "online after a kill: the lease file whole, no temporary" \
	"vif5.0 00:16:3e:00:05:00,set:xen-vif5.0,10.0.5.1,dom5" \
	"$(ls -A "$hosts" | grep vif5.0) $(cat "$hosts/vif5.0")"
h_run "$VN" offline 5
teq "offline: nothing of vif5.0 left in the DHCP directories" "" "$(ls -A "$hosts" "$opts" | grep vif5.0)"
