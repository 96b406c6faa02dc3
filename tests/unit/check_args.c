/* Unit tests: the argument grammar, the validators (names, numbers, MACs,
 * addresses and their policies) and the settings file (common/base/args.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "text.h"
#include "vif.h"
#include "unit.h"

#define ARGV(...) ((char *[]){ "prog", __VA_ARGS__, NULL })
#define ARGC(...)                                                              \
	((int)(sizeof((char *[]){ "prog", __VA_ARGS__ }) / sizeof(char *)))

static char err[256];

START_TEST(command_is_first_word_without_equals)
{
	ck_assert_int_eq(args_init(ARGC("type_if=vif", "online"),
				   ARGV("type_if=vif", "online"), err,
				   sizeof(err)),
			 0);
	ck_assert_str_eq(args_command(), "online");
	ck_assert_str_eq(args_get("type_if"), "vif");
}
END_TEST

START_TEST(no_command)
{
	ck_assert_int_eq(args_init(ARGC("bridge=br0"), ARGV("bridge=br0"), err,
				   sizeof(err)),
			 0);
	ck_assert_ptr_null(args_command());
}
END_TEST

START_TEST(second_command_word_is_refused)
{
	ck_assert_int_eq(args_init(ARGC("online", "offline"),
				   ARGV("online", "offline"), err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "offline"));
}
END_TEST

START_TEST(malformed_names_are_refused)
{
	const char *bad[] = { "=x",    "1a=b",	      "a-b=c",
			      "a b=c", "$(reboot)=1", "a;b=c" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[] = { "prog", "online", (char *)bad[i], NULL };

		ck_assert_msg(args_init(3, argv, err, sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
	}
}
END_TEST

START_TEST(values_are_never_evaluated)
{
	ck_assert_int_eq(args_init(ARGC("online", "bridge=$(touch /tmp/x);br0"),
				   ARGV("online", "bridge=$(touch /tmp/x);br0"),
				   err, sizeof(err)),
			 0);
	ck_assert_str_eq(args_get("bridge"), "$(touch /tmp/x);br0");
	ck_assert_int_eq(args_ifname(args_get("bridge")), -1);
}
END_TEST

START_TEST(argument_overrides_environment_and_last_wins)
{
	setenv("xns_test_var", "from-env", 1);
	ck_assert_int_eq(
		args_init(ARGC("online"), ARGV("online"), err, sizeof(err)), 0);
	ck_assert_str_eq(args_get("xns_test_var"), "from-env");
	ck_assert_int_eq(
		args_init(ARGC("online", "xns_test_var=a", "xns_test_var=b"),
			  ARGV("online", "xns_test_var=a", "xns_test_var=b"),
			  err, sizeof(err)),
		0);
	ck_assert_str_eq(args_get("xns_test_var"), "b");
	/* A prefix of another name is not that name. */
	ck_assert_ptr_null(args_get("xns_test"));
	unsetenv("xns_test_var");
}
END_TEST

START_TEST(empty_value_is_unset)
{
	setenv("xns_empty", "", 1);
	ck_assert_int_eq(args_init(ARGC("online", "bridge="),
				   ARGV("online", "bridge="), err, sizeof(err)),
			 0);
	ck_assert_ptr_null(args_get("bridge"));
	ck_assert_ptr_null(args_get("xns_empty"));
	unsetenv("xns_empty");
}
END_TEST

/* Only the arguments a script knows, none empty; the environment is not
 * looked at (libxl and xend put more there). */
