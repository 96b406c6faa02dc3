#!/bin/sh
# busybox udhcpc's script for the tests: on a lease, take the address and
# the default route, and write "ADDRESS ROUTER" to $LEASE_OUT.
[ "$1" = bound ] || exit 0
ip addr add "$ip/$mask" dev "$interface"
ip route add default via "$router" dev "$interface" onlink
echo "$ip $router" >"$LEASE_OUT"
