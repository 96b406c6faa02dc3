#!/bin/bash
# The Debian package (issue 13): build it from the checkout, lintian, then
# install / reinstall Xen / remove / purge and the known traps in a throwaway
# debootstrap bookworm chroot.  Never the machine's own /etc: everything
# happens in the run's temporary directory, removed (after unmounting
# whatever is mounted under it) on every exit path.
#   bash tests/pkg/package.sh          (root, the network for apt)
# The finished debootstrap tree and the .debs apt fetched are cached under
# /var/cache/xen-netscripts-tests (rm -rf it for a fresh one).
set -u
. "$(dirname "$0")/../harness/lib.sh"

[ "$(id -u)" = 0 ] || { echo "tests/pkg/package.sh: needs root (chroot)" >&2; exit 2; }

T=$(mktemp -d /tmp/xns-pkg.XXXXXX)
root=$T/root
cache=/var/cache/xen-netscripts-tests
S=/etc/xen/scripts
VIFS="vif-bridge vif-route vif-nat"

# machine_restore: after a run on this machine, whatever happened to it,
# xen-netscripts purged, no diversion of ours, Xen's scripts as they were.
machine_restore() {
	local f p
	[[ $(status xen-netscripts) =~ $none ]] || dpkg --purge xen-netscripts >>"$T/apt.log" 2>&1
	dpkg-divert --list "$S/*" | awk '$NF == "xen-netscripts" {print $3}' | while read -r f; do
		dpkg-divert --package xen-netscripts --remove --rename "$f" >>"$T/apt.log" 2>&1
	done
	for p in $VIFS; do
		[ "$(md5 "$S/$p")" = "${xsum[$p]}" ] && continue
		echo "# machine_restore: $S/$p put back from the copy taken before the install" >&3
		rm -f "$S/$p" && cp -a "$T/xen/$p" "$S/$p"
	done
}

pkg_exit() {
	local rc=$? m
	[ -n "${machine:-}" ] && R= machine_restore
	# Whatever is mounted in the chroot first (rm -rf would go through it).
	if [ -d "$root" ]; then
		findmnt -rn -o TARGET | grep -F "$root" | sort -r | while read -r m; do
			umount -l "$m"
		done
	fi
	rm -rf --one-file-system "$T"
	h_summary >&3 # the script's own output (an interrupted t redirects to /dev/null)
	[ "$H_FAIL" -eq 0 ] && [ "$rc" -eq 0 ]
}
exec 3>&1
trap pkg_exit EXIT
trap 'not_ok "interrupted" >&3; exit 130' INT TERM

# --- build and lintian ---------------------------------------------------------

# The checkout's files (committed or not, what git does not ignore) are
# copied to $T/src: dpkg-buildpackage writes its outputs to the parent
# directory, $T then, and the checkout's build trees stay as they are.
mkdir "$T/src"
(cd "$H_TOP" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -a -t "$T/src" 2>/dev/null)
if (cd "$T/src" && dpkg-buildpackage -b -us -uc) >"$T/build.log" 2>&1; then
	ok "dpkg-buildpackage -b -us -uc builds the package"
else
	not_ok "dpkg-buildpackage -b -us -uc builds the package (end of its log:)"
	tail -20 "$T/build.log"
	exit 1
fi
deb=$(ls "$T"/xen-netscripts_*_amd64.deb)
t "one xen-netscripts_VERSION_amd64.deb" test -f "$deb"
tmatch "Built-Using names libnftnl, libnl3 and xen (linked in statically)" \
	'^libnftnl \(= [^)]+\), libnl3 \(= [^)]+\), xen \(= [^)]+\)$' "$(dpkg-deb -f "$deb" Built-Using)"
lint=$(lintian -I --pedantic "$T"/xen-netscripts_*.changes 2>&1)
teq "lintian: no errors" "" "$(grep '^E:' <<<"$lint")"
teq "lintian: no warnings" "" "$(grep '^W:' <<<"$lint")"
teq "lintian -I --pedantic: no other tag either (each kept one has its override)" "" \
	"$(grep '^[A-Z]:' <<<"$lint")"

# --- the chroot ----------------------------------------------------------------

