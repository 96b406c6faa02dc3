#!/bin/bash
# The guard, xen-netscripts status | check | restore | watch, end to end with
# the backend in $H_FW (run.sh runs both): guests of all three kinds online
# as libxl runs them (the backend's script key is our binary), network-nat
# and network-zones started, and then the ruleset flushed the way
# nftables.service and netfilter-persistent flush it.  check sees each
# affected vif and network script, a spoofed frame gets through (the hole),
# restore closes it without touching the administrator's table or an
# offline guest; a port taken off its bridge and a route deleted by hand are
# seen and repaired; a hostile value written since online is refused;
# restore twice is restore once; watch repairs a flush within one second by
# itself; status and status --json list the vifs; misuse exits 2.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VB=$(bin vif-bridge)
VR=$(bin vif-route)
VN=$(bin vif-nat)
NR=$(bin network-route)
NN=$(bin network-nat)
NZ=$(bin network-zones)
XNS=$(bin xen-netscripts)
BE=/local/domain/0/backend/vif

t "the guard is built ($XNS)" test -x "$XNS"

# xns ARGS...: the guard in dom0 with the run's environment (its run and
# lock directories, its xenstored); sets XRC, XO (stdout), XE (stderr), XA
# (both).
xns() {
	d0 "${H_ENV_BASE[@]}" "$XNS" "$@" </dev/null >"$H_DIR/xns.out" 2>"$H_DIR/xns.err"
	XRC=$?
	XO=$(cat "$H_DIR/xns.out")
	XE=$(cat "$H_DIR/xns.err")
	XA=$XO$'\n'$XE
	cat "$H_DIR/xns.out" "$H_DIR/xns.err" >>"$H_DIR/run.out"
}
# check_ok: `check` exits 0 (a condition for the polls).
check_ok() { d0 "${H_ENV_BASE[@]}" "$XNS" check </dev/null >/dev/null 2>&1; }
# named OUTPUT: the vifs (vifD.N) and network scripts that lines of OUTPUT
# start with, sorted, on one line.
named() { grep -oE '^(vif[0-9]+\.[0-9]+|network-[a-z]+)' <<<"$1" | sort -u | xargs; }

# The flush nftables.service does on (re)start, and on an iptables host what
# netfilter-persistent's flush does (iptables-legacy: the backend our
# iptables rules live in).  The nft flush comes last, as when both services
# restart: watch's nft event then sees both.
flush_iptables() {
	local t c
	for c in iptables-legacy ip6tables-legacy; do
		for t in filter nat; do d0 "$c" -t "$t" -F; d0 "$c" -t "$t" -X; done
	done
}
flush() {
	[ "$H_FW" = iptables ] && flush_iptables
	d0 nft flush ruleset
}
# The administrator's own table, loaded after the flush (as nftables.service
# loads /etc/nftables.conf): restore must leave it alone.
admin_table() {
	d0 nft -f - <<-'EOF'
	table inet admin {
		chain input {
			type filter hook input priority 10; policy accept;
			tcp dport 2222 accept
		}
	}
	EOF
}

