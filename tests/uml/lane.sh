#!/bin/bash
# The user-mode Linux lane: boots Debian's user-mode-linux (a Linux 6.1 that
# runs as an ordinary process, no hypervisor needed) with this host's / as
# its root over hostfs, and runs inside it, as its init (tests/uml/init.sh),
# the scenarios that need what the host's kernel may lack: bridge VLAN
# filtering with traffic, and kernel modules that start unloaded (the
# iptables backend loads its own).  Its kernel has no nftables ip, ip6 or
# inet family, so the routed and NAT scenarios stay on the host.
#
#   tests/uml/lane.sh [SCENARIO...]   (default: init.sh's list; given
#                                      scenarios run with $H_FW, nft)
#
# The scenarios' assertions join $H_RESULTS (tests/run.sh's summary).  A
# lane that cannot boot, or ends without saying how, is one failure that
# says why: never a silent skip.  Everything of the run lives in a private
# directory, removed, and the kernel killed by its PID, on every exit path.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
uml=${XNS_UML:-/usr/bin/linux.uml}
mods=/usr/lib/uml/modules
limit=${XNS_UML_TIMEOUT:-1800} # seconds, the whole lane
pid= dog= dir=

lane_fail() {
	echo "FAIL - user-mode Linux lane: $*"
	[ -n "${H_RESULTS:-}" ] && echo "0 1" >>"$H_RESULTS"
	exit 1
}
cleanup() {
	[ -n "$dog" ] && kill "$dog" 2>/dev/null && wait "$dog" 2>/dev/null
	# The kernel's helper processes outlive its main one: its whole
	# process group (its own, from setsid).
	if [ -n "$pid" ]; then
		kill -9 -- -"$pid" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi
	[ -n "$dir" ] && rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || lane_fail "needs root (the kernel's root is the host's /, written as root)"
[ -x "$uml" ] || lane_fail "no $uml (bash scripts/deps installs the package user-mode-linux)"
ver=$("$uml" --version 2>/dev/null)
[ -n "$ver" ] && [ -d "$mods/$ver" ] ||
	lane_fail "no modules for user-mode Linux '$ver' in $mods (package user-mode-linux)"
[ -x "$top/build/vif-bridge" ] && [ -e "$top/build/xsshim.so" ] ||
	lane_fail "nothing built in $top/build (make check-build)"

dir=$(mktemp -d /tmp/xns-uml-XXXXXX) || lane_fail "mktemp failed"
# The kernel's own module loading runs /proc/sys/kernel/modprobe (init.sh
# writes this wrapper there): modprobe -d finds lib/modules/VERSION under
# the directory it is given.
mkdir -p "$dir/mods/lib/modules"
ln -s "$mods/$ver" "$dir/mods/lib/modules/$ver"
printf '#!/bin/sh\nexec /sbin/modprobe -d %s "$@"\n' "$dir/mods" >"$dir/modprobe"
chmod 755 "$dir/modprobe"
printf '%s\n' "$@" >"$dir/scenarios"
: >"$dir/results"

start=$EPOCHREALTIME
# Unknown NAME=VALUE parameters reach init as its environment.  The console
# (init's output, the tests') is this script's output; loglevel=1 keeps the
# kernel's own messages out of it.
setsid "$uml" mem=1G rootfstype=hostfs rootflags=/ rw "init=$top/tests/uml/init.sh" \
	con=null con0=fd:0,fd:1 loglevel=1 "XNS_UML_DIR=$dir" "XNS_TOP=$top" "XNS_FW=${H_FW:-nft}" \
	</dev/null 2>&1 &
pid=$!
# The watchdog's sleep goes with it (it holds our output open).
(
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "$limit" &
	s=$!
	wait "$s" && kill -9 -- -"$pid" "$pid"
) 2>/dev/null &
dog=$!
wait "$pid"
kstatus=$?
pid=
kill "$dog" 2>/dev/null && wait "$dog" 2>/dev/null
dog=
secs=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN {printf "%d", b - a}')

read -r pass fail < <(awk '{p += $1; f += $2} END {print p + 0, f + 0}' "$dir/results")
[ -n "${H_RESULTS:-}" ] && cat "$dir/results" >>"$H_RESULTS"
echo "# user-mode Linux lane: $pass passed, $fail failed in $secs s"
[ -s "$dir/status" ] || {
	[ "$secs" -ge "$limit" ] && lane_fail "did not finish within $limit s (killed)"
	lane_fail "linux.uml exited with status $kstatus before init.sh wrote its status (did it boot? its output is above)"
}
status=$(cat "$dir/status")
case $status in
0) [ "$pass" -gt 0 ] || lane_fail "no assertion ran" ;;
*) lane_fail "init.sh: $status" ;;
esac
[ "$fail" -eq 0 ]
