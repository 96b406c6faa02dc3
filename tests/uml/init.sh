#!/bin/bash
# PID 1 of the user-mode Linux lane (tests/uml/lane.sh boots it, with its run
# directory in XNS_UML_DIR, the source tree in XNS_TOP and the backend for
# the scenarios it was given in XNS_FW): mounts what the harness needs, lets
# the kernel load its modules, runs the scenarios and powers off.  What
# happened goes back through files in XNS_UML_DIR (on the host, over
# hostfs): results (the scenarios' "PASS FAIL" lines) and status (0, or why
# the lane could not run).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
dir=$XNS_UML_DIR
top=$XNS_TOP

finish() {
	local rc=$?
	[ -s "$dir/status" ] || echo "exited with status $rc before the scenarios ran" >"$dir/status"
	sync
	poweroff -f
}
trap finish EXIT
# die WHY: the lane cannot run.
die() { echo "$*" >"$dir/status"; echo "user-mode Linux lane: $*"; exit 1; }

mount -t proc proc /proc || die "mount /proc failed"
mount -t sysfs sys /sys || die "mount /sys failed"
mount -t tmpfs tmpfs /run || die "mount a tmpfs on /run failed"
mkdir -p /dev/shm && mount -t tmpfs tmpfs /dev/shm || die "mount a tmpfs on /dev/shm failed"
echo "$dir/modprobe" >/proc/sys/kernel/modprobe || die "cannot set /proc/sys/kernel/modprobe"
cd "$top" || die "no $top"

export H_RESULTS=$dir/results H_UML=1
export ASAN_OPTIONS=detect_leaks=1:exitcode=86
export UBSAN_OPTIONS=halt_on_error=1:exitcode=87:print_stacktrace=1
echo "== user-mode Linux $(uname -r): bridge VLAN filtering, modules unloaded"

# run FILE FW: one scenario with one firewall backend, the plain build (the
# sanitized one cannot run here: ASan's shadow memory does not fit in this
# kernel's address space for processes).
run() {
	echo "== [uml] $1 (firewall=$2)"
	H_FW=$2 H_BIN=$top/build bash "$1"
}

mapfile -t only <"$dir/scenarios"
if [ "${#only[@]}" -gt 0 ] && [ -n "${only[0]}" ]; then
	for f in "${only[@]}"; do run "$f" "$XNS_FW"; done
else
	# First, while no iptables module is loaded: the backend loads them.
	run tests/uml/modules.sh iptables
	# From here on a host that uses iptables on its bridges.
	"$dir/modprobe" br_netfilter || die "modprobe br_netfilter failed"
	for f in tests/e2e/vlan.sh tests/e2e/vif-bridge.sh tests/e2e/antispoof.sh; do
		for fw in nft iptables; do run "$f" "$fw"; done
	done
fi
echo 0 >"$dir/status"