# fw_chain DEV: the anti-spoofing rules of DEV, as the backend lists them
# (nft: its element of set vifs, which lists what it may send, in bridge xen
# or inet xen); fails when none.
fw_chain() {
	if [ "$H_FW" = nft ]; then
		{ d0 nft list set bridge xen vifs; d0 nft list set inet xen vifs; } 2>/dev/null |
			grep -F "\"$1\" comment"
	else
		d0 iptables-legacy -S "xen-$1" 2>/dev/null
	fi
}
# Everything of ours and the routes, as the tools list them: what a second
# restore must leave exactly as it is (rule handles included).
snapshot() {
	d0 nft -a list ruleset
	local c t
	for c in iptables-legacy ip6tables-legacy; do
		for t in filter nat; do d0 "$c" -t "$t" -S 2>/dev/null; done
	done
	d0 ip route show table all
	d0 ip -6 route show table all
	d0 ip -6 neigh show proxy
	d0 ip -o link show | sed 's/ link\/.*//'
}
# The spoofed frames from the bridged guest 1 (web1), captured in guest 2:
# its own address (arrives always: the capture works), a foreign source
# address, and a foreign source MAC.
SPOOFS="spoof-ipv4 spoof-mac"
frames1() { h_frames 1 2 10.0.0.1 2001:db8::1 10.0.0.2 ipv4 $SPOOFS; }
# spoofs_dropped WHEN: guest 1's own frame arrives, the spoofed ones do not.
spoofs_dropped() {
	local seen c
	seen=$(frames1)
	t "$1: guest 1's own frame arrives" in_list ipv4 "$seen"
	for c in $SPOOFS; do tn "$1: guest 1's $c frame is dropped" in_list "$c" "$seen"; done
}
# nat_source: the source the outside host sees from the NAT guest.
nat_source() { h_sources g 4 ping -c1 -W2 192.0.2.1; }

# --- the host ---------------------------------------------------------------------
# No duplicate address detection: a link-local address and its local route
# are there at once, so that "unchanged" compares settled states.
d0 sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
h_outside                                   # 192.0.2.1; dom0's uplink 192.0.2.2
h_bridge xenbr0
d0 ip addr add 10.0.0.254/24 dev xenbr0
printf 'dhcp_hostsdir=%s\ndhcp_optsdir=%s\n' "$H_DIR/dnsmasq/hosts" "$H_DIR/dnsmasq/opts" \
	>>"$XEN_NETSCRIPTS_CONF"
mkdir -p "$H_DIR/dnsmasq/hosts" "$H_DIR/dnsmasq/opts"
h_net "$NR" start
teq "network-route start" 0 "$H_RC"
h_net "$NN" start subnet=10.0.0.0/8
teq "network-nat start" 0 "$H_RC"
# A small zone (no uplink: nothing else goes through it).  network-zones is
# nftables only, so under H_FW=iptables too its table is an nft table.
printf 'CreateZone NAME=zg NIC=none EXT=none BR=xen-brz INT=10.10.9.1 MASK=255.255.255.0\n' \
	>"$H_DIR/zones.conf"
h_net "$NZ" start config="$H_DIR/zones.conf" firewall=nft
teq "network-zones start" 0 "$H_RC"
zones_ok() { d0 nft list table inet xen-zones 2>/dev/null | grep -q 'zones are isolated'; }
t "network-zones' table is there" zones_ok

# --- the guests, as libxl runs them --------------------------------------------------
# 1: bridged, renamed web1; 2: bridged (the other end of the spoof tests);
# 3: routed (vif-route); 4: NAT (vif-nat); 5: went offline (online=0, then
# its offline ran); 6: online=0 but its offline never ran (libxl killed),
# its rules still there until the flush.
h_guest 1 0 "ip=10.0.0.1 2001:db8::1" vifname=web1
h_guest 2 0 "ip=10.0.0.2 2001:db8::2"
h_guest 3 0 ip=192.0.2.13 script="$VR"
h_guest 4 0 script="$VN"
h_guest 5 0 ip=10.0.0.5
h_guest 6 0 ip=10.0.0.6
for d in 1 2 5 6; do h_run "$VB" online $d; done
h_run "$VR" online 3
h_run "$VN" online 4
n=0
for d in 1 2 3 4 5 6; do [ "$(xs $BE/$d/0/hotplug-status)" = connected ] && n=$((n + 1)); done
teq "six guests online, hotplug-status connected" 6 "$n"
for d in 1 2; do g $d ip addr add 10.0.0.$d/24 dev eth0; done
g 3 ip addr add 192.0.2.13/24 dev eth0
g 3 ip route add default via 192.0.2.2
g 4 ip addr add 10.0.4.1/16 dev eth0
g 4 ip route add default via 10.0.4.128
# Guest 5 is taken away as libxl does it: online=0, then offline.
xsw $BE/5/0/online 0
h_run "$VB" offline 5
teq "guest 5's offline" 0 "$H_RC"
xsw $BE/6/0/online 0
t "guest 3 (routed) reaches the outside host" g 3 ping -c1 -W2 192.0.2.1
teq "guest 4 (NAT) is seen as dom0's address" 192.0.2.2 "$(nat_source)"
spoofs_dropped "before any flush"

