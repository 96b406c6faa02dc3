#!/bin/bash
# Anti-spoofing of bridged vifs, with the backend in $H_FW (nft or
# iptables; run.sh runs both): real frames from a guest namespace, a capture
# in another guest, the rules an administrator would list, idempotency,
# clean removal, backend switches, bad settings, and 100 vifs at once.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif

# nft_elems DEV [SETS]: the elements of the vifs DEV (an extended regular
# expression: vif1\.0) in the sets SETS of table bridge xen (all but vifs
# by default), "SET ELEMENT [comment ...]" a line.
nft_elems() {
	local dev=$1 s
	for s in ${2:-trunks anymac macs addr4 addr6 net4 net6 anyip}; do
		d0 nft list set bridge xen "$s" 2>/dev/null |
			grep -oE "\"$dev\"( \. [^ ,}]+)?( comment \"[^\"]*\")?" | sed "s/^/$s /"
	done
}
# fw_rules DEV: the rules made for DEV, as the backend's own tool lists them
# (nft: its elements in the sets the rules look up).
fw_rules() {
	if [ "$H_FW" = nft ]; then
		nft_elems "$1" | grep -F "comment \"$1\""
	else
		d0 iptables-legacy -S "xen-$1" 2>/dev/null | grep -- '^-A'
		d0 ip6tables-legacy -S "xen-$1" 2>/dev/null | grep -- '^-A'
	fi
}
# fw_dispatch DEV: how many times traffic from DEV is sent to its rules.
fw_dispatch() {
	if [ "$H_FW" = nft ]; then
		nft_elems "$1" vifs | grep -c "comment \"$1: "
	else
		{ d0 iptables-legacy -S xen-antispoof; d0 ip6tables-legacy -S xen-antispoof; } 2>/dev/null |
			grep -c -- "--physdev-in $1 .*-j xen-$1\$"
	fi
}
# Everything of ours in both backends, for "nothing left" checks.
fw_all() {
	d0 nft list table bridge xen 2>/dev/null | grep -oE '"vif[^"]*"( \. [^ ,}]+)?'
	{ d0 iptables-legacy -S; d0 ip6tables-legacy -S; } 2>/dev/null | grep -E -- '-N xen-vif|physdev-in'
}
per_family=1; [ "$H_FW" = iptables ] && per_family=2

h_bridge xenbr0
d0 ip addr add 10.0.0.254/24 dev xenbr0
h_guest 1 0 "ip=10.0.0.1 2001:db8::1"
h_guest 2 0 "ip=10.0.0.2 2001:db8::2"
h_guest 3 0                                   # no ip key
h_guest 4 0 ip=10.0.0.4
for d in 1 2 3 4; do
	g $d ip addr add 10.0.0.$d/24 dev eth0
	g $d ip addr add 2001:db8::$d/64 dev eth0 nodad
done

# --- libip4tc and libip6tc, loaded only by a run that uses iptables ---------
# A host where libip6tc cannot be loaded (a mount namespace of the run's own
# hides it): an nft run does not notice, an iptables run fails and says why.
# (Before any iptables table is live: where one is, an nft online looks
# there for what an earlier iptables online left.)
lib=$(ldconfig -p | awk '$1 == "libip6tc.so.2" && /x86-64/ {print $NF; exit}')
t "libip6tc.so.2 is in ldconfig's cache: $lib" test -f "$lib"
h_guest 61 0 ip=10.6.1.1
without_lib() {
	d0 unshare -m sh -c 'mount --bind /dev/null "$0" && exec "$@"' "$lib" \
		"${H_ENV_BASE[@]}" XENBUS_PATH=backend/vif/61/0 vif=vif61.0 script="$VB" \
		"$VB" "$1" type_if=vif </dev/null >>"$H_DIR/run.out" 2>&1
	H_RC=$?
}
without_lib online
if [ "$H_FW" = nft ]; then
	teq "without $lib: an nft online exits 0" 0 "$H_RC"
	teq "... and vif61.0 is connected" connected "$(xs $BE/61/0/hotplug-status)"
	tmatch "... with its element in set vifs" 'vifs "vif61.0" comment' "$(nft_elems vif61.0 vifs)"
else
	teq "without $lib: an iptables online exits 1" 1 "$H_RC"
	tmatch "... its error names the library" "^anti-spoofing for vif61.0 with iptables: $lib: " \
		"$(xs $BE/61/0/hotplug-error)"
	teq "... no rule of vif61.0 in iptables" "" "$(fw_all | grep vif61.0)"
	teq "... vif61.0 is down" down "$(link_state vif61.0)"
