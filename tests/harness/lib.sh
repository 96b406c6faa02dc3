# Test harness: a private xenstored, a throwaway dom0 namespace, guests
# attached the way libxl attaches them, and assertions that count.
#
# Source it, then call h_setup.  Everything it creates (namespaces named
# after this run, the xenstored it started, its run directory) is removed on
# exit, whatever the exit path.

set -u

H_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
: "${H_BIN:=$H_TOP/build}"            # which build of the binaries to test
H_SHIM=$H_TOP/build/xsshim.so
H_XENSTORED=/usr/lib/xen-4.17/bin/xenstored
# xenstored's trace of every request ($H_DIR/xs/trace), for a failing
# test's post-mortem; bench/ runs it as a host does, without (empty).
: "${H_XS_TRACE=1}"
H_UPSTREAM=/etc/xen/scripts
H_PASS=0
H_FAIL=0
H_NS=()
H_XS_PID=
H_BG_PIDS=() # background commands (h_bg), killed at exit
H_BG_LOGS=() # and their output, which joins run.out then

# --- assertions -------------------------------------------------------------

ok() { H_PASS=$((H_PASS + 1)); echo "ok   - $*"; }
not_ok() { H_FAIL=$((H_FAIL + 1)); echo "FAIL - $*"; }

# t NAME CMD...: CMD exits 0.
t() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else not_ok "$name (command failed: $*)"; fi
}

# tn NAME CMD...: CMD exits non-zero.
tn() {
	local name=$1; shift
	if "$@" >/dev/null 2>&1; then not_ok "$name (command succeeded: $*)"; else ok "$name"; fi
}

# teq NAME EXPECTED ACTUAL
teq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (expected '$2', got '$3')"; fi
}

# tmatch NAME REGEX ACTUAL
tmatch() {
	if [[ $3 =~ $2 ]]; then ok "$1"; else not_ok "$1 ('$3' does not match /$2/)"; fi
}

# h_until SECONDS CMD...: retry CMD (its output discarded) every 20 ms
# until it exits 0 (status 0) or SECONDS (whole) have passed (status 1).
h_until() {
	local end=$((${EPOCHREALTIME/./} + $1 * 1000000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ "${EPOCHREALTIME/./}" -lt "$end" ] || return 1
		sleep 0.02
	done
}

# h_wait NAME SECONDS CMD...: wait until CMD exits 0 (h_until); when that
# does not come in time, the assertion NAME fails.
h_wait() {
	local name=$1; shift
	h_until "$@" || { not_ok "$name (not so after $1 s: ${*:2})"; return 1; }
}

h_summary() {
	[ -n "${H_QUIET:-}" ] && return 0
	echo "# $(basename "$0"): $H_PASS passed, $H_FAIL failed"
	[ -n "${H_RESULTS:-}" ] && echo "$H_PASS $H_FAIL" >>"$H_RESULTS"
	return 0
}

# --- set-up and clean-up ----------------------------------------------------

h_cleanup() {
	local ns
	for ns in "${H_NS[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	H_NS=()
	if [ -n "$H_XS_PID" ]; then
		kill "$H_XS_PID" 2>/dev/null
		wait "$H_XS_PID" 2>/dev/null
		H_XS_PID=
	fi
	[ -n "${H_RT:-}" ] && rm -rf "$H_RT"
	[ -n "${H_DIR:-}" ] && rm -rf "$H_DIR"
	H_DIR= H_RT=
}

h_exit() {
	local rc=$? log
	h_bg_kill
	for log in "${H_BG_LOGS[@]}"; do
		[ -n "${H_DIR:-}" ] && cat "$log" >>"$H_DIR/run.out" 2>/dev/null
	done
	H_BG_LOGS=()
	# A sanitizer report anywhere in the binaries' output fails the run.
	if [ -n "${H_DIR:-}" ] && grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		"$H_DIR/run.out" 2>/dev/null; then
		not_ok "sanitizer report in the binaries' output:"
		grep -E -A20 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$H_DIR/run.out" | head -40
	fi
	h_cleanup
	h_summary
	[ "$H_FAIL" -eq 0 ] && [ "$rc" -eq 0 ]
}

# h_setup: run id, run directory, xenstored, dom0 namespace.
h_setup() {
	H_ID=xns$$r$RANDOM
	H_DIR=$(mktemp -d "/tmp/$H_ID.XXXXXX")
	: >"$H_DIR/run.out"
	trap h_exit EXIT
	trap 'exit 130' INT TERM
	export XEN_HOTPLUG_LOG=$H_DIR/hotplug.log
	export XEN_SCRIPT_DIR=$H_DIR/scripts
	# Locks and run state in memory, as in /run on a Debian host (tmpfs):
	# where /run is on a disk (this kind of VM), every run's lock and record
	# files would cost an inode allocation on it.
	H_RT=$H_DIR
	[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] &&
		H_RT=$(mktemp -d "/dev/shm/$H_ID.XXXXXX")
	export XEN_LOCK_DIR=$H_RT/locks
	# The run's own settings file and xtables lock (iptables honours
	# XTABLES_LOCKFILE too): the host's never take part.
	export XEN_NETSCRIPTS_CONF=$H_DIR/netscripts.conf
	export XEN_NETSCRIPTS_RUNDIR=$H_RT/run
	export XTABLES_LOCKFILE=$H_DIR/xtables.lock
	[ -n "${H_FW:-}" ] && echo "firewall=$H_FW" >"$XEN_NETSCRIPTS_CONF"
	mkdir -p "$XEN_SCRIPT_DIR"
	h_xenstored
	# What every binary, script and tool of the run starts with: nothing
	# of this shell's environment but the run's settings (a command prefix).
	H_ENV_BASE=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
		XENSTORED_PATH="$XENSTORED_PATH" XEN_HOTPLUG_LOG="$XEN_HOTPLUG_LOG"
		XEN_SCRIPT_DIR="$XEN_SCRIPT_DIR" XEN_LOCK_DIR="$XEN_LOCK_DIR"
		XEN_NETSCRIPTS_CONF="$XEN_NETSCRIPTS_CONF" XEN_NETSCRIPTS_RUNDIR="$XEN_NETSCRIPTS_RUNDIR"
		XTABLES_LOCKFILE="$XTABLES_LOCKFILE"
		ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}")
	h_netns d0
	H_D0=$H_ID-d0
}

