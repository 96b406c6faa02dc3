#!/bin/bash
# network-zones tells the dnsmasq serving the zones to reread its hosts with
# SIGHUP, the process its pid file names: only when that process is a
# dnsmasq.  A pid file left by a dnsmasq that is gone, its number since
# taken by another process, must not get that process signalled.
# no firewall backend: the zones are nftables only.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
NZ=$(bin network-zones)
pidfile=$XEN_NETSCRIPTS_RUNDIR/network-zones.dnsmasq.pid
mkdir -p "$XEN_NETSCRIPTS_RUNDIR"
echo 'CreateZone NAME=zA NIC=none EXT=none BR=xen-br3 INT=10.10.3.1 MASK=255.255.255.0' >"$H_DIR/zones.conf"
printf '00:16:3e:00:03:05 10.10.3.5\n' >"$H_DIR/ethers"
printf 'ethers=%s\nhosts=/dev/null\n' "$H_DIR/ethers" >>"$XEN_NETSCRIPTS_CONF"

# A process that is not dnsmasq, under the number of a stale pid file: it
# notes a SIGHUP in a file and lives on.  It notes SIGUSR1 in another: sent
# after network-zones has run, that note means a SIGHUP sent before has been
# noted too (bash runs the traps of pending signals in their order, HUP's
# first).
bash -c 'trap "echo hup >>$0" HUP; trap "echo usr1 >>$1" USR1; : >"$1"
	while :; do sleep 0.05; done' "$H_DIR/hup" "$H_DIR/usr1" &
other=$!
h_wait "the stand-in has set its traps" 5 test -e "$H_DIR/usr1"
echo "$other" >"$pidfile"
h_net "$NZ" start config="$H_DIR/zones.conf"
teq "start with a stale pid file exits 0" 0 "$H_RC"
t "the DHCP hosts are written" grep -q 00:16:3e:00:03:05 "$XEN_NETSCRIPTS_RUNDIR/network-zones.dnsmasq.hosts"
kill -USR1 "$other"
h_wait "the stand-in has run the traps of the signals sent to it" 5 grep -q usr1 "$H_DIR/usr1"
t "the process the stale pid file names is alive" kill -0 "$other"
teq "and got no SIGHUP" "" "$(cat "$H_DIR/hup" 2>/dev/null)"
kill "$other"; wait "$other" 2>/dev/null

# A dnsmasq (a process of that name) is told.
# (Its status is noted by a shell of its own, which reports no "Hangup".)
rm -f "$pidfile"
# It dies of SIGHUP even when the tests were started with SIGHUP ignored
# (nohup), which it would inherit: env --default-signal.
cp /bin/sleep "$H_DIR/dnsmasq"
bash -c 'env --default-signal=HUP "$0" 60 & echo $! >"$1"; wait $!; echo $? >"$2"' \
	"$H_DIR/dnsmasq" "$pidfile" "$H_DIR/status" 2>/dev/null &
wrapper=$!
h_wait "the stand-in dnsmasq has written its pid file" 5 test -s "$pidfile"
# ... and runs as dnsmasq: its pid is known before env's exec.
h_wait "the stand-in dnsmasq runs" 5 bash -c '[ "$(cat /proc/"$(cat "$0")"/comm)" = dnsmasq ]' "$pidfile"
h_net "$NZ" start config="$H_DIR/zones.conf"
teq "start again exits 0" 0 "$H_RC"
wait "$wrapper"
teq "the dnsmasq the pid file names got SIGHUP" "$((128 + 1))" "$(cat "$H_DIR/status")"

# No pid file, a pid file naming nothing: nothing to tell, no error.
rm -f "$pidfile"
h_net "$NZ" start config="$H_DIR/zones.conf"
teq "start without a pid file exits 0" 0 "$H_RC"
teq "no pid file: no warning" "" "$(grep -i dnsmasq <<<"$H_OUT")"
echo 999999999 >"$pidfile"
h_net "$NZ" start config="$H_DIR/zones.conf"
teq "start with a pid file naming no process exits 0" 0 "$H_RC"
teq "a pid file naming no process: no warning" "" "$(grep -i dnsmasq <<<"$H_OUT")"
echo 'not a number' >"$pidfile"
h_net "$NZ" start config="$H_DIR/zones.conf"
teq "start with a garbled pid file exits 0" 0 "$H_RC"
tmatch "a garbled pid file is named in a warning" \
	"tell the dnsmasq of .*/network-zones.dnsmasq.pid to reread its hosts: Invalid argument" "$H_OUT"
h_net "$NZ" stop
teq "stop exits 0" 0 "$H_RC"