fi
without_lib offline
teq "without $lib: offline exits 0" 0 "$H_RC"
teq "... no rule of vif61.0 left" "" "$(fw_all | grep vif61.0)"

# The administrator's own rules, in both backends: never touched.
d0 nft -f - <<'EOF'
table inet admin {
	chain filter_fwd { type filter hook forward priority 0; ip saddr 192.0.2.1 counter accept; }
}
EOF
d0 iptables-legacy -A FORWARD -s 192.0.2.1 -j ACCEPT
admin_rules() { d0 nft list table inet admin; d0 iptables-legacy -S FORWARD | grep -F -- '-s 192.0.2.1/32'; }
admin_before=$(admin_rules)

for d in 1 2 3; do h_run "$VB" online $d; done
h_run "$VB" online 4 0 antispoof=no
n=0; for d in 1 2 3 4; do [ "$(xs $BE/$d/0/hotplug-status)" = connected ] && n=$((n + 1)); done
teq "four guests online with $H_FW" 4 "$n"
tmatch "the log names the backend" "anti-spoofing for vif1.0 with $H_FW" "$(cat "$XEN_HOTPLUG_LOG")"

# --- the rules, as the administrator lists them ----------------------------
rules1=$(fw_rules vif1.0)
if [ "$H_FW" = nft ]; then
	tmatch "vif1.0: source MAC rule" 'macs "vif1.0" \. 00:16:3e:00:01:00 ' "$rules1"
	tmatch "vif1.0: ARP sender and IPv4 source" 'addr4 "vif1.0" \. 10.0.0.1 ' "$rules1"
	tmatch "vif1.0: IPv6 source rule" 'addr6 "vif1.0" \. 2001:db8::1 ' "$rules1"
	tmatch "vif1.0: link-local from its MAC" 'addr6 "vif1.0" \. fe80::216:3eff:fe00:100 ' "$rules1"
	teq "every element of vif1.0 carries its comment" "$(nft_elems vif1.0 | wc -l)" \
		"$(nft_elems vif1.0 | grep -c 'comment "vif1.0"$')"
	tmatch "vif1.0's element of set vifs says what it may send" \
		'^vifs "vif1.0" comment "vif1.0: mac 00:16:3e:00:01:00 ip 10.0.0.1 2001:db8::1 fe80::216:3eff:fe00:100"$' \
		"$(nft_elems vif1.0 vifs)"
	chain=$(d0 nft list chain bridge xen prerouting)
	teq "every rule carries its comment" "$(grep -E '(accept|drop)' <<<"$chain" | grep -vc policy)" \
		"$(grep -c 'comment "' <<<"$chain")"
	tmatch "the IPv4 source is looked up" 'iifname \. ip saddr @addr4 accept' "$chain"
else
	tmatch "vif1.0: source MAC rule" '! --mac-source 00:16:3e:00:01:00 .*-j DROP' "$rules1"
	tmatch "vif1.0: IPv4 source rule" '-s 10.0.0.1/32 .*-j RETURN' "$rules1"
	tmatch "vif1.0: IPv6 source rule" '-s 2001:db8::1/128 .*-j RETURN' "$rules1"
	tmatch "FORWARD jumps to xen-antispoof first" '^-A FORWARD .*-j xen-antispoof' \
		"$(d0 iptables-legacy -S FORWARD | sed -n 2p)"
	tmatch "the log says what iptables cannot check" 'iptables checks only the MAC and IP sources of vif1.0' \
		"$(cat "$XEN_HOTPLUG_LOG")"
fi
teq "vif1.0 is dispatched to its rules" "$per_family" "$(fw_dispatch vif1.0)"
teq "antispoof=no: no rules for vif4.0" "" "$(fw_rules vif4.0)"

# --- real frames from guest 1, captured in guest 2 -------------------------
LEGIT="ipv4 arp arp-probe dhcp-client ipv6-ll ipv6 dad"
SPOOF_IP="spoof-ipv4 spoof-mac spoof-ipv6 ra dhcp-offer dhcpv6-server"
SPOOF_L2="spoof-arp-reply spoof-garp spoof-arp-sha vlan ethertype"
seen=$(h_frames 1 2 10.0.0.1 2001:db8::1 10.0.0.2 $LEGIT $SPOOF_IP $SPOOF_L2)
for c in $LEGIT; do
	t "guest 1's legitimate $c frame arrives" in_list "$c" "$seen"
