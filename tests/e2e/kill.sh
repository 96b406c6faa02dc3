#!/bin/bash
# Kills.  libxl gives a script 40 seconds, then SIGKILLs it, no cleanup
# running, and runs offline; online must work again afterwards.  Each of
# vif-bridge, vif-route and vif-nat (a renamed device, with the backend in
# $H_FW) is killed on entering each system call of its online and of its
# offline in turn (strace); after every kill, offline must succeed and leave
# exactly what a clean offline leaves (no rule or chain of the vif, route,
# address, proxy entry, DHCP lease or bridge port), and online must then
# succeed, write hotplug-status=connected, leave exactly what a clean online
# leaves and carry the guest's traffic.
#
# The plain build is killed at every system call (some 1400 kill points per
# backend, about 3 minutes); the sanitized build, whose start alone makes
# some 300 more system calls, at every $stride-th (a tenth) and at those
# around the rename, to keep the whole test suite within minutes.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
VB=$(bin vif-bridge)
VR=$(bin vif-route)
VN=$(bin vif-nat)
BE=/local/domain/0/backend/vif
case $H_BIN in */asan) stride=${H_KILL_STRIDE:-10} ;; *) stride=${H_KILL_STRIDE:-1} ;; esac
# A run hands its nfnetlink socket (vif-route: its packet socket too) to the
# holder of dom0's namespace, or forks one when there is none (release.h):
# system calls that differ with the timing.  Here one is always there,
# root's, taking and keeping them (then dropping them a hundred at a time),
# so that a run's system calls are the same from one run to the next.
h_bg d0 "$H_DIR/holder.out" /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0xen-netscripts-holder"); s.listen(64)
print("listening", flush=True)
held = []
while True:
    c, _ = s.accept()
    try:
        msg, anc, flags, _ = c.recvmsg(1, socket.CMSG_SPACE(4))
        held += [socket.socket(fileno=int.from_bytes(d[:4], "little")) for l, t, d in anc]
    except OSError:
        pass
    c.close()
    if len(held) >= 100:
        for h in held: h.close()
        held = []
'
h_until 5 grep -q listening "$H_DIR/holder.out"
dns=$H_DIR/dnsmasq
mkdir -p "$dns/hosts" "$dns/opts"
printf 'dhcp_hostsdir=%s\ndhcp_optsdir=%s\ndhcpd_conf=%s\n' "$dns/hosts" "$dns/opts" \
	"$H_DIR/dhcpd.conf" >>"$XEN_NETSCRIPTS_CONF"

# kill_run SCRIPT CMD DOMID SYSCALL N: h_run, the script SIGKILLed on
# entering its Nth SYSCALL (strace counts each system call apart); H_RC is
# 137 when it was killed.  H_ENV's words go to env(1), which runs strace.
# (LeakSanitizer cannot work under strace: off here, valgrind.sh and the
# other runs check for leaks.)
kill_run() {
	{ H_ENV="ASAN_OPTIONS=detect_leaks=0 strace -qq -o /dev/null -e trace=$4 \
		-e inject=$4:signal=KILL:when=$5" h_run "$1" "$2" "$3"; } 2>/dev/null
}

# syscalls SCRIPT CMD DOMID: run it under strace; print its system calls in
# order, each as "NAME N" (the Nth call of NAME), but the first: the execve
# that starts it, where strace cannot stop it yet.
syscalls() {
	H_ENV="ASAN_OPTIONS=detect_leaks=0 strace -qq -o $H_DIR/trace -e trace=all" \
		h_run "$1" "$2" "$3"
	[ "$H_RC" = 0 ] || echo "# $1 $2 under strace failed: $H_RC" >&2
	awk -F'(' '/^[a-z0-9_]+\(/ { c = ++n[$1]; if (NR > 1) print $1, c }' "$H_DIR/trace"
}

