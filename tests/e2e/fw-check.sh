#!/bin/bash
# The firewall's read-only checks (fw_vif_check, fw_nat_check,
# fw_table_check of common/fw/fw.h), with the backend in $H_FW (run.sh runs
# both), driven through tests/harness/fwtool: a bridged, a routed and a trunk
# vif and a NAT owner are allowed and reported in place; then each is
# damaged the ways an administrator or a firewall reload does, and the check
# reports it missing with what is missing; put back, it reports it in place
# again.  The checks create nothing, an administrator's own tables and chains
# disturb none of them, and a pass over 200 vifs reads the kernel once (its
# cost per vif is printed, not asserted).
. "$(dirname "$0")/../harness/lib.sh"
: "${H_FW:=nft}"
h_setup
FT=$(bin fwtool)
other=iptables; [ "$H_FW" = iptables ] && other=nft

# chk ARGS...: fwtool's answer ("1", or "0 WHY"; its error when it fails).
chk() { h_net "$FT" "$@"; echo "$H_OUT"; }
fw() { h_net "$FT" "$@"; }
ipt() { d0 iptables-legacy -w "$@"; }
ip6t() { d0 ip6tables-legacy -w "$@"; }

# The three vifs (VIFS: name and how it is allowed) and the NAT owner.
declare -A VIF=(
	[vif1.0]="bridged mac=00:16:3e:00:01:00 ip=10.0.0.1,2001:db8::1"
	[vif2.0]="routed mac=00:16:3e:00:02:00 ip=10.0.2.1"
	[vif3.0]="bridged mac=00:16:3e:00:03:00 trunk"
)
# spec VIF: its fwtool arguments (the ip= list is comma-separated above).
spec() { local s; for s in ${VIF[$1]}; do echo "${s//,/ }"; done; }
allow() { local a; mapfile -t a < <(spec "$1"); fw allow "$1" "${2:-$H_FW}" "${a[@]}" ${3:-}; }
check() { local a; mapfile -t a < <(spec "$1"); chk check "$1" "${2:-$H_FW}" "${a[@]}"; }
NAT=(out=uplink from=10.0.0.0/25 from=10.0.1.0/25)
natcheck() { chk nat-check network-nat "${1:-$H_FW}" "${NAT[@]}"; }
# table VIF: the nft table of a vif
table() { case ${VIF[$1]} in routed*) echo "inet xen" ;; *) echo "bridge xen" ;; esac; }
# nrules VIF: how many rules the backend holds for the vif (nft: in the
# base chain its table's vifs share).
nrules() {
	if [ "$H_FW" = nft ]; then
		d0 nft list chain $(table "$1") prerouting 2>/dev/null | grep -c 'comment "'
	else
		ipt -S "xen-$1" 2>/dev/null | grep -c '^-A'
	fi
}
# handle VIF TEXT: the nft handle of the rule of the vif's table whose
# comment holds TEXT.
handle() {
	d0 nft -a list chain $(table "$1") prerouting | grep -F "$2" | head -1 | sed 's/.*# handle //'
}
# line CMD CHAIN TEXT: the number of CHAIN's first rule holding TEXT (iptables -S).
line() { $1 -S "$2" | grep -v '^-[NP]' | grep -nF -- "$3" | head -1 | cut -d: -f1; }
# restore: allow every vif (as the guard's restore does: whatever else of
# its is there goes) and the NAT owner again; all checks say 1.
restore() {
	local v
	for v in vif1.0 vif2.0 vif3.0; do allow $v "$H_FW" repair; done
	fw nat-set network-nat "$H_FW" "${NAT[@]}"
	teq "put back: $1" "1 1 1 1" \
		"$(check vif1.0) $(check vif2.0) $(check vif3.0) $(natcheck)"
}