done
for c in $SPOOF_IP; do
	tn "guest 1's $c frame does not arrive" in_list "$c" "$seen"
done
if [ "$H_FW" = nft ]; then
	for c in $SPOOF_L2; do
		tn "guest 1's $c frame does not arrive" in_list "$c" "$seen"
	done
fi
t "guest 1 pings guest 2" g 1 ping -c1 -W2 10.0.0.2
t "guest 1 pings guest 2 over IPv6" g 1 ping -6 -c1 -W2 2001:db8::2
t "guest 1 pings guest 2's link-local address" g 1 ping -6 -c1 -W2 fe80::216:3eff:fe00:200%eth0
g 1 ip addr add 10.0.0.41/24 dev eth0
tn "guest 1 cannot ping from an address it added itself" g 1 ping -c1 -W1 -I 10.0.0.41 10.0.0.2
g 1 ip addr del 10.0.0.41/24 dev eth0

# A real DHCP exchange: dnsmasq in dom0, udhcpc in guest 1.
d0 dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --interface=xenbr0 \
	--bind-interfaces --dhcp-range=10.0.0.0,static,255.255.255.0 \
	--dhcp-host=00:16:3e:00:01:00,10.0.0.1 --dhcp-leasefile="$H_DIR/leases" \
	--pid-file= >"$H_DIR/dnsmasq.log" 2>&1 &
dnsmasq_pid=$!
h_wait "dnsmasq serves DHCP" 5 h_listens "$H_D0" udp 67
lease=$(g 1 busybox udhcpc -i eth0 -n -q -f -t 3 -T 1 -s /bin/true 2>&1)
tmatch "guest 1 gets its DHCP lease through the anti-spoofing" 'lease of 10\.0\.0\.1 obtained' "$lease"
kill "$dnsmasq_pid"; wait "$dnsmasq_pid" 2>/dev/null

# Guest 3 has no ip key: addresses are free, MAC and servers still checked.
seen=$(h_frames 3 2 10.0.0.3 2001:db8::3 10.0.0.2 ipv4 spoof-ipv4 spoof-ipv6 spoof-mac ra dhcp-offer dhcpv6-server ethertype)
t "no ip key: any IPv4 source arrives" in_list spoof-ipv4 "$seen"
t "no ip key: any IPv6 source arrives" in_list spoof-ipv6 "$seen"
for c in spoof-mac ra dhcp-offer dhcpv6-server; do
	tn "no ip key: $c still does not arrive" in_list "$c" "$seen"
done
[ "$H_FW" = nft ] && tn "no ip key: other ethertypes still do not arrive" in_list ethertype "$seen"

# Guest 6's ip key is a prefix: any source inside it, none outside.
h_guest 6 0 "ip=10.1.0.0/23 2001:db8:6::/61"
h_run "$VB" online 6
[ "$H_FW" = nft ] && tmatch "a prefix is listed as one" 'net4 "vif6.0" \. 10.1.0.0/23 ' "$(fw_rules vif6.0)"
t "inside the prefix: arrives" in_list ipv4 "$(h_frames 6 2 10.1.1.250 2001:db8:6:7::1 10.0.0.2 ipv4 ipv6)"
t "inside the IPv6 prefix: arrives" in_list ipv6 "$(h_frames 6 2 10.1.1.250 2001:db8:6:7::1 10.0.0.2 ipv6)"
seen=$(h_frames 6 2 10.1.2.1 2001:db8:6:8::1 10.0.0.2 ipv4 ipv6)
tn "just outside the prefix: does not arrive" in_list ipv4 "$seen"
tn "just outside the IPv6 prefix: does not arrive" in_list ipv6 "$seen"

# Guest 8's prefix is written with host bits (its own address and the LAN's
# length, as vif-bridge(8) allows): the network is what is allowed.
h_guest 8 0 "ip=10.1.4.5/23"
h_run "$VB" online 8
t "a prefix with host bits: inside its network arrives" \
	in_list ipv4 "$(h_frames 8 2 10.1.5.250 2001:db8:8::1 10.0.0.2 ipv4)"
tn "a prefix with host bits: outside its network does not arrive" \
	in_list ipv4 "$(h_frames 8 2 10.1.6.1 2001:db8:8::1 10.0.0.2 ipv4)"

# Guest 4 has antispoof=no: nothing is filtered.
seen=$(h_frames 4 2 10.0.0.4 2001:db8::4 10.0.0.2 spoof-ipv4 spoof-mac)
t "antispoof=no: a spoofed source arrives" in_list spoof-ipv4 "$seen"
t "antispoof=no: a spoofed MAC arrives" in_list spoof-mac "$seen"