# What the scripts change in dom0, normalised: links (without their
# operational state and carrier, which the kernel updates later), addresses
# and routes (without the IPv6 link-local ones that follow a link's state),
# proxy NDP, proxy ARP and forwarding, the firewall (without counters), and
# the DHCP leases and any temporary file of theirs a kill left (the next
# write or removal takes it away).  Few processes: this runs twice per kill
# point.
snap() {
	local out
	# ip's dump fails now and then ("Peer netns reference is invalid") while
	# namespaces come and go on the host: read again.
	for _ in 1 2 3; do
		out=$(snap_once)
		[[ $out =~ (Error:|Command failed) ]] || break
	done
	echo "$out"
}
snap_once() {
	d0 sh -c 'printf "link show\naddr show\nroute show table all\n" | ip -o -4 -batch -
		printf "addr show\nroute show table all\nneigh show proxy\n" | ip -o -6 -batch -
		if [ "$1" = nft ]; then nft list ruleset
		else iptables-legacy-save; ip6tables-legacy-save; fi
		grep -H . /proc/sys/net/ipv4/conf/*/proxy_arp /proc/sys/net/ipv6/conf/*/proxy_ndp \
			/proc/sys/net/ipv6/conf/all/forwarding "$0"/hosts/* "$0"/opts/*
		find "$0" -name ".*.tmp" -printf "leftover %p\n"' "$dns" "$H_FW" 2>&1 |
		sed -E '/(^| )fe80::|(^| )ff00::/d
			s/ state [A-Z]+ / /; s/NO-CARRIER,//; s/ +valid_lft.*//
			s/counter packets [0-9]+ bytes [0-9]+/counter/; s/ \[[0-9]+:[0-9]+\]//; /^#/d'
}

# differ WHAT EXPECTED ACTUAL: print the difference, at most 12 lines.
differ() {
	echo "#   $1:"
	diff <(echo "$2") <(echo "$3") | grep '^[<>]' | head -12 | sed 's/^/#     /'
}

h_outside
h_bridge xenbr0

# --- a kill between the rename and the kernel's name put back as altname ---
# Guest 7's online shows where: the request that adds the altname.
h_guest 7 0 vifname=web7 ip=10.0.0.7
H_ENV="strace -qq -o $H_DIR/trace7 -e trace=sendmsg" h_run "$VB" online 7
altname_at=$(awk '/^sendmsg/ { n++ } /RTM_NEWLINKPROP/ { print n; exit }' "$H_DIR/trace7")
t "guest 7's online adds an altname" test -n "$altname_at"
tmatch "web7 is marked as vif7.0's" "alias xen vif7.0" "$(d0 ip link show web7)"
h_guest 8 0 vifname=web8 ip=10.0.0.8
g 8 ip addr add 10.0.0.8/24 dev eth0
g 7 ip addr add 10.0.0.7/24 dev eth0
kill_run "$VB" online 8 sendmsg "${altname_at:-1}"
teq "killed before the altname: killed" 137 "$H_RC"
t "killed before the altname: the device is web8" link_exists web8
tn "killed before the altname: vif8.0 is gone" link_exists vif8.0
h_run "$VB" offline 8
teq "killed before the altname: offline exits 0" 0 "$H_RC"
tmatch "offline puts the kernel's name back" "altname vif8.0" "$(d0 ip link show web8)"
xsw $BE/8/0/hotplug-status ""
h_run "$VB" online 8
teq "killed before the altname: online again exits 0" 0 "$H_RC"
teq "online again: connected" connected "$(xs $BE/8/0/hotplug-status)"
teq "online again: web8 is on the bridge" xenbr0 "$(link_master web8)"
t "online again: guest 8 talks" g 8 ping -c1 -W2 10.0.0.7
d0 ip link set web8 nomaster
d0 ip link property del dev web8 altname vif8.0
h_run "$VB" online 8
teq "online puts the kernel's name back too" "0 xenbr0" "$H_RC $(link_master web8)"
tmatch "online: web8 has vif8.0 back" "altname vif8.0" "$(d0 ip link show web8)"