# --- nothing there yet: the checks say so and create nothing --------------
if [ "$H_FW" = nft ]; then
	teq "no table yet: bridged vif" "0 table bridge xen not found" "$(check vif1.0)"
	teq "no table yet: routed vif" "0 table inet xen not found" "$(check vif2.0)"
	teq "no table yet: NAT" "0 table inet xen not found" "$(natcheck)"
else
	teq "no table yet: bridged vif" "0 iptables chain xen-antispoof not found" "$(check vif1.0)"
	teq "no table yet: NAT" "0 iptables chain xen-network-nat-pre not found" "$(natcheck)"
fi
check vif1.0 "$other" >/dev/null
natcheck "$other" >/dev/null
teq "FW_NONE with nothing anywhere: in place" 1 "$(check vif1.0 none)"
teq "table-check of a table that is not there" "0 table inet zt not found" "$(chk table-check inet zt)"
teq "the checks created no nft table" "" "$(d0 nft list tables)"
teq "the checks instantiated no iptables table" "" \
	"$(d0 cat /proc/net/ip_tables_names /proc/net/ip6_tables_names 2>/dev/null)"

# --- in place --------------------------------------------------------------
for v in vif1.0 vif2.0 vif3.0; do
	t "allow $v (${VIF[$v]%% *}) with $H_FW" allow $v
	teq "$v is in place" 1 "$(check $v)"
done
t "nat-set with $H_FW" fw nat-set network-nat "$H_FW" "${NAT[@]}"
teq "network-nat's masquerading is in place" 1 "$(natcheck)"
teq "FW_NONE: rules for vif1.0 are left" "0 rules for vif1.0 left in $H_FW" "$(check vif1.0 none)"
teq "FW_NONE: rules for network-nat are left" "0 rules for network-nat left in $H_FW" "$(natcheck none)"
tmatch "checked with the other backend: not in place" '^0 ' "$(check vif1.0 "$other")"

# What is compared is what allow would make now: a vif whose address or MAC
# changed since is not in place (same number of rules, other contents).
if [ "$H_FW" = nft ]; then
	teq "another address: its element is missing" "0 no element vif1.0 . 10.0.0.9 in set addr4" \
		"$(chk check vif1.0 "$H_FW" bridged mac=00:16:3e:00:01:00 "ip=10.0.0.9 2001:db8::1")"
	teq "another MAC: its element is missing" "0 no element vif1.0 . 00:16:3e:00:01:99 in set macs" \
		"$(chk check vif1.0 "$H_FW" bridged mac=00:16:3e:00:01:99 "ip=10.0.0.1 2001:db8::1")"
	teq "no trunk: its element is one too many" "0 element vif3.0 of set trunks not expected" \
		"$(chk check vif3.0 "$H_FW" bridged mac=00:16:3e:00:03:00)"
	teq "fewer addresses: one element too many" "0 element vif1.0 . 2001:db8::1 of set addr6 not expected" \
		"$(chk check vif1.0 "$H_FW" bridged mac=00:16:3e:00:01:00 "ip=10.0.0.1")"
else
	pre="iptables chain xen-vif1.0:"
	tmatch "another address: a rule differs" "^0 $pre rule [0-9]+ differs, expected 'vif1.0: (ARP|IPv4) from the guest's address'" \
		"$(chk check vif1.0 "$H_FW" bridged mac=00:16:3e:00:01:00 "ip=10.0.0.9 2001:db8::1")"
	tmatch "another MAC: rule 1 differs" "^0 $pre rule 1 differs, expected 'vif1.0: source MAC is not the guest's'" \
		"$(chk check vif1.0 "$H_FW" bridged mac=00:16:3e:00:01:99 "ip=10.0.0.1 2001:db8::1")"
	teq "no trunk: the same (iptables does not see VLAN tags)" 1 \
		"$(chk check vif3.0 "$H_FW" bridged mac=00:16:3e:00:03:00)"
fi
tmatch "a bridged vif checked as routed: not in place" '^0 ' \
	"$(chk check vif1.0 "$H_FW" routed mac=00:16:3e:00:01:00 "ip=10.0.0.1 2001:db8::1")"