# Start Debian's unmodified C xenstored under the hypervisor shim.
h_xenstored() {
	mkdir -p "$H_DIR/xs"
	# XENSTORED_PATH too: xenstored listens there when it is set (a run
	# started by another inherits that one's).
	XENSTORED_PATH=$H_DIR/xs/socket XENSTORED_RUNDIR=$H_DIR/xs XENSTORED_ROOTDIR=$H_DIR/xs \
		LD_PRELOAD=$H_SHIM "$H_XENSTORED" -N ${H_XS_TRACE:+-T "$H_DIR/xs/trace"} \
		>"$H_DIR/xs/log" 2>&1 &
	H_XS_PID=$!
	export XENSTORED_PATH=$H_DIR/xs/socket
	h_until 5 bash -c '[ -S "$XENSTORED_PATH" ] && xenstore-exists /' && return 0
	echo "xenstored did not start:" >&2
	cat "$H_DIR/xs/log" >&2
	exit 1
}

# h_netns SUFFIX: create namespace $H_ID-SUFFIX, removed at exit.  (Not in
# a subshell: the list of namespaces to remove lives in this shell.)
h_netns() {
	local ns=$H_ID-$1
	ip netns add "$ns" || exit 1
	H_NS+=("$ns")
	ip -n "$ns" link set lo up
}

# h_bg NS LOG CMD...: CMD in the background in namespace $H_ID-NS, stdin
# /dev/null, output appended to LOG; its PID (CMD's own: ip netns exec and
# env exec it) in H_BG_PID.  Killed by that PID at exit, whatever the exit
# path, or before by h_bg_kill; LOG joins run.out at exit (a sanitizer
# report in it fails the run).
h_bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$H_ID-$ns" "$@" </dev/null >>"$log" 2>&1 &
	H_BG_PID=$!
	H_BG_PIDS+=("$H_BG_PID")
	[[ " ${H_BG_LOGS[*]} " == *" $log "* ]] || H_BG_LOGS+=("$log")
}

