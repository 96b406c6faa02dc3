#!/bin/bash
# Groundwork for issue 13's package test: install, reinstall xen-utils-common,
# remove, purge, in a throwaway Debian chroot (never the machine's own /etc).
#   debootstrap --variant=minbase bookworm DIR http://deb.debian.org/debian
#   bash debian/tests-groundwork/chroot-traps.sh DIR path/to/xen-netscripts_V_amd64.deb
# DIR stays pristine: each run works on a copy, DIR.work, removed at the end.
# Prints what it sees; asserts nothing yet (the later session turns these
# into t/teq checks).  Needs root and the network (apt in the chroot).
set -u
pristine=$1 deb=$2
[ -d "$pristine/etc" ] && [ -f "$deb" ] || { echo "usage: $0 CHROOT DEB" >&2; exit 2; }
root=$pristine.work
rm -rf "$root"
cp -a "$pristine" "$root"
trap 'rm -rf "$root"' EXIT
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/xns.deb"
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod 755 "$root/usr/sbin/policy-rc.d"
c() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
S=/etc/xen/scripts
show() {
	echo "--- $1"
	c dpkg-divert --list '*xen/scripts*' | sort
	for p in vif-bridge vif-route vif-nat network-route network-nat network-zones; do
		f=$S/$p
		printf '%-16s ' "$p"
		if [ -L "$root$f" ]; then printf -- '-> %s ' "$(readlink "$root$f")"; fi
		if c test -e "$f"; then c head -c2 "$f" | grep -q '#!' && printf 'shell ' || printf 'binary '; else printf 'absent '; fi
		[ -e "$root$f.sh-orig" ] && printf 'sh-orig-present '
		[ -e "$root$f.xen-netscripts-orig" ] && printf 'orig-present '
		echo
	done
	# Xen's own checksums: vif-* are conffiles, so they are not in
	# xen-utils-common.md5sums but in its Conffiles field.
	c dpkg-query -W -f='${Conffiles}\n' xen-utils-common 2>/dev/null | grep " $S/vif-" |
		while read -r path sum _; do
			for n in "$path" "$path.xen-netscripts-orig"; do
				[ -f "$root$n" ] && [ ! -L "$root$n" ] || continue
				[ "$(md5sum <"$root$n" | cut -d' ' -f1)" = "$sum" ] && echo "md5 ok $n" || echo "md5 DIFFERS $n"
			done
		done
	echo "dpkg --verify xen-utils-common: [$(c dpkg --verify xen-utils-common 2>&1 | tr '\n' ' ')]"
}
c apt-get update -q >/dev/null
echo "=== joint install: xen-utils-common and xen-netscripts in one apt run"
c apt-get install -y -q --no-install-recommends /tmp/xns.deb 2>&1 | grep -i 'unpack\|setting up\|warn\|error\|divert' | grep -i 'xen\|warn\|error'
show "after joint install"
echo "=== upgrade: reinstall xen-utils-common"
c apt-get install -y -q --reinstall --no-install-recommends xen-utils-common 2>&1 | grep -i 'warn\|error\|conffile'
show "after reinstalling xen-utils-common"
echo "=== remove"
c apt-get remove -y -q xen-netscripts 2>&1 | grep -i 'warn\|error\|ominous\|not removing'
show "after remove"
echo "=== install again, purge"
c apt-get install -y -q --no-install-recommends /tmp/xns.deb >/dev/null 2>&1
c apt-get purge -y -q xen-netscripts 2>&1 | grep -i 'warn\|error\|ominous\|not removing'
show "after purge"
echo "left of ours: $(cd "$root" && ls -d etc/xen/xen-netscripts.conf etc/iproute2/rt_protos.d/xen-netscripts.conf usr/libexec/xen-netscripts etc/systemd/system/*/xen-* 2>/dev/null | tr '\n' ' ')"
echo "=== trap: a leftover file at the diverted name"
echo leftover >"$root$S/vif-bridge.xen-netscripts-orig"
c apt-get install -y -q --no-install-recommends /tmp/xns.deb 2>&1 | grep -i 'warn\|error\|divert\|ominous' | head -5
show "after install over a leftover"
c apt-get purge -y -q xen-netscripts >/dev/null 2>&1
show "after purge (the leftover was kept as .dpkg-old)"
ls "$root$S"/vif-bridge* | sed "s|^$root|present: |"
rm -f "$root$S"/vif-bridge.xen-netscripts-orig*
echo "=== trap: make install was run before (binary at vif-bridge, shell at vif-bridge.sh-orig)"
mv "$root$S/vif-bridge" "$root$S/vif-bridge.sh-orig"; cp "$root/bin/true" "$root$S/vif-bridge"
c apt-get install -y -q --no-install-recommends /tmp/xns.deb >/dev/null 2>&1
c apt-get purge -y -q xen-netscripts >/dev/null 2>&1
show "after install + purge over a make install"
ls "$root$S"/vif-bridge* | sed "s|^$root|present: |"
echo "=== trap: xen-utils-common purged while we are installed"
c apt-get install -y -q --no-install-recommends /tmp/xns.deb >/dev/null 2>&1
c apt-get purge -y -q xen-utils-common 2>&1 | grep -i 'remov\|purg\|warn\|error\|ominous' | grep -v '^Reading'
show "after purging xen-utils-common"
echo "files left: $(cd "$root" && find etc/xen etc/iproute2/rt_protos.d usr/libexec/xen-netscripts 2>/dev/null | tr '\n' ' ')"
rm -f "$root/usr/sbin/policy-rc.d"
