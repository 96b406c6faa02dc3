# What bench/run.sh and bench/guard.sh share: medians, ratios, and many vifs
# online at once.  Sourced after tests/harness/lib.sh and h_setup; $top is
# the tree, $B the build tested (default $top/build).
: "${B:=$top/build}"

median() { grep -v '^$' | sort -n | awk '{a[NR] = $1} END {if (NR == 0) exit; if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
# rotated ROUND NAME...: the names, the first ROUND % count of them moved to
# the end, one a line.  Contenders interleaved in rounds take every place in
# turn: the first cycles after another contender's batch are slower (the
# upstream scripts' hundreds of processes before them cost our first cycle
# about 1 ms here), and a fixed order would give that to the same one every
# round.
rotated() {
	local k=$(($1 % ($# - 1)))
	shift
	printf '%s\n' "${@:k+1}" "${@:1:k}"
}
# round_ratio A B: A's figures over B's round by round (A and B: newline
# lists, 5 figures a round, rounds in the same order): the median of the
# rounds' ratios of medians and its quartiles, "MEDIAN Q1 Q3".  How much the
# ratio moves from round to round: the machine's speed drifts.
round_ratio() {
	paste <(printf '%s\n' "$1" | grep -v '^$') <(printf '%s\n' "$2" | grep -v '^$') |
		awk 'function med5(s,  v, n, i, j, t) {
			n = split(s, v, " ")
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
				if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
			return v[int((n + 1) / 2)]
		}
		{ a = a " " $1; b = b " " $2 }
		NR % 5 == 0 { r[++k] = med5(a) / med5(b); a = b = "" }
		END {
			if (!k) exit
			for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++)
				if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
			printf "%.2f %.2f %.2f\n", (r[int((k + 1) / 2)] + r[int(k / 2) + 1]) / 2,
				r[int((k + 3) / 4)], r[int((3 * k + 3) / 4)]
		}'
}
# cycle_times SCRIPT COUNT [ARGS...]: COUNT online+offline cycles of vif
# $DOM.0 (default 1), timed inside dom0 by the same bash loop for every
# contender (a fork+exec per run, as libxl does it); one figure (us) a line.
# With UP=--version DOWN=--version: the floor, two runs that only start and
# exit.
cycle_times() {
	local s=$1 n=$2 d=${DOM:-1}
	shift 2
	d0 "${H_ENV_BASE[@]}" XENBUS_PATH=backend/vif/$d/0 vif=vif$d.0 script="$s" N="$n" S="$s" \
		UP="${UP:-online}" DOWN="${DOWN:-offline}" \
		bash -c 'for ((i = 0; i < N; i++)); do
			t0=$EPOCHREALTIME
			"$S" "$UP" type_if=vif "$@" </dev/null >/dev/null 2>&1 || { echo FAIL; exit 1; }
			"$S" "$DOWN" type_if=vif "$@" </dev/null >/dev/null 2>&1 || { echo FAIL; exit 1; }
			t1=$EPOCHREALTIME
			echo $(( (${t1/./} - ${t0/./}) ))
			# Outside the timing: what an offline left behind (the shell
			# vif-nat leaves its address, and then fails the next online).
			ip addr flush dev "$vif" 2>/dev/null
		done' bash "$@"
}

# bench_host: what every bench's host has: the log directory, bridge
# xenbr0 and guest 1 (vif1.0, ip 10.0.0.1), whose cycles cycle_times times.
bench_host() {
	mkdir -p /var/log/xen
	h_bridge xenbr0
	h_guest 1 0 ip=10.0.0.1
}

# bench_dom0 NAME: another dom0, $H_ID-d0NAME, with its own xenbr0 and
# vif1.0 (guest 1's xenstore keys; the guest end in $H_ID-g1NAME), for
# contenders that must not share the first one's tables (bench/run.sh).
bench_dom0() {
	h_netns "d0$1"
	h_netns "g1$1"
	ip -n "$H_ID-d0$1" link add xenbr0 type bridge stp_state 0 forward_delay 0
	ip -n "$H_ID-d0$1" link set xenbr0 up
	ip -n "$H_ID-d0$1" link add vif1.0 type veth peer name eth0 netns "$H_ID-g1$1"
	ip -n "$H_ID-g1$1" link set eth0 address 00:16:3e:00:01:00 up
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", a / b}'; }

# The present vifs are vif1000.0 ... on bridge brs, their other ends in one
# namespace, each with the backend keys libxl writes (our vif-bridge as its
# script, online=1); online_present brings them online with our vif-bridge
# and the backend under test.  present_init first: the bridge, the
# namespace.
present_init() {
	h_bridge brs
	h_netns many
	present=0
}
# add_present COUNT: make vifs until COUNT are present.
add_present() {
	local upto=$1 d be batch=() keys=()
	[ "$upto" -gt "$present" ] || return 0
	for ((d = present + 1000; d < upto + 1000; d++)); do
		be=/local/domain/0/backend/vif/$d/0
		batch+=("link add vif$d.0 type veth peer name e$d netns $H_ID-many")
		keys+=("$be/bridge" brs
			"$be/mac" "$(printf '00:16:3e:01:%02x:%02x' $((d / 256 % 256)) $((d % 256)))"
			"$be/ip" "10.$((d / 256 % 256)).$((d % 256)).1"
			"$be/script" "$B/vif-bridge" "$be/online" 1 "$be/hotplug-status" ""
			"$be/frontend" "/local/domain/$d/device/vif/0" "$be/frontend-id" "$d"
			"$be/handle" 0 "$be/type" vif
			"/local/domain/$d/device/vif/0/state" 1)
	done
	printf '%s\n' "${batch[@]}" | d0 ip -batch -
	xenstore-write "${keys[@]}"
	present=$upto
}
# online_present FW: online of every present vif with firewall=FW, 16 at a
# time.
online_present() {
	local fw=$1 d pids=()
	for ((d = 1000; d < present + 1000; d++)); do
		h_run "$B/vif-bridge" online $d 0 firewall="$fw" &
		pids+=($!)
		if [ ${#pids[@]} -ge 16 ]; then wait "${pids[@]}"; pids=(); fi
	done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
}