tmatch "other NAT subnets: not in place" '^0 .*rule 2 differs' \
	"$(chk nat-check network-nat "$H_FW" out=uplink from=10.0.0.0/25 from=10.0.9.0/25)"

# The administrator's own tables and chains, some named like ours, in both
# backends, disturb nothing.
d0 nft -f - <<'EOF'
table bridge filter {
	chain vif1.0 { ether type arp drop; ether type ip drop; }
	map vifs { type ifname : verdict; elements = { "vif1.0" : jump vif1.0, "vif2.0" : jump vif1.0 } }
	chain forward { type filter hook forward priority 0; iifname vmap @vifs; }
}
table inet admin {
	chain vif2.0 { ip saddr 10.0.2.1 accept; }
	chain input { type filter hook input priority 0; tcp dport 22 accept; iifname "vif2.0" jump vif2.0; }
}
EOF
ipt -N admin && ipt -A admin -j ACCEPT && ipt -I FORWARD -s 192.0.2.0/24 -j admin
ip6t -N admin && ip6t -A admin -j ACCEPT
ipt -t nat -I POSTROUTING -s 192.0.2.0/24 -j ACCEPT
teq "the administrator's tables and chains disturb no check" "1 1 1 1" \
	"$(check vif1.0) $(check vif2.0) $(check vif3.0) $(natcheck)"

