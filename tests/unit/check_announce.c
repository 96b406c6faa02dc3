/* Unit tests: the neighbour announcement frames (common/kernel/announce.h).
 * The expected bytes are written out field by field from RFC 826 / 5227
 * (ARP) and RFC 8200 / 4443 / 4861 (IPv6, ICMPv6, NA); the ICMPv6
 * checksums were computed once by scapy 2.5.0 (bytes(Ether()/IPv6()/
 * ICMPv6ND_NA(O=1)/ICMPv6NDOptDstLLAddr()), read back) and pasted here.
 * An advertisement comes from a link-local address of the sending link
 * (RFC 4861 4.4): here mac1's and an all-ones one. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "announce.h"
#include "unit.h"

static const unsigned char mac1[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };

static const unsigned char garp1[ANNOUNCE_GARP_LEN] = {
	/* Ethernet: broadcast, from mac1, ARP */
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56,
	0x08, 0x06,
	/* ARP: Ethernet, IPv4, 6, 4, request */
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	/* sender: mac1, 192.0.2.10 */
	0x00, 0x16, 0x3e, 0x12, 0x34, 0x56, 0xc0, 0x00, 0x02, 0x0a,
	/* target: 00:00:00:00:00:00, 192.0.2.10 */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x02, 0x0a
};

static const unsigned char na1[ANNOUNCE_NA_LEN] = {
	/* Ethernet: all nodes (33:33 + the group's last 32 bits), from mac1,
	 * IPv6 */
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56,
	0x86, 0xdd,
	/* IPv6: version 6, no class or flow, payload 32, ICMPv6, hop limit
	 * 255 */
	0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	/* source fe80::216:3eff:fe12:3456 */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x16, 0x3e, 0xff,
	0xfe, 0x12, 0x34, 0x56,
	/* destination ff02::1 */
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x01,
	/* ICMPv6: neighbour advertisement, code 0, checksum (scapy) */
	0x88, 0x00, 0x44, 0x59,
	/* R 0, S 0, O 1, reserved */
	0x20, 0x00, 0x00, 0x00,
	/* target 2001:db8::10 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x10,
	/* option: target link-layer address, 1 x 8 bytes, mac1 */
	0x02, 0x01, 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56
};

/* A second advertisement whose checksum sum carries many times over (all
 * ones in the addresses and the MAC). */
static const unsigned char mac2[6] = { 0x02, 0xff, 0xff, 0xff, 0xff, 0xfe };

static const unsigned char na2[ANNOUNCE_NA_LEN] = {
	0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xfe,
	0x86, 0xdd, 0x60, 0x00, 0x00, 0x00, 0x00, 0x20, 0x3a, 0xff,
	/* source fe80::ffff:ffff:ffff:ffff */
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	/* checksum (scapy) */
	0x88, 0x00, 0x58, 0x20, 0x20, 0x00, 0x00, 0x00, 0xfd, 0x00, 0xff, 0xff,
	0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff,
	0x02, 0x01, 0x02, 0xff, 0xff, 0xff, 0xff, 0xfe
};

static struct args_addr addr(const char *s)
{
	struct args_addr a;

	ck_assert_int_eq(args_addr(s, &a), 0);
	return a;
}

/* announce_na() from the link-local address of mac1's link, or (mac2) from
 * an all-ones one. */
static int na_from_link(unsigned char *buf, size_t len,
			const unsigned char mac[6], const struct args_addr *a)
{
	struct args_addr src = addr(mac == mac1 ? "fe80::216:3eff:fe12:3456"
						: "fe80::ffff:ffff:ffff:ffff");

	return announce_na(buf, len, mac, src.a, a);
}

/* build (announce_garp() or announce_na()) of address s from mac writes
 * want, len bytes: in a roomy buffer, nothing past it; in a buffer of
 * exactly len bytes too; and a buffer one byte shorter is refused with
 * ENOSPC and left as it was. */
static void expect_frame(int (*build)(unsigned char *buf, size_t len,
				      const unsigned char mac[6],
				      const struct args_addr *a),
			 const char *s, const unsigned char mac[6],
			 const unsigned char *want, size_t len)
{
	struct args_addr a = addr(s);
	unsigned char buf[128], untouched[128];

	memset(buf, 0xaa, sizeof(buf));
	ck_assert_int_eq(build(buf, sizeof(buf), mac, &a), (int)len);
	ck_assert_mem_eq(buf, want, len);
	ck_assert_uint_eq(buf[len], 0xaa);

	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(build(buf, len, mac, &a), (int)len);
	ck_assert_mem_eq(buf, want, len);

	memset(buf, 0xaa, sizeof(buf));
	memset(untouched, 0xaa, sizeof(untouched));
	errno = 0;
	ck_assert_int_eq(build(buf, len - 1, mac, &a), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_mem_eq(buf, untouched, sizeof(buf));
}

START_TEST(announce_garp_frame)
{
	expect_frame(announce_garp, "192.0.2.10", mac1, garp1, sizeof(garp1));
}
END_TEST

START_TEST(announce_na_frame)
{
	expect_frame(na_from_link, "2001:db8::10", mac1, na1, sizeof(na1));
	expect_frame(na_from_link, "fd00:ffff:ffff::ffff", mac2, na2,
		     sizeof(na2));
}
END_TEST

/* Each builder takes one family, and a single address: a network's address
 * is no host's to announce. */
START_TEST(announce_wrong_address)
{
	const char *garp_bad[] = { "2001:db8::10", "192.0.2.0/24" };
	const char *na_bad[] = { "192.0.2.10", "2001:db8::/64" };
	unsigned char buf[128];
	struct args_addr a;

	for (size_t i = 0; i < 2; i++) {
		a = addr(garp_bad[i]);
		errno = 0;
		ck_assert_int_eq(announce_garp(buf, sizeof(buf), mac1, &a), -1);
		ck_assert_int_eq(errno, EINVAL);
		a = addr(na_bad[i]);
		errno = 0;
		ck_assert_int_eq(na_from_link(buf, sizeof(buf), mac1, &a), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	/* A family that is neither. */
	memset(&a, 0, sizeof(a));
	errno = 0;
	ck_assert_int_eq(announce_garp(buf, sizeof(buf), mac1, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(na_from_link(buf, sizeof(buf), mac1, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* announce_send() refuses a bad address or count before it looks
 * for the link or sends anything (the link here does not exist: ENODEV
 * means it got that far); a network is skipped, not refused. */
START_TEST(announce_send_refuses_first)
{
	struct args_addr a[2] = { addr("192.0.2.10"), addr("2001:db8::/64") };
	struct args_addr bad = addr("192.0.2.10");

	errno = 0;
	ck_assert_int_eq(announce_send("xns-none0", a, 2), -1);
	ck_assert_int_eq(errno, ENODEV);
	bad.family = AF_UNIX;
	errno = 0;
	ck_assert_int_eq(announce_send("xns-none0", &bad, 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(announce_send("xns-none0", a, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

Suite *announce_suite(void)
{
	const TTest *tests[] = { announce_garp_frame, announce_na_frame,
				 announce_wrong_address,
				 announce_send_refuses_first, NULL };

	return unit_suite("announce", tests);
}