mkdir -p "$cache/debs"
if [ ! -s "$cache/bookworm-minbase.tar" ]; then
	debootstrap --variant=minbase bookworm "$T/boot" http://deb.debian.org/debian \
		>"$T/debootstrap.log" 2>&1 || { not_ok "debootstrap bookworm"; tail "$T/debootstrap.log"; exit 1; }
	tar -C "$T/boot" -cf "$cache/bookworm-minbase.tar.tmp" . &&
		mv "$cache/bookworm-minbase.tar.tmp" "$cache/bookworm-minbase.tar"
	rm -rf --one-file-system "$T/boot"
fi
mkdir "$root"
tar -C "$root" -xf "$cache/bookworm-minbase.tar"
cp /etc/resolv.conf "$root/etc/resolv.conf"
cp "$deb" "$root/tmp/xns.deb"
cp "$cache"/debs/*.deb "$root/var/cache/apt/archives/" 2>/dev/null
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

# The system the cases below look at: R, the chroot ($root) first, then
# this machine (R empty).  c CMD...: CMD run there.
R=$root
c() {
	local e=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C)
	if [ -n "$R" ]; then chroot "$R" "${e[@]}" "$@" </dev/null; else "${e[@]}" "$@" </dev/null; fi
}
# apt ARGS...: apt-get there, its output appended to apt.log.
apt() {
	echo "### apt-get $*" >>"$T/apt.log"
	c apt-get -y -q --no-install-recommends "$@" >>"$T/apt.log" 2>&1
}
none='^([a-z]+ ok not-installed)?$' # dpkg's status of a purged or unknown package
status() { c dpkg-query -W -f='${Status}' "$1" 2>/dev/null; }
md5() { md5sum <"$R$1" | cut -d' ' -f1; }
diversions() { c dpkg-divert --list "$S/*" | sort; }
# xsum[NAME]: the checksum of Xen's vif-NAME there, from xen-utils-common's
# Conffiles (the scripts are conffiles: its md5sums file does not list them).
declare -A xsum
load_sums() {
	local path sum p
	xsum=()
	while read -r path sum _; do
		xsum[${path#"$S/"}]=$sum
	done < <(c dpkg-query -W -f='${Conffiles}\n' xen-utils-common | grep " $S/vif-")
	for p in $VIFS; do
		tmatch "$1: xen-utils-common's Conffiles has a checksum for $p" '^[0-9a-f]{32}$' "${xsum[$p]:-}"
	done
}
want_diversions=$(for p in $VIFS; do
	echo "diversion of $S/$p to $S/$p.xen-netscripts-orig by xen-netscripts"
done | sort)

# installed LABEL: ours in place, Xen's scripts diverted and intact.
installed() {
	local p
	teq "$1: xen-netscripts installed" "install ok installed" "$(status xen-netscripts)"
	teq "$1: the three diversions (dpkg-divert --list)" "$want_diversions" \
		"$(diversions | grep -F "$S/vif-")"
	for p in $VIFS; do
		teq "$1: $S/$p resolves to our binary" "/usr/libexec/xen-netscripts/$p" \
			"$(c readlink -f "$S/$p")"
		teq "$1: $p.xen-netscripts-orig is Xen's (Conffiles checksum)" "${xsum[$p]}" \
			"$(md5 "$S/$p.xen-netscripts-orig")"
	done
	teq "$1: dpkg --verify xen-utils-common is clean" "" "$(c dpkg --verify xen-utils-common 2>&1)"
}

# gone LABEL: no diversion, Xen's scripts back byte for byte, nothing of
# the diversion's names left.
gone() {
	local p
	teq "$1: no diversion left" "" "$(diversions)"
	for p in $VIFS; do
		t "$1: $S/$p is a file again, not a link" test -f "$R$S/$p" -a ! -L "$R$S/$p"
		teq "$1: $S/$p is Xen's (Conffiles checksum)" "${xsum[$p]}" "$(md5 "$S/$p")"
	done
	teq "$1: no NAME.xen-netscripts* or NAME.sh-orig left in $S" "" \
		"$(cd "$R$S" && ls -d ./*.xen-netscripts* ./*.sh-orig 2>/dev/null)"
	teq "$1: dpkg --verify xen-utils-common is clean" "" "$(c dpkg --verify xen-utils-common 2>&1)"
}

# Every file and link the package ships (no directories), plus what
# systemd enabling would leave: none of them may remain after a purge.
ours=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\.||')
left_of_ours() {
	local f
	for f in $ours; do [ -e "$R$f" ] || [ -L "$R$f" ] && echo "$f"; done
	(cd "${R:-/}" && find etc/systemd var/lib/dpkg/info -name 'xen-netscripts*' -o -name 'xen-network-*' 2>/dev/null)
}

t "apt-get update in the chroot" apt update
tmatch "xen-utils-common is not installed in the fresh chroot" "$none" "$(status xen-utils-common)"

echo "# joint install: xen-utils-common and xen-netscripts in one apt run"
t "joint install: apt-get install ./xen-netscripts.deb" apt install /tmp/xns.deb
cp "$root"/var/cache/apt/archives/*.deb "$cache/debs/" 2>/dev/null
teq "joint install: xen-utils-common installed" "install ok installed" "$(status xen-utils-common)"
# Both unpacked by the same dpkg run (dpkg.log's "startup archives unpack"
# starts each): ours saw Xen's new files unpacked, not yet configured.
blocks=$(awk '/ startup archives unpack$/ {n++} / install (xen-utils-common|xen-netscripts):/ {print n}' \
	"$root/var/log/dpkg.log")
teq "joint install: both unpacked in one dpkg run (installs, distinct runs)" "2 1" \
	"$(grep -c . <<<"$blocks") $(sort -u <<<"$blocks" | grep -c .)"
load_sums "chroot"
installed "joint install"

echo "# upgrade: xen-utils-common reinstalled"
t "upgrade: apt-get install --reinstall xen-utils-common" apt install --reinstall xen-utils-common
installed "after reinstalling xen-utils-common"

echo "# remove"
t "remove: apt-get remove xen-netscripts" apt remove xen-netscripts
gone "after remove"

echo "# purge"
t "purge: install again" apt install /tmp/xns.deb
installed "installed again"
t "purge: apt-get purge xen-netscripts" apt purge xen-netscripts
gone "after purge"
teq "after purge: no file of ours left" "" "$(left_of_ours)"
tmatch "after purge: xen-netscripts not installed" "$none" "$(status xen-netscripts)"

echo "# trap: a leftover file at the diverted name"
echo leftover >"$root$S/vif-bridge.xen-netscripts-orig"
t "leftover: the install succeeds" apt install /tmp/xns.deb
installed "leftover"
teq "leftover: kept as .xen-netscripts-orig.dpkg-old" leftover \
	"$(cat "$root$S/vif-bridge.xen-netscripts-orig.dpkg-old" 2>&1)"
t "leftover: purge" apt purge xen-netscripts
rm -f "$root$S/vif-bridge.xen-netscripts-orig.dpkg-old" # the administrator's (see ISSUE13-PLAN.md)
gone "leftover, after purge"

echo "# trap: an earlier make install of an older version (binary at vif-bridge, Xen's at .sh-orig)"
mv "$root$S/vif-bridge" "$root$S/vif-bridge.sh-orig"
cp "$root/bin/true" "$root$S/vif-bridge"
t "old make install: the install succeeds" apt install /tmp/xns.deb
installed "over an old make install"
t "old make install: purge" apt purge xen-netscripts
gone "over an old make install, after purge"

echo "# trap: an earlier make install (links to /usr/local/libexec, Xen's at .sh-orig, network-* links)"
mk() { make -s -C "$T/src" B=debian/build DESTDIR="$root" "$@" >>"$T/make.log" 2>&1; }
t "make install: make install DESTDIR=chroot" mk install
teq "make install: network-route is its link" /usr/local/libexec/xen-netscripts/network-route \
	"$(readlink "$root$S/network-route")"
t "make install: the install succeeds" apt install /tmp/xns.deb
installed "over a make install"
for p in network-route network-nat network-zones; do
	teq "over a make install: $p resolves to the package's binary" \
		"/usr/libexec/xen-netscripts/$p" "$(c readlink -f "$S/$p")"
	teq "over a make install: make install's $p kept (diverted)" \
		"diversion of $S/$p to $S/$p.xen-netscripts-orig by xen-netscripts" \
		"$(c dpkg-divert --list "$S/$p")"
done
t "make install: purge" apt purge xen-netscripts
for p in network-route network-nat network-zones; do
	teq "make install, after purge: make install's $p is back" \
		"/usr/local/libexec/xen-netscripts/$p" "$(readlink "$root$S/$p")"
done
t "make install: make uninstall DESTDIR=chroot" mk uninstall
rm -f "$root/etc/xen/xen-netscripts.conf" # make uninstall keeps the settings
gone "over a make install, after purge and make uninstall"
teq "make install, after make uninstall: no network-* left" "" \
	"$(cd "$root$S" && ls -d network-* 2>/dev/null)"

echo "# trap: xen-utils-common purged while xen-netscripts is installed"
t "Xen purged: install" apt install /tmp/xns.deb
t "Xen purged: apt-get purge xen-utils-common" apt purge xen-utils-common
tmatch "Xen purged: xen-netscripts is no longer installed" '^(|.* not-installed|.* config-files)$' \
	"$(status xen-netscripts)"
tmatch "Xen purged: xen-utils-common purged" "$none" "$(status xen-utils-common)"
teq "Xen purged: no diversion left" "" "$(diversions)"
teq "Xen purged: nothing left of vif-* in $S" "" "$(cd "$root$S" 2>/dev/null && ls -d vif-* 2>/dev/null)"
teq "Xen purged: no binary of ours left" "" "$(ls -A "$root/usr/libexec/xen-netscripts" 2>/dev/null)"

# --- this machine -------------------------------------------------------------

# The package on the real system: installed, Xen's vif-bridge scenario run
# through /etc/xen/scripts/vif-bridge (the packaged binary, with each
# firewall backend), xen-utils-common reinstalled, removed, purged.  It
# starts only from /etc/xen/scripts as xen-utils-common ships it, keeps a
# copy of Xen's scripts, and pkg_exit puts everything back on every exit
# path (machine_restore).
echo "# this machine"
R=
machine=
load_sums "this machine"
unclean=$(
	[ "$(status xen-utils-common)" = "install ok installed" ] || echo "xen-utils-common is not installed"
	[[ $(status xen-netscripts) =~ $none ]] || echo "xen-netscripts is $(status xen-netscripts)"
	diversions
	for p in $VIFS; do [ "$(md5 "$S/$p")" = "${xsum[$p]}" ] || echo "$S/$p is not Xen's"; done
	left_of_ours
	ls -d "$S"/*.sh-orig "$S"/*.xen-netscripts* 2>/dev/null
	[ -f "$H_TOP/build/xsshim.so" ] || echo "no $H_TOP/build/xsshim.so (make check-build)"
)
if [ -n "$unclean" ]; then
	not_ok "this machine is as xen-utils-common left it (the test changes the real /etc and must be able to put it back):"
	echo "$unclean" | sed 's/^/#   /'
	exit 1
fi
ok "this machine is as xen-utils-common left it"
mkdir "$T/xen"
cp -a "$S"/vif-bridge "$S"/vif-route "$S"/vif-nat "$T/xen/"
machine=1

t "machine: apt-get install ./xen-netscripts.deb" apt install "$deb"
installed "machine"
for fw in nft iptables; do
	echo "# tests/e2e/vif-bridge.sh (firewall=$fw) with H_BIN=$S: the installed $S/vif-bridge"
	H_FW=$fw H_BIN=$S bash "$H_TOP/tests/e2e/vif-bridge.sh"
	teq "machine: tests/e2e/vif-bridge.sh (firewall=$fw) through $S/vif-bridge passes" 0 $?
done
t "machine: apt-get install --reinstall xen-utils-common" apt install --reinstall xen-utils-common
installed "machine, after reinstalling xen-utils-common"
t "machine: apt-get remove xen-netscripts" apt remove xen-netscripts
gone "machine, after remove"
t "machine: apt-get purge xen-netscripts" apt purge xen-netscripts
gone "machine, after purge"
teq "machine, after purge: no file of ours left" "" "$(left_of_ours)"
tmatch "machine, after purge: xen-netscripts not installed" "$none" "$(status xen-netscripts)"

[ "$H_FAIL" -eq 0 ] || { echo "# apt's output:"; tail -40 "$T/apt.log"; }
