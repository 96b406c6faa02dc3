# Differential tests: an upstream shell script runs on one guest, ours on
# another, with the same backend keys and the same commands, and what a user
# can observe of the two guests' vifs is compared after each command.
#
# Source it after lib.sh and h_setup.

D_BE=/local/domain/0/backend/vif
# What d_snap shows, in this order; a test may name fewer.
D_FIELDS="master mtu mac state exists ipv4 routes proxy_arp forwarding hotplug-status hotplug-error frontend-mtu"
# PATTERN REPLACEMENT pairs applied to a snapshot after the device's name
# (@D in them stands for the guest's domid): a guest's own numbers.
D_SUBST=()
# Arguments of every d_pair run after the command's (h_run's ARGS).
D_ARGS=()
D_NEXT=1	# the domid of d_pair's next upstream guest

# d_upstream SCRIPT...: the upstream scripts are installed (else the test
# fails and ends here); their stderr has somewhere to go.
d_upstream() {
	local s
	mkdir -p /var/log/xen	# the shell scripts append their stderr there
	for s; do
		[ -x "$H_UPSTREAM/$s" ] || { not_ok "upstream $H_UPSTREAM/$s is missing (xen-utils-common)"; exit 1; }
	done
}

# d_dev DOMID: guest DOMID's vif: its vifname when a link of that name
# exists, else vifD.0.
d_dev() {
	local v
	v=$(xs "$D_BE/$1/0/vifname")
	if [ -n "$v" ] && link_exists "$v"; then echo "$v"; else echo "vif$1.0"; fi
}

# d_field FIELD DOMID DEV: one thing a user sees of guest DOMID's vif DEV.
d_field() {
	local d=$2 dev=$3 v
	case $1 in
	master) link_master "$dev" ;;
	mtu) link_mtu "$dev" ;;
	mac) v=$(link_mac "$dev")	# what the scripts set, or veth's own random one
		[ "$v" = fe:ff:ff:ff:ff:ff ] && echo "$v" || echo untouched ;;
	state) link_state "$dev" ;;
	exists) link_exists "$dev" && echo yes || echo no ;;
	ipv4) echo "[$(d0 ip -o -4 addr show dev "$dev" 2>/dev/null | awk '{print $4}' | tr '\n' ' ')]" ;;
	routes) echo "[$(d0 ip route show dev "$dev" 2>/dev/null | tr '\n' ' ')]" ;;
	proxy_arp | forwarding) d0 cat "/proc/sys/net/ipv4/conf/$dev/$1" 2>/dev/null ;;
	hotplug-status) xs "$D_BE/$d/0/hotplug-status" ;;
	hotplug-error) [ -n "$(xs "$D_BE/$d/0/hotplug-error")" ] && echo set ;;
	frontend-mtu) xs "/local/domain/$d/device/vif/0/mtu" ;;
	esac
}

# d_snap DOMID [DEV]: the fields D_FIELDS of guest DOMID's vif DEV (d_dev's
# by default) as "FIELD=VALUE ...", with the device's name replaced by VIF
# and D_SUBST applied, so that two guests compare.
d_snap() {
	local d=$1 dev=${2:-$(d_dev "$1")} f s= i
	for f in $D_FIELDS; do s+="${s:+ }$f=$(d_field "$f" "$d" "$dev")"; done
	s=${s//$dev/VIF}
	for ((i = 0; i < ${#D_SUBST[@]}; i += 2)); do
		s=${s//"${D_SUBST[i]//@D/$d}"/"${D_SUBST[i + 1]}"}
	done
	echo "$s"
}

# d_pair UPSTREAM OURS NAME CMDS [KEYS...]: guests A (UPSTREAM) and B
# (OURS) with the backend keys KEYS (@D in them stands for the guest's
# domid); run each command of CMDS on both and compare the exit status and
# d_snap after each.  NOCHECK (a regex on "CMD #N") names the runs whose
# status and state the test compares itself, as intended differences.  Sets
# D_A and D_B.
d_pair() {
	local up=$1 ours=$2 name=$3 cmds=$4 a=$D_NEXT b=$((D_NEXT + 1)) cmd i=0 rca
	shift 4
	D_NEXT=$((D_NEXT + 2))
	h_guest $a 0 "${@//@D/$a}"
	h_guest $b 0 "${@//@D/$b}"
	for cmd in $cmds; do
		i=$((i + 1))
		h_run "$up" "$cmd" $a 0 "${D_ARGS[@]}"
		rca=$H_RC
		h_run "$ours" "$cmd" $b 0 "${D_ARGS[@]}"
		[[ "$cmd #$i" =~ ${NOCHECK:-^$} ]] && continue
		teq "$name: $cmd: same exit status" "$rca" "$H_RC"
		teq "$name: $cmd: same state" "$(d_snap $a)" "$(d_snap $b)"
	done
	D_A=$a D_B=$b
}
