#!/bin/bash
# vif-bridge end to end: the built binary run exactly as libxl runs it,
# against a real xenstored, in namespaces, with traffic.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif

h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1
h_guest 2 0 ip=10.0.0.2
g 1 ip addr add 10.0.0.1/24 dev eth0
g 2 ip addr add 10.0.0.2/24 dev eth0

# --- online: the port as the shell script left it, and traffic -------------
d0 ip addr add 192.0.2.99/24 dev vif1.0
h_run "$VB" online 1
teq "online exits 0" 0 "$H_RC"
teq "online writes hotplug-status=connected" connected "$(xs $BE/1/0/hotplug-status)"
teq "vif1.0 is enslaved to xenbr0" xenbr0 "$(link_master vif1.0)"
teq "vif1.0 is up" up "$(link_state vif1.0)"
teq "vif1.0 has MAC fe:ff:ff:ff:ff:ff" fe:ff:ff:ff:ff:ff "$(link_mac vif1.0)"
teq "vif1.0 has no IPv4 address left" "" "$(d0 ip -o -4 addr show dev vif1.0)"
teq "vif1.0 takes the bridge's MTU" 1500 "$(link_mtu vif1.0)"
teq "the frontend's mtu key is written" 1500 "$(xs /local/domain/1/device/vif/0/mtu)"
teq "no hotplug-error after success" "" "$(xs $BE/1/0/hotplug-error)"
h_run "$VB" online 2
teq "second guest online" connected "$(xs $BE/2/0/hotplug-status)"
t "guest 1 pings guest 2 across the bridge" g 1 ping -c1 -W2 10.0.0.2

# --- idempotency --------------------------------------------------------
h_run "$VB" online 1
teq "online twice exits 0" 0 "$H_RC"
teq "online twice: still enslaved once" xenbr0 "$(link_master vif1.0)"
teq "online twice: connected" connected "$(xs $BE/1/0/hotplug-status)"
t "online twice: guests still talk" g 1 ping -c1 -W2 10.0.0.2
h_run "$VB" offline 1
teq "offline exits 0" 0 "$H_RC"
teq "offline releases vif1.0" "" "$(link_master vif1.0)"
teq "offline takes vif1.0 down" down "$(link_state vif1.0)"
tn "offline guest 1 is unreachable" g 2 ping -c1 -W1 10.0.0.1
teq "offline leaves the other guest attached" xenbr0 "$(link_master vif2.0)"
h_run "$VB" offline 1
teq "offline twice exits 0" 0 "$H_RC"
h_guest 3 0
h_run "$VB" offline 3
teq "offline without online exits 0" 0 "$H_RC"
h_run "$VB" online 3
d0 ip link del vif3.0
h_run "$VB" offline 3
teq "offline after the device is gone exits 0" 0 "$H_RC"
h_run "$VB" online 1
t "online again after offline: guests talk" g 1 ping -c1 -W2 10.0.0.2

# --- many guests at once (the shell scripts hit the 40 s timeout) ---------
h_bridge brp
for d in $(seq 100 129); do h_guest $d 0 bridge=brp; done
pids=(); for d in $(seq 100 129); do h_run "$VB" online $d & pids+=($!); done; wait "${pids[@]}"
n=0; for d in $(seq 100 129); do [ "$(xs $BE/$d/0/hotplug-status)" = connected ] && [ "$(link_master vif$d.0)" = brp ] && n=$((n + 1)); done
teq "30 parallel onlines: all connected and enslaved" 30 "$n"
pids=(); for d in $(seq 100 129); do h_run "$VB" offline $d & pids+=($!); done; wait "${pids[@]}"
teq "30 parallel offlines: no port left on the bridge" "" "$(d0 ip -o link show master brp)"

# --- MTU ------------------------------------------------------------------
h_bridge xenbr9 9000
h_guest 4 0 bridge=xenbr9
h_run "$VB" online 4
teq "vif takes a jumbo bridge's MTU" 9000 "$(link_mtu vif4.0)"
teq "frontend mtu follows the bridge" 9000 "$(xs /local/domain/4/device/vif/0/mtu)"
h_guest 5 0 bridge=xenbr9 mtu=1400
h_run "$VB" online 5
teq "xenstore mtu wins over the bridge's" 1400 "$(link_mtu vif5.0)"
teq "frontend mtu is the xenstore mtu" 1400 "$(xs /local/domain/5/device/vif/0/mtu)"