# --- all in place ----------------------------------------------------------------------
xns check
teq "check with everything in place: exit 0" 0 "$XRC"
teq "check with everything in place: nothing on stdout" "" "$XO"

xns status
teq "status: exit 0" 0 "$XRC"
tmatch "status: vif1.0 with its name, DOMID.DEVID, script, bridge" \
	'(^|'$'\n'')vif1\.0 1\.0 vif-bridge web1 bridge=xenbr0' "$XO"
tmatch "status: vif2.0" '(^|'$'\n'')vif2\.0 2\.0 vif-bridge vif2\.0 bridge=xenbr0' "$XO"
tmatch "status: vif3.0, routed through uplink, with its address" \
	'(^|'$'\n'')vif3\.0 3\.0 vif-route vif3\.0 netdev=uplink ip=192\.0\.2\.13' "$XO"
tmatch "status: vif4.0, NAT" '(^|'$'\n'')vif4\.0 4\.0 vif-nat vif4\.0' "$XO"
tmatch "status: the bridged guest's address and hotplug-status" \
	'vif1\.0 [^'$'\n'']*ip=10\.0\.0\.1[^'$'\n'']*hotplug=connected' "$XO"
# Every backend of this domain is listed; the offline ones as offline.
tmatch "status: the offline guests are listed as offline" \
	'(^|'$'\n'')vif5\.0 5\.0 [^'$'\n'']*kernel: offline' "$XO"
tmatch "status: network-nat started" '(^|'$'\n'')network-nat: started, ok' "$XO"
tmatch "status: network-zones started" '(^|'$'\n'')network-zones: started, ok' "$XO"
tmatch "status: network-route started" '(^|'$'\n'')network-route: started, ok' "$XO"

xns status --json
teq "status --json: exit 0" 0 "$XRC"
# The vif entries (the array itself, or the array under "vifs"), each by
# the value of its that is a kernel name vifD.N.
json_vifs='import json, re, sys
d = json.load(sys.stdin)
v = d if isinstance(d, list) else d["vifs"]
print(" ".join(sorted(next(x for x in e.values() if isinstance(x, str)
                           and re.fullmatch(r"vif[0-9]+\.[0-9]+", x)) for e in v)))'
t "status --json parses as JSON" /usr/bin/python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$XO"
teq "status --json: one entry per backend" "vif1.0 vif2.0 vif3.0 vif4.0 vif5.0 vif6.0" \
	"$(/usr/bin/python3 -c "$json_vifs" <<<"$XO" 2>&1)"
teq "status --json: the online ones are guarded" "vif1.0 vif2.0 vif3.0 vif4.0" \
	"$(/usr/bin/python3 -c 'import json, sys
print(" ".join(e["vif"] for e in json.load(sys.stdin)["vifs"] if e["guarded"]))' <<<"$XO" 2>&1)"

# --- a firewall reload: the hole, then restore -----------------------------------------
flush
admin_table
xns check
teq "after the flush, check: exit 1" 1 "$XRC"
teq "check names each affected vif and network script" \
	"network-nat network-zones vif1.0 vif2.0 vif3.0 vif4.0" "$(named "$XO")"