# A device by that name is taken for this guest's only when it is: guest
# 10's vifname is web7 (guest 7's, marked as vif7.0's), its own device gone.
h_guest 10 0 vifname=web7
d0 ip link del vif10.0
before=$(snap)
h_run "$VB" offline 10
teq "another guest's device: offline exits 0" 0 "$H_RC"
h_run "$VB" online 10
teq "another guest's device: online fails" 1 "$H_RC"
tmatch "another guest's device: hotplug-error says the device is missing" \
	"device vif10.0 does not exist" "$(xs $BE/10/0/hotplug-error)"
teq "another guest's device: web7 untouched" "$before" "$(snap)"
t "another guest's device: guest 7 still talks" g 7 ping -c1 -W2 10.0.0.8
h_guest 11 0 vifname=web7
h_run "$VB" online 11
teq "another guest's device, own device present: online fails" 1 "$H_RC"
tmatch "another guest's device, own device present: hotplug-error says why" \
	"already exists" "$(xs $BE/11/0/hotplug-error)"
teq "another guest's device, own device present: web7 untouched" "$before" \
	"$(snap | grep -v vif11.0)"

# --- every kill point of online and offline, for each script ---------------
# Guest 2 is guest 1's peer on the bridge; guests 1, 3 and 5 stay online while
# another's script is killed.
h_guest 2 0 ip=10.0.0.2
g 2 ip addr add 10.0.0.2/24 dev eth0
h_run "$VB" online 2
h_guest 1 0 ip=10.0.0.1 vifname=web1
g 1 ip addr add 10.0.0.1/24 dev eth0
h_guest 3 0 "ip=192.0.2.13 2001:db8:1::13" vifname=rt3 script="$VR"
g 3 ip addr add 192.0.2.13/24 dev eth0
h_guest 5 0 vifname=nat5 script="$VN"
g 5 ip addr add 10.0.5.1/24 dev eth0
total=0 t_all=$SECONDS

# fresh DOMID VIFNAME: the device as netback makes it, vifDOMID.0 without
# alternative name or alias (offline leaves the rename in place).
fresh() {
	d0 sh -c "ip link property del dev $2 altname vif$1.0; ip link set dev $2 alias ''
		ip link set dev $2 name vif$1.0" 2>/dev/null
}