# A vif as netback makes it (down, MAC fe:ff:ff:ff:ff:ff, MTU 1500, the
# bridge's): the online changes nothing that is already so, and the kernel
# reports no change of it: the first event of the vif is its enslave.  (A
# change to another link, mark7, marks where the online starts: made until
# the monitor shows one.)
h_guest 7 0
d0 ip link set vif7.0 address fe:ff:ff:ff:ff:ff
d0 ip link add mark7 type veth peer name mark7p
h_bg d0 "$H_DIR/mon7.out" ip -o monitor link
mon=$H_BG_PID
h_wait "ip monitor is listening" 5 bash -c "ip netns exec $H_D0 ip link set mark7 mtu \$((1400 + RANDOM % 100)) &&
	grep -q ' mark7' '$H_DIR/mon7.out'"
h_run "$VB" online 7
teq "netback-like vif: online exits 0" 0 "$H_RC"
h_wait "... its link events are seen" 5 grep -q "vif7.0.*state UP" "$H_DIR/mon7.out"
h_bg_kill "$mon"
tmatch "... and the first is its enslave, no MAC, MTU or down before it" "master xenbr0" \
	"$(sed -n '/ mark7/,$p' "$H_DIR/mon7.out" | grep -m1 ' vif7\.0')"
teq "... its MAC stays fe:ff:ff:ff:ff:ff" fe:ff:ff:ff:ff:ff "$(link_mac vif7.0)"
h_run "$VB" offline 7
d0 ip link del mark7
# Neither online nor offline asks for a whole link (RTM_GETLINK): the
# kernel would first run the link's pending carrier events there and then
# (link.c).
for c in online offline; do
	H_ENV="ASAN_OPTIONS=detect_leaks=0 strace -qq -o $H_DIR/getlink-$c -e trace=sendmsg,sendto" \
		h_run "$VB" $c 7
	teq "$c under strace exits 0" 0 "$H_RC"
	t "... it sends netlink requests" grep -q RTM_NEWLINK "$H_DIR/getlink-$c"
	tn "... but no RTM_GETLINK" grep -q RTM_GETLINK "$H_DIR/getlink-$c"
done

# --- bridge choice --------------------------------------------------------
h_guest 6 0 bridge=
h_run "$VB" online 6
teq "no bridge key: the first bridge" xenbr0 "$(link_master vif6.0)"
h_run "$VB" offline 6
h_run "$VB" online 6 0 bridge=xenbr9
teq "bridge= argument when xenstore has none" xenbr9 "$(link_master vif6.0)"
h_run "$VB" offline 6
xsw $BE/6/0/bridge xenbr0
h_run "$VB" online 6 0 bridge=xenbr9
teq "xenstore bridge key wins over the argument" xenbr0 "$(link_master vif6.0)"
h_run "$VB" offline 6
xenstore-rm $BE/6/0/bridge
H_ENV="bridge=xenbr9" h_run "$VB" online 6
teq "bridge from the environment" xenbr9 "$(link_master vif6.0)"
h_run "$VB" offline 6
h_bridge eth7
xsw $BE/6/0/bridge xenbr7
h_run "$VB" online 6
teq "old name xenbr7 becomes bridge eth7" eth7 "$(link_master vif6.0)"
h_run "$VB" offline 6
# A bridge named by an alternative name: what online recorded names it by
# its name, as the kernel names a port's master (what the guard compares
# it with).
d0 ip link property add dev xenbr9 altname lan9
xsw $BE/6/0/bridge lan9
h_run "$VB" online 6
teq "bridge by its altname lan9: attached to xenbr9" xenbr9 "$(link_master vif6.0)"
teq "... the record names xenbr9" "bridge xenbr9" "$(grep '^bridge ' "$XEN_NETSCRIPTS_RUNDIR/vif/vif6.0")"
h_run "$VB" offline 6
tmatch "... offline's log line names xenbr9" "offline vif6.0 bridge xenbr9: done" "$(tail -1 "$XEN_HOTPLUG_LOG")"

