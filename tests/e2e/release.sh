#!/bin/bash
# After an nft batch, a run leaves its nfnetlink socket to a holder that
# releases it later (fw_nft.c, fw_nft_close()): the toolstack never waits
# for nf_tables' grace period.  What that must look like from outside: one
# holder for a group of runs, none left a moment later, nothing of the
# runs' own held by it, and no socket ever handed to a holder that is not
# root's.
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

# Somebody else (not root) has the holder's name first: a run never hands
# it its socket, and still works.
sq=$H_DIR/squatter.out
h_bg d0 "$sq" setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/python3 -c '
import socket, array, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.bind("\0xen-netscripts-nfnl-holder"); s.listen(8)
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