# sweep SCRIPT DOMID VIFNAME CMD PING...: kill CMD at each of its system
# calls (every $stride-th), each time followed by offline and online; PING...
# is the guest's traffic that must then work.  Online starts from the device
# as netback makes it, so that it is renamed, offline from the online state.
# After a kill of online before the rename (the device is not called
# VIFNAME), offline leaves the device as it was; after one past it, as a
# clean offline leaves it.
sweep() {
	local script=$1 d=$2 vifname=$3 cmd=$4 name
	shift 4
	name=$(basename "$script")
	local off fresh_off on want points sys nth renamed=0 k=0 n=0 killed=0 offline=0
	local residue=0 online=0 wrong=0 traffic=0 t0=$SECONDS now shown=0
	xsw $BE/$d/0/hotplug-status ""
	h_run "$script" online "$d"
	h_run "$script" offline "$d"
	snap >/dev/null
	off=$(snap)
	fresh "$d" "$vifname"
	fresh_off=$(snap)
	h_run "$script" online "$d"
	on=$(snap)
	if [ "$on" != "$off" ] && [ "$off" != "$fresh_off" ]; then
		ok "$name: the snapshots tell online, offline and a fresh device apart"
	else
		not_ok "$name: the snapshots tell online, offline and a fresh device apart"
	fi
	if [ "$cmd" = online ]; then
		h_run "$script" offline "$d"
		fresh "$d" "$vifname"
		points=$(syscalls "$script" online "$d")
		renamed=$(awk -v name="$vifname" '/^[a-z0-9_]+\(/ { k++ }
			/^sendmsg/ && /RTM_NEWLINK/ && index($0, "IFLA_IFNAME}, \"" name "\"") {
				print k - 1; exit }' "$H_DIR/trace")
		t "$name online: the rename is among its system calls" test -n "$renamed"
		h_run "$script" offline "$d"
		fresh "$d" "$vifname"
	else
		points=$(syscalls "$script" offline "$d")
		h_run "$script" online "$d"
	fi
	while read -r sys nth; do
		k=$((k + 1))
		# With a stride, the points around the rename are kept too.
		(((k - 1) % stride == 0 || (renamed > 0 && k >= renamed && k <= renamed + 3))) ||
			continue
		n=$((n + 1))
		xsw $BE/$d/0/hotplug-status ""
		kill_run "$script" "$cmd" "$d" "$sys" "$nth"
		if [ "$H_RC" = 137 ]; then killed=$((killed + 1))
		else echo "#   not killed at $sys #$nth (point $k): exit status $H_RC"; fi
		# Whether this run got as far as the rename: its own system calls
		# need not be counted as the traced run's were (the sanitizer's
		# mmaps vary), so the device says.
		want=$off
		[ "$cmd" = online ] && ! link_exists "$vifname" && want=$fresh_off
		h_run "$script" offline "$d"
		[ "$H_RC" = 0 ] || offline=$((offline + 1))
		now=$(snap)
		if [ "$now" != "$want" ]; then
			residue=$((residue + 1))
			[ $((shown++)) -lt 3 ] && differ "offline after a kill at $sys #$nth (point $k)" "$want" "$now"
		fi
		xsw $BE/$d/0/hotplug-status ""
		h_run "$script" online "$d"
		[ "$H_RC" = 0 ] && [ "$(xs $BE/$d/0/hotplug-status)" = connected ] ||
			online=$((online + 1))
		now=$(snap)
		if [ "$now" != "$on" ]; then
			wrong=$((wrong + 1))
			[ $((shown++)) -lt 3 ] && differ "online after a kill at $sys #$nth (point $k)" "$on" "$now"
		fi
		"$@" >/dev/null 2>&1 || traffic=$((traffic + 1))
		if [ "$cmd" = online ]; then
			h_run "$script" offline "$d"
			fresh "$d" "$vifname"
		fi
	done <<<"$points"
	total=$((total + n))
	echo "# $name $cmd: $k system calls, $n kill points (every $stride), $killed killed," \
		"$residue with residue, $((SECONDS - t0)) s"
	teq "$name $cmd: killed at each of its $n kill points" "$n" "$killed"
	teq "$name $cmd: offline after each kill exits 0" 0 "$offline"
	teq "$name $cmd: offline after each kill leaves what a clean offline leaves" 0 "$residue"
	teq "$name $cmd: online after that writes connected" 0 "$online"
	teq "$name $cmd: online after that leaves what a clean online leaves" 0 "$wrong"
	teq "$name $cmd: the guest's traffic works after that" 0 "$traffic"
	[ "$cmd" = offline ] && h_run "$script" offline "$d"
	return 0
}

h_run "$VR" online 3
h_run "$VN" online 5
sweep "$VB" 1 web1 online g 1 ping -c1 -W2 10.0.0.2
sweep "$VB" 1 web1 offline g 1 ping -c1 -W2 10.0.0.2
h_run "$VB" online 1
sweep "$VR" 3 rt3 online g 3 ping -c1 -W2 192.0.2.2
sweep "$VR" 3 rt3 offline g 3 ping -c1 -W2 192.0.2.2
h_run "$VR" online 3
sweep "$VN" 5 nat5 online g 5 ping -c1 -W2 10.0.5.128
sweep "$VN" 5 nat5 offline g 5 ping -c1 -W2 10.0.5.128
echo "# $total kill points in $((SECONDS - t_all)) s"