# --- rename ---------------------------------------------------------------
h_guest 8 0 vifname=web8
h_run "$VB" online 8
teq "vifname: online exits 0" 0 "$H_RC"
t "vifname: the device is now web8" link_exists web8
teq "vifname: web8 is enslaved" xenbr0 "$(link_master web8)"
tmatch "vifname: the kernel's name stays as altname" "altname vif8.0" "$(d0 ip link show web8)"
tmatch "vifname: the alias marks it as vif8.0's" "alias xen vif8.0" "$(d0 ip link show web8)"
h_run "$VB" online 8
teq "vifname: online twice exits 0" 0 "$H_RC"
h_run "$VB" offline 8
teq "vifname: offline exits 0" 0 "$H_RC"
teq "vifname: offline releases web8" "" "$(link_master web8)"

# A vifname already taken by another guest's device: refuse, touch nothing.
h_guest 9 0 vifname=vif2.0
h_run "$VB" online 9
teq "duplicate vifname: online fails" 1 "$H_RC"
teq "duplicate vifname: hotplug-status=error" error "$(xs $BE/9/0/hotplug-status)"
tmatch "duplicate vifname: hotplug-error says why" "already exists" "$(xs $BE/9/0/hotplug-error)"
teq "duplicate vifname: the other guest stays attached" xenbr0 "$(link_master vif2.0)"
teq "duplicate vifname: the other guest stays up" up "$(link_state vif2.0)"
t "duplicate vifname: vif9.0 keeps its name" link_exists vif9.0
h_run "$VB" offline 9
teq "duplicate vifname: offline exits 0" 0 "$H_RC"
teq "duplicate vifname: offline leaves the other guest attached" xenbr0 "$(link_master vif2.0)"
teq "duplicate vifname: offline leaves the other guest up" up "$(link_state vif2.0)"
t "duplicate vifname: the other guest still talks" g 1 ping -c1 -W2 10.0.0.2

# --- VLANs: tests/e2e/vlan.sh ---------------------------------------------

# --- hooks ----------------------------------------------------------------
mkdir -p "$XEN_SCRIPT_DIR/vif-post.d"
cat >"$XEN_SCRIPT_DIR/vif-post.d/00-env.hook" <<'HOOK'
echo "$command|$dev|$vif|$type_if|$XENBUS_PATH|$ip|$bridge" >>"$XEN_SCRIPT_DIR/hook.out"
HOOK
chmod +x "$XEN_SCRIPT_DIR/vif-post.d/00-env.hook"
h_run "$VB" online 2
teq "a hook sees its variables" "online|vif2.0|vif2.0|vif|backend/vif/2/0|10.0.0.2|xenbr0" "$(tail -1 "$XEN_SCRIPT_DIR/hook.out")"
h_run "$VB" offline 2
teq "the hook runs on offline too" "offline|vif2.0|vif2.0|vif|backend/vif/2/0|10.0.0.2|xenbr0" "$(tail -1 "$XEN_SCRIPT_DIR/hook.out")"
echo 'exit 7' >"$XEN_SCRIPT_DIR/vif-post.d/10-fail.hook"
chmod +x "$XEN_SCRIPT_DIR/vif-post.d/10-fail.hook"
h_run "$VB" online 2
teq "a failing hook fails online" 1 "$H_RC"
tmatch "a failing hook is named in hotplug-error" "10-fail.hook exited with status 7" "$(xs $BE/2/0/hotplug-error)"
rm -rf "$XEN_SCRIPT_DIR/vif-post.d"
h_run "$VB" online 2
teq "online after the hook is gone" connected "$(xs $BE/2/0/hotplug-status)"

# --- the tap run of an HVM guest --------------------------------------------
h_guest 15 0
d0 ip link add vif15.0-emu type veth peer name tap15p
xsw $BE/15/0/hotplug-status ""
d0 "${H_ENV_BASE[@]}" INTERFACE=vif15.0-emu XENBUS_PATH=backend/vif/15/0 \
	"$VB" add type_if=tap </dev/null
