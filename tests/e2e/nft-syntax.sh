#!/bin/bash
# The rules as fwdump_rule() prints them (the unit tests' golden files)
# are valid nftables input: nft itself checks them (nft -c: syntax and
# types, not hook restrictions), in a namespace of ours.
# no firewall backend: run once per build.
. "$(dirname "$0")/../harness/lib.sh"
h_setup
G=$H_TOP/tests/unit/golden

# check NAME FAMILY CHAIN-SPEC FILE [SED]: FILE's lines (less a "hook: "
# prefix) as the rules of one chain, checked by nft -c.
check() {
	local name=$1 family=$2 spec=$3 file=$4 filter=${5:-}
	{
		echo "table $family t {"
		echo " chain c { $spec"
		sed ${filter:+-e "$filter"} -e "s/^[a-z]*routing: //" "$file"
		echo " }"
		echo "}"
	} >"$H_DIR/check.nft"
	t "$name is valid nft" d0 nft -c -f "$H_DIR/check.nft"
}
for f in antispoof-addresses antispoof-no-ip antispoof-trunk-no-mac; do
	check "$f.nft (bridge)" bridge "" "$G/$f.nft"
done
check "antispoof-routed.nft (inet)" inet "" "$G/antispoof-routed.nft"
check "nat.nft postrouting (inet)" inet "type nat hook postrouting priority srcnat;" \
	"$G/nat.nft" '/^prerouting/d'
check "nat.nft prerouting (inet)" inet "type nat hook prerouting priority dstnat;" \
	"$G/nat.nft" '/^postrouting/d'
for f in "$G"/zones-*.plan; do
	t "$(basename "$f") (network-zones' dry run) is valid nft" d0 nft -c -f "$f"
done
