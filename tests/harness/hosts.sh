# More than one dom0: hosts, each a namespace with its own xenstored, run
# directory, lock directory, settings file and hotplug log, as two machines
# have.  Source it after lib.sh, after h_setup.
#
#   h_host NAME           namespace $H_ID-NAME, its files under $H_DIR/NAME
#   hx NAME CMD...        CMD in the host's namespace
#   hxs NAME CMD...       CMD (xenstore-read, ...) against the host's xenstored
#   hguest NAME DOMID [DEVID] [KEY=VALUE...]
#                         h_guest on that host: vifD.N in the host, eth0 in
#                         namespace $H_ID-NAME-gD; mac=M also sets eth0's MAC
#   hg NAME DOMID CMD...  CMD in that guest's namespace
#   hrun NAME SCRIPT CMD DOMID [DEVID] [ARGS...]
#                         h_run on that host (libxl's environment, sets H_RC)
#   hnet NAME BINARY ARGS...
#                         h_net on that host (sets H_RC, H_OUT)
#   h_host_bg NAME LOG CMD...
#                         lib.sh's h_bg in the host's namespace with the
#                         host's environment (its PID in H_BG_PID, killed at
#                         exit or by h_bg_kill PID)
#
# Below those: a LAN with a router and a LAN host (h_lan, h_lan_host), BIRD
# and FRR in namespaces with the shipped examples (h_bird_router,
# h_bird_host, h_frr_host), and a routed guest migrating between hosts
# (h_mg_arrive, h_mg_resume, h_mg_pause, h_mg_leave), for
# tests/e2e/migrate.sh and bench/migrate.sh.
#
# Everything (namespaces, xenstoreds, background commands) goes at exit,
# whatever the exit path: the xenstoreds and background commands by PID
# (lib.sh's H_BG_PIDS).

declare -gA H_HOST_NUM=() # the LAN hosts' numbers (h_lan_host)

