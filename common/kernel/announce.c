#include "announce.h"
#include "release.h"

#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The frames are written byte by byte at these offsets (no struct overlays:
 * no padding or alignment to reason about). */
enum {
	ARP_LEN = 28,
	IP6_HLEN = 40,
	NA_LEN = 24,	/* type, code, checksum, flags, target */
	NA_OPT_LEN = 8, /* target link-layer address option */
	ICMP6_OFF = ETHER_HDR_LEN + IP6_HLEN,
	NA_TYPE = 136, /* RFC 4861 4.4 */
	NA_OVERRIDE = 0x20,
	OPT_TARGET_LL = 2,
};

_Static_assert(ANNOUNCE_GARP_LEN == ETHER_HDR_LEN + ARP_LEN, "GARP length");
_Static_assert(ANNOUNCE_NA_LEN == ICMP6_OFF + NA_LEN + NA_OPT_LEN, "NA length");

static const unsigned char all_nodes[16] = { 0xff, 0x02, [15] = 0x01 };

static unsigned char *put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
	return p + 2;
}

static unsigned char *put(unsigned char *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static unsigned char *eth(unsigned char *p, const unsigned char dst[6],
			  const unsigned char src[6], unsigned type)
{
	p = put(p, dst, 6);
	p = put(p, src, 6);
	return put16(p, type);
}

/* 0 when a is one address of family with room for a frame of need bytes,
 * else -1 with errno EINVAL or ENOSPC (before anything is written). */
static int check(const struct args_addr *a, int family, size_t len, size_t need)
{
	if (a->family != family ||
	    a->prefix != (family == AF_INET ? 32 : 128)) {
		errno = EINVAL;
		return -1;
	}
	if (len < need) {
		errno = ENOSPC;
		return -1;
	}
	return 0;
}

int announce_garp(unsigned char *buf, size_t len, const unsigned char mac[6],
		  const struct args_addr *ip4)
{
	static const unsigned char bcast[6] = { 0xff, 0xff, 0xff,
						0xff, 0xff, 0xff };
	static const unsigned char zero[6];
	unsigned char *p = buf;

	if (check(ip4, AF_INET, len, ANNOUNCE_GARP_LEN) < 0)
		return -1;
	p = eth(p, bcast, mac, ETHERTYPE_ARP);
	p = put16(p, ARPHRD_ETHER);
	p = put16(p, ETHERTYPE_IP);
	*p++ = 6;
	*p++ = 4;
	p = put16(p, ARPOP_REQUEST);
	p = put(p, mac, 6);
	p = put(p, ip4->a, 4);
	p = put(p, zero, 6);
	put(p, ip4->a, 4);
	return ANNOUNCE_GARP_LEN;
}

/* The Internet checksum (RFC 1071) of the ICMPv6 message at msg (len bytes,
 * an even number; its checksum field zero) under the IPv6 pseudo-header (RFC
 * 8200 8.1). */
static unsigned icmp6_checksum(const unsigned char src[16],
			       const unsigned char dst[16],
			       const unsigned char *msg, size_t len)
{
	uint32_t sum = (uint32_t)len + IPPROTO_ICMPV6;

	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)(src[i] << 8 | src[i + 1]) +
		       (uint32_t)(dst[i] << 8 | dst[i + 1]);
	for (size_t i = 0; i < len; i += 2)
		sum += (uint32_t)(msg[i] << 8 | msg[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

int announce_na(unsigned char *buf, size_t len, const unsigned char mac[6],
		const unsigned char src[16], const struct args_addr *ip6)
{
	static const unsigned char all_nodes_mac[6] = { 0x33, 0x33, 0x00,
							0x00, 0x00, 0x01 };
	unsigned char *p = buf;

	if (check(ip6, AF_INET6, len, ANNOUNCE_NA_LEN) < 0)
		return -1;
	p = eth(p, all_nodes_mac, mac, ETHERTYPE_IPV6);
	*p++ = 0x60; /* version 6, traffic class and flow label 0 */
	*p++ = 0;
	p = put16(p, 0);
	p = put16(p, NA_LEN + NA_OPT_LEN);
	*p++ = IPPROTO_ICMPV6;
	*p++ = 255; /* hop limit: receivers drop any other (RFC 4861 7.1.2) */
	p = put(p, src, 16);
	p = put(p, all_nodes, 16);
	*p++ = NA_TYPE;
	*p++ = 0;
	p = put16(p, 0); /* the checksum, below */
	*p++ = NA_OVERRIDE;
	*p++ = 0;
	p = put16(p, 0);
	p = put(p, ip6->a, 16);
	*p++ = OPT_TARGET_LL;
	*p++ = 1; /* in units of 8 bytes */
	put(p, mac, 6);
	put16(buf + ICMP6_OFF + 2,
	      icmp6_checksum(src, all_nodes, buf + ICMP6_OFF,
			     NA_LEN + NA_OPT_LEN));
	return ANNOUNCE_NA_LEN;
}

/* The frame for address a from mac (and src, IPv6) into buf
 * (ANNOUNCE_NA_LEN bytes, the longer); its length, or -1 with errno EINVAL. */
static int frame(unsigned char *buf, const unsigned char mac[6],
		 const unsigned char src[16], const struct args_addr *a)
{
	if (a->family == AF_INET)
		return announce_garp(buf, ANNOUNCE_NA_LEN, mac, a);
	return announce_na(buf, ANNOUNCE_NA_LEN, mac, src, a);
}

/* ifname's link-local IPv6 address into out; -1 when it has none. */
static int link_local(const char *ifname, unsigned char out[16])
{
	struct ifaddrs *all, *i;
	int found = -1;

	if (getifaddrs(&all) < 0)
		return -1;
	for (i = all; i && found < 0; i = i->ifa_next) {
		const struct sockaddr_in6 *a =
			(const struct sockaddr_in6 *)i->ifa_addr;

		if (a && a->sin6_family == AF_INET6 &&
		    IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) &&
		    !strcmp(i->ifa_name, ifname)) {
			memcpy(out, &a->sin6_addr, 16);
			found = 0;
		}
	}
	freeifaddrs(all);
	return found;
}

/* A network (a routed guest that is a router): no neighbour entry holds
 * it, nothing to announce. */
static int is_network(const struct args_addr *a)
{
	return (a->family == AF_INET && a->prefix < 32) ||
	       (a->family == AF_INET6 && a->prefix < 128);
}

/* ifname's index and MAC through the packet socket s; -1 with errno
 * ENODEV or EMEDIUMTYPE. */
static int link_of(int s, const char *ifname, int *ifindex,
		   unsigned char mac[6])
{
	struct ifreq ifr = { 0 };

	if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
		errno = ENODEV; /* no link has so long a name */
		return -1;
	}
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(s, SIOCGIFINDEX, &ifr) < 0)
		return -1;
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		errno = EMEDIUMTYPE;
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* What the frames go out by, opened on first use; -1 when closed. */
static int packet = -1;

void announce_close(void)
{
	if (packet < 0)
		return;
	release_later(packet);
	close(packet);
	packet = -1;
}

int announce_send(const char *ifname, const struct args_addr *a, int n)
{
	unsigned char buf[ANNOUNCE_NA_LEN], mac[6] = { 0 }, src[16] = { 0 };
	struct sockaddr_ll to = { .sll_family = AF_PACKET };
	int s, len, err = 0, v6 = 1;

	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < n; i++)
		if (!is_network(&a[i]) && frame(buf, mac, src, &a[i]) < 0)
			return -1;
	/* Protocol 0: the socket only sends, nothing is queued to it. */
	if (packet < 0 &&
	    (packet = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	s = packet;
	if (link_of(s, ifname, &to.sll_ifindex, mac) < 0) {
		err = errno;
		goto out;
	}
	v6 = link_local(ifname, src) == 0;
	for (int i = 0; i < n && !err; i++) {
		if (is_network(&a[i]) || (a[i].family == AF_INET6 && !v6))
			continue;
		len = frame(buf, mac, src, &a[i]);
		to.sll_protocol =
			htons(a[i].family == AF_INET ? ETHERTYPE_ARP
						     : ETHERTYPE_IPV6);
		if (sendto(s, buf, (size_t)len, 0, (struct sockaddr *)&to,
			   sizeof(to)) < 0)
			err = errno;
	}
	for (int i = 0; i < n && !err && !v6; i++)
		if (a[i].family == AF_INET6 && !is_network(&a[i]))
			err = EADDRNOTAVAIL;
out:
	errno = err;
	return err ? -1 : 0;
}
