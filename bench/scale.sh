#!/bin/bash
# The vif-bridge cycle (online+offline of vif1.0, as bench/run.sh times it)
# with 1, 100 and MAX_PRESENT other vifs online: with anti-spoofing (nft,
# iptables) and without (none: what the number of links alone costs).  With
# BASE=DIR (another build), its nft and none too, interleaved with ours.
# Not a test: nothing here passes or fails on a number.
#   bench/scale.sh [CYCLES] [MAX_PRESENT]
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/tests/harness/lib.sh"
H_QUIET=1
H_XS_TRACE=	# xenstored as on a host: no trace of every request
N=${1:-40}
MAX=${2:-1000}
h_setup
. "$top/bench/lib.sh"
bench_host

present_init
echo "vif-bridge: one cycle of vif1.0 with other vifs present, median (us)"
declare -A scale
# Contenders "BUILD FIREWALL", interleaved in two rounds; the present vifs
# are brought online again by each contender's build with its firewall.
contenders=("ours nft" "ours iptables" "ours none")
[ -n "${BASE:-}" ] && contenders=("base nft" "ours nft" "ours iptables" "base none" "ours none")
for count in 1 100 "$MAX"; do
	add_present "$count"
	for ((r = 0; r < 2; r++)); do
		for c in "${contenders[@]}"; do
			read -r who fw <<<"$c"
			bin=$top/build
			[ "$who" = base ] && bin=$BASE
			# An older build cannot use a newer nft layout.
			d0 nft delete table bridge xen 2>/dev/null
			B=$bin online_present "$fw"
			sleep 1		# let the kernel finish freeing what those replaced
			scale[$c,$count]+=$(cycle_times "$bin/vif-bridge" $(((N + 1) / 2)) firewall="$fw")$'\n'
		done
	done
done
for c in "${contenders[@]}"; do
	printf '  %-14s' "$c"
	for count in 1 100 "$MAX"; do
		scale[$c,$count]=$(printf '%s' "${scale[$c,$count]}" | median)
		printf '  %5s present: %6s us' "$count" "${scale[$c,$count]}"
	done
	printf '   (%s/1: %sx)\n' "$MAX" "$(ratio "${scale[$c,$MAX]}" "${scale[$c,1]}")"
done
printf '  check: %s vifs in nft set vifs, %s iptables chains present at the end\n' \
	"$(d0 nft list set bridge xen vifs 2>/dev/null | grep -o '"vif[0-9.]*" comment' | wc -l)" \
	"$(d0 iptables-legacy -S 2>/dev/null | grep -c -- '-N xen-vif')"