START_TEST(unknown_and_empty_arguments_are_refused)
{
	setenv("frobnicate", "1", 1);
	ck_assert_int_eq(args_init(ARGC("start", "netdev=eth0", "ipv6=yes"),
				   ARGV("start", "netdev=eth0", "ipv6=yes"),
				   err, sizeof(err)),
			 0);
	ck_assert_int_eq(args_known("netdev|ipv6|firewall", err, sizeof(err)),
			 0);
	ck_assert_int_eq(args_init(ARGC("start", "ipv6=yes", "frobnicate=1"),
				   ARGV("start", "ipv6=yes", "frobnicate=1"),
				   err, sizeof(err)),
			 0);
	ck_assert_int_eq(args_known("netdev|ipv6|firewall", err, sizeof(err)),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(
		err,
		"unknown argument 'frobnicate': known are netdev, ipv6, firewall");
	/* A prefix or an extension of a known name is not it. */
	ck_assert_int_eq(args_init(ARGC("start", "net=eth0"),
				   ARGV("start", "net=eth0"), err, sizeof(err)),
			 0);
	ck_assert_int_eq(args_known("netdev|ipv6", err, sizeof(err)), -1);
	ck_assert_int_eq(args_init(ARGC("start", "netdevs=eth0"),
				   ARGV("start", "netdevs=eth0"), err,
				   sizeof(err)),
			 0);
	ck_assert_int_eq(args_known("netdev|ipv6", err, sizeof(err)), -1);
	ck_assert_str_eq(err,
			 "unknown argument 'netdevs': known are netdev, ipv6");
	ck_assert_int_eq(args_init(ARGC("start", "subnet="),
				   ARGV("start", "subnet="), err, sizeof(err)),
			 0);
	ck_assert_int_eq(args_known("netdev|subnet", err, sizeof(err)), -1);
	ck_assert_str_eq(
		err, "empty argument 'subnet=': give a value or leave it out");
	unsetenv("frobnicate");
}
END_TEST

/* MAX_VARS (64) NAME=VALUE arguments are taken, one more is refused. */
START_TEST(arguments_at_their_limit)
{
	char *argv[68], words[65][16];

	argv[0] = "prog";
	argv[1] = "start";
	for (int i = 0; i < 65; i++) {
		snprintf(words[i], sizeof(words[i]), "v%d=%d", i, i);
		argv[i + 2] = words[i];
	}
	argv[67] = NULL;
	ck_assert_int_eq(args_init(66, argv, err, sizeof(err)), 0);
	ck_assert_str_eq(args_get("v63"), "63");
	ck_assert_int_eq(args_init(67, argv, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "too many NAME=VALUE arguments");
}
END_TEST

START_TEST(ifnames)
{
	const char *good[] = { "eth0",	     "xenbr0", "vif12.0",
			       "vif1.0-emu", "a",      "123456789012345",
			       "br-lan_1" };
	const char *bad[] = { "",      ".",    "..",   "a/b",
			      "a:b",   "a b",  "a\tb", "1234567890123456",
			      "br\n0", "\x01x" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(args_ifname(good[i]) == 0, "refused '%s'",
			      good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(args_ifname(bad[i]) == -1, "accepted '%s'",
			      bad[i]);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

/* A new name for a link: what args_ifname() refuses, and the names the
 * kernel fills in ('%'), refuses (all, default) or tools misread ('-'),
 * each with what is wrong; 15 characters is the limit. */
START_TEST(new_ifnames)
{
	const char *good[] = { "web1", "123456789012345", "vif1.0-emu", "a-",
			       "alll", "defaults" };
	struct {
		const char *name, *why;
	} bad[] = {
		{ "", "empty" },
		{ "1234567890123456", "longer than 15 characters" },
		{ "..", "'.' and '..' are not interface names" },
		{ "a/b", "contains '/'" },
		{ "a:b", "contains ':'" },
		{ "a b", "contains white space" },
		{ "a\tb", "contains white space" },
		{ "a\x01", "contains a control character" },
		{ "a\x7f", "contains a control character" },
		{ "caf\xc3\xa9", "contains a character that is not ASCII" },
		{ "vif%d",
		  "contains '%', which the kernel replaces with a number of its choice" },
		{ "%",
		  "contains '%', which the kernel replaces with a number of its choice" },
		{ "all", "'all' and 'default' are reserved by the kernel" },
		{ "default", "'all' and 'default' are reserved by the kernel" },
		{ "-web",
		  "starts with '-', which ip and other tools take for an option" },
	};
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(args_new_ifname(good[i], &why) == 0,
			      "refused '%s'", good[i]);
		ck_assert_ptr_null(why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(args_new_ifname(bad[i].name, &why) == -1,
			      "accepted '%s'", bad[i].name);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_str_eq(why, bad[i].why);
		/* What an existing link may be called is checked the same way.
		 */
		if (!strchr(bad[i].name, '%') && bad[i].name[0] != '-' &&
		    strcmp(bad[i].name, "all") &&
		    strcmp(bad[i].name, "default"))
			ck_assert_int_eq(args_ifname(bad[i].name), -1);
	}
}
END_TEST

START_TEST(numbers)
{
	unsigned long v;

	ck_assert_int_eq(args_uint("1500", 68, 65535, &v), 0);
	ck_assert_uint_eq(v, 1500);
	ck_assert_int_eq(args_uint("68", 68, 65535, &v), 0);
	ck_assert_int_eq(args_uint("65535", 68, 65535, &v), 0);
	ck_assert_int_eq(args_uint("67", 68, 65535, &v), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(args_uint("65536", 68, 65535, &v), -1);
	ck_assert_int_eq(args_uint("99999999999999999999", 0, 65535, &v), -1);
	ck_assert_int_eq(args_uint("", 0, 10, &v), -1);
	ck_assert_int_eq(args_uint("-1", 0, 10, &v), -1);
	ck_assert_int_eq(args_uint("1e3", 0, 10000, &v), -1);
	ck_assert_int_eq(args_uint(" 15", 0, 100, &v), -1);
	ck_assert_int_eq(args_uint("0x10", 0, 100, &v), -1);
}
END_TEST

START_TEST(macs)
{
	unsigned char m[6];

	ck_assert_int_eq(args_mac("00:16:3e:74:3D:76", m), 0);
	ck_assert_uint_eq(m[0], 0x00);
	ck_assert_uint_eq(m[4], 0x3d);
	ck_assert_uint_eq(m[5], 0x76);
	ck_assert_int_eq(args_mac("00:16:3e:74:3d", m), -1);
	ck_assert_int_eq(args_mac("00:16:3e:74:3d:76:00", m), -1);
	ck_assert_int_eq(args_mac("00-16-3e-74-3d-76", m), -1);
	ck_assert_int_eq(args_mac("0:16:3e:74:3d:76", m), -1);
	ck_assert_int_eq(args_mac("01:00:5e:00:00:01", m), -1); /* multicast */
	ck_assert_int_eq(args_mac("ff:ff:ff:ff:ff:ff", m), -1);
	ck_assert_int_eq(args_mac("00:00:00:00:00:00", m), -1);
	ck_assert_int_eq(args_mac("zz:16:3e:74:3d:76", m), -1);
}
END_TEST

START_TEST(mac_printing_at_its_limit)
{
	unsigned char m[6];
	char buf[ARGS_MAC_LEN];

	ck_assert_int_eq(args_mac("00:16:3E:74:3d:76", m), 0);
	ck_assert_int_eq(args_mac_format(m, buf, ARGS_MAC_LEN), 0);
	ck_assert_str_eq(buf, "00:16:3e:74:3d:76");
	ck_assert_int_eq(args_mac_format(m, buf, ARGS_MAC_LEN - 1), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(addresses)
{
	struct args_addr a[4];

	ck_assert_int_eq(args_addr("192.0.2.5", &a[0]), 0);
	ck_assert_int_eq(a[0].family, AF_INET);
	ck_assert_int_eq(a[0].prefix, 32);
	ck_assert_int_eq(args_addr("192.0.2.0/24", &a[0]), 0);
	ck_assert_int_eq(a[0].prefix, 24);
	ck_assert_int_eq(args_addr("2001:db8::1", &a[0]), 0);
	ck_assert_int_eq(a[0].family, AF_INET6);
	ck_assert_int_eq(a[0].prefix, 128);
	ck_assert_int_eq(args_addr("2001:db8::/64", &a[0]), 0);
	ck_assert_int_eq(a[0].prefix, 64);
	ck_assert_int_eq(args_addr("192.0.2.5/33", &a[0]), -1);
	ck_assert_int_eq(args_addr("2001:db8::1/129", &a[0]), -1);
	ck_assert_int_eq(args_addr("192.0.2.256", &a[0]), -1);
	ck_assert_int_eq(args_addr("192.0.2.5/", &a[0]), -1);
	ck_assert_int_eq(args_addr("host.example", &a[0]), -1);
	ck_assert_int_eq(args_addr("192.0.2.5;reboot", &a[0]), -1);

	ck_assert_int_eq(args_addr_list("192.0.2.5  2001:db8::5 ", a, 4), 2);
	ck_assert_int_eq(args_addr_list("", a, 4), 0);
	ck_assert_int_eq(args_addr_list("192.0.2.5 bogus", a, 4), -1);
	ck_assert_int_eq(
		args_addr_list("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5", a, 4),
		-1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

/* A parsed address, for the tests below. */
static struct args_addr A(const char *s) {
	struct args_addr a;

	ck_assert_msg(args_addr(s, &a) == 0, "'%s' does not parse", s);
	return a;
}

static int
holds(const char *net, const char *s)
{
	struct args_addr n = A(net), a = A(s);

	return args_addr_holds(&n, &a);
}

START_TEST(address_holds)
{
	ck_assert_int_eq(holds("192.0.2.0/24", "192.0.2.5"), 1);
	ck_assert_int_eq(holds("192.0.2.0/24", "192.0.2.255"), 1);
	ck_assert_int_eq(holds("192.0.2.0/24", "192.0.3.0"), 0);
	ck_assert_int_eq(holds("192.0.2.0/24", "192.0.2.128/25"), 1);
	ck_assert_int_eq(holds("192.0.2.0/24", "192.0.2.0/24"), 1);
	ck_assert_int_eq(holds("192.0.2.0/24", "192.0.0.0/16"), 0);
	ck_assert_int_eq(holds("192.0.0.0/16", "192.0.2.0/24"), 1);
	/* A prefix that is not a whole byte. */
	ck_assert_int_eq(holds("203.0.113.64/28", "203.0.113.79"), 1);
	ck_assert_int_eq(holds("203.0.113.64/28", "203.0.113.80"), 0);
	ck_assert_int_eq(holds("203.0.113.64/28", "203.0.113.63"), 0);
	/* /0 holds its family, and only its own. */
	ck_assert_int_eq(holds("0.0.0.0/0", "255.255.255.255"), 1);
	ck_assert_int_eq(holds("0.0.0.0/0", "::1"), 0);
	ck_assert_int_eq(holds("2001:db8::/32", "2001:db8:ffff::1"), 1);
	ck_assert_int_eq(holds("2001:db8::/32", "2001:db9::1"), 0);
}
END_TEST

static enum args_addr_class class_of(const char *s)
{
	struct args_addr a = A(s);

	return args_addr_class(&a);
}

/* Every block, at both of its ends and one past each. */
START_TEST(address_classes)
{
	ck_assert_int_eq(class_of("0.0.0.0"), ARGS_ADDR_UNSPECIFIED);
	ck_assert_int_eq(class_of("0.255.255.255"), ARGS_ADDR_UNSPECIFIED);
	ck_assert_int_eq(class_of("1.0.0.0"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("126.255.255.255"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("127.0.0.0"), ARGS_ADDR_LOOPBACK);
	ck_assert_int_eq(class_of("127.0.0.1"), ARGS_ADDR_LOOPBACK);
	ck_assert_int_eq(class_of("127.255.255.255"), ARGS_ADDR_LOOPBACK);
	ck_assert_int_eq(class_of("128.0.0.0"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("169.253.255.255"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("169.254.0.0"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("169.254.169.254"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("169.254.255.255"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("169.255.0.0"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("223.255.255.255"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("224.0.0.0"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("224.0.0.1"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("239.255.255.255"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("240.0.0.0"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("255.255.255.254"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("255.255.255.255"), ARGS_ADDR_BROADCAST);
	ck_assert_int_eq(class_of("192.0.2.1"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("::"), ARGS_ADDR_UNSPECIFIED);
	ck_assert_int_eq(class_of("::1"), ARGS_ADDR_LOOPBACK);
	ck_assert_int_eq(class_of("::2"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			 ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("fe80::"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("fe80::1"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			 ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("fec0::"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			 ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("ff00::"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("ff02::1"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
			 ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("::fffe:ffff:ffff"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("::ffff:0.0.0.0"), ARGS_ADDR_MAPPED);
	ck_assert_int_eq(class_of("::ffff:192.0.2.1"), ARGS_ADDR_MAPPED);
	ck_assert_int_eq(class_of("::ffff:255.255.255.255"), ARGS_ADDR_MAPPED);
	ck_assert_int_eq(class_of("::1:0:0:0"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("2001:db8::1"), ARGS_ADDR_UNICAST);
	/* A network is of every block it overlaps, either way. */
	ck_assert_int_eq(class_of("0.0.0.0/0"), ARGS_ADDR_UNSPECIFIED);
	ck_assert_int_eq(class_of("192.0.0.0/2"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("127.0.0.0/16"), ARGS_ADDR_LOOPBACK);
	ck_assert_int_eq(class_of("255.255.255.0/24"), ARGS_ADDR_BROADCAST);
	ck_assert_int_eq(class_of("192.0.2.0/24"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("8000::/1"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("fe80::/9"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("::/96"), ARGS_ADDR_UNSPECIFIED);
	ck_assert_int_eq(class_of("2001:db8::/32"), ARGS_ADDR_UNICAST);
}
END_TEST

/* allowed(policy, address): "" when allowed, else the reason. */
static const char *allowed(const struct args_addr_policy *p, const char *s)
{
	struct args_addr a = A(s);

	if (args_addr_allowed(&a, p, err, sizeof(err)) == 0)
		return "";
	ck_assert_int_eq(errno, EINVAL);
	return err;
}

START_TEST(address_policies)
{
	const struct args_addr_policy routed = { 32, 128, 0, 1 };
	const struct args_addr_policy wider = { 28, 64, 0, 1 };
	const struct args_addr_policy source = ARGS_POLICY_SOURCE;

	ck_assert_str_eq(allowed(&routed, "203.0.113.5"), "");
	ck_assert_str_eq(allowed(&routed, "2001:db8::5"), "");
	ck_assert_str_eq(
		allowed(&routed, "203.0.113.5/31"),
		"a /31 network, shorter than /32: a routed guest's addresses "
		"are single (/32), unless routed_prefix4= allows shorter prefixes");
	ck_assert_str_eq(
		allowed(&routed, "2001:db8::/127"),
		"a /127 network, shorter than /128: a routed guest's addresses "
		"are single (/128), unless routed_prefix6= allows shorter prefixes");
	/* At the setting and one past it. */
	ck_assert_str_eq(allowed(&wider, "203.0.113.64/28"), "");
	ck_assert_str_eq(
		allowed(&wider, "203.0.113.64/27"),
		"a /27 network, shorter than /28: a routed guest's addresses "
		"are single (/32), unless routed_prefix4= allows shorter prefixes");
	ck_assert_str_eq(allowed(&wider, "2001:db8:5::/64"), "");
	ck_assert_str_eq(allowed(&wider, "2001:db8:4::/63")[0] != 0 ? "no" : "",
			 "no");
	ck_assert_str_eq(
		allowed(&wider, "203.0.113.65/28"),
		"host bits set after the /28: the network is 203.0.113.64/28");
	ck_assert_str_eq(
		allowed(&wider, "2001:db8:5::1/64"),
		"host bits set after the /64: the network is 2001:db8:5::/64");
	/* /0 never, whatever the policy. */
	ck_assert_str_eq(allowed(&source, "0.0.0.0/0"),
			 "a /0 prefix covers every address");
	ck_assert_str_eq(allowed(&source, "::/0"),
			 "a /0 prefix covers every address");
	ck_assert_str_eq(allowed(&source, "10.0.0.0/1"),
			 "overlaps 0.0.0.0/8, the "
			 "unspecified (\"this network\") addresses");
	/* The blocks, each with its reason. */
	ck_assert_str_eq(
		allowed(&routed, "0.0.0.0"),
		"an unspecified (\"this network\") address (0.0.0.0/8)");
	ck_assert_str_eq(allowed(&routed, "127.0.0.1"),
			 "a loopback address (127.0.0.0/8)");
	ck_assert_str_eq(allowed(&routed, "224.0.0.1"),
			 "a multicast address (224.0.0.0/4)");
	ck_assert_str_eq(allowed(&routed, "255.255.255.255"),
			 "the broadcast address (255.255.255.255)");
	ck_assert_str_eq(allowed(&routed, "169.254.169.254"),
			 "a link-local address (169.254.0.0/16)");
	ck_assert_str_eq(allowed(&routed, "::"),
			 "the unspecified address (::)");
	ck_assert_str_eq(allowed(&routed, "::1"), "the loopback address (::1)");
	ck_assert_str_eq(allowed(&routed, "fe80::1"),
			 "a link-local address (fe80::/10)");
	ck_assert_str_eq(allowed(&routed, "ff02::1"),
			 "a multicast address (ff00::/8)");
	ck_assert_str_eq(allowed(&routed, "::ffff:192.0.2.1"),
			 "an IPv4-mapped address (::ffff:0:0/96)");
	/* A bridged guest's sources: networks with host bits, link-local
	 * addresses; the other blocks still not. */
	ck_assert_str_eq(allowed(&source, "192.0.2.5/24"), "");
	ck_assert_str_eq(allowed(&source, "10.0.0.0/1")[0] != 0 ? "no" : "",
			 "no");
	ck_assert_str_eq(allowed(&source, "169.254.0.7"), "");
	ck_assert_str_eq(allowed(&source, "fe80::7"), "");
	ck_assert_str_eq(allowed(&source, "fe80::/10"), "");
	ck_assert_str_eq(allowed(&source, "fe80::/9"), "");
	ck_assert_str_eq(allowed(&source, "8000::/1"),
			 "overlaps ff00::/8, the multicast addresses");
	ck_assert_str_eq(allowed(&source, "224.0.0.1"),
			 "a multicast address (224.0.0.0/4)");
	ck_assert_str_eq(allowed(&source, "::ffff:10.0.0.7"),
			 "an IPv4-mapped address (::ffff:0:0/96)");
}
END_TEST

/* The ip key at VIF_MAX_ADDRS addresses and one past, and its reasons. */
START_TEST(address_list_limits)
{
	struct args_addr a[VIF_MAX_ADDRS];
	char list[VIF_MAX_ADDRS * 16 + 16] = "";

	for (int i = 1; i <= VIF_MAX_ADDRS; i++)
		sprintf(list + strlen(list), "203.0.113.%d ", i);
	ck_assert_int_eq(
		args_addr_list_err(list, a, VIF_MAX_ADDRS, err, sizeof(err)),
		VIF_MAX_ADDRS);
	ck_assert_int_eq(a[VIF_MAX_ADDRS - 1].a[3], 64);
	strcat(list, "203.0.113.65");
	ck_assert_int_eq(
		args_addr_list_err(list, a, VIF_MAX_ADDRS, err, sizeof(err)),
		-1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_str_eq(err, "more than 64 addresses");
	ck_assert_int_eq(args_addr_list_err("192.0.2.1 nonsense", a, 4, err,
					    sizeof(err)),
			 -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err,
			 "'nonsense' is not an address (IPv4 or IPv6, with an "
			 "optional /prefix)");
	ck_assert_int_eq(
		args_addr_list_err("192.0.2.1/33", a, 4, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
			 "'192.0.2.1/33' is not an address (IPv4 or IPv6, with "
			 "an optional /prefix)");
	ck_assert_int_eq(args_addr_list_err("  \t ", a, 4, err, sizeof(err)),
			 0);
}
END_TEST

START_TEST(address_lists_and_printing)
{
	struct args_addr a[3];
	char buf[8];

	ck_assert_int_eq(
		args_addr_csv("10.0.0.0/8, 192.168.1.0/24", a, 3, AF_INET), 2);
	ck_assert_str_eq(args_addr_text(&a[1]).s, "192.168.1.0/24");
	ck_assert_int_eq(
		args_addr_csv("10.0.0.0/8,2001:db8::/32", a, 3, AF_INET), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(args_addr_csv("10.0.0.0/8,2001:db8::/32", a, 3, 0), 2);
	ck_assert_int_eq(
		args_addr_csv("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8", a, 3,
			      0),
		-1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(args_addr_csv(",", a, 3, 0), -1);
	ck_assert_int_eq(args_addr_csv("10.0.0.0/33", a, 3, 0), -1);
	ck_assert_int_eq(args_addr_format(&a[0], buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(address_text_at_its_limit_and_networks)
{
	const char *longest = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/127";
	struct args_addr a, net;
	char buf[64];

	/* The longest address text with the longest prefix shown: whole in
	 * args_addr_text(), and args_addr_format() at its length and one less.
	 */
	ck_assert_int_eq(args_addr(longest, &a), 0);
	ck_assert_str_eq(args_addr_text(&a).s, longest);
	ck_assert_int_lt(strlen(longest), ARGS_ADDR_LEN);
	ck_assert_int_eq(args_addr_format(&a, buf, strlen(longest) + 1), 0);
	ck_assert_int_eq(args_addr_format(&a, buf, strlen(longest)), -1);
	ck_assert_int_eq(
		args_addr_text(&(struct args_addr){ .family = 99 }).s[0], '?');

	ck_assert_int_eq(args_addr("10.0.0.1/8", &a), 0);
	ck_assert_int_eq(args_addr_network(&a, &net), 1);
	ck_assert_str_eq(args_addr_text(&net).s, "10.0.0.0/8");
	ck_assert_int_eq(args_addr_network(&net, &a), 0);
	ck_assert_int_eq(args_addr("2001:db8::1/64", &a), 0);
	ck_assert_int_eq(args_addr_network(&a, &net), 1);
	ck_assert_str_eq(args_addr_text(&net).s, "2001:db8::/64");
}
END_TEST

START_TEST(settings_file_below_arguments_and_environment)
{
	char path[] = "/tmp/xns-conf-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_conf(
		path,
		"# comment\n\n  firewall = iptables \nantispoof=no\nempty=\n");
	setenv("XEN_NETSCRIPTS_CONF", path, 1);
	unsetenv("firewall");
	unsetenv("antispoof");
	ck_assert_int_eq(
		args_init(ARGC("online"), ARGV("online"), err, sizeof(err)), 0);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), 0);
	ck_assert_str_eq(args_setting("firewall"), "iptables");
	ck_assert_ptr_null(args_setting("empty"));
	ck_assert_int_eq(args_bool("antispoof", 1), 0);
	ck_assert_int_eq(args_bool("unset", 1), 1);
	setenv("firewall", "nft", 1);
	ck_assert_str_eq(args_setting("firewall"), "nft");
	ck_assert_int_eq(
		args_init(ARGC("online", "firewall=none", "antispoof=Yes"),
			  ARGV("online", "firewall=none", "antispoof=Yes"), err,
			  sizeof(err)),
		0);
	ck_assert_str_eq(args_setting("firewall"), "none");
	ck_assert_int_eq(args_bool("antispoof", 0), 1);
	ck_assert_int_eq(args_init(ARGC("antispoof=maybe"),
				   ARGV("antispoof=maybe"), err, sizeof(err)),
			 0);
	ck_assert_int_eq(args_bool("antispoof", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	unsetenv("firewall");

	write_conf(path, "firewall=nft\n\nnot a setting\n");
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ":3: expected NAME=VALUE"));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_null(args_setting("firewall")); /* all or nothing */
	{
		char longline[700];

		memset(longline, 'x', sizeof(longline) - 2);
		memcpy(longline, "firewall=", 9);
		longline[sizeof(longline) - 2] = '\n';
		longline[sizeof(longline) - 1] = 0;
		write_conf(path, longline);
		ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, ":1: line longer than"));
	}
	unlink(path);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), 0); /* no file */
	args_free_config();
	unsetenv("XEN_NETSCRIPTS_CONF");
}
END_TEST

/* A NUL byte is an error naming the file and line (in the last line too,
 * with no newline after it); MAX_SETTINGS (32) settings, lines of 510
 * bytes and files of TEXT_MAX bytes are taken, one more refused. */
START_TEST(settings_file_nul_and_limits)
{
	char path[] = "/tmp/xns-conf-XXXXXX", line[600], *big;
	int fd = mkstemp(path);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "antispoof=no\nfirewall=nft\0iptables", 34),
			 34);
	close(fd);
	setenv("XEN_NETSCRIPTS_CONF", path, 1);
	unsetenv("firewall");
	ck_assert_int_eq(
		args_init(ARGC("start"), ARGV("start"), err, sizeof(err)), 0);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ":2: a NUL byte"));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_null(args_setting("firewall"));

	f = fopen(path, "w");
	for (int i = 0; i < 32; i++)
		fprintf(f, "s%d=%d\n", i, i);
	fclose(f);
	ck_assert_msg(args_load_config(err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(args_setting("s31"), "31");
	f = fopen(path, "a");
	fprintf(f, "s32=32\n");
	fclose(f);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ":33: more than 32 settings"));

	memset(line, 'x', sizeof(line));
	memcpy(line, "firewall=", 9);
	line[510] = 0; /* 510 bytes, no newline */
	write_conf(path, line);
	ck_assert_msg(args_load_config(err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq((int)strlen(args_setting("firewall")), 501);
	line[510] = '\n';
	line[511] = 0; /* 510 bytes and the newline */
	write_conf(path, line);
	ck_assert_msg(args_load_config(err, sizeof(err)) == 0, "%s", err);
	line[510] = 'x';
	line[511] = '\n';
	line[512] = 0; /* 511 bytes */
	write_conf(path, line);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ":1: line longer than 510 bytes"));

	/* TEXT_MAX bytes of comments; one more byte is too much. */
	big = malloc(TEXT_MAX + 1);
	memset(big, '#', TEXT_MAX);
	for (size_t i = 100; i < TEXT_MAX; i += 100)
		big[i] = '\n';
	f = fopen(path, "w");
	ck_assert_int_eq((int)fwrite(big, 1, TEXT_MAX, f), TEXT_MAX);
	fclose(f);
	ck_assert_msg(args_load_config(err, sizeof(err)) == 0, "%s", err);
	f = fopen(path, "a");
	fputc('#', f);
	fclose(f);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EFBIG);
	free(big);
	unlink(path);
	args_free_config();
	unsetenv("XEN_NETSCRIPTS_CONF");
}
END_TEST

/* Found by tests/fuzz/settings (reproducer "\0\n"): a NUL byte in a line
 * was reported as "line longer than 510 bytes".  The file is refused, with a
 * message that names the line and does not blame its length. */
START_TEST(settings_file_nul_byte)
{
	char path[] = "/tmp/xns-conf-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "firewall=nft\nantispoof=n\0o\n", 27), 27);
	close(fd);
	setenv("XEN_NETSCRIPTS_CONF", path, 1);
	err[0] = '\0';
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(err, ":2:") && !strstr(err, "longer than"), "%s",
		      err);
	ck_assert_ptr_null(args_setting("firewall"));
	unlink(path);
	unsetenv("XEN_NETSCRIPTS_CONF");
}
END_TEST

Suite *args_suite(void)
{
	const TTest *tests[] = { command_is_first_word_without_equals,
				 no_command,
				 second_command_word_is_refused,
				 malformed_names_are_refused,
				 values_are_never_evaluated,
				 argument_overrides_environment_and_last_wins,
				 empty_value_is_unset,
				 ifnames,
				 new_ifnames,
				 numbers,
				 macs,
				 mac_printing_at_its_limit,
				 addresses,
				 address_holds,
				 address_classes,
				 address_policies,
				 address_list_limits,
				 address_lists_and_printing,
				 address_text_at_its_limit_and_networks,
				 settings_file_below_arguments_and_environment,
				 unknown_and_empty_arguments_are_refused,
				 arguments_at_their_limit,
				 settings_file_nul_and_limits,
				 settings_file_nul_byte,
				 NULL };

	return unit_suite("args", tests);
}
