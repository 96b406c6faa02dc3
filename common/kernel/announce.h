/* Neighbour announcements: the frames that tell the hosts of a LAN that an
 * address is now reached through this host's link (gratuitous ARP for IPv4,
 * an unsolicited neighbour advertisement for IPv6), and sending them on a
 * link.  The builders are pure; announce_send() is the only I/O. */
#ifndef XNS_ANNOUNCE_H
#define XNS_ANNOUNCE_H

#include <stddef.h>

#include "args.h"

/* The length of each frame, Ethernet header included (no padding: the
 * device pads a short frame to 60 bytes). */
#define ANNOUNCE_GARP_LEN 42
#define ANNOUNCE_NA_LEN 86

/* Into buf: a broadcast gratuitous ARP request (RFC 5227 3: sender and
 * target protocol address both ip4, target hardware address zero) from mac.
 * Returns ANNOUNCE_GARP_LEN; -1 with errno EINVAL when ip4 is not a single
 * IPv4 address (another family, or a prefix shorter than /32), ENOSPC when
 * len is short.  Pure. */
int announce_garp(unsigned char *buf, size_t len, const unsigned char mac[6],
		  const struct args_addr *ip4);

/* Into buf: an unsolicited neighbour advertisement (RFC 4861 4.4, 7.2.6) of
 * ip6 at mac, to all nodes (ff02::1, 33:33:00:00:00:01) from src (an
 * address of the sending link: its link-local one), hop limit 255,
 * override flag set (solicited and router clear), with the target
 * link-layer address option.  Returns ANNOUNCE_NA_LEN; -1 with errno EINVAL
 * when ip6 is not a single IPv6 address (another family, or a prefix
 * shorter than /128), ENOSPC when len is short.  Pure. */
int announce_na(unsigned char *buf, size_t len, const unsigned char mac[6],
		const unsigned char src[16], const struct args_addr *ip6);

/* Send, from link ifname's MAC out of ifname, a gratuitous ARP for each IPv4
 * and a neighbour advertisement for each IPv6 address of a[0..n-1] (a
 * network, shorter than /32 or /128, has none: skipped), once: a peer
 * ignores a change inside its neighbour lock time, so the caller repeats.
 * Every address is checked before the first frame goes; a failed send ends
 * it.  The advertisements come from ifname's link-local address; without
 * one (IPv6 off on it) they are not sent, and after the ARPs it fails with
 * EADDRNOTAVAIL.  -1 with errno EINVAL (an address of another family, or a
 * negative n), ENODEV (no such link), EMEDIUMTYPE (ifname is not an
 * Ethernet link), ENETDOWN (it is down), EADDRNOTAVAIL, or the kernel's. */
int announce_send(const char *ifname, const struct args_addr *a, int n);

/* The packet socket that announce_send() opened and keeps for the next,
 * closed: its release (packet_release() waits for an RCU grace period, 15
 * ms of a vif-route online here) is left to the holder (release.h). */
void announce_close(void);

#endif
