#!/bin/bash
# The iptables backend on a kernel whose iptables modules are not loaded (a
# host whose legacy tables were never used since boot): libiptc loads
# nothing, so the backend loads what it needs itself, as the iptables command
# does, through the program the kernel names in /proc/sys/kernel/modprobe;
# and says so clearly when it cannot.  Needs a kernel that has just booted
# with modules: tests/uml/lane.sh runs it first thing.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
VB=$(bin vif-bridge)
FT=$(bin fwtool)
BE=/local/domain/0/backend/vif
MODS="ip_tables iptable_filter iptable_nat ip6_tables ip6table_filter"

loaded() { grep -q "^$1 " /proc/modules; }
# unloaded: which of MODS are not loaded, in order.
unloaded() { local m; for m in $MODS; do loaded "$m" || echo -n "$m "; done; }
if [ ! -w /proc/sys/kernel/modprobe ] || [ "$(unloaded)" != "$MODS " ]; then
	not_ok "needs a kernel with modules, none of $MODS loaded (tests/uml/lane.sh); loaded: $(grep -E '^ip6?(table|_tables)' /proc/modules | cut -d' ' -f1)"
	exit 1
fi
modprobe_prog=$(cat /proc/sys/kernel/modprobe)
restore_modprobe() { echo "$modprobe_prog" >/proc/sys/kernel/modprobe; }
trap 'rc=$?; restore_modprobe; (exit $rc); h_exit' EXIT

h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1
h_guest 2 0 ip=10.0.0.2
g 1 ip addr add 10.0.0.1/24 dev eth0
g 2 ip addr add 10.0.0.2/24 dev eth0
echo firewall=iptables >"$XEN_NETSCRIPTS_CONF"

# --- nothing to remove: offline loads nothing -----------------------------
h_run "$VB" offline 1
teq "offline before any table: exits 0" 0 "$H_RC"
teq "offline before any table: loads no module" "$MODS " "$(unloaded)"

# --- the program the kernel names fails -----------------------------------
cat >"$H_DIR/modprobe-fails" <<'EOF'
#!/bin/sh
echo "$*" >>"${0%/*}/modprobe-fails.args"
echo "modprobe: FATAL: Module $3 not found" >&2
exit 1
EOF
chmod +x "$H_DIR/modprobe-fails"
echo "$H_DIR/modprobe-fails" >/proc/sys/kernel/modprobe
h_run "$VB" online 1
teq "modprobe fails: online exits 1" 1 "$H_RC"
tmatch "modprobe fails: hotplug-error names the module, the program and its status" \
	"^anti-spoofing for vif1.0 with iptables: load kernel module ip_tables: '$H_DIR/modprobe-fails' exited with status 1\$" \
	"$(xs $BE/1/0/hotplug-error)"
t "modprobe fails: run as the iptables command runs it" \
	in_list "-q -- ip_tables" "$(cat "$H_DIR/modprobe-fails.args")"
teq "modprobe fails: nothing loaded" "$MODS " "$(unloaded)"
# The kernel holds the program's path in 256 bytes: 255 and the NUL.  One of
# 255 bytes is quoted whole; one byte more the kernel itself cuts.
long=$H_DIR/$(printf 'm%.0s' $(seq $((255 - ${#H_DIR} - 1))))
ln -s "$H_DIR/modprobe-fails" "$long"
echo "$long" >/proc/sys/kernel/modprobe
h_run "$VB" online 1
tmatch "modprobe of a 255-byte path fails: hotplug-error quotes the path whole" \
	"load kernel module ip_tables: '$long' exited with status 1\$" "$(xs $BE/1/0/hotplug-error)"
echo "${long}m" >/proc/sys/kernel/modprobe
teq "a 256-byte path: the kernel keeps 255 bytes" "$long" "$(cat /proc/sys/kernel/modprobe)"
echo >/proc/sys/kernel/modprobe
h_run "$VB" online 1
teq "no modprobe program: online exits 1" 1 "$H_RC"
tmatch "no modprobe program: hotplug-error says so" \
	"^anti-spoofing for vif1.0 with iptables: load kernel module ip_tables: /proc/sys/kernel/modprobe names no program\$" \
	"$(xs $BE/1/0/hotplug-error)"
restore_modprobe

# --- loaded as needed, and then it works ------------------------------------
# The nat table first (network-nat): ip_tables and iptable_nat.
h_net "$FT" nat-set network-nat iptables out=uplink from=10.0.0.0/24
teq "nat-set with nothing loaded: exits 0" 0 "$H_RC"
t "nat-set loaded ip_tables" loaded ip_tables
t "nat-set loaded iptable_nat" loaded iptable_nat
teq "nat-set loaded nothing it does not use" "iptable_filter ip6_tables ip6table_filter " "$(unloaded)"
tmatch "the masquerading is in place" '-s 10.0.0.0/24 -o uplink .*-j MASQUERADE' \
	"$(d0 iptables-legacy -t nat -S xen-network-nat-post)"
# Then a vif: the filter tables of both families.
h_run "$VB" online 1
teq "modules unloaded: online exits 0" 0 "$H_RC"
teq "modules unloaded: connected" connected "$(xs $BE/1/0/hotplug-status)"
for m in iptable_filter ip6_tables ip6table_filter; do
	t "online loaded $m" loaded "$m"
done
tmatch "vif1.0's IPv4 rules are in place" '-s 10.0.0.1/32 .*-j RETURN' "$(d0 iptables-legacy -S xen-vif1.0)"
t "vif1.0's IPv6 chain is in place" d0 ip6tables-legacy -S xen-vif1.0
h_run "$VB" online 2
t "guest 1 pings guest 2" g 1 ping -c1 -W2 10.0.0.2
seen=$(h_frames 1 2 10.0.0.1 2001:db8::1 10.0.0.2 ipv4 spoof-ipv4)
t "guest 1's own IPv4 arrives" in_list ipv4 "$seen"
tn "guest 1's spoofed source does not arrive" in_list spoof-ipv4 "$seen"
h_run "$VB" offline 1
teq "offline exits 0" 0 "$H_RC"
tn "offline removed vif1.0's chain" d0 iptables-legacy -S xen-vif1.0