# --- damage, one thing at a time -------------------------------------------
n1=$(nrules vif1.0)
if [ "$H_FW" = nft ]; then
	# The rules, which every vif of a table shares.
	d0 nft delete rule bridge xen prerouting handle "$(handle vif1.0 "IPv4 from the guest's address")"
	teq "one rule of the base chain deleted" "0 chain prerouting has $((n1 - 1)) rules, expected $n1" "$(check vif1.0)"
	teq "  so for every vif of the table" "0 chain prerouting has $((n1 - 1)) rules, expected $n1" "$(check vif3.0)"
	teq "  the routed vif is still in place" 1 "$(check vif2.0)"
	restore "one rule"

	h=$(handle vif1.0 "IPv4 from the guest's address")
	d0 nft replace rule bridge xen prerouting handle "$h" ip saddr 10.0.0.99 accept \
		comment "\"IPv4 from the guest's address\""
	tmatch "one rule replaced by another with the same comment" \
		"^0 chain prerouting: rule [0-9]+ differs, expected 'IPv4 from the guest's address'$" "$(check vif1.0)"
	restore "a replaced rule"

	d0 nft flush chain inet xen prerouting
	tmatch "the routed vifs' base chain flushed" "^0 chain prerouting has 0 rules, expected [0-9]+$" "$(check vif2.0)"
	teq "  the bridge table's vifs are still in place" "1 1" "$(check vif1.0) $(check vif3.0)"
	restore "the base chain"

	# A vif's elements.
	d0 nft delete element bridge xen addr4 '{ "vif1.0" . 10.0.0.1 }'
	teq "one element deleted" "0 no element vif1.0 . 10.0.0.1 in set addr4" "$(check vif1.0)"
	teq "  the others are still in place" "1 1" "$(check vif2.0) $(check vif3.0)"
	d0 nft add element bridge xen addr4 '{ "vif1.0" . 10.0.0.99 comment "vif1.0" }'
	teq "one element replaced by another" "0 no element vif1.0 . 10.0.0.1 in set addr4" "$(check vif1.0)"
	allow vif1.0
	teq "  an allow puts the missing one back, but the other stays" \
		"0 element vif1.0 . 10.0.0.99 of set addr4 not expected" "$(check vif1.0)"
	restore "an element too many"

	d0 nft delete element bridge xen macs '{ "vif1.0" . 00:16:3e:00:01:00 }'
	d0 nft add element bridge xen macs '{ "vif1.0" . 00:16:3e:00:01:00 comment "vif9.0" }'
	teq "an element commented for another vif" \
		"0 element vif1.0 . 00:16:3e:00:01:00 of set macs: comment 'vif9.0', expected 'vif1.0'" "$(check vif1.0)"
	restore "an element's comment"

	d0 nft flush set bridge xen addr6
	teq "a set flushed: bridged vif" "0 no element vif1.0 . 2001:db8::1 in set addr6" "$(check vif1.0)"
	teq "  the trunk vif (no ip key: set anyip) had none there" 1 "$(check vif3.0)"
	teq "  the routed vif is still in place" 1 "$(check vif2.0)"
	restore "a flushed set"

	d0 nft flush set bridge xen anyip
	teq "set anyip flushed: the trunk vif without an ip key" "0 no element vif3.0 in set anyip" "$(check vif3.0)"
	teq "  the routed vif is still in place" 1 "$(check vif2.0)"
	restore "a flushed set"

	d0 nft delete element bridge xen vifs '{ "vif1.0" }'
	teq "the element of set vifs deleted (bridged)" "0 no element vif1.0 in set vifs" "$(check vif1.0)"
	d0 nft delete element inet xen vifs '{ "vif2.0" }'
	teq "the element of set vifs deleted (routed)" "0 no element vif2.0 in set vifs" "$(check vif2.0)"
	d0 nft add element bridge xen vifs '{ "vif1.0" comment "vif1.0: ip any" }'
	teq "the element of set vifs says something else" \
		"0 element vif1.0 of set vifs: comment 'vif1.0: ip any', expected 'vif1.0: mac 00:16:3e:00:01:00 ip 10.0.0.1 2001:db8::1 fe80::216:3eff:fe00:100'" \
		"$(check vif1.0)"
	d0 nft delete element bridge xen vifs '{ "vif1.0" }'
	restore "elements of set vifs"

	d0 nft flush table bridge xen
	tmatch "table bridge xen flushed" "^0 (chain prerouting has 0 rules, expected $n1|no element vif1.0 in set vifs)$" "$(check vif1.0)"
	teq "  the routed vif is still in place" 1 "$(check vif2.0)"
	restore "a flushed table"

	d0 nft delete table bridge xen
	teq "table bridge xen deleted: bridged vif" "0 table bridge xen not found" "$(check vif1.0)"
	teq "table bridge xen deleted: trunk vif" "0 table bridge xen not found" "$(check vif3.0)"
	teq "  the routed vif is still in place" 1 "$(check vif2.0)"
	teq "  FW_NONE: nothing of vif1.0 is left" 1 "$(check vif1.0 none)"
	restore "a deleted table"

	# NAT
	d0 nft delete rule inet xen network-nat-postrouting handle \
		"$(d0 nft -a list chain inet xen network-nat-postrouting | grep masquerade | head -1 | sed 's/.*# handle //')"
	teq "NAT: one masquerade rule deleted" "0 chain network-nat-postrouting has 1 rule, expected 2" "$(natcheck)"
	d0 nft flush chain inet xen network-nat-postrouting
	teq "NAT: the chain flushed" "0 chain network-nat-postrouting has 0 rules, expected 2" "$(natcheck)"
	d0 nft delete chain inet xen network-nat-prerouting
	teq "NAT: a chain deleted" "0 chain network-nat-prerouting not found in table inet xen" "$(natcheck)"
	restore "NAT"

	# What nftables.service does on restart.
	d0 nft flush ruleset
	teq "nft flush ruleset: bridged vif" "0 table bridge xen not found" "$(check vif1.0)"
	teq "nft flush ruleset: routed vif" "0 table inet xen not found" "$(check vif2.0)"
	teq "nft flush ruleset: trunk vif" "0 table bridge xen not found" "$(check vif3.0)"
	teq "nft flush ruleset: NAT" "0 table inet xen not found" "$(natcheck)"
	restore "a flushed ruleset"
