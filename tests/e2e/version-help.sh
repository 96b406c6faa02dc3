#!/bin/bash
# Every binary answers --version (the Makefile's VERSION and the firewall
# backends built in) and --help (its usage, on stdout) with exit status 0,
# wherever the word is on the command line, and changes nothing: run with
# libxl's environment for a vif that is there, neither writes xenstore,
# touches a link or a rule, records, locks nor logs anything.
# no firewall backend: the answers come before any firewall is read.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
h_bridge xenbr0
h_guest 1 0 ip=10.0.0.1
h_outside				# uplink 192.0.2.2/24, for network-route/nat

version=$(sed -n 's/^VERSION *:= *//p' "$H_TOP/Makefile")
[ -n "$version" ] || { not_ok "VERSION not found in the Makefile"; exit 1; }

# What an answer must leave as it was.
snapshot() {
	xenstore-ls -f 2>&1
	d0 ip -o link show
	d0 ip -o addr show scope global
	d0 nft list ruleset 2>&1
	d0 iptables-legacy -S 2>&1
	d0 ip6tables-legacy -S 2>&1
	ls -lR "$XEN_NETSCRIPTS_RUNDIR" "$XEN_LOCK_DIR" 2>&1
	cat "$XEN_HOTPLUG_LOG" 2>&1
}

# answer BINARY ARGS...: run it as libxl would run a vif script (the
# environment of vif1.0), stdout in OUT, stderr in ERR, status in RC.
answer() {
	OUT=$(d0 "${H_ENV_BASE[@]}" XENBUS_PATH=backend/vif/1/0 vif=vif1.0 \
		"$@" 2>"$H_DIR/err" </dev/null)
	RC=$?
	ERR=$(cat "$H_DIR/err")
}

before=$(snapshot)
for b in vif-bridge vif-route vif-nat network-route network-nat network-zones xen-netscripts; do
	B=$(bin "$b")
	pkg=" (xen-netscripts)"
	[ "$b" = xen-netscripts ] && pkg=
	answer "$B" --version
	teq "$b --version: exit 0" 0 "$RC"
	teq "$b --version: the version, the backends" \
		"$b $version$pkg"$'\n'"firewall backends: nft iptables" "$OUT"
	teq "$b --version: nothing on stderr" "" "$ERR"

	for h in --help -h; do
		answer "$B" $h
		teq "$b $h: exit 0" 0 "$RC"
		tmatch "$b $h: the usage on stdout" "^usage: $b " "$OUT"
		tmatch "$b $h: the man page named" "$b\\(8\\)" "$OUT"
		teq "$b $h: nothing on stderr" "" "$ERR"
	done
	# After a command and its arguments too (as GNU programs do): never
	# taken for a command word.
	case $b in
	vif-*) cmd=(online type_if=vif) ;;
	network-zones) cmd=(start xen-br1:10.10.1.1:255.255.255.0) ;;
	network-*) cmd=(start netdev=uplink) ;;
	*) cmd=(restore) ;;
	esac
	answer "$B" "${cmd[@]}" --help
	teq "$b ${cmd[*]} --help: exit 0" 0 "$RC"
	tmatch "$b ${cmd[*]} --help: the usage" "^usage: $b " "$OUT"
	answer "$B" "${cmd[@]}" --version
	teq "$b ${cmd[*]} --version: exit 0" 0 "$RC"
	tmatch "$b ${cmd[*]} --version: the version" "^$b $version" "$OUT"
done
after=$(snapshot)
teq "no xenstore key, link, address, rule, record, lock or log line changed" \
	"$before" "$after"
[ "$before" = "$after" ] || diff <(echo "$before") <(echo "$after")

# The usage of a misused binary is still an error: on stderr, exit 2.
answer "$(bin vif-bridge)" bogus
teq "vif-bridge bogus: exit 2" 2 "$RC"
tmatch "vif-bridge bogus: invalid command" "invalid command 'bogus'" "$ERR"
teq "vif-bridge bogus: nothing on stdout" "" "$OUT"