tmatch "check names web1 by vif1.0 and its name" '(^|'$'\n'')vif1\.0 \(web1\): ' "$XO"
tmatch "check says what is wrong with vif2.0" '(^|'$'\n'')vif2\.0 \(vif2\.0\): anti-spoofing \(('"$H_FW"')\): [^'$'\n'']*not found' "$XO"
tmatch "check says what is wrong with network-nat" '(^|'$'\n'')network-nat: masquerading \(('"$H_FW"')\): [^'$'\n'']*not found' "$XO"
seen=$(frames1)
t "after the flush: guest 1's own frame arrives" in_list ipv4 "$seen"
for c in $SPOOFS; do t "after the flush: guest 1's $c frame ARRIVES (the hole)" in_list "$c" "$seen"; done
teq "after the flush: the NAT guest is no longer masqueraded" 10.0.4.1 "$(nat_source)"

xns restore
teq "restore: exit 0" 0 "$XRC"
for v in "vif1.0 (web1)" "vif2.0 (vif2.0)" "vif3.0 (vif3.0)" "vif4.0 (vif4.0)"; do
	re=${v//./\\.} re=${re//\(/\\(} re=${re//\)/\\)}
	tmatch "restore says it restored $v" "(^|"$'\n'")restored $re: " "$XO"
done
tmatch "restore says it restored network-nat" '(^|'$'\n'')restored network-nat' "$XO"
tmatch "restore says it restored network-zones" '(^|'$'\n'')restored network-zones' "$XO"
xns check
teq "after restore, check: exit 0" 0 "$XRC"
teq "after restore, check: nothing on stdout" "" "$XO"
spoofs_dropped "after restore"
teq "after restore: the NAT guest is masqueraded again" 192.0.2.2 "$(nat_source)"
t "after restore: network-zones' table is back" zones_ok
t "after restore: the administrator's table is still there" d0 nft list table inet admin
tmatch "after restore: with its rule" 'tcp dport 2222 accept' "$(d0 nft list table inet admin 2>&1)"
for d in 5 6; do
	tn "after restore: offline guest $d has no anti-spoofing" fw_chain vif$d.0
done
teq "after restore: offline guest 5 is not attached again" "" "$(link_master vif5.0)"
teq "after restore: offline guest 5's online stays 0" 0 "$(xs $BE/5/0/online)"

# --- the administrator's shell is not the scripts' environment -----------------------------
# restore runs each script in the environment its online or start had (the
# record's env lines), not in the caller's: antispoof=no or firewall=none
# exported in the shell that runs restore change nothing.
flush
d0 "${H_ENV_BASE[@]}" antispoof=no firewall=none subnet=10.99.0.0/16 "$XNS" restore \
	</dev/null >"$H_DIR/xns.out" 2>&1
teq "restore from a shell with antispoof=no firewall=none: exit 0" 0 "$?"
spoofs_dropped "restore from that shell"
teq "restore from that shell: the NAT guest is masqueraded" 192.0.2.2 "$(nat_source)"
xns check
teq "restore from that shell: check exit 0" 0 "$XRC"

# --- restore twice is restore once ---------------------------------------------------
before=$(snapshot)
xns restore
teq "restore with nothing to restore: exit 0" 0 "$XRC"
teq "restore with nothing to restore: no restored line" "" "$(grep '^restored' <<<"$XO")"
teq "restore with nothing to restore: rules (handles), routes, links unchanged" "$before" "$(snapshot)"

# --- a port taken off its bridge, a route deleted ----------------------------------------
d0 ip link set vif2.0 nomaster
d0 ip route del 192.0.2.13 dev vif3.0
tn "without its route the routed guest is cut off" g 3 ping -c1 -W1 192.0.2.1
[ "$H_FW" = nft ] && web1_rules=$(d0 nft -a list table bridge xen)
xns check
teq "detached and route deleted, check: exit 1" 1 "$XRC"
teq "check names exactly those two vifs" "vif2.0 vif3.0" "$(named "$XO")"
tmatch "check: vif2.0 is not attached" '(^|'$'\n'')vif2\.0 \(vif2\.0\): not attached to xenbr0' "$XO"
tmatch "check: vif3.0's route is missing" '(^|'$'\n'')vif3\.0 \(vif3\.0\): route 192\.0\.2\.13(/32)? [^'$'\n'']*missing' "$XO"
# Only the named vif: vif2.0 back, vif3.0 still without its route.
xns restore vif2.0
teq "restore vif2.0: vif2.0 attached again" xenbr0 "$(link_master vif2.0)"
teq "restore vif2.0: vif3.0's route is still missing" "" "$(d0 ip route show 192.0.2.13)"
xns restore
teq "restore: exit 0" 0 "$XRC"
tmatch "restore says it restored vif3.0's route" '(^|'$'\n'')restored vif3\.0 \(vif3\.0\): [^'$'\n'']*route' "$XO"
teq "restore did not touch vif2.0 again" "" "$(grep '^restored vif2\.0' <<<"$XO")"
teq "restore: vif2.0 attached to xenbr0" xenbr0 "$(link_master vif2.0)"
teq "restore: vif2.0 up" up "$(link_state vif2.0)"
tmatch "restore: vif3.0's host route is back" '192\.0\.2\.13 .*metric 2' "$(d0 ip -4 route show dev vif3.0)"
t "restore: the routed guest reaches the outside host again" g 3 ping -c1 -W2 192.0.2.1
t "restore: the outside host reaches the routed guest" out ping -c1 -W2 192.0.2.13
[ "$H_FW" = nft ] && teq "restore left web1's rules alone (the table's, same handles)" "$web1_rules" \
	"$(d0 nft -a list table bridge xen)"
xns check
teq "after the repair, check: exit 0" 0 "$XRC"

# --- a hostile value written since online ----------------------------------------------
xsw $BE/3/0/ip 0.0.0.0/0 $BE/2/0/ip 127.0.0.1
flush
xns restore
teq "restore with hostile values: exit 1" 1 "$XRC"
tmatch "restore refuses vif3.0 naming its ip" "vif3\.0.*'0\.0\.0\.0/0'" "$XA"
tmatch "restore refuses vif2.0 naming its ip" "vif2\.0.*'127\.0\.0\.1'" "$XA"
teq "the refused 0.0.0.0/0 made no route" "" "$(d0 ip route show default dev vif3.0)"
teq "the refused 0.0.0.0/0 made no rule" "" \
	"$({ d0 nft list ruleset; d0 iptables-legacy -S; } 2>/dev/null | grep -E '0\.0\.0\.0/0|127\.0\.0\.1')"
tn "no anti-spoofing made for vif3.0 from 0.0.0.0/0" fw_chain vif3.0
tn "no anti-spoofing made for vif2.0 from 127.0.0.1" fw_chain vif2.0
teq "restore wrote no hotplug-status (vif3.0 still connected)" connected "$(xs $BE/3/0/hotplug-status)"
teq "restore wrote no hotplug-error" "" "$(xs $BE/3/0/hotplug-error; xs $BE/2/0/hotplug-error)"
t "the other vifs are restored: web1's rules" fw_chain web1
t "the other vifs are restored: vif4.0's rules" fw_chain vif4.0
teq "the other vifs are restored: network-nat" 192.0.2.2 "$(nat_source)"
t "the other vifs are restored: network-zones" zones_ok
spoofs_dropped "beside the refused vifs"
xns check
teq "check still sees the refused vifs: exit 1" 1 "$XRC"
teq "check names the refused vifs" "vif2.0 vif3.0" "$(named "$XO")"
xsw $BE/3/0/ip 192.0.2.13 $BE/2/0/ip "10.0.0.2 2001:db8::2"
xns restore
teq "the values put back, restore: exit 0" 0 "$XRC"

# --- watch ---------------------------------------------------------------------------------
# A simple command in the background, so that $! is the guard itself (ip
# netns exec and env exec it).
h_bg d0 "$H_DIR/watch.log" "${H_ENV_BASE[@]}" "$XNS" watch
WATCH_PID=$H_BG_PID
h_first_pass "$WATCH_PID"
t "watch is running" kill -0 "$WATCH_PID"
# restored_within SECONDS WHAT: after a change made just now (the clock
# taken in t0), check exits 0 within SECONDS without any command but the
# polling check; the time it took is shown.  3 s for the events: far from
# watch's nft period (30 s), and room for the sanitized build on a loaded
# machine (up to 350 ms seen).
restored_within() {
	local end=$((t0 + $1 * 1000000)) now
	until check_ok; do
		now=${EPOCHREALTIME/./}
		if [ "$now" -ge "$end" ]; then
			not_ok "$2 (check still fails after $1 s)"
			d0 "${H_ENV_BASE[@]}" "$XNS" check </dev/null 2>&1 | sed 's/^/#   /'
			return 1
		fi
		sleep 0.01
	done
	now=${EPOCHREALTIME/./}
	ok "$2 ($(((now - t0) / 1000)) ms)"
}
flush
t0=${EPOCHREALTIME/./}
admin_table
restored_within 3 "watch: protection is back within 3 s of the flush, by itself"
spoofs_dropped "watch, after a flush"
tmatch "watch's log names the repair" 'restored vif1\.0 \(web1\)' "$(cat "$H_DIR/watch.log")"
t "watch: the administrator's table is still there" d0 nft list table inet admin
# nftables.service's restart flushes twice (its stop, then its start's
# "flush ruleset"): the second, right after a repair, is repaired too.
flush
t0=${EPOCHREALTIME/./}
restored_within 3 "watch: a first flush repaired"
flush
t0=${EPOCHREALTIME/./}
restored_within 3 "watch: a second flush right after the repair is repaired too"
d0 ip link set vif2.0 nomaster
t0=${EPOCHREALTIME/./}
restored_within 3 "watch: a port taken off its bridge is attached again within 3 s"
teq "watch: vif2.0 on xenbr0" xenbr0 "$(link_master vif2.0)"
d0 ip route del 192.0.2.13 dev vif3.0
t0=${EPOCHREALTIME/./}
restored_within 3 "watch: a deleted route is back within 3 s"
t "watch: the routed guest reaches the outside host" g 3 ping -c1 -W2 192.0.2.1
if [ "$H_FW" = iptables ]; then
	# iptables-legacy sends no events: the periodic check (every second)
	# finds it, so within its period plus the repair.
	flush_iptables
	t0=${EPOCHREALTIME/./}
	restored_within 3 "watch: iptables flushed alone (no event) is restored within 3 s"
	spoofs_dropped "watch, after iptables -F alone"
fi
t "watch is still running after its repairs" kill -0 "$WATCH_PID"
# A network script being stopped is not brought back: its stop removes
# its rules before its state file, but holds its lock throughout, and the
# restore's start waits for it and finds it stopped.
h_net "$NZ" stop
teq "network-zones stop while watch runs" 0 "$H_RC"
sleep 1.5
tn "watch did not bring network-zones back" zones_ok
tn "network-zones' state file is gone" test -e "$XEN_NETSCRIPTS_RUNDIR/network-zones.state"
h_bg_kill "$WATCH_PID"

# --- misuse -----------------------------------------------------------------------------------
xns frobnicate
teq "an unknown command: exit 2" 2 "$XRC"
tmatch "an unknown command is named" frobnicate "$XE"
d0 "${H_ENV_BASE[@]}" XENSTORED_PATH="$H_DIR/no-such-socket" "$XNS" check </dev/null \
	>"$H_DIR/xns.out" 2>"$H_DIR/xns.err"
teq "check when xenstore cannot be read: exit 2" 2 "$?"
t "check when xenstore cannot be read: a message" test -s "$H_DIR/xns.err"
cat "$H_DIR/xns.out" "$H_DIR/xns.err" >>"$H_DIR/run.out"