teq "tap add exits 0" 0 $?
teq "tap add enslaves vif15.0-emu" xenbr0 "$(link_master vif15.0-emu)"
teq "tap add writes no hotplug-status" "" "$(xs $BE/15/0/hotplug-status)"
d0 "${H_ENV_BASE[@]}" INTERFACE=vif15.0-emu "$VB" remove type_if=tap </dev/null
teq "tap remove (backend path from the name) exits 0" 0 $?
teq "tap remove releases vif15.0-emu" "" "$(link_master vif15.0-emu)"
# The tap's name is vifname + "-emu": at most 11 characters of vifname.
tap_add() {
	h_guest "$1" 0 "vifname=$2"
	d0 ip link add "vif$1.0-emu" type veth peer name "tap$1p"
	d0 "${H_ENV_BASE[@]}" INTERFACE="vif$1.0-emu" XENBUS_PATH="backend/vif/$1/0" \
		"$VB" add type_if=tap </dev/null >/dev/null 2>&1
}
tap_add 16 tap45678901
teq "tap with an 11-character vifname: add exits 0" 0 $?
teq "tap with an 11-character vifname: renamed with -emu" xenbr0 "$(link_master tap45678901-emu)"
tap_add 17 tap456789012
teq "tap with a 12-character vifname: add exits 1" 1 $?
tmatch "tap with a 12-character vifname: hotplug-error says why" \
	"^invalid vifname 'tap456789012': longer than 11 characters" "$(xs $BE/17/0/hotplug-error)"
teq "tap with a 12-character vifname: the tap is untouched" "" "$(link_master vif17.0-emu)"
h_run "$VB" online 15 0 type_if=tap
teq "online with type_if=tap does nothing" "0 " "$H_RC $(link_master vif15.0)"
h_run "$VB" add 15 0
teq "add with type_if=vif does nothing" "0 " "$H_RC $(link_master vif15.0)"

# --- bad input: a clear error, and nothing changed ----------------------------
# bad_case NAME KEY=VALUE...: a fresh guest with those backend keys; online
# must fail with hotplug-status=error, a one-line hotplug-error, and leave
# the device exactly as it was.
n=20
bad_case() {
	local name=$1; shift
	n=$((n + 1))
	h_guest $n 0 "$@"
	local before after
	before=$(d0 ip -o link show vif$n.0 | sed 's/^[0-9]*: //')
	h_run "$VB" online $n
	after=$(d0 ip -o link show vif$n.0 2>/dev/null | sed 's/^[0-9]*: //')
	teq "$name: online exits 1" 1 "$H_RC"
	teq "$name: hotplug-status=error" error "$(xs $BE/$n/0/hotplug-status)"
	tmatch "$name: hotplug-error is one line" '^[^[:cntrl:]]+$' "$(xs $BE/$n/0/hotplug-error)"
	teq "$name: the device is unchanged" "$before" "$after"
}
bad_case "vifname too long" vifname=abcdefghijklmnop
bad_case "vifname with a slash" vifname=a/b
bad_case "vifname .." vifname=..
bad_case "bridge name with a slash" bridge=br/0
bad_case "bridge name with shell" 'bridge=$(reboot)'
bad_case "bridge that does not exist" bridge=nosuchbr
bad_case "bridge that is not a bridge" bridge=lo
bad_case "mtu not a number" mtu=abc
bad_case "mtu too small" mtu=10
bad_case "mtu too large" mtu=99999
bad_case "vlan 0" vlan=0
bad_case "vlan range backwards" vlan=10-5
bad_case "vlan two PVIDs" vlan=10p/20p
bad_case "mac malformed" mac=00:16:3e:zz:00:01
bad_case "ip malformed" "ip=10.0.0.1 nonsense"
tmatch "a bad value is quoted in hotplug-error" "invalid mtu '99999'" "$(xs $BE/30/0/hotplug-error)"
# Names the kernel takes as a template or refuses, and that tools misread:
# refused before the device is touched, the error saying what is wrong.
n=70
bad_vifname() {
	bad_case "vifname $1" "vifname=$1"
	tmatch "vifname $1: hotplug-error says what is wrong" "$2" "$(xs $BE/$n/0/hotplug-error)"
}
bad_vifname 'vif%d' "^invalid vifname 'vif%d': contains '%'"
tn "vifname vif%d: the kernel made no vif0" link_exists vif0
bad_vifname all "^invalid vifname 'all': .*reserved"
bad_vifname default "^invalid vifname 'default': .*reserved"
bad_vifname -web "^invalid vifname '-web': starts with '-'"
tmatch "vifname too long: hotplug-error says what is wrong" \
	"^invalid vifname 'abcdefghijklmnop': longer than 15 characters" "$(xs $BE/21/0/hotplug-error)"
