#!/bin/bash
# The binaries' main paths under valgrind: no leak, no invalid access.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
VB=$(bin vif-bridge)
BE=/local/domain/0/backend/vif
VG="valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99"

h_bridge xenbr0
h_guest 1 0 vifname=web1 ip=10.0.0.1
h_guest 2 0 mtu=abc

# vg NAME EXPECTED-STATUS CMD...: CMD under valgrind in dom0, libxl's way.
vg() {
	local name=$1 want=$2 d=$3 cmd=$4
	shift 4
	d0 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin XENSTORED_PATH="$XENSTORED_PATH" \
		XEN_HOTPLUG_LOG="$XEN_HOTPLUG_LOG" XEN_SCRIPT_DIR="$XEN_SCRIPT_DIR" \
		XEN_NETSCRIPTS_CONF="$XEN_NETSCRIPTS_CONF" XTABLES_LOCKFILE="$XTABLES_LOCKFILE" \
		XENBUS_PATH="backend/vif/$d/0" vif="vif$d.0" \
		$VG "$VB" "$cmd" type_if=vif "$@" </dev/null >"$H_DIR/vg.out" 2>&1
	local rc=$?
	if [ "$rc" = "$want" ]; then ok "valgrind: $name"
	else not_ok "valgrind: $name (status $rc, want $want)"; cat "$H_DIR/vg.out"; fi
}
mkdir -p "$XEN_SCRIPT_DIR/vif-post.d"
printf 'true\n' >"$XEN_SCRIPT_DIR/vif-post.d/a.hook"
chmod +x "$XEN_SCRIPT_DIR/vif-post.d/a.hook"
vg "vif-bridge online (rename, hook, nft)" 0 1 online firewall=nft
teq "valgrind: online really happened" xenbr0 "$(link_master web1)"
t "valgrind: its nft rules are there" d0 nft list chain bridge xen web1
vg "vif-bridge online again (iptables)" 0 1 online firewall=iptables
t "valgrind: its iptables rules are there" d0 iptables-legacy -S xen-web1
vg "vif-bridge offline" 0 1 offline
vg "vif-bridge offline again" 0 1 offline
vg "vif-bridge bad input (fatal path)" 1 2 online
vg "vif-bridge misuse (usage path)" 2 2 bogus
