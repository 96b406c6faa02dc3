#!/bin/bash
# Benchmarks against the upstream shell scripts: the same dom0 namespace,
# the same xenstored, the same guest, cycles interleaved.  Reports medians
# and ratios.  Not a test: nothing here passes or fails on a number.
#   bench/run.sh [CYCLES] [MAX_PRESENT]
#
# 1. vif-bridge, one online+offline cycle: the upstream script as Debian
#    ships it (iptables step switched off), the upstream script with its
#    iptables step on, and ours with each firewall backend; against the
#    floor, two runs of our own `vif-bridge --version` by the same loop (what
#    two process starts cost, with our binary's linking).  Those that use
#    iptables in a dom0 of their own, with ours-nft/ipt: ours with nft on a
#    host whose iptables has tables.
# 2. vif-route and vif-nat against the upstream scripts (ours with nft).
# 3. The vif-bridge cycle with 1, 100 and MAX_PRESENT (1000) other vifs
#    already online, with anti-spoofing per backend and without (firewall=
#    none: what the number of links alone costs): bench/scale.sh.
# 4. The guard, xen-netscripts: bench/guard.sh (status, check, restore with
#    1, 100 and MAX_PRESENT vifs online; watch after a flush; watch idle).
# 5. A routed guest's live migration between two hosts: bench/migrate.sh
#    (resume -> router's route moved, resume -> LAN host's neighbour entry
#    moved, with BIRD and with FRR).
# 6. The storm: MAX_PRESENT vifs online at once, then offline at once
#    (bench/storm.sh).
# 7. The data path: 64-byte UDP datagrams per second across a bridge with
#    anti-spoofing and without (bench/datapath.sh).
# With BASE=DIR (the build of an older commit, e.g. `git worktree add
# /tmp/base COMMIT && make -C /tmp/base -j2 all harness`), sections 1, 3, 6
# and 7 measure it too, interleaved with ours: before and after in one run.
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/lib.sh"
H_QUIET=1
H_XS_TRACE=	# xenstored as on a host: no trace of every request
N=${1:-40}
MAX=${2:-1000}
h_setup
. "$top/bench/lib.sh"
bench_host

# The upstream scripts with Debian's `return 0` taken out of handle_iptable,
# as they run where antispoof was never disabled.
up_fw=$H_DIR/upstream-fw
cp -a "$H_UPSTREAM" "$up_fw"
sed -i '/^handle_iptable()/,/^}/{/^  return 0$/d}' "$up_fw/vif-common.sh"

# --- 1. one cycle ------------------------------------------------------------
# Those that use iptables run in a dom0 of their own (bench_dom0 i), so
# that the others run on a host whose iptables has no tables (Debian's
# default, iptables-nft); ours-nft/ipt there too: an nft online where
# iptables has tables looks in them for what an earlier iptables online of
# the vif left.  With BASE, base-nft and base-none (the older build) in a
# dom0 of theirs (b): the layout of its tables may be another.
names=(upstream upstream+iptables ours-nft ours-nft/ipt ours-iptables ours-none ours-dynamic-nft floor)
declare -A script=(
	[upstream]=$H_UPSTREAM/vif-bridge [upstream+iptables]=$up_fw/vif-bridge
	[ours-nft]=$top/build/vif-bridge [ours-nft/ipt]=$top/build/vif-bridge
	[ours-iptables]=$top/build/vif-bridge
	[ours-none]=$top/build/vif-bridge [ours-dynamic-nft]=$top/build/dyn/vif-bridge
	[floor]=$top/build/vif-bridge
)
declare -A arg=(
	[upstream]= [upstream+iptables]= [ours-nft]=firewall=nft [ours-nft/ipt]=firewall=nft
	[ours-iptables]=firewall=iptables [ours-none]=firewall=none
	[ours-dynamic-nft]=firewall=nft [floor]=
)
bench_dom0 i
declare -A dom0=([upstream+iptables]=$H_ID-d0i [ours-iptables]=$H_ID-d0i [ours-nft/ipt]=$H_ID-d0i)
if [ -n "${BASE:-}" ]; then
	bench_dom0 b
	names+=(base-nft base-none)
	script[base-nft]=$BASE/vif-bridge script[base-none]=$BASE/vif-bridge
	arg[base-nft]=firewall=nft arg[base-none]=firewall=none
	dom0[base-nft]=$H_ID-d0b dom0[base-none]=$H_ID-d0b
fi
declare -A samples failed
# Interleaved in rounds of 5 so that drift in the machine's load hits all,
# each round in another order (rotated).
for ((r = 0; r < N; r += 5)); do
	for name in $(rotated $((r / 5)) "${names[@]}"); do
		if [ "$name" = floor ]; then
			out=$(UP=--version DOWN=--version cycle_times "${script[$name]}" 5)
		else
			out=$(H_D0=${dom0[$name]:-$H_D0} cycle_times "${script[$name]}" 5 ${arg[$name]})
		fi
		grep -q FAIL <<<"$out" && failed[$name]=1
		samples[$name]+=$out$'\n'
	done