# --- idempotency and removal ----------------------------------------------
h_run "$VB" online 1
teq "online twice exits 0" 0 "$H_RC"
teq "online twice: the same rules, once" "$rules1" "$(fw_rules vif1.0)"
teq "online twice: dispatched once" "$per_family" "$(fw_dispatch vif1.0)"
rules2=$(fw_rules vif2.0)
pids=(); for i in 1 2 3 4 5; do h_run "$VB" online 2 & pids+=($!); done; wait "${pids[@]}"
teq "five concurrent onlines of one vif: connected" connected "$(xs $BE/2/0/hotplug-status)"
teq "five concurrent onlines of one vif: the same rules, once" "$rules2" "$(fw_rules vif2.0)"
teq "five concurrent onlines of one vif: dispatched once" "$per_family" "$(fw_dispatch vif2.0)"
h_run "$VB" offline 1
teq "offline exits 0" 0 "$H_RC"
teq "offline removes every rule of vif1.0" "" "$(fw_rules vif1.0)"
teq "offline removes vif1.0's dispatch" 0 "$(fw_dispatch vif1.0)"
teq "offline leaves vif2.0's rules" "$rules2" "$(fw_rules vif2.0)"
teq "offline leaves the administrator's rules" "$admin_before" "$(admin_rules)"
h_run "$VB" offline 1
teq "offline twice exits 0" 0 "$H_RC"
if [ "$H_FW" = nft ]; then
	teq "no element of vif1.0 left" "" "$(nft_elems vif1.0 "trunks anymac macs addr4 addr6 net4 net6 anyip vifs")"
else
	tn "no chain xen-vif1.0 left" d0 iptables-legacy -S xen-vif1.0
	tn "no IPv6 chain xen-vif1.0 left" d0 ip6tables-legacy -S xen-vif1.0
fi

# --- switching backends leaves nothing behind ------------------------------
other=iptables; [ "$H_FW" = iptables ] && other=nft
h_run "$VB" online 2 0 firewall=$other
teq "online with firewall=$other exits 0" 0 "$H_RC"
t "vif2.0's rules moved to $other" test -n "$(H_FW=$other fw_rules vif2.0)"
teq "no $H_FW rules left for vif2.0" "" "$(fw_rules vif2.0)"
h_run "$VB" online 2 0 firewall=none
teq "firewall=none: no rules anywhere for vif2.0" "" "$(fw_all | grep vif2.0)"
seen=$(h_frames 2 3 10.0.0.2 2001:db8::2 10.0.0.3 spoof-ipv4)
t "firewall=none: a spoofed source arrives" in_list spoof-ipv4 "$seen"
h_run "$VB" online 2
teq "back to $H_FW: rules as before" "$rules2" "$(fw_rules vif2.0)"

# --- settings: argument over environment over the settings file ------------
echo "antispoof=no" >>"$XEN_NETSCRIPTS_CONF"
h_run "$VB" online 3
teq "antispoof=no in the settings file: no rules" "" "$(fw_rules vif3.0)"
h_run "$VB" online 3 0 antispoof=yes
t "antispoof=yes as an argument overrides the file" test -n "$(fw_rules vif3.0)"
sed -i '/^antispoof=/d' "$XEN_NETSCRIPTS_CONF"

# --- bad settings: a clear error, nothing changed -------------------------
h_guest 5 0 ip=10.0.0.5
h_run "$VB" online 5 0 firewall=pf
teq "firewall=pf: online fails" 1 "$H_RC"
tmatch "firewall=pf: hotplug-error names it" "invalid firewall 'pf'" "$(xs $BE/5/0/hotplug-error)"
teq "firewall=pf: vif5.0 not attached" "" "$(link_master vif5.0)"
h_run "$VB" online 5 0 antispoof=maybe
tmatch "antispoof=maybe: hotplug-error names it" "invalid antispoof 'maybe'" "$(xs $BE/5/0/hotplug-error)"
teq "antispoof=maybe: vif5.0 not attached" "" "$(link_master vif5.0)"
cp "$XEN_NETSCRIPTS_CONF" "$H_DIR/conf.good"
printf '# settings\n\nthis is not a setting\n' >"$XEN_NETSCRIPTS_CONF"
h_run "$VB" online 5
tmatch "a malformed settings file: the error names file and line" \
	"netscripts.conf:3: expected NAME=VALUE" "$(xs $BE/5/0/hotplug-error)"