bad_case "vifname with a newline" $'vifname=web\n1'
tmatch "vifname with a newline: hotplug-error says what is wrong" \
	"^invalid vifname 'web\\\\\\\\n1': a newline at byte 4: a value is one line" "$(xs $BE/$n/0/hotplug-error)"
bad_case "ip with a control character" $'ip=10.0.0.1\n10.0.0.2'
tmatch "ip with a control character: hotplug-error says so" "^invalid ip '10.0.0.1\\\\\\\\n10.0.0.2': a newline at byte 9" \
	"$(xs $BE/$n/0/hotplug-error)"
# The longest value read from xenstore is 1024 bytes: one that long reaches
# the key's own check, one byte more is refused as it is read.
a1024=$(printf 'a%.0s' $(seq 1024))
bad_case "vifname of 1024 bytes" "vifname=$a1024"
tmatch "vifname of 1024 bytes: checked as a name" "^invalid vifname 'aaaaaaaa" "$(xs $BE/$n/0/hotplug-error)"
bad_case "vifname of 1025 bytes" "vifname=${a1024}a"
tmatch "vifname of 1025 bytes: refused as too long for xenstore" \
	"^invalid vifname 'a{64}\\.\\.\\.': 1025 bytes, more than 1024" "$(xs $BE/$n/0/hotplug-error)"

h_guest 40 0
d0 "${H_ENV_BASE[@]}" vif=vif40.0 "$VB" online type_if=vif </dev/null >/dev/null 2>&1
teq "missing XENBUS_PATH: exit status 2" 2 $?
d0 "${H_ENV_BASE[@]}" XENBUS_PATH=backend/vif/40/0 "$VB" online type_if=vif </dev/null >/dev/null 2>&1
teq "missing vif: exit status 1" 1 $?
tmatch "missing vif: hotplug-error" "vif is not set" "$(xs $BE/40/0/hotplug-error)"
h_run "$VB" online 40 0 XENBUS_PATH=backend/vif/40/../../../x
teq "hostile XENBUS_PATH: exit status 2" 2 "$H_RC"
h_run "$VB" frobnicate 40
teq "unknown command: exit status 2" 2 "$H_RC"
h_run "$VB" online 40 0 type_if=bogus
teq "unknown type_if: exit status 2" 2 "$H_RC"
h_run "$VB" online 40 0 'bad-name=1'
teq "malformed argument: exit status 2" 2 "$H_RC"
teq "misuse changed nothing" "" "$(link_master vif40.0)"
tmatch "errors reach the hotplug log" "invalid mtu '99999'" "$(cat "$XEN_HOTPLUG_LOG")"

# --- a host with many addresses: online reads the vif's alone ----------------
# The addresses are flushed from a dump of the vif's (the kernel filters it),
# not of every address of the host: RTM_NEWADDR answers counted under strace.
for i in $(seq 1 60); do echo "link add xd$i type veth peer name xe$i"; echo "addr add 198.18.$i.1/24 dev xd$i"; done |
	d0 ip -batch -
h_guest 41 0 ip=10.0.0.41
d0 ip addr add 192.0.2.41/24 dev vif41.0
d0 ip addr add 2001:db8:41::1/64 dev vif41.0 nodad
# (LeakSanitizer cannot work under strace: off here, as in kill.sh.)
H_ENV="ASAN_OPTIONS=detect_leaks=0 strace -f -qq -v -s 0 -e trace=recvmsg -o $H_DIR/addr.trace" \
	h_run "$VB" online 41
teq "many addresses: online exits 0" 0 "$H_RC"
teq "many addresses: the vif's were flushed" "" "$(d0 ip -o addr show dev vif41.0 scope global)"
teq "many addresses: the other links' are untouched" 60 "$(d0 ip -o -4 addr show | grep -c ' xd[0-9]* ')"
n=$(grep -o 'RTM_NEWADDR' "$H_DIR/addr.trace" | wc -l)
t "many addresses: the dump answered the vif's addresses only ($n, not the host's 60 more)" test "$n" -le 4
