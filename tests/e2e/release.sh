#!/bin/bash
# After an nft batch, a run leaves its nfnetlink socket to a holder that
# releases it later (release.h, fw_nft_close()): the toolstack never waits
# for nf_tables' grace period; so does vif-route with the packet socket of
# its announcement (announce_close()).  What that must look like from
# outside: one holder for a group of runs, none left a moment later,
# nothing of the runs' own held by it, and no socket ever handed to a
# holder that is not root's.
# Each run is watched while its exit is held back (strace delays its
# exit_group), so its holder is there to be looked at whatever the speed of
# the build (the holder releases at most 250 ms after its run's exit).
# no firewall backend setting: the runs here give firewall=nft themselves.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif

# Processes in dom0, as "PID PPID COMM".
procs() { ip netns pids "$H_D0" | xargs -r ps -o pid=,ppid=,comm= -p 2>/dev/null; }
none_left() { [ -z "$(ip netns pids "$H_D0")" ]; }

# held SCRIPT CMD DOMID ARGS...: h_run in the background, its exit held
# back (strace delays its exit_group for 30 s at most) until let_go; then
# RUN is its PID and HOLDER its holder's (the children it has then).
held() {
	local trace=$H_DIR/held.trace
	rm -f "$trace"
	(H_ENV="ASAN_OPTIONS=detect_leaks=0 strace -qq -o $trace -e trace=exit_group \
		-e inject=exit_group:delay_enter=30000000" h_run "$@") &
	HELD_BG=$!
	h_wait "$2 comes to its exit" 20 grep -q '^exit_group(' "$trace"
	HELD_STRACE=$(procs | awk '$3 == "strace" { print $1 }')
	RUN=$(procs | awk -v p="$HELD_STRACE" '$2 == p { print $1 }')
	HOLDER=$(procs | awk -v p="$RUN" '$2 == p { print $1 }' | tr '\n' ' ')
	HOLDER=${HOLDER% }
}
# let_go: the held run exits (strace, killed, lets it go on), and is waited for.
let_go() {
	kill -KILL "$HELD_STRACE" 2>/dev/null
	wait "$HELD_BG"
	h_until 2 bash -c "! kill -0 $RUN"
}

# forking SCRIPT CMD DOMID ARGS...: h_run, traced; FORKS is how many
# processes it forked.
forking() {
	H_ENV="ASAN_OPTIONS=detect_leaks=0 strace -qq -o $H_DIR/forks \
		-e trace=fork,vfork,clone,clone3" h_run "$@"
	FORKS=$(grep -c '^[a-z0-9]*(' "$H_DIR/forks")
}

# fds PID: its descriptors, each as nfnetlink, packet, unix, pipe (by the
# socket tables of dom0) or what it names, sorted, on one line.
fds() {
	local l i
	for l in $(ls -l /proc/"$1"/fd 2>/dev/null | awk 'NR > 1 { print $NF }'); do
		i=${l//[^0-9]/}
		case $l in
		pipe:*) echo pipe ;;
		socket:*)
			if d0 awk -v i="$i" '$10 == i && $2 == 12 { f = 1 } END { exit !f }' /proc/net/netlink; then
				echo nfnetlink
			elif d0 awk -v i="$i" '$9 == i { f = 1 } END { exit !f }' /proc/net/packet; then
				echo packet
			elif d0 awk -v i="$i" '$7 == i { f = 1 } END { exit !f }' /proc/net/unix; then
				echo unix
			else
				echo "$l"
			fi ;;
		*) echo "$l" ;;
		esac
	done | sort | tr '\n' ' '
}

h_run "$VB" online 1 0 firewall=nft
teq "online exits 0" 0 "$H_RC"
h_until 2 none_left
t "... its holder is gone within 2 s" none_left
held "$VB" offline 1 0 firewall=nft
teq "offline, its exit held back: it has forked one holder" 1 "$(wc -w <<<"$HOLDER")"
teq "... which holds its nfnetlink socket, its listener and its run's pipe, nothing else" \
	"nfnetlink pipe unix " "$(fds "$HOLDER")"
forking "$VB" online 1 0 firewall=nft
teq "meanwhile, online exits 0" 0 "$H_RC"
teq "... having forked nothing" 0 "$FORKS"
forking "$VB" offline 1 0 firewall=nft
teq "... and offline" 0 "$H_RC"
teq "... having forked nothing" 0 "$FORKS"
teq "... both handed their nfnetlink sockets to that holder" \
	"nfnetlink nfnetlink nfnetlink pipe unix " "$(fds "$HOLDER")"
t "... which is still there" kill -0 "$HOLDER"
let_go
t "the held offline, let go, has exited" bash -c "! kill -0 $RUN"
teq "... its line is in the log" 2 "$(grep -c 'offline vif1.0 bridge xenbr0: done' "$XEN_HOTPLUG_LOG")"
h_until 2 none_left
t "... its holder is gone within 2 s" none_left

# vif-route's gratuitous ARP goes out by a packet socket, whose release
# waits for a grace period too (packet_release()): without a firewall
# batch, that socket alone makes the run fork a holder.
h_outside
h_guest 2 0 ip=192.0.2.12
g 2 ip link set eth0 up
held "$(bin vif-route)" online 2 0 netdev=uplink firewall=none
teq "vif-route online (no firewall), its exit held back: it has forked one holder" 1 \
	"$(wc -w <<<"$HOLDER")"
teq "... which holds its packet socket, its listener and its run's pipe, nothing else" \
	"packet pipe unix " "$(fds "$HOLDER")"
let_go
t "... let go, it has exited" bash -c "! kill -0 $RUN"
h_until 2 none_left
teq "... its packet socket is released within 2 s" "" "$(d0 awk 'NR > 1' /proc/net/packet)"
t "... connected" test "$(xs $BE/2/0/hotplug-status)" = connected
h_run "$(bin vif-route)" offline 2 0 netdev=uplink firewall=none
teq "... offline exits 0" 0 "$H_RC"

# Somebody else (not root) has the holder's name first: a run never hands
# it its socket, and still works.
sq=$H_DIR/squatter.out
h_bg d0 "$sq" setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c '
import socket, array, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0xen-netscripts-holder"); s.listen(8)
print("listening", flush=True)
s.settimeout(30)
while True:
    c, _ = s.accept()
    c.settimeout(1)
    try:
        msg, anc, flags, _ = c.recvmsg(1, socket.CMSG_SPACE(4))
    except socket.timeout:
        msg, anc = b"", []
    print("got a descriptor" if anc else "got no descriptor", flush=True)
    c.close()
'
h_until 5 grep -q listening "$sq"
h_run "$VB" online 1 0 firewall=nft
teq "with a holder's name taken by nobody: online exits 0" 0 "$H_RC"
teq "... and is connected" connected "$(xs $BE/1/0/hotplug-status)"
h_run "$VB" offline 1 0 firewall=nft
teq "... offline exits 0" 0 "$H_RC"
sleep 0.5
tn "... nobody's listener was given no descriptor" grep -q "got a descriptor" "$sq"
h_bg_kill
echo "# squatter: $(tr "\n" " " <"$sq")"