teq "a malformed settings file: vif5.0 not attached" "" "$(link_master vif5.0)"
teq "bad settings left no rules for vif5.0" "" "$(fw_all | grep vif5.0)"
cp "$H_DIR/conf.good" "$XEN_NETSCRIPTS_CONF"

# --- offline takes back what online made, whatever the settings say now ---
# offline revokes from the backend the vif's record names (the one its
# online used), every backend when there is no record.
h_guest 9 0 ip=10.0.0.9
h_run "$VB" online 9
t "vif9.0 has $H_FW rules" test -n "$(fw_rules vif9.0)"
echo "firewall=$other" >"$XEN_NETSCRIPTS_CONF"
h_run "$VB" offline 9
teq "the settings switched to $other after online: offline exits 0" 0 "$H_RC"
teq "the settings switched to $other after online: no rule left for vif9.0" "" "$(fw_all | grep vif9.0)"
cp "$H_DIR/conf.good" "$XEN_NETSCRIPTS_CONF"
# An online that switched backends and then failed (a hook) leaves no
# record naming the backend it left: its offline looks everywhere.
h_run "$VB" online 9
mkdir -p "$XEN_SCRIPT_DIR/vif-post.d"
printf '#!/bin/sh
exit 3
' >"$XEN_SCRIPT_DIR/vif-post.d/fail.hook"
chmod +x "$XEN_SCRIPT_DIR/vif-post.d/fail.hook"
h_run "$VB" online 9 0 firewall=$other
rm "$XEN_SCRIPT_DIR/vif-post.d/fail.hook"
teq "online with firewall=$other and a failing hook: exit 1" 1 "$H_RC"
t "... its $other rules are in place" test -n "$(H_FW=$other fw_rules vif9.0)"
h_run "$VB" offline 9
teq "... offline with the settings' $H_FW: no rule left for vif9.0" "" "$(fw_all | grep vif9.0)"
if [ "$H_FW" = nft ]; then
	# Held by an administrator's long iptables -w: an nft vif's offline
	# does not wait for it.
	h_run "$VB" online 9
	t "(iptables has tables here, which an offline looking everywhere would read)" \
		d0 grep -qx filter /proc/net/ip_tables_names
	h_bg d0 "$H_DIR/flock.out" flock -o "$XTABLES_LOCKFILE" sleep 60
	h_until 5 bash -c "! flock -n '$XTABLES_LOCKFILE' true"
	H_ENV="timeout 10" h_run "$VB" offline 9
	h_bg_kill "$H_BG_PID"
	teq "the xtables lock held: an nft vif's offline does not wait for it" 0 "$H_RC"
	teq "... and took its rules back" "" "$(fw_all | grep vif9.0)"
fi

# --- 100 vifs at once on one bridge ----------------------------------------
h_bridge brp
for n in $(seq 0 99); do h_guest 7 $n bridge=brp "ip=10.7.$n.1"; done
if [ "$H_FW" = iptables ]; then
	# A concurrent administrator's iptables -w, on the same lock.
	( for i in $(seq 20); do d0 iptables-legacy -w -A FORWARD -s 198.51.100.$i -j ACCEPT; done ) &
	admin=$!
fi
pids=(); for n in $(seq 0 99); do h_run "$VB" online 7 $n & pids+=($!); done; wait "${pids[@]}"
[ -n "${admin:-}" ] && { wait "$admin"; teq "a concurrent iptables -w added all its rules" 20 \
	"$(d0 iptables-legacy -S FORWARD | grep -c '198.51.100.[0-9]*/32 -j ACCEPT')"; }
n=0; m=0
for i in $(seq 0 99); do
	[ "$(xs $BE/7/$i/hotplug-status)" = connected ] && n=$((n + 1))
	[ "$(fw_dispatch vif7.$i)" = "$per_family" ] && m=$((m + 1))
done
teq "100 parallel onlines: all connected" 100 "$n"
[ "$n" = 100 ] || for i in $(seq 0 99); do
	e=$(xs $BE/7/$i/hotplug-error); [ -n "$e" ] && echo "# vif7.$i: $e"
done
teq "100 parallel onlines: each dispatched exactly once" 100 "$m"
teq "100 parallel onlines: rules each" $((100 * per_family)) \
	"$(if [ "$H_FW" = nft ]; then nft_elems 'vif7\.[0-9]+' vifs; else fw_all | grep -E -- '-N xen-vif7\.'; fi | wc -l)"