else
	ipt -D xen-vif1.0 "$(line ipt xen-vif1.0 "-s 10.0.0.1/32")"
	teq "one rule of the chain deleted" "0 iptables chain xen-vif1.0 has $((n1 - 1)) rules, expected $n1" "$(check vif1.0)"
	teq "  the others are still in place" "1 1" "$(check vif2.0) $(check vif3.0)"
	restore "one IPv4 rule"
	n6=$(ip6t -S xen-vif1.0 | grep -c '^-A')
	ip6t -D xen-vif1.0 1
	teq "one IPv6 rule deleted" "0 ip6tables chain xen-vif1.0 has $((n6 - 1)) rules, expected $n6" "$(check vif1.0)"
	restore "one IPv6 rule"

	k=$(line ipt xen-vif1.0 "-s 10.0.0.1/32")
	ipt -R xen-vif1.0 "$k" -s 10.0.0.99/32 -m comment --comment "vif1.0: IPv4 from the guest's address" -j RETURN
	teq "one rule replaced by another with the same comment" \
		"0 iptables chain xen-vif1.0: rule $k differs, expected 'vif1.0: IPv4 from the guest's address'" "$(check vif1.0)"
	ipt -R xen-vif1.0 "$k" -s 10.0.0.1/32 -m comment --comment "vif1.0: IPv4 from the guest's address" -j RETURN
	teq "  written back by iptables as it was: in place" 1 "$(check vif1.0)"
	restore "a replaced rule"

	ipt -F xen-vif1.0
	teq "the vif's chain flushed" "0 iptables chain xen-vif1.0 has 0 rules, expected $n1" "$(check vif1.0)"
	restore "a flushed chain"

	ipt -D xen-antispoof "$(line ipt xen-antispoof "-j xen-vif1.0")"
	teq "the dispatch deleted (bridged)" "0 no dispatch to chain xen-vif1.0 in iptables chain xen-antispoof" "$(check vif1.0)"
	ip6t -D xen-antispoof "$(line ip6t xen-antispoof "-j xen-vif2.0")"
	teq "the dispatch deleted (routed, IPv6)" "0 no dispatch to chain xen-vif2.0 in ip6tables chain xen-antispoof" "$(check vif2.0)"
	restore "the dispatch"

	ipt -D FORWARD "$(line ipt FORWARD "-j xen-antispoof")"
	teq "the jump from FORWARD deleted" "0 no jump to xen-antispoof in iptables chain FORWARD" "$(check vif3.0)"
	restore "the jump"

	ipt -F
	teq "iptables -F: bridged vif" "0 no jump to xen-antispoof in iptables chain FORWARD" "$(check vif1.0)"
	restore "iptables -F"

	# What a firewall reload does.
	ipt -F; ipt -X; ip6t -F; ip6t -X
	teq "iptables -F -X: bridged vif" "0 iptables chain xen-antispoof not found" "$(check vif1.0)"
	teq "iptables -F -X: routed vif" "0 iptables chain xen-antispoof not found" "$(check vif2.0)"
	teq "iptables -F -X: trunk vif" "0 iptables chain xen-antispoof not found" "$(check vif3.0)"
	teq "  FW_NONE: nothing of vif1.0 is left" 1 "$(check vif1.0 none)"
	restore "iptables -F -X"
	ip6t -F; ip6t -X
	teq "ip6tables -F -X only" "0 ip6tables chain xen-antispoof not found" "$(check vif1.0)"
	restore "ip6tables -F -X"

	# NAT
	ipt -t nat -D xen-network-nat-post 1
	teq "NAT: one masquerade rule deleted" "0 iptables chain xen-network-nat-post has 1 rule, expected 2" "$(natcheck)"
	ipt -t nat -F xen-network-nat-post
	teq "NAT: the chain flushed" "0 iptables chain xen-network-nat-post has 0 rules, expected 2" "$(natcheck)"
	restore "NAT"
	ipt -t nat -D POSTROUTING "$(line "ipt -t nat" POSTROUTING "-j xen-network-nat-post")"
	teq "NAT: the jump deleted" "0 no jump to xen-network-nat-post in iptables chain POSTROUTING" "$(natcheck)"
	restore "the NAT jump"
	ipt -t nat -F; ipt -t nat -X
	teq "NAT: iptables -t nat -F -X" "0 iptables chain xen-network-nat-pre not found" "$(natcheck)"
	restore "iptables -t nat -F -X"