done
echo "vif-bridge: one online+offline cycle, $N cycles each, median (us); the floor: two runs of vif-bridge --version"
declare -A med
for name in "${names[@]}"; do
	med[$name]=$(printf '%s' "${samples[$name]}" | grep -v FAIL | median)
done
for name in "${names[@]}"; do
	printf '  %-18s %8s us' "$name" "${med[$name]}"
	case $name in
	upstream*) ;;
	floor) printf '   (upstream is %sx the floor)' "$(ratio "${med[upstream]}" "${med[floor]}")" ;;
	ours-none) printf '   %5sx the floor, %5sx faster than upstream' \
		"$(ratio "${med[$name]}" "${med[floor]}")" \
		"$(ratio "${med[upstream]}" "${med[$name]}")" ;;
	*) printf '   %5sx the floor, %5sx faster than upstream, %5sx than upstream+iptables' \
		"$(ratio "${med[$name]}" "${med[floor]}")" \
		"$(ratio "${med[upstream]}" "${med[$name]}")" \
		"$(ratio "${med[upstream+iptables]}" "${med[$name]}")" ;;
	esac
	[ -n "${failed[$name]:-}" ] && printf '   (some runs FAILED)'
	echo
done
# The goal's ratio round by round: how far the machine's drift moves it.
for name in ours-nft base-nft; do
	[ -n "${samples[$name]:-}" ] && [ -z "${failed[$name]:-}" ] || continue
	read -r med_r q1 q3 < <(round_ratio "${samples[$name]}" "${samples[floor]}")
	printf '  %s over the floor round by round (%s rounds): median %sx, quartiles %sx to %sx\n' \
		"$name" $((N / 5)) "$med_r" "$q1" "$q3"
done
printf '  upstream+iptables left %s FORWARD rules behind after %s cycles\n' \
	"$(ip netns exec "$H_ID-d0i" iptables -S FORWARD 2>/dev/null | grep -c physdev)" "$N"

# Start-up alone: --version, static versus dynamic linking.
for b in build build/dyn; do
	t=$(d0 bash -c 'S='"$top/$b/vif-bridge"'; t0=$EPOCHREALTIME; for ((i = 0; i < 200; i++)); do "$S" --version >/dev/null 2>&1; done; t1=$EPOCHREALTIME; echo $(( (${t1/./} - ${t0/./}) / 200 ))')
	printf '  start-up + exit (%s): %s us\n' "$b" "$t"
done

# --- 2. vif-route and vif-nat ------------------------------------------------
# dom0's uplink with an address and the default route, which vif-route needs.
h_outside
h_guest 2 0 ip=192.0.2.12
h_guest 3 0
echo
echo "vif-route and vif-nat: one online+offline cycle, $N cycles each, median (us)"
for script in vif-route vif-nat; do
	d=2; [ $script = vif-nat ] && d=3
	declare -A run=([up]=$H_UPSTREAM/$script [upfw]=$up_fw/$script [ours]=$top/build/$script) got=() m=()
	for ((r = 0; r < N; r += 5)); do
		for c in $(rotated $((r / 5)) up upfw ours); do
			got[$c]+=$(DOM=$d cycle_times "${run[$c]}" 5 netdev=uplink)$'\n'
		done
	done
	grep -q FAIL <<<"${got[*]}" && echo "  ($script: some runs FAILED: figures not valid)"
	for c in up upfw ours; do m[$c]=$(printf '%s' "${got[$c]}" | median); done
	printf '  %-9s upstream %6s us, upstream+iptables %6s us, ours (nft) %6s us: %5sx and %5sx faster\n' \
		"$script" "${m[up]}" "${m[upfw]}" "${m[ours]}" "$(ratio "${m[up]}" "${m[ours]}")" "$(ratio "${m[upfw]}" "${m[ours]}")"
done
d0 iptables -F FORWARD 2>/dev/null	# what upstream+iptables left

# --- 3. with many vifs present ----------------------------------------------
echo
bash "$top/bench/scale.sh" "$N" "$MAX" || echo "(bench/scale.sh did not run)"

# --- 4. the guard -------------------------------------------------------------
echo
bash "$top/bench/guard.sh" 20 "$MAX" || echo "(bench/guard.sh did not run)"

# --- 5. migration ---------------------------------------------------------------
echo
bash "$top/bench/migrate.sh" 20 || echo "(bench/migrate.sh did not run)"

# --- 6. the storm ---------------------------------------------------------------
echo
bash "$top/bench/storm.sh" "$MAX" 3 || echo "(bench/storm.sh did not run)"

# --- 7. the data path -------------------------------------------------------------
echo
bash "$top/bench/datapath.sh" 7 4 || echo "(bench/datapath.sh did not run)"
