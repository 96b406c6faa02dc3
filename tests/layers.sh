#!/bin/bash
# common/ holds only mechanism that two or more binaries use: each of its
# source files must be linked into at least two of the seven binaries, else it
# belongs in the one program's directory.  One assertion per file of
# common/, which prints the binaries that hold it (the layering table).
#
# An object of libcommon.a is in a binary when the linker pulled it in from
# the archive: then every global symbol it defines is defined in the binary
# (nm; the binaries are not stripped and not linked with --gc-sections).
#
#   tests/layers.sh [BUILD]      (default: build, the plain build)
. "$(dirname "$0")/harness/lib.sh"
cd "$H_TOP" || exit 1
build=${1:-$H_TOP/build}
progs=(vif-bridge vif-route vif-nat network-route network-nat network-zones xen-netscripts)

work=$(mktemp -d /tmp/xns-layers-XXXXXX)
trap 'rm -rf "$work"' EXIT
for p in "${progs[@]}"; do
	[ -x "$build/$p" ] || { not_ok "no $build/$p (make all)"; h_summary; exit 1; }
	nm --defined-only "$build/$p" | awk '{print $NF}' | sort -u >"$work/$p.syms"
done
(cd "$work" && ar x "$build/libcommon.a") || { not_ok "no $build/libcommon.a"; h_summary; exit 1; }

while read -r src; do
	obj=$work/$(basename "$src" .c).o
	if [ ! -f "$obj" ]; then
		not_ok "$src: not in libcommon.a"
		continue
	fi
	nm --defined-only -g "$obj" | awk '$2 ~ /^[A-Z]$/ {print $3}' | sort -u >"$work/obj.syms"
	in=()
	for p in "${progs[@]}"; do
		[ -s "$work/obj.syms" ] && [ -z "$(comm -23 "$work/obj.syms" "$work/$p.syms")" ] &&
			in+=("$p")
	done
	if [ ${#in[@]} -ge 2 ]; then
		ok "$src: in ${in[*]}"
	else
		not_ok "$src: in ${#in[@]} of the seven binaries (${in[*]:-none}); common/ is for what two or more use"
	fi
done < <(find common -name '*.c' | sort)
h_summary