fi

# --- FW_NONE ---------------------------------------------------------------
t "revoke vif1.0" fw revoke vif1.0
teq "FW_NONE: revoked, nothing left" 1 "$(check vif1.0 none)"
teq "  and not in place for $H_FW" 0 "$(check vif1.0 | cut -c1)"
t "allow vif1.0 with the other backend" allow vif1.0 "$other"
teq "FW_NONE: rules for vif1.0 left in $other" "0 rules for vif1.0 left in $other" "$(check vif1.0 none)"
teq "  in place for $other" 1 "$(check vif1.0 "$other")"
t "nat-clear" fw nat-clear network-nat
teq "FW_NONE: NAT cleared, nothing left" 1 "$(natcheck none)"

# --- fw_table_check (nft only) ---------------------------------------------
d0 nft -f - <<'EOF'
table inet zt {
	chain input { type filter hook input priority 0; policy accept; tcp dport 22 accept; }
}
EOF
teq "table-check: a table with a rule" 1 "$(chk table-check inet zt)"
teq "table-check: the same name in another family" "0 table ip zt not found" "$(chk table-check ip zt)"
d0 nft flush table inet zt
teq "table-check: after nft flush table" "0 table inet zt holds no rule" "$(chk table-check inet zt)"
d0 nft delete table inet zt
teq "table-check: after nft delete table" "0 table inet zt not found" "$(chk table-check inet zt)"
long=$(printf 'z%.0s' {1..255})
d0 nft add table ip "$long"
d0 nft add chain ip "$long" c
d0 nft add rule ip "$long" c accept
teq "table-check: a name at nft's limit (255)" 1 "$(chk table-check ip "$long")"
tn "table-check: a name one past the limit is refused" fw table-check ip "${long}z"
tmatch "  with EINVAL" 'Invalid argument' "$H_OUT"
tn "table-check: an unknown family is refused" fw table-check inet6 zt
tn "table-check: an empty name is refused" fw table-check inet ""

# --- a pass over many vifs -------------------------------------------------
# 200 bridged vifs, checked in one pass (one dump per table): the time is
# printed for the record, not asserted.
many=$(seq -f 'vm%g.0' 1 200 | paste -sd,)
t "allow 200 vifs with $H_FW" fw allow "$many" "$H_FW" bridged mac=00:16:3e:00:00:09 "ip=10.9.0.1 2001:db8::9"
chk check "$many" "$H_FW" bridged mac=00:16:3e:00:00:09 "ip=10.9.0.1 2001:db8::9" passes=5 >"$H_DIR/many.out"
teq "a pass over 200 vifs: all in place" 200 "$(grep -cx 1 "$H_DIR/many.out")"
grep '^fwtool check:' "$H_DIR/many.out" | sed "s/^/# $H_FW ${H_BIN##*/}: /"
if [ "$H_FW" = nft ]; then
	d0 nft delete element bridge xen vifs '{ "vm77.0" }'
else
	ipt -D xen-antispoof "$(line ipt xen-antispoof "-j xen-vm77.0")"
fi
chk check "$many" "$H_FW" bridged mac=00:16:3e:00:00:09 "ip=10.9.0.1 2001:db8::9" >"$H_DIR/many.out"
teq "one of 200 damaged: one pass finds it, and only it" "77:0" \
	"$(grep -vnx 1 "$H_DIR/many.out" | cut -d' ' -f1)"
