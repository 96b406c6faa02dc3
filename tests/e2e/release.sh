#!/bin/bash
# After an nft batch, a run leaves its nfnetlink socket to a holder that
# releases it later (release.h, fw_nft_close()): the toolstack never waits
# for nf_tables' grace period; so does vif-route with the packet socket of
# its announcement (announce_close()).  What that must look like from
# outside: one holder for a group of runs, none left a moment later,
# nothing of the runs' own held by it, and no socket ever handed to a
# holder that is not root's.
# no firewall backend setting: the runs here give firewall=nft themselves.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif

holders() { ip netns pids "$H_D0" | xargs -r ps -o comm= -p 2>/dev/null | grep -c vif-bridge; }

for i in 1 2 3 4 5; do
	h_run "$VB" online 1 0 firewall=nft
	h_run "$VB" offline 1 0 firewall=nft
done
teq "5 cycles, one after the other: they exit 0" 0 "$H_RC"
n=$(holders)
t "... and leave one or two holders, not one per run ($n)" test "$n" -ge 1 -a "$n" -le 2
pid=$(ip netns pids "$H_D0" | head -1)
tmatch "... which holds no descriptor of the run's but nfnetlink and unix sockets" '^$' \
	"$(ls -l /proc/"$pid"/fd 2>/dev/null | awk 'NR > 1 {print $NF}' | grep -v '^socket:')"
h_until 2 bash -c "[ -z \"\$(ip netns pids '$H_D0')\" ]"
teq "... gone within 2 s" "" "$(ip netns pids "$H_D0")"

# vif-route's gratuitous ARP goes out by a packet socket, whose release
# waits for a grace period too (packet_release()): without a firewall
# batch, that socket alone makes the run fork a holder.
h_outside
h_guest 2 0 ip=192.0.2.12
g 2 ip link set eth0 up
h_run "$(bin vif-route)" online 2 0 netdev=uplink firewall=none
teq "vif-route online (no firewall) exits 0" 0 "$H_RC"
pk=$(d0 awk 'NR > 1 {print $NF}' /proc/net/packet)
t "... its packet socket is still open after the run ($pk)" test -n "$pk"
pid=$(ip netns pids "$H_D0" | head -1)
tmatch "... held by the holder it forked" "socket:\[$pk\]" "$(ls -l /proc/"$pid"/fd 2>/dev/null)"
h_until 2 bash -c "[ -z \"\$(ip netns pids '$H_D0')\" ]"
teq "... released within 2 s" "" "$(d0 awk 'NR > 1' /proc/net/packet)"
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