pids=(); for n in $(seq 0 99); do h_run "$VB" offline 7 $n & pids+=($!); done; wait "${pids[@]}"
teq "100 parallel offlines: no rule of theirs left" 0 "$(fw_all | grep -c 'vif7\.')"
teq "the administrator's rules survived it all" "$admin_before" "$(admin_rules)"

# --- more addresses than the element of set vifs can list ----------------------
if [ "$H_FW" = nft ]; then
	h_guest 77 0 "ip=$(seq -f '2001:db8:77::%g' 1 16 | tr '\n' ' ')10.0.77.1"
	h_run "$VB" online 77
	teq "16 addresses: online succeeds" 0 "$H_RC"
	teq "16 addresses: an element each, and the link-local one" 17 "$(nft_elems vif77.0 addr6 | grep -c 'comment "vif77.0"')"
	tmatch "16 addresses: the element of set vifs says there are more than it holds" \
		'comment "vif77.0: more than a comment holds"' "$(nft_elems vif77.0 vifs)"
	h_run "$VB" offline 77
	teq "16 addresses: offline leaves no element of vif77.0" "" \
		"$(nft_elems vif77.0 "trunks anymac macs addr4 addr6 net4 net6 anyip vifs")"
fi

# --- a host upgraded from the layout before sets (a chain per vif) ----------
if [ "$H_FW" = nft ]; then
	d0 nft delete table bridge xen
	d0 nft -f - <<'NFT'
table bridge xen {
	map vifs { type ifname : verdict; }
	chain prerouting { type filter hook prerouting priority filter; iifname vmap @vifs; }
	chain vif1.0 { ether type ip accept; drop; }
	chain vif9.0 { drop; }
}
add element bridge xen vifs { "vif1.0" : jump vif1.0, "vif9.0" : jump vif9.0 }
NFT
	h_run "$VB" online 2
	teq "over the old layout: online succeeds" 0 "$H_RC"
	teq "the old layout's map and chains are gone" "prerouting" \
		"$(d0 nft list table bridge xen | grep -oE '(map|chain) [^ ]+' | sed 's/^[a-z]* //' | sort | tr '\n' ' ' | sed 's/ $//')"
	tmatch "vif2.0 is in set vifs" 'vifs "vif2.0" comment' "$(nft_elems vif2.0 vifs)"
	h_run "$VB" online 1
	seen=$(h_frames 2 1 10.0.0.2 2001:db8::2 10.0.0.1 ipv4 spoof-ipv4)
	t "over the old layout: vif2.0's own frame arrives" in_list ipv4 "$seen"
	tn "over the old layout: vif2.0's spoofed frame does not" in_list spoof-ipv4 "$seen"
	# Two onlines at once over the old layout's empty map (what its
	# offlines leave): converting deletes set vifs, so one converts at a
	# time (lock xen-netscripts-nft-layout, held here first), and the
	# other's elements survive it.
	h_run "$VB" offline 2; h_run "$VB" offline 4
	d0 nft delete table bridge xen
	d0 nft -f - <<'NFT'
table bridge xen {
	map vifs { type ifname : verdict; }
	chain prerouting { type filter hook prerouting priority filter; iifname vmap @vifs; }
}
NFT
	mkdir -p "$XEN_LOCK_DIR"
	h_bg d0 "$H_DIR/flock.out" flock -o "$XEN_LOCK_DIR/xen-netscripts-nft-layout" sleep 60
	h_until 5 bash -c "! flock -n '$XEN_LOCK_DIR/xen-netscripts-nft-layout' true"
	xsw $BE/2/0/hotplug-status "" $BE/4/0/hotplug-status ""
	h_run "$VB" online 2 & a=$!
	h_run "$VB" online 4 & b=$!
	sleep 1
	teq "over the old layout, the conversion's lock held: neither online is done" ":" \
		"$(xs $BE/2/0/hotplug-status):$(xs $BE/4/0/hotplug-status)"
	h_bg_kill "$H_BG_PID"
	wait "$a" "$b"
	teq "... released: both connected" "connected:connected" \
		"$(xs $BE/2/0/hotplug-status):$(xs $BE/4/0/hotplug-status)"
	t "... both in set vifs" test -n "$(nft_elems vif2.0 vifs)" -a -n "$(nft_elems vif4.0 vifs)"
	seen=$(h_frames 2 1 10.0.0.2 2001:db8::2 10.0.0.1 ipv4 spoof-ipv4)
	tn "... and vif2.0's spoofed frame does not arrive" in_list spoof-ipv4 "$seen"
fi