# h_host_env NAME: H_HENV, the command prefix every binary of host NAME
# starts with: lib.sh's H_ENV_BASE with each path in the run's directories
# moved to the host's ($H_DIR/X -> $H_DIR/NAME/X: its xenstored's socket,
# log, settings; $H_RT/X -> $H_RT/NAME/X: its lock and run directories).
h_host_env() {
	local e
	H_HENV=()
	for e in "${H_ENV_BASE[@]}"; do
		if [[ $e == *=$H_RT/* ]]; then e=${e%%=*}=$H_RT/$1/${e#*=$H_RT/}
		elif [[ $e == *=$H_DIR/* ]]; then e=${e%%=*}=$H_DIR/$1/${e#*=$H_DIR/}
		fi
		H_HENV+=("$e")
	done
}

h_host() {
	local name=$1 dir=$H_DIR/$1 H_DIR=$H_DIR/$1 H_XS_PID=
	local -x XENSTORED_PATH=$dir/xs/socket
	h_netns "$name"
	mkdir -p "$dir/scripts" "$H_RT/$name/locks" "$H_RT/$name/run"
	if [ -n "${H_FW:-}" ]; then echo "firewall=$H_FW" >"$dir/netscripts.conf"
	else : >"$dir/netscripts.conf"; fi
	h_xenstored
	H_BG_PIDS+=("$H_XS_PID")
}

hx() { local n=$1; shift; ip netns exec "$H_ID-$n" "$@"; }
hxs() { local n=$1; shift; XENSTORED_PATH=$H_DIR/$n/xs/socket "$@"; }
hg() { local n=$1 d=$2; shift 2; ip netns exec "$H_ID-$n-g$d" "$@"; }

hguest() {
	local name=$1 kv
	shift
	local H_D0=$H_ID-$name
	local H_ID=$H_ID-$name
	local -x XENSTORED_PATH=$H_DIR/$name/xs/socket
	h_guest "$@"
	for kv in "$@"; do
		[ "${kv%%=*}" = mac ] || continue
		ip -n "$H_ID-g$1" link set "eth${2:-0}" address "${kv#*=}"
		xenstore-write "/local/domain/$1/device/vif/${2:-0}/mac" "${kv#*=}"
	done
}

# h_on NAME FUNCTION ARGS...: lib.sh's FUNCTION (h_run, h_net) on host NAME.
h_on() {
	local name=$1 H_HENV
	shift
	local H_D0=$H_ID-$name
	h_host_env "$name"
	local H_ENV_BASE=("${H_HENV[@]}")
	"$@"
}
hrun() { h_on "$1" h_run "${@:2}"; }
hnet() { h_on "$1" h_net "${@:2}"; }

# h_host_bg NAME LOG CMD...: h_bg with the host's environment.
h_host_bg() {
	local name=$1 log=$2 H_HENV
	shift 2
	h_host_env "$name"
	h_bg "$name" "$log" "${H_HENV[@]}" "$@"
}

# --- a LAN with two hosts, a router and a LAN host (migration) -------------
# h_lan: namespace $H_ID-lan with the bridge br0 (the LAN: 192.0.2.0/24,
# 2001:db8:1::/64), on it the router (namespace $H_ID-router, .1 and ::1)
# and the LAN host ($H_ID-lanhost, .100 and ::100), each on its eth0.
h_lan() {
	h_netns lan
	ip -n "$H_ID-lan" link add br0 type bridge stp_state 0 forward_delay 0
	ip -n "$H_ID-lan" link set br0 up
	h_netns router
	h_lan_port router eth0 1
	h_netns lanhost
	h_lan_port lanhost eth0 100
}

# h_lan_port NS IFNAME N: IFNAME in namespace $H_ID-NS on the LAN, up, with
# 192.0.2.N/24 and 2001:db8:1::N/64.
h_lan_port() {
	local ns=$H_ID-$1
	ip -n "$H_ID-lan" link add "p-$1" type veth peer name "$2" netns "$ns"
	ip -n "$H_ID-lan" link set "p-$1" master br0 up
	ip -n "$ns" addr add "192.0.2.$3/24" dev "$2"
	ip -n "$ns" addr add "2001:db8:1::$3/64" dev "$2" nodad
	ip -n "$ns" link set "$2" up
}

# h_lan_host NAME N: host NAME (h_host) with its uplink on the LAN as
# 192.0.2.N and 2001:db8:1::N, default routes via the router, and
# network-route started (proxy ARP and NDP on the uplink).
h_lan_host() {
	h_host "$1"
	H_HOST_NUM[$1]=$2
	h_lan_port "$1" uplink "$2"
	hx "$1" ip route add default via 192.0.2.1
	hx "$1" ip -6 route add default via 2001:db8:1::1
	hnet "$1" "$H_BIN/network-route" start ipv6=yes
}

# h_lan_ipv6_up NS: IFNAME's IPv6 in $H_ID-NS is ready (until its multicast
# route is there, what comes to ff02::1 is dropped).
h_lan_ipv6_up() { ip -n "$H_ID-$1" -6 route show table local | grep -q "^multicast ff00::/8 dev $2 "; }

# h_bird NS CONF: BIRD in namespace $H_ID-NS with CONF, its control socket,
# pid file and log in $H_DIR/bird-NS.*; h_birdc NS CMD... talks to it.
h_bird() {
	h_bg "$1" "$H_DIR/bird-$1.log" bird -f -c "$2" -s "$H_DIR/bird-$1.ctl" -P "$H_DIR/bird-$1.pid"
}
h_birdc() { local ns=$1; shift; birdc -s "$H_DIR/bird-$ns.ctl" "$@"; }

# h_frr NS BGPD_CONF: FRR's zebra and bgpd in namespace $H_ID-NS, bgpd with
# BGPD_CONF, their sockets, pid files and logs in $H_DIR/frr-NS/;
# h_vtysh NS CMD... talks to them.
h_frr() {
	local dir=$H_DIR/frr-$1
	mkdir -p "$dir"
	: >"$dir/zebra.conf"
	h_bg "$1" "$dir/zebra.log" /usr/lib/frr/zebra -f "$dir/zebra.conf" -i "$dir/zebra.pid" \
		-z "$dir/zserv.api" --vty_socket "$dir" -P 0 -u root -g frrvty --log stdout
	h_until 5 test -S "$dir/zserv.api"
	h_bg "$1" "$dir/bgpd.log" /usr/lib/frr/bgpd -f "$2" -i "$dir/bgpd.pid" \
		-z "$dir/zserv.api" --vty_socket "$dir" -P 0 -u root -g frrvty --log stdout
}
h_vtysh() { local ns=$1; shift; vtysh --vty_socket "$H_DIR/frr-$ns" -c "$*"; }

# BGP on the LAN: the router is AS 65000, host NAME with address N is AS
# 65000+N; short timers so that sessions come up in a second or two.
H_BIRD_TIMERS='connect delay time 1; connect retry time 1; error wait time 1, 2; hold time 6;'

# h_bird_router N...: BIRD on the router, a session (IPv4 and IPv6) with
# each host 192.0.2.N, importing everything into the kernel.
h_bird_router() {
	local conf=$H_DIR/bird-router.conf n
	cat >"$conf" <<-EOC
	log "$H_DIR/bird-router.log.bird" all;
	router id 192.0.2.1;
	protocol device { }
	protocol kernel { ipv4 { import none; export all; }; }
	protocol kernel { ipv6 { import none; export all; }; }
	EOC
	for n in "$@"; do
		cat >>"$conf" <<-EOC
		protocol bgp h${n}v4 { local 192.0.2.1 as 65000; neighbor 192.0.2.$n as $((65000 + n));
		    $H_BIRD_TIMERS ipv4 { import all; export none; }; }
		protocol bgp h${n}v6 { local 2001:db8:1::1 as 65000; neighbor 2001:db8:1::$n as $((65000 + n));
		    $H_BIRD_TIMERS ipv6 { import all; export none; }; }
		EOC
	done
	h_bird router "$conf"
}

# h_bgp_up N...: BIRD on the router has its sessions with hosts N... up.
h_bgp_up() {
	local n
	for n in "$@"; do
		h_birdc router show protocols "h${n}v4" | grep -q Established || return 1
		h_birdc router show protocols "h${n}v6" | grep -q Established || return 1
	done
}

# h_bird_host NAME N: BIRD on host NAME (192.0.2.N) with the shipped
# etc/bird/xen-netscripts.conf included as it is, its sessions with the
# router made from the snippet's templates.
h_bird_host() {
	local conf=$H_DIR/bird-$1.conf
	cat >"$conf" <<-EOC
	log "$H_DIR/bird-$1.log.bird" all;
	router id 192.0.2.$2;
	protocol device { }
	include "$H_TOP/etc/bird/xen-netscripts.conf";
	protocol bgp r4 from xen_bgp4 { local 192.0.2.$2 as $((65000 + $2));
	    neighbor 192.0.2.1 as 65000; $H_BIRD_TIMERS }
	protocol bgp r6 from xen_bgp6 { local 2001:db8:1::$2 as $((65000 + $2));
	    neighbor 2001:db8:1::1 as 65000; $H_BIRD_TIMERS }
	EOC
	h_bird "$1" "$conf"
}

# h_frr_host NAME N: FRR's bgpd on host NAME (192.0.2.N): the router bgp
# block with the sessions, then the shipped etc/frr/xen-netscripts.conf
# appended as it is (announce_metric must be set to its metric).
h_frr_host() {
	local conf=$H_DIR/frr-$1.conf
	cat >"$conf" <<-EOC
	hostname $1
	router bgp $((65000 + $2))
	 bgp router-id 192.0.2.$2
	 no bgp ebgp-requires-policy
	 no bgp default ipv4-unicast
	 timers bgp 2 6
	 neighbor 192.0.2.1 remote-as 65000
	 neighbor 192.0.2.1 timers connect 1
	 neighbor 192.0.2.1 advertisement-interval 0
	 neighbor 2001:db8:1::1 remote-as 65000
	 neighbor 2001:db8:1::1 timers connect 1
	 neighbor 2001:db8:1::1 advertisement-interval 0
	 address-family ipv4 unicast
	  neighbor 192.0.2.1 activate
	 exit-address-family
	 address-family ipv6 unicast
	  neighbor 2001:db8:1::1 activate
	 exit-address-family
	exit
	EOC
	cat "$H_TOP/etc/frr/xen-netscripts.conf" >>"$conf"
	h_frr "$1" "$conf"
}

# --- a routed guest that migrates between hosts on the LAN ----------------
# Its addresses are in the LAN's subnet (proxy ARP and NDP), its MAC is the
# same on every host; each host's end is a guest namespace of its own
# (hg NAME DOMID), only one of them up at a time.
H_G4=192.0.2.50
H_G6=2001:db8:1::50
H_GMAC=00:16:3e:00:00:50

# h_mg_arrive NAME DOMID: the vif of domain DOMID on host NAME, its guest
# end down (paused: no carrier), and vif-route online (sets H_RC).
h_mg_arrive() {
	hguest "$1" "$2" 0 "ip=$H_G4 $H_G6" script="$H_BIN/vif-route" mac="$H_GMAC"
	hg "$1" "$2" ip link set eth0 down
	hrun "$1" "$H_BIN/vif-route" online "$2"
}

# h_mg_resume NAME DOMID: the guest runs on host NAME: its end up (carrier).
h_mg_resume() { hg "$1" "$2" ip link set eth0 up; }

# h_mg_config NAME DOMID: the running guest's addresses and routes (IPv4 on
# the link, IPv6 via the vif's link-local address).
h_mg_config() {
	local ll
	hg "$1" "$2" ip addr replace "$H_G4/24" dev eth0
	hg "$1" "$2" ip addr replace "$H_G6/128" dev eth0 nodad
	h_until 3 h_link_local "$1" "vif$2.0"
	ll=$(h_link_local "$1" "vif$2.0")
	hg "$1" "$2" ip -6 route replace default via "$ll" dev eth0
}
h_link_local() { hx "$1" ip -6 -o addr show dev "$2" scope link | awk '{print $4}' | cut -d/ -f1 | grep .; }

# h_mg_pause NAME DOMID: the guest stops on host NAME (its end down).
h_mg_pause() { hg "$1" "$2" ip link set eth0 down; }

# h_mg_leave NAME DOMID: vif-route offline of the vif (sets H_RC), its guest
# namespace removed.
h_mg_leave() {
	hrun "$1" "$H_BIN/vif-route" offline "$2"
	ip netns del "$H_ID-$1-g$2"
}

# h_neigh_mac NS ADDR: the MAC namespace $H_ID-NS has for ADDR on eth0.
h_neigh_mac() {
	ip -n "$H_ID-$1" neigh show "$2" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'
}

# h_router_via ADDR: the host number N the router's kernel routes ADDR
# through (192.0.2.N, 2001:db8:1::N or that host's link-local address),
# "" when it has no route for it but the LAN's.
h_router_via() {
	local via n fam=-4
	[[ $1 == *:* ]] && fam=-6
	via=$(ip -n "$H_ID-router" "$fam" route show "$1" | awk '{for (i = 1; i < NF; i++) if ($i == "via") print $(i + 1)}')
	case $via in
	"") ;;
	192.0.2.* | 2001:db8:1::*) echo "${via##*[.:]}" ;;
	fe80:*) for n in "${!H_HOST_NUM[@]}"; do
			[ "$(h_link_local "$n" uplink)" = "$via" ] && echo "${H_HOST_NUM[$n]}"
		done ;;
	*) echo "$via" ;;
	esac
}
