#!/bin/bash
# What the administrator's vif-post hooks inherit: nothing but stdin, stdout
# and stderr.  Every descriptor the binaries open (netlink sockets of libnl
# and libmnl, xenstore's socket, the locks, the log file, libiptc's socket)
# is close-on-exec, so a hook (or a daemon it starts) holds none of them: an
# inherited nfnetlink socket would keep its release, and so a grace period,
# pending until the hook's last descendant exits.  With the backend in $H_FW.
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
BE=/local/domain/0/backend/vif
mkdir -p "$XEN_SCRIPT_DIR/vif-post.d"
hook=$XEN_SCRIPT_DIR/vif-post.d/00-fds.hook
# find runs as a child, its output redirected there: the hook's own table
# is what it lists.
cat >"$hook" <<'HOOK'
#!/bin/bash
find /proc/$$/fd -mindepth 1 -printf '%f %l\n' >"$XEN_SCRIPT_DIR/fds.$command.${dev%%.*}"
HOOK
chmod +x "$hook"

# What the hook inherits when run straight from here, as h_run runs the
# binaries: whatever this shell was given by its own caller.
d0 "${H_ENV_BASE[@]}" command=base dev=base "$hook" </dev/null
base=$XEN_SCRIPT_DIR/fds.base.base
t "the hook lists its descriptors" test -s "$base"

# stray FILE: the descriptors listed in FILE but 0, 1, 2, the hook's own
# script (bash reads it from a descriptor of its own) and those of the
# baseline, on one line.
stray() {
	[ -s "$1" ] || { echo "no listing"; return; }
	awk -v self="$hook" 'NR == FNR { seen[$0] = 1; next }
		$1 !~ /^[012]$/ && $2 != self && !($0 in seen)' "$base" "$1" |
		sort -n | tr '\n' ' '
}

h_bridge xenbr0
h_outside
h_net "$(bin network-nat)" start subnet=10.0.0.0/8
hosts=$H_DIR/dnsmasq/hosts opts=$H_DIR/dnsmasq/opts
mkdir -p "$hosts" "$opts"
printf 'dhcp_hostsdir=%s\ndhcp_optsdir=%s\n' "$hosts" "$opts" >>"$XEN_NETSCRIPTS_CONF"
h_guest 1 0 ip=10.0.0.1
h_guest 2 0 ip=192.0.2.12
h_guest 3 0
declare -A dom=([vif-bridge]=1 [vif-route]=2 [vif-nat]=3)
for s in vif-bridge vif-route vif-nat; do
	d=${dom[$s]}
	for cmd in online offline; do
		h_run "$(bin $s)" $cmd "$d" 0 netdev=uplink
		teq "$s $cmd exits 0" 0 "$H_RC"
		teq "$s $cmd: the hook inherits only 0, 1, 2" "" "$(stray "$XEN_SCRIPT_DIR/fds.$cmd.vif$d")"
	done
done
teq "the firewall was $H_FW" 3 "$(grep -c "anti-spoofing for vif[0-9.]* with $H_FW:" "$XEN_HOTPLUG_LOG")"