# h_bg_kill [PID]: stop background command PID (without one: all of them)
# now, and wait for it.
h_bg_kill() {
	local i pid
	for i in "${!H_BG_PIDS[@]}"; do
		pid=${H_BG_PIDS[$i]}
		[ $# -eq 0 ] || [ "$pid" = "$1" ] || continue
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		unset "H_BG_PIDS[$i]"
	done
	return 0
}

# Run in the dom0 namespace / a guest namespace.
d0() { ip netns exec "$H_D0" "$@"; }
g() { local d=$1; shift; ip netns exec "$H_ID-g$d" "$@"; }

xs() { xenstore-read "$@" 2>/dev/null; }
xsw() { xenstore-write "$@"; }

# h_bridge NAME [MTU]: a bridge in dom0, up.
h_bridge() {
	d0 ip link add "$1" type bridge stp_state 0 forward_delay 0
	[ -n "${2:-}" ] && d0 ip link set "$1" mtu "$2"
	d0 ip link set "$1" up
}

# h_guest DOMID [DEVID] [KEY=VALUE...]: what netback and libxl would have
# done before running the script: the device vifD.N in dom0 (a veth whose
# other end is eth0 in the guest's namespace) and the backend and frontend
# directories in xenstore.  Extra KEY=VALUE pairs become backend keys.
h_guest() {
	local d=$1 n=${2:-0} ns mac be fe kv
	shift 2 2>/dev/null || shift $#
	ns=$H_ID-g$d
	[ -e "/run/netns/$ns" ] || h_netns "g$d"
	mac=$(printf '00:16:3e:%02x:%02x:%02x' $((d / 256 % 256)) $((d % 256)) "$n")
	d0 ip link add "vif$d.$n" type veth peer name "eth$n" netns "$ns"
	ip -n "$ns" link set "eth$n" address "$mac" up
	be=/local/domain/0/backend/vif/$d/$n
	fe=/local/domain/$d/device/vif/$n
	xsw "$be/frontend" "$fe" "$be/frontend-id" "$d" "$be/online" 1 \
		"$be/state" 1 "$be/script" "$H_BIN/vif-bridge" "$be/mac" "$mac" \
		"$be/handle" "$n" "$be/type" vif "$be/bridge" xenbr0 \
		"$be/hotplug-status" ""
	xsw "$fe/backend" "$be" "$fe/backend-id" 0 "$fe/handle" "$n" \
		"$fe/mac" "$mac" "$fe/state" 1
	for kv in "$@"; do
		if [ -z "${kv#*=}" ]; then xenstore-rm "$be/${kv%%=*}"
		else xsw -- "$be/${kv%%=*}" "${kv#*=}"; fi
	done
}

# The upstream shell scripts change behaviour with what is installed: with
# bridge-utils' brctl, vif-bridge finds "the first bridge" with `brctl
# show`, without it with `bridge link` (and they prepend /usr/bin and
# /usr/sbin to PATH, so nothing in PATH can hide it).  scripts/deps does not
# install bridge-utils, nor does xen-utils-common depend on it, so the
# upstream scripts always run as on such a host: `ip netns exec` gives the
# run a mount namespace of its own, where /dev/null
# covers brctl when this machine has it (/dev/null: which(1) finds no
# executable brctl).
# (A command prefix: sh, not a function, since it runs under ip netns exec.)
H_UPSTREAM_PIN=(sh -c 'for b in /usr/sbin/brctl /sbin/brctl; do
	[ -e "$b" ] && [ ! -L "$b" ] && mount --bind /dev/null "$b"; done; exec "$@"' sh)

# h_run SCRIPT CMD DOMID [DEVID] [ARGS...]: run a script exactly as libxl
# does: execve(SCRIPT, [SCRIPT, CMD, type_if=vif]) with libxl's environment,
# in the dom0 namespace, stdin on /dev/null.  Sets H_RC.
h_run() {
	local script=$1 cmd=$2 d=$3 n=${4:-0} pin=()
	shift 4 2>/dev/null || shift $#
	case $script in "$H_UPSTREAM"/*) pin=("${H_UPSTREAM_PIN[@]}") ;; esac
	d0 "${pin[@]}" "${H_ENV_BASE[@]}" \
		script="$script" XENBUS_TYPE=vif XENBUS_PATH="backend/vif/$d/$n" \
		XENBUS_BASE_PATH=backend netdev="" vif="vif$d.$n" ${H_ENV:-} \
		"$script" "$cmd" type_if=vif "$@" </dev/null >>"$H_DIR/run.out" 2>&1
	H_RC=$?
	return 0
}

# h_net BINARY ARGS...: a network script (or a tool) run by hand in dom0,
# with only the run's environment; sets H_RC (also its status) and H_OUT.
h_net() {
	H_OUT=$(d0 "${H_ENV_BASE[@]}" "$@" 2>&1 </dev/null)
	H_RC=$?
	echo "$H_OUT" >>"$H_DIR/run.out"
	return "$H_RC"
}

# h_refused NAME STATUS MESSAGE-REGEX SNAPSHOT BINARY ARGS...: h_net BINARY
# ARGS... exits with STATUS and a message matching MESSAGE-REGEX, and what
# the function SNAPSHOT prints (what a refusal must not change) is the same
# after as before.
h_refused() {
	local name=$1 want=$2 msg=$3 snap=$4 before
	shift 4
	before=$($snap)
	h_net "$@"
	teq "$name: exit $want" "$want" "$H_RC"
	tmatch "$name: the message" "$msg" "$H_OUT"
	teq "$name: nothing changed" "$before" "$($snap)"
}

# h_first_pass PID [LOG]: wait (10 s at most) until xen-netscripts watch
# PID has logged its first pass to LOG ($XEN_HOTPLUG_LOG by default).
h_first_pass() {
	h_wait "watch $1 has made its first pass" 10 \
		grep -q "xen-netscripts\[$1\]: first pass" "${2:-$XEN_HOTPLUG_LOG}"
}

# h_listens NAMESPACE tcp|udp PORT: a socket in NAMESPACE listens on PORT
# (a condition for h_wait).
h_listens() { ip netns exec "$1" ss -Hln --"$2" "sport = :$3" | grep -q .; }

# bin NAME: the path of our build of binary NAME
bin() { echo "$H_BIN/$1"; }

# Link facts, read in dom0.
link_master() { d0 ip -o link show "$1" 2>/dev/null | grep -o 'master [^ ]*' | cut -d' ' -f2; }
link_mtu() { d0 ip -o link show "$1" 2>/dev/null | grep -o 'mtu [0-9]*' | cut -d' ' -f2; }
link_mac() { d0ip -o link show "$1" | awk '{for(i=1;i<NF;i++) if($i=="link/ether") print $(i+1)}'; }
link_state() { d0 ip -o link show "$1" 2>/dev/null | grep -q '<[^>]*\bUP\b' && echo up || echo down; }
link_exists() { d0 ip link show "$1" >/dev/null 2>&1; }
# link_ll DEV: its IPv6 link-local address; fails while it has none (the
# kernel adds it once the carrier's event has run, after online: wait for
# it with h_until).
link_ll() { d0 ip -6 -o addr show dev "$1" scope link | awk '{print $4}' | cut -d/ -f1 | grep .; }
d0ip() { d0 ip "$@" 2>/dev/null; }

# h_frames FROM TO IPV4 IPV6 OTHER_IPV4 CASE...: send the marked frames
# CASE... (see frames.py) from guest FROM's eth0 while capturing on guest
# TO's eth0; print the cases that arrived, one per line (with H_SEEN=tags,
# each with the VLAN it arrived tagged with: see frames.py).  (Called for
# its output, in a subshell: its waits assert nothing.)
h_frames() {
	local from=$1 to=$2 ip4=$3 ip6=$4 other=$5 pcap pid
	shift 5
	pcap=$H_DIR/cap.$from.$to.$RANDOM.pcap
	g "$to" tcpdump -i eth0 --immediate-mode -U -n -w "$pcap" >"$pcap.log" 2>&1 &
	pid=$!
	h_until 5 grep -q 'listening on' "$pcap.log"
	g "$from" /usr/bin/python3 "$H_TOP/tests/harness/frames.py" send eth0 \
		"$ip4" "$ip6" "$other" "$@"
	h_until 5 grep -q 'XNS:end' "$pcap"
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	/usr/bin/python3 "$H_TOP/tests/harness/frames.py" "${H_SEEN:-seen}" "$pcap"
}

# in_list WORD LIST: WORD is a line of LIST.
in_list() { grep -qx -- "$1" <<<"$2"; }

# h_outside: an outside host, namespace $H_ID-out, on dom0's uplink: it is
# 192.0.2.1/24 and 2001:db8:1::1/64, dom0's uplink 192.0.2.2/24 and
# 2001:db8:1::2/64, and dom0's default route goes through it.
h_outside() {
	h_netns out
	d0 ip link add uplink type veth peer name eth0 netns "$H_ID-out"
	d0 ip addr add 192.0.2.2/24 dev uplink
	d0 ip addr add 2001:db8:1::2/64 dev uplink nodad
	d0 ip link set uplink up
	out ip addr add 192.0.2.1/24 dev eth0
	out ip addr add 2001:db8:1::1/64 dev eth0 nodad
	out ip link set eth0 up
	d0 ip route add default via 192.0.2.1
}
out() { ip netns exec "$H_ID-out" "$@"; }

# h_sources CMD...: run CMD while the outside host captures; print the
# source addresses of the ICMP echo requests it saw, one per line.  The
# capture ends once the outside host's own echo request to dom0, sent after
# CMD, is in it (what CMD sent before has been written by then).  (Called
# for its output, as h_frames.)
h_sources() {
	local pcap=$H_DIR/out.$RANDOM.pcap pid
	out tcpdump -i eth0 --immediate-mode -U -n -w "$pcap" icmp >"$pcap.log" 2>&1 &
	pid=$!
	h_until 5 grep -q 'listening on' "$pcap.log"
	"$@" >/dev/null 2>&1
	out ping -c1 -W1 192.0.2.2 >/dev/null 2>&1
	h_until 5 bash -c 'tcpdump -r "$0" -n 2>/dev/null | grep -q "192.0.2.1 > 192.0.2.2: ICMP echo request"' "$pcap"
	kill "$pid"
	wait "$pid" 2>/dev/null
	tcpdump -r "$pcap" -n 2>/dev/null | awk '/echo request/ && $3 != "192.0.2.1" {print $3}' | sort -u
}
