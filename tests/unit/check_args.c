/* Unit tests for the pure parts of common/: the argument grammar, the
 * validators, the settings file, the vlan spec parser, xenstore path
 * handling, sysctl paths, hooks, locks, and the firewall's rules and nft
 * batches (against golden files; UPDATE_GOLDEN=1 rewrites them). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "dhcp.h"
#include "fw_int.h"
#include "fwdump.h"
#include "hooks.h"
#include "lock.h"
#include "nat.h"
#include "net.h"
#include "sysctl.h"
#include "text.h"
#include "vif.h"
#include "vlan.h"
#include "xstore.h"
#include "zones.h"

#define ARGV(...) ((char *[]){ "prog", __VA_ARGS__, NULL })
#define ARGC(...) ((int)(sizeof((char *[]){ "prog", __VA_ARGS__ }) / sizeof(char *)))

static char err[256];

/* --- args ---------------------------------------------------------------- */

START_TEST(command_is_first_word_without_equals)
{
	ck_assert_int_eq(args_init(ARGC("type_if=vif", "online"),
				   ARGV("type_if=vif", "online"), err, sizeof(err)), 0);
	ck_assert_str_eq(args_command(), "online");
	ck_assert_str_eq(args_get("type_if"), "vif");
}
END_TEST

START_TEST(no_command)
{
	ck_assert_int_eq(args_init(ARGC("bridge=br0"), ARGV("bridge=br0"), err,
				   sizeof(err)), 0);
	ck_assert_ptr_null(args_command());
}
END_TEST

START_TEST(second_command_word_is_refused)
{
	ck_assert_int_eq(args_init(ARGC("online", "offline"),
				   ARGV("online", "offline"), err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "offline"));
}
END_TEST

START_TEST(malformed_names_are_refused)
{
	const char *bad[] = { "=x", "1a=b", "a-b=c", "a b=c", "$(reboot)=1",
			      "a;b=c" };

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
				   err, sizeof(err)), 0);
	ck_assert_str_eq(args_get("bridge"), "$(touch /tmp/x);br0");
	ck_assert_int_eq(args_ifname(args_get("bridge")), -1);
}
END_TEST

START_TEST(argument_overrides_environment_and_last_wins)
{
	setenv("xns_test_var", "from-env", 1);
	ck_assert_int_eq(args_init(ARGC("online"), ARGV("online"), err, sizeof(err)), 0);
	ck_assert_str_eq(args_get("xns_test_var"), "from-env");
	ck_assert_int_eq(args_init(ARGC("online", "xns_test_var=a", "xns_test_var=b"),
				   ARGV("online", "xns_test_var=a", "xns_test_var=b"),
				   err, sizeof(err)), 0);
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
				   ARGV("online", "bridge="), err, sizeof(err)), 0);
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
				   ARGV("start", "netdev=eth0", "ipv6=yes"), err, sizeof(err)), 0);
	ck_assert_int_eq(args_known("netdev|ipv6|firewall", err, sizeof(err)), 0);
	ck_assert_int_eq(args_init(ARGC("start", "ipv6=yes", "frobnicate=1"),
				   ARGV("start", "ipv6=yes", "frobnicate=1"), err, sizeof(err)), 0);
	ck_assert_int_eq(args_known("netdev|ipv6|firewall", err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, "unknown argument 'frobnicate': known are netdev, ipv6, firewall");
	/* A prefix or an extension of a known name is not it. */
	ck_assert_int_eq(args_init(ARGC("start", "net=eth0"), ARGV("start", "net=eth0"), err,
				   sizeof(err)), 0);
	ck_assert_int_eq(args_known("netdev|ipv6", err, sizeof(err)), -1);
	ck_assert_int_eq(args_init(ARGC("start", "netdevs=eth0"), ARGV("start", "netdevs=eth0"),
				   err, sizeof(err)), 0);
	ck_assert_int_eq(args_known("netdev|ipv6", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "unknown argument 'netdevs': known are netdev, ipv6");
	ck_assert_int_eq(args_init(ARGC("start", "subnet="), ARGV("start", "subnet="), err,
				   sizeof(err)), 0);
	ck_assert_int_eq(args_known("netdev|subnet", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty argument 'subnet=': give a value or leave it out");
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
	const char *good[] = { "eth0", "xenbr0", "vif12.0", "vif1.0-emu",
			       "a", "123456789012345", "br-lan_1" };
	const char *bad[] = { "", ".", "..", "a/b", "a:b", "a b", "a\tb",
			      "1234567890123456", "br\n0", "\x01x" };

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(args_ifname(good[i]) == 0, "refused '%s'", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(args_ifname(bad[i]) == -1, "accepted '%s'", bad[i]);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

/* A new name for a link: what args_ifname() refuses, and the names the
 * kernel fills in ('%'), refuses (all, default) or tools misread ('-'),
 * each with what is wrong; 15 characters is the limit. */
START_TEST(new_ifnames)
{
	const char *good[] = { "web1", "123456789012345", "vif1.0-emu", "a-", "alll",
			       "defaults" };
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
		{ "vif%d", "contains '%', which the kernel replaces with a number of its choice" },
		{ "%", "contains '%', which the kernel replaces with a number of its choice" },
		{ "all", "'all' and 'default' are reserved by the kernel" },
		{ "default", "'all' and 'default' are reserved by the kernel" },
		{ "-web", "starts with '-', which ip and other tools take for an option" },
	};
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(args_new_ifname(good[i], &why) == 0, "refused '%s'", good[i]);
		ck_assert_ptr_null(why);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		ck_assert_msg(args_new_ifname(bad[i].name, &why) == -1, "accepted '%s'",
			      bad[i].name);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_str_eq(why, bad[i].why);
		/* What an existing link may be called is checked the same way. */
		if (!strchr(bad[i].name, '%') && bad[i].name[0] != '-' &&
		    strcmp(bad[i].name, "all") && strcmp(bad[i].name, "default"))
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
	ck_assert_int_eq(args_addr_list("1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5",
					a, 4), -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

/* A parsed address, for the tests below. */
static struct args_addr A(const char *s)
{
	struct args_addr a;

	ck_assert_msg(args_addr(s, &a) == 0, "'%s' does not parse", s);
	return a;
}

static int holds(const char *net, const char *s)
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
	ck_assert_int_eq(class_of("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("fe80::"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("fe80::1"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ARGS_ADDR_LINK_LOCAL);
	ck_assert_int_eq(class_of("fec0::"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ARGS_ADDR_UNICAST);
	ck_assert_int_eq(class_of("ff00::"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("ff02::1"), ARGS_ADDR_MULTICAST);
	ck_assert_int_eq(class_of("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), ARGS_ADDR_MULTICAST);
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
	ck_assert_str_eq(allowed(&routed, "203.0.113.5/31"),
			 "a /31 network, shorter than /32: a routed guest's addresses "
			 "are single (/32), unless routed_prefix4= allows shorter prefixes");
	ck_assert_str_eq(allowed(&routed, "2001:db8::/127"),
			 "a /127 network, shorter than /128: a routed guest's addresses "
			 "are single (/128), unless routed_prefix6= allows shorter prefixes");
	/* At the setting and one past it. */
	ck_assert_str_eq(allowed(&wider, "203.0.113.64/28"), "");
	ck_assert_str_eq(allowed(&wider, "203.0.113.64/27"),
			 "a /27 network, shorter than /28: a routed guest's addresses "
			 "are single (/32), unless routed_prefix4= allows shorter prefixes");
	ck_assert_str_eq(allowed(&wider, "2001:db8:5::/64"), "");
	ck_assert_str_eq(allowed(&wider, "2001:db8:4::/63")[0] != 0 ? "no" : "", "no");
	ck_assert_str_eq(allowed(&wider, "203.0.113.65/28"),
			 "host bits set after the /28: the network is 203.0.113.64/28");
	ck_assert_str_eq(allowed(&wider, "2001:db8:5::1/64"),
			 "host bits set after the /64: the network is 2001:db8:5::/64");
	/* /0 never, whatever the policy. */
	ck_assert_str_eq(allowed(&source, "0.0.0.0/0"), "a /0 prefix covers every address");
	ck_assert_str_eq(allowed(&source, "::/0"), "a /0 prefix covers every address");
	ck_assert_str_eq(allowed(&source, "10.0.0.0/1"), "overlaps 0.0.0.0/8, the "
			 "unspecified (\"this network\") addresses");
	/* The blocks, each with its reason. */
	ck_assert_str_eq(allowed(&routed, "0.0.0.0"),
			 "an unspecified (\"this network\") address (0.0.0.0/8)");
	ck_assert_str_eq(allowed(&routed, "127.0.0.1"), "a loopback address (127.0.0.0/8)");
	ck_assert_str_eq(allowed(&routed, "224.0.0.1"), "a multicast address (224.0.0.0/4)");
	ck_assert_str_eq(allowed(&routed, "255.255.255.255"),
			 "the broadcast address (255.255.255.255)");
	ck_assert_str_eq(allowed(&routed, "169.254.169.254"),
			 "a link-local address (169.254.0.0/16)");
	ck_assert_str_eq(allowed(&routed, "::"), "the unspecified address (::)");
	ck_assert_str_eq(allowed(&routed, "::1"), "the loopback address (::1)");
	ck_assert_str_eq(allowed(&routed, "fe80::1"), "a link-local address (fe80::/10)");
	ck_assert_str_eq(allowed(&routed, "ff02::1"), "a multicast address (ff00::/8)");
	ck_assert_str_eq(allowed(&routed, "::ffff:192.0.2.1"),
			 "an IPv4-mapped address (::ffff:0:0/96)");
	/* A bridged guest's sources: networks with host bits, link-local
	 * addresses; the other blocks still not. */
	ck_assert_str_eq(allowed(&source, "192.0.2.5/24"), "");
	ck_assert_str_eq(allowed(&source, "10.0.0.0/1")[0] != 0 ? "no" : "", "no");
	ck_assert_str_eq(allowed(&source, "169.254.0.7"), "");
	ck_assert_str_eq(allowed(&source, "fe80::7"), "");
	ck_assert_str_eq(allowed(&source, "fe80::/10"), "");
	ck_assert_str_eq(allowed(&source, "fe80::/9"), "");
	ck_assert_str_eq(allowed(&source, "8000::/1"), "overlaps ff00::/8, the multicast addresses");
	ck_assert_str_eq(allowed(&source, "224.0.0.1"), "a multicast address (224.0.0.0/4)");
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
	ck_assert_int_eq(args_addr_list_err(list, a, VIF_MAX_ADDRS, err, sizeof(err)),
			 VIF_MAX_ADDRS);
	ck_assert_int_eq(a[VIF_MAX_ADDRS - 1].a[3], 64);
	strcat(list, "203.0.113.65");
	ck_assert_int_eq(args_addr_list_err(list, a, VIF_MAX_ADDRS, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_str_eq(err, "more than 64 addresses");
	ck_assert_int_eq(args_addr_list_err("192.0.2.1 nonsense", a, 4, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, "'nonsense' is not an address (IPv4 or IPv6, with an "
			 "optional /prefix)");
	ck_assert_int_eq(args_addr_list_err("192.0.2.1/33", a, 4, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'192.0.2.1/33' is not an address (IPv4 or IPv6, with "
			 "an optional /prefix)");
	ck_assert_int_eq(args_addr_list_err("  \t ", a, 4, err, sizeof(err)), 0);
}
END_TEST

/* xenstore values: XSTORE_VALUE_MAX bytes and one more, control bytes. */
START_TEST(xstore_values)
{
	static char v[XSTORE_VALUE_MAX + 2];

	memset(v, 'a', sizeof(v) - 1);
	ck_assert_int_eq(xstore_value_check(v, XSTORE_VALUE_MAX, err, sizeof(err)), 0);
	ck_assert_int_eq(xstore_value_check(v, XSTORE_VALUE_MAX + 1, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_str_eq(err, "1025 bytes, more than 1024");
	ck_assert_int_eq(xstore_value_check("a\tb", 3, err, sizeof(err)), 0);
	ck_assert_int_eq(xstore_value_check("192.0.2.1\n192.0.2.2", 19, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, "a newline at byte 10: a value is one line");
	ck_assert_int_eq(xstore_value_check("ab\0c", 4, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a control character (0x00) at byte 3");
	ck_assert_int_eq(xstore_value_check("\x1b[2J", 5, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "a control character (0x1b) at byte 1");
}
END_TEST

START_TEST(escaped_values)
{
	char buf[32];

	text_escape(buf, sizeof(buf), "a\nb\tc\\d\x01\x7f", 9, 64);
	ck_assert_str_eq(buf, "a\\nb\\tc\\\\d\\x01\\x7f");
	text_escape(buf, sizeof(buf), "abcdefgh", 8, 8);
	ck_assert_str_eq(buf, "abcdefgh");
	text_escape(buf, sizeof(buf), "abcdefghi", 9, 8);
	ck_assert_str_eq(buf, "abcdefgh...");
	/* Cut to the buffer, always terminated. */
	text_escape(buf, 6, "abcdefghi", 9, 8);
	ck_assert_str_eq(buf, "abcde");
	text_escape(buf, sizeof(buf), "", 0, 8);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* --- vlan ---------------------------------------------------------------- */

static const char *fmt(const char *spec)
{
	static char buf[256];
	struct vlan_spec s;

	if (vlan_parse(spec, &s, err, sizeof(err)) < 0)
		return err;
	ck_assert_int_eq(vlan_format(&s, buf, sizeof(buf)), 0);
	return buf;
}

START_TEST(vlan_single_is_access_port)
{
	ck_assert_str_eq(fmt("10"), "10 PVID untagged");
}
END_TEST

START_TEST(vlan_flags_and_lists)
{
	ck_assert_str_eq(fmt("10p"), "10 PVID");
	ck_assert_str_eq(fmt("10u"), "10 untagged");
	ck_assert_str_eq(fmt("10pu"), "10 PVID untagged");
	ck_assert_str_eq(fmt("10pu/20/30"), "10 PVID untagged, 20, 30");
	ck_assert_str_eq(fmt("10/20"), "10, 20");
	ck_assert_str_eq(fmt("20/10p"), "10 PVID, 20");
}
END_TEST

START_TEST(vlan_ranges_and_steps)
{
	ck_assert_str_eq(fmt("100-105"), "100-105");
	ck_assert_str_eq(fmt("10+10x4"), "10, 20, 30, 40");
	ck_assert_str_eq(fmt("1pu/100-102/200+2x3"),
			 "1 PVID untagged, 100-102, 200, 202, 204");
	ck_assert_str_eq(fmt("1-4094"), "1-4094");
}
END_TEST

START_TEST(vlan_errors)
{
	const char *bad[] = { "", "0", "4095", "10/10", "10p/20p", "10-5",
			      "10-", "-10", "10x", "10+0x3", "10+5x0",
			      "4090+5x2", "10//20", "10/", "/10", "10 20",
			      "abc", "10q", "10up", "99999", "10+1x9999999" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vlan_spec s;

		err[0] = '\0';
		ck_assert_msg(vlan_parse(bad[i], &s, err, sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
		ck_assert_msg(err[0] != '\0', "no reason for '%s'", bad[i]);
	}
}
END_TEST

START_TEST(vlan_membership)
{
	struct vlan_spec s;

	ck_assert_int_eq(vlan_parse("5p/7u", &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.pvid, 5);
	ck_assert(vlan_is_member(&s, 5) && vlan_is_member(&s, 7));
	ck_assert(!vlan_is_member(&s, 6) && !vlan_is_member(&s, 1));
	ck_assert(!vlan_is_untagged(&s, 5) && vlan_is_untagged(&s, 7));
	ck_assert(!vlan_is_member(&s, 0) && !vlan_is_member(&s, 5000));
}
END_TEST

/* Found by tests/fuzz/vlan: vlan_format() wrote its terminating NUL into a
 * buffer of 0 bytes. */
START_TEST(vlan_format_edges)
{
	struct vlan_spec s;
	char buf[32] = "untouched";

	ck_assert_int_eq(vlan_parse("10pu/20-29", &s, err, sizeof(err)), 0);
	errno = 0;
	ck_assert_int_eq(vlan_format(&s, buf, 0), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_str_eq(buf, "untouched");
	/* "10 PVID untagged, 20-29": 23 bytes and the NUL */
	ck_assert_int_eq(vlan_format(&s, buf, 23), -1);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_int_eq(vlan_format(&s, buf, 24), 0);
	ck_assert_str_eq(buf, "10 PVID untagged, 20-29");
}
END_TEST

/* --- xstore paths -------------------------------------------------------- */

START_TEST(vif_paths)
{
	unsigned d, n;

	ck_assert_int_eq(xstore_vif_path("backend/vif/3/0", &d, &n), 0);
	ck_assert_uint_eq(d, 3);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(xstore_vif_path("/local/domain/0/backend/vif/12/4", &d, &n), 0);
	ck_assert_uint_eq(d, 12);
	ck_assert_uint_eq(n, 4);
	ck_assert_int_eq(xstore_vif_path("/local/domain/7/backend/vif/1/0", &d, &n), 0);
}
END_TEST

START_TEST(vif_paths_refused)
{
	const char *bad[] = { "", "backend/vif/3", "backend/vif/3/0/",
			      "backend/vif//0", "backend/vbd/3/0",
			      "backend/vif/3/0/../../../x", "backend/vif/a/0",
			      "backend/vif/-1/0", "backend/vif/03/0",
			      "/local/domain//backend/vif/1/0",
			      "/backend/vif/1/0", "backend/vif/1/0 x",
			      "backend/vif/999999/0", "local/domain/0/backend/vif/1/0" };
	unsigned d, n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(xstore_vif_path(bad[i], &d, &n) == -1, "accepted '%s'",
			      bad[i]);
}
END_TEST

START_TEST(xstore_path_truncation)
{
	char buf[16];

	ck_assert_int_eq(xstore_path(buf, sizeof(buf), "a/b", "c"), 0);
	ck_assert_str_eq(buf, "a/b/c");
	ck_assert_int_eq(xstore_path(buf, sizeof(buf), "backend/vif/1/0", "x"), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

/* --- sysctl -------------------------------------------------------------- */

START_TEST(sysctl_reads_and_refuses_traversal)
{
	char buf[32];

	ck_assert_int_eq(sysctl_get((const char *[]){ "kernel", "ostype", NULL },
				    buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "Linux");
	ck_assert_int_eq(sysctl_get((const char *[]){ "net", "ipv4", "conf", "..",
						      "x", NULL }, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sysctl_set((const char *[]){ "net", "a/b", NULL }, "1"), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* --- hooks --------------------------------------------------------------- */

static char tmpdir[64];

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static void make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/xns-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	setenv("XEN_SCRIPT_DIR", tmpdir, 1);
	setenv("XEN_LOCK_DIR", tmpdir, 1);
}

static void remove_tmpdir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(hooks_run_in_order_with_variables)
{
	char path[128], out[256], failed[256] = "";
	char *vars[] = { "dev=vif1.0", "bridge=xenbr0", NULL };

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/vif-post.d", tmpdir);
	mkdir(path, 0755);
	/* No "#!": sourced by bash upstream, run by bash here. */
	snprintf(path, sizeof(path), "%s/vif-post.d/10-a.hook", tmpdir);
	write_file(path, "echo \"a $dev $bridge\" >> \"$XEN_SCRIPT_DIR/out\"\n", 0755);
	snprintf(path, sizeof(path), "%s/vif-post.d/20-b.hook", tmpdir);
	write_file(path, "#!/bin/sh\necho \"b $dev\" >> \"$XEN_SCRIPT_DIR/out\"\n", 0755);
	/* Not executable, not a .hook: ignored. */
	snprintf(path, sizeof(path), "%s/vif-post.d/30-c.hook", tmpdir);
	write_file(path, "echo c >> \"$XEN_SCRIPT_DIR/out\"\n", 0644);
	snprintf(path, sizeof(path), "%s/vif-post.d/40-d.sh", tmpdir);
	write_file(path, "echo d >> \"$XEN_SCRIPT_DIR/out\"\n", 0755);

	ck_assert_int_eq(hooks_run("vif-post", vars, failed, sizeof(failed)), 0);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	read_file(path, out, sizeof(out));
	ck_assert_str_eq(out, "a vif1.0 xenbr0\nb vif1.0\n");
	remove_tmpdir();
}
END_TEST

START_TEST(hook_failure_is_reported)
{
	char path[128], failed[256] = "";
	char *vars[] = { NULL };

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/vif-post.d", tmpdir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/vif-post.d/50-bad.hook", tmpdir);
	write_file(path, "exit 3\n", 0755);
	ck_assert_int_eq(hooks_run("vif-post", vars, failed, sizeof(failed)), -1);
	ck_assert_ptr_nonnull(strstr(failed, "50-bad.hook exited with status 3"));
	remove_tmpdir();
}
END_TEST

START_TEST(no_hook_directory_is_fine)
{
	char failed[64];
	char *vars[] = { NULL };

	make_tmpdir();
	ck_assert_int_eq(hooks_run("vif-post", vars, failed, sizeof(failed)), 0);
	remove_tmpdir();
}
END_TEST

/* --- locks --------------------------------------------------------------- */

START_TEST(lock_excludes_and_is_removed)
{
	char path[128];
	int fd, other;
	struct stat st;

	make_tmpdir();
	fd = lock_claim("iptables");
	ck_assert_int_ge(fd, 0);
	snprintf(path, sizeof(path), "%s/iptables", tmpdir);
	ck_assert_int_eq(stat(path, &st), 0);
	/* Another process cannot take it meanwhile. */
	other = open(path, O_RDWR);
	ck_assert_int_ge(other, 0);
	ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), -1);
	ck_assert_int_eq(errno, EWOULDBLOCK);
	close(other);
	lock_release("iptables", fd);
	ck_assert_int_eq(stat(path, &st), -1);
	remove_tmpdir();
}
END_TEST

START_TEST(lock_serializes_with_locking_sh)
{
	/* The shell's claim_lock must wait while we hold the lock. */
	char cmd[512], path[128], out[64];
	int fd;
	pid_t pid;

	if (access("/etc/xen/scripts/locking.sh", R_OK) < 0)
		return;
	make_tmpdir();
	fd = lock_claim("vif-nat-dhcp");
	ck_assert_int_ge(fd, 0);
	snprintf(cmd, sizeof(cmd),
		 ". /etc/xen/scripts/locking.sh; LOCK_BASEDIR=%s; "
		 "claim_lock vif-nat-dhcp; echo got >> %s/out; release_lock vif-nat-dhcp",
		 tmpdir, tmpdir);
	pid = fork();
	if (pid == 0) {
		execl("/bin/bash", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep(300000);
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	ck_assert_int_eq(access(path, F_OK), -1); /* still waiting */
	lock_release("vif-nat-dhcp", fd);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	read_file(path, out, sizeof(out));
	ck_assert_str_eq(out, "got\n");
	remove_tmpdir();
}
END_TEST

/* --- settings file ---------------------------------------------------- */

static void write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(settings_file_below_arguments_and_environment)
{
	char path[] = "/tmp/xns-conf-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	write_conf(path, "# comment\n\n  firewall = iptables \nantispoof=no\nempty=\n");
	setenv("XEN_NETSCRIPTS_CONF", path, 1);
	unsetenv("firewall");
	unsetenv("antispoof");
	ck_assert_int_eq(args_init(ARGC("online"), ARGV("online"), err, sizeof(err)), 0);
	ck_assert_int_eq(args_load_config(err, sizeof(err)), 0);
	ck_assert_str_eq(args_setting("firewall"), "iptables");
	ck_assert_ptr_null(args_setting("empty"));
	ck_assert_int_eq(args_bool("antispoof", 1), 0);
	ck_assert_int_eq(args_bool("unset", 1), 1);
	setenv("firewall", "nft", 1);
	ck_assert_str_eq(args_setting("firewall"), "nft");
	ck_assert_int_eq(args_init(ARGC("online", "firewall=none", "antispoof=Yes"),
				   ARGV("online", "firewall=none", "antispoof=Yes"), err,
				   sizeof(err)), 0);
	ck_assert_str_eq(args_setting("firewall"), "none");
	ck_assert_int_eq(args_bool("antispoof", 0), 1);
	ck_assert_int_eq(args_init(ARGC("antispoof=maybe"), ARGV("antispoof=maybe"),
				   err, sizeof(err)), 0);
	ck_assert_int_eq(args_bool("antispoof", 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	unsetenv("firewall");

	write_conf(path, "firewall=nft\n\nnot a setting\n");
	ck_assert_int_eq(args_load_config(err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ":3: expected NAME=VALUE"));
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_null(args_setting("firewall"));	/* all or nothing */
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
	ck_assert_int_eq(args_load_config(err, sizeof(err)), 0);	/* no file */
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
	ck_assert_int_eq(write(fd, "antispoof=no\nfirewall=nft\0iptables", 34), 34);
	close(fd);
	setenv("XEN_NETSCRIPTS_CONF", path, 1);
	unsetenv("firewall");
	ck_assert_int_eq(args_init(ARGC("start"), ARGV("start"), err, sizeof(err)), 0);
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
	line[510] = 0;				/* 510 bytes, no newline */
	write_conf(path, line);
	ck_assert_msg(args_load_config(err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq((int)strlen(args_setting("firewall")), 501);
	line[510] = '\n';
	line[511] = 0;				/* 510 bytes and the newline */
	write_conf(path, line);
	ck_assert_msg(args_load_config(err, sizeof(err)) == 0, "%s", err);
	line[510] = 'x';
	line[511] = '\n';
	line[512] = 0;				/* 511 bytes */
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
	ck_assert_msg(strstr(err, ":2:") && !strstr(err, "longer than"), "%s", err);
	ck_assert_ptr_null(args_setting("firewall"));
	unlink(path);
	unsetenv("XEN_NETSCRIPTS_CONF");
}
END_TEST

START_TEST(text_read_and_nul_lines)
{
	char path[] = "/tmp/xns-text-XXXXXX", *t;
	int fd = mkstemp(path);
	size_t len;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "0123456789", 10), 10);
	close(fd);
	ck_assert_ptr_nonnull(t = text_read(path, 10, &len));	/* at its max */
	ck_assert_int_eq((int)len, 10);
	ck_assert_str_eq(t, "0123456789");
	free(t);
	ck_assert_ptr_null(text_read(path, 9, &len));		/* one past */
	ck_assert_int_eq(errno, EFBIG);
	unlink(path);
	ck_assert_ptr_null(text_read(path, 10, &len));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(text_nul_line("a\nb\nc", 5), 0);
	ck_assert_int_eq(text_nul_line("\0a", 2), 1);
	ck_assert_int_eq(text_nul_line("a\nb\n\0", 5), 3);
	ck_assert_int_eq(text_nul_line("a\nb\0\n", 5), 2);
}
END_TEST

/* --- firewall ------------------------------------------------------------ */

/* Compare text with tests/unit/golden/name (rewrite it with UPDATE_GOLDEN). */
static void golden(const char *name, const char *text)
{
	char path[256], want[1 << 16];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "tests/unit/golden/%s", name);
	if (getenv("UPDATE_GOLDEN")) {
		write_conf(path, text);
		return;
	}
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "golden file %s: %s", path, strerror(errno));
	n = fread(want, 1, sizeof(want) - 1, f);
	want[n] = 0;
	fclose(f);
	ck_assert_str_eq(text, want);
}

static void rules_text(const struct fw_vif *v, char *out, size_t len)
{
	struct fw_rule rules[FW_RULES_MAX];
	char line[512];
	int n = fw_rules_antispoof(v, rules, FW_RULES_MAX);

	ck_assert_int_gt(n, 0);
	out[0] = 0;
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(fwdump_rule(v->dev, &rules[i], v->routed, line,
					     sizeof(line)), 0);
		strncat(out, line, len - strlen(out) - 2);
		strcat(out, "\n");
	}
}

static const unsigned char guest_mac[6] = { 0x00, 0x16, 0x3e, 0x12, 0x34, 0x56 };

static int parse_addrs(const char *ip, struct args_addr *a)
{
	int n = args_addr_list(ip, a, 8);

	ck_assert_int_ge(n, 0);
	return n;
}

START_TEST(antispoof_rules_golden)
{
	struct args_addr a[8];
	char text[1 << 15];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };

	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23", a);
	rules_text(&v, text, sizeof(text));
	golden("antispoof-addresses.nft", text);

	v.naddrs = -1;			/* no ip key */
	rules_text(&v, text, sizeof(text));
	golden("antispoof-no-ip.nft", text);

	v.naddrs = parse_addrs("192.0.2.8", a);
	v.mac = NULL;			/* no mac key, a VLAN trunk */
	v.trunk = 1;
	rules_text(&v, text, sizeof(text));
	golden("antispoof-trunk-no-mac.nft", text);

	v.naddrs = parse_addrs("192.0.2.9 2001:db8::9", a);
	v.mac = guest_mac;		/* a routed vif: IP only */
	v.routed = 1;
	rules_text(&v, text, sizeof(text));
	golden("antispoof-routed.nft", text);
}
END_TEST

START_TEST(antispoof_rules_limits)
{
	struct fw_rule rules[4];
	struct fw_vif v = { .dev = "vif1.0", .mac = guest_mac, .naddrs = -1 };
	char buf[16];

	ck_assert_int_eq(fw_rules_antispoof(&v, rules, 4), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(fw_rules_antispoof(&v, rules, 1), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_gt(fw_rules_antispoof(&v, (struct fw_rule[FW_RULES_MAX]){ 0 },
					    FW_RULES_MAX), 4);
	rules[0] = (struct fw_rule){ .verdict = FW_DROP, .why = "a long reason" };
	ck_assert_int_eq(fwdump_rule("vif1.0", &rules[0], 0, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

START_TEST(nft_batch_golden)
{
	struct fw_rule rules[FW_RULES_MAX];
	struct args_addr a[8];
	struct fw_vif v = { .dev = "vif7.0", .mac = guest_mac, .addrs = a };
	char *dump;
	int n;

	v.naddrs = parse_addrs("192.0.2.7 2001:db8::7 10.1.0.0/23", a);
	n = fw_rules_antispoof(&v, rules, FW_RULES_MAX);
	ck_assert_int_gt(n, 0);
	dump = fwdump_batch(&v, NULL, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("allow-vif7.0.batch", dump);
	free(dump);

	v.routed = 1;
	n = fw_rules_antispoof(&v, rules, FW_RULES_MAX);
	ck_assert_int_gt(n, 0);
	dump = fwdump_batch(&v, NULL, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("allow-routed-vif7.0.batch", dump);
	free(dump);
}
END_TEST

static const struct fw_forward forwards[] = {
	{ .proto = IPPROTO_TCP, .port = 80, .to_port = 8080, .in_dev = "eth0" },
	{ .proto = IPPROTO_UDP, .port = 53, .to_port = 0 },
};

static struct fw_nat nat_example(struct args_addr *from, struct fw_forward *fwd)
{
	ck_assert_int_eq(args_addr("10.0.0.0/16", &from[0]), 0);
	ck_assert_int_eq(args_addr("10.1.0.0/24", &from[1]), 0);
	fwd[0] = forwards[0];
	fwd[1] = forwards[1];
	ck_assert_int_eq(args_addr("198.51.100.2", &fwd[0].ext), 0);
	ck_assert_int_eq(args_addr("10.0.0.1", &fwd[0].to), 0);
	ck_assert_int_eq(args_addr("10.0.0.53", &fwd[1].to), 0);
	return (struct fw_nat){ .owner = "network-nat", .out_dev = "eth0",
				.from = from, .nfrom = 2, .fwd = fwd, .nfwd = 2 };
}

START_TEST(nat_rules_and_batch_golden)
{
	struct args_addr from[2];
	struct fw_forward fwd[2];
	struct fw_nat nat = nat_example(from, fwd);
	struct fw_rule rules[8];
	char text[4096] = "", line[512], *dump;
	int n = fw_rules_nat(&nat, rules, 8);

	ck_assert_int_eq(n, 4);
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(fwdump_rule(nat.owner, &rules[i], 1, line,
					     sizeof(line)), 0);
		strcat(text, rules[i].hook == FW_PREROUTING ? "prerouting: " : "postrouting: ");
		strcat(strcat(text, line), "\n");
	}
	golden("nat.nft", text);
	dump = fwdump_batch(NULL, &nat, rules, n);
	ck_assert_ptr_nonnull(dump);
	golden("nat.batch", dump);
	free(dump);

	nat.nfrom = 0;			/* everything out of eth0 */
	ck_assert_int_eq(fw_rules_nat(&nat, rules, 8), 3);
	ck_assert_int_eq(fw_rules_nat(&nat, rules, 2), -1);
	ck_assert_int_eq(errno, E2BIG);
}
END_TEST

START_TEST(nat_owner_names)
{
	ck_assert_int_eq(fw_owner_valid("network-nat"), 0);
	ck_assert_int_eq(fw_owner_valid("zone_dmz2"), 0);
	ck_assert_int_eq(fw_owner_valid(""), -1);
	ck_assert_int_eq(fw_owner_valid(NULL), -1);
	ck_assert_int_eq(fw_owner_valid("a-name-too-long!"), -1);
	ck_assert_int_eq(fw_owner_valid("sixteen-chars-xx"), -1);
	ck_assert_int_eq(fw_owner_valid("no spaces"), -1);
	ck_assert_int_eq(fw_owner_valid("no/slash"), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(backend_choice)
{
	enum fw_backend b;

	ck_assert_int_eq(fw_choose("nft", &b), 0);
	ck_assert_int_eq(b, FW_NFT);
	ck_assert_int_eq(fw_choose("iptables", &b), 0);
	ck_assert_int_eq(b, FW_IPTABLES);
	ck_assert_int_eq(fw_choose("none", &b), 0);
	ck_assert_int_eq(b, FW_NONE);
	ck_assert_int_eq(fw_choose(NULL, &b), 0);
	ck_assert(b == FW_NFT || b == FW_IPTABLES);
	ck_assert_int_eq(fw_choose("pf", &b), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(fw_name(FW_IPTABLES), "iptables");
}
END_TEST

START_TEST(vlan_trunks)
{
	struct vlan_spec spec;

	ck_assert_int_eq(vlan_parse("10", &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(vlan_is_trunk(&spec), 0);
	ck_assert_int_eq(vlan_parse("10p/20", &spec, err, sizeof(err)), 0);
	ck_assert_int_eq(vlan_is_trunk(&spec), 1);
}
END_TEST

/* --- vif-nat's addresses, lists, DHCP files ------------------------------ */

static const char *addr_str(const struct args_addr *a)
{
	static char buf[4][64];
	static int k;

	k = (k + 1) % 4;
	ck_assert_int_eq(args_addr_format(a, buf[k], sizeof(buf[k])), 0);
	return buf[k];
}

START_TEST(nat_derivation_as_the_shell_did)
{
	struct args_addr g, r, a[2];
	char host[32];

	ck_assert_int_eq(nat_derive(5, 0, NULL, -1, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(addr_str(&g), "10.0.5.1");
	ck_assert_str_eq(addr_str(&r), "10.0.5.128");
	ck_assert_str_eq(host, "dom5");
	ck_assert_int_eq(nat_derive(300, 1, NULL, -1, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(addr_str(&g), "10.1.44.2");
	ck_assert_str_eq(addr_str(&r), "10.1.44.129");
	ck_assert_str_eq(host, "dom300-2");
	ck_assert_int_eq(args_addr_list("2001:db8::1 192.168.7.5/24", a, 2), 2);
	ck_assert_int_eq(nat_derive(7, 0, a, 2, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(addr_str(&g), "192.168.7.5");
	ck_assert_str_eq(addr_str(&r), "192.168.7.132");
	ck_assert_int_eq(nat_derive(7, 126, NULL, -1, &g, &r, host, sizeof(host)), 0);
	ck_assert_str_eq(addr_str(&r), "10.0.7.254");
	ck_assert_int_eq(nat_derive(7, 127, NULL, -1, &g, &r, host, sizeof(host)), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(args_addr_list("10.0.0.200", a, 2), 1);
	ck_assert_int_eq(nat_derive(7, 0, a, 1, &g, &r, host, sizeof(host)), -1);
	ck_assert_int_eq(errno, ERANGE);
	ck_assert_int_eq(args_addr_list("2001:db8::1", a, 2), 1);
	ck_assert_int_eq(nat_derive(7, 0, a, 1, &g, &r, host, sizeof(host)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(address_lists_and_printing)
{
	struct args_addr a[3];
	char buf[8];

	ck_assert_int_eq(args_addr_csv("10.0.0.0/8, 192.168.1.0/24", a, 3, AF_INET), 2);
	ck_assert_str_eq(addr_str(&a[1]), "192.168.1.0/24");
	ck_assert_int_eq(args_addr_csv("10.0.0.0/8,2001:db8::/32", a, 3, AF_INET), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(args_addr_csv("10.0.0.0/8,2001:db8::/32", a, 3, 0), 2);
	ck_assert_int_eq(args_addr_csv("1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8", a, 3, 0), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_int_eq(args_addr_csv(",", a, 3, 0), -1);
	ck_assert_int_eq(args_addr_csv("10.0.0.0/33", a, 3, 0), -1);
	ck_assert_int_eq(args_addr_format(&a[0], buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

static void read_all(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(out, 1, len - 1, f);
	out[n] = 0;
	fclose(f);
}

START_TEST(dhcp_files)
{
	char dir[] = "/tmp/xns-dhcp-XXXXXX", path[128], text[1024];
	struct dhcp_host h = { "vif5.0", "dom5", "00:16:3e:00:05:00", "10.0.5.1",
			       "10.0.5.128" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	setenv("XEN_LOCK_DIR", dir, 1);
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), 0);
	snprintf(path, sizeof(path), "%s/vif5.0", dir);
	read_all(path, text, sizeof(text));
	/* hosts and opts share the directory here: the opts line wins */
	ck_assert_str_eq(text, "tag:xen-vif5.0,option:router,10.0.5.128\n");
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(dhcp_dnsmasq_add("/nonexistent/xns", dir, &h), -1);
	ck_assert_int_eq(errno, ENOENT);

	snprintf(path, sizeof(path), "%s/dhcpd.conf", dir);
	write_conf(path, "subnet 10.0.0.0 netmask 255.255.0.0 { }\nhost dom5 { old; }\n");
	ck_assert_int_eq(dhcp_isc_add(path, &h), 0);
	ck_assert_int_eq(dhcp_isc_add(path, &h), 0);
	read_all(path, text, sizeof(text));
	ck_assert_str_eq(text, "subnet 10.0.0.0 netmask 255.255.0.0 { }\n"
			       "host dom5 { hardware ethernet 00:16:3e:00:05:00; "
			       "fixed-address 10.0.5.1; option routers 10.0.5.128; "
			       "option host-name \"dom5\"; }\n");
	ck_assert_int_eq(dhcp_isc_del(path, "dom5"), 0);
	read_all(path, text, sizeof(text));
	ck_assert_str_eq(text, "subnet 10.0.0.0 netmask 255.255.0.0 { }\n");
	unlink(path);
	ck_assert_int_eq(dhcp_isc_del(path, "dom5"), 0);	/* no file */
	rmdir(dir);
	unsetenv("XEN_LOCK_DIR");
}
END_TEST

/* --- network scripts' state file -------------------------------------------- */

/* Every line is kept, however many; the last needs no newline; a line that
 * is not KEY VALUE (a NUL byte, a control character) is an error with its
 * number. */
START_TEST(state_file_parser)
{
	struct net n;
	char *text = malloc(1000 * 32), *p = text;
	int line;

	memset(&n, 0, sizeof(n));
	for (int i = 0; i < 1000; i++)
		p += sprintf(p, "bridge br%d\n", i);
	ck_assert_int_eq(net_state_parse(&n, text, (size_t)(p - text), &line), 0);
	ck_assert_int_eq(n.nlines, 1000);
	ck_assert_str_eq(n.lines[999], "bridge br999");
	ck_assert_int_eq(net_state_parse(&n, "sysctl net/ipv4/ip_forward 0 1", 30, &line), 0);
	ck_assert_int_eq(n.nlines, 1001);
	ck_assert_str_eq(n.lines[1000], "sysctl net/ipv4/ip_forward 0 1");
	net_state_clear(&n);
	ck_assert_int_eq(n.nlines, 0);
	ck_assert_int_eq(net_state_parse(&n, "", 0, &line), 0);
	ck_assert_int_eq(n.nlines, 0);

	static const struct { const char *text; size_t len; int line; } bad[] = {
		{ "netdev eth0\nbridge br0\nsay a\0b\n", 29, 3 },
		{ "netdev eth0\n\nbridge br0\n", 24, 2 },
		{ "Netdev eth0\n", 12, 1 },
		{ "netdev\n", 7, 1 },
		{ "netdev \n", 8, 1 },
		{ "netdev eth0\r\n", 13, 1 },
		{ "say caf\xc3\xa9\n", 10, 1 },
		{ "netdev eth0\nbridge", 18, 2 },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(net_state_parse(&n, bad[i].text, bad[i].len, &line) == -1,
			      "accepted case %zu", i);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(line, bad[i].line);
		ck_assert_int_eq(n.nlines, bad[i].line - 1);
		net_state_clear(&n);
	}
	free(text);
}
END_TEST

/* A run killed between writing a lease file's temporary and renaming it
 * leaves .NAME.tmp: removing the lease removes it too. */
START_TEST(dhcp_killed_run_leftovers)
{
	char dir[] = "/tmp/xns-dhcp-XXXXXX", tmp[128], path[128];
	struct dhcp_host h = { "vif5.0", "dom5", "00:16:3e:00:05:00", "10.0.5.1",
			       "10.0.5.128" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(tmp, sizeof(tmp), "%s/.vif5.0.tmp", dir);
	write_conf(tmp, "00:16:3e:00:05:00,set:xen-");
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	/* and writing it afresh leaves none either */
	write_conf(tmp, "00:16:3e:00:05:00,set:xen-");
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), 0);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	snprintf(path, sizeof(path), "%s/vif5.0", dir);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, "vif5.0"), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(rmdir(dir), 0);	/* nothing else was left */
}
END_TEST

/* A lease file's path is at most DHCP_PATH_MAX - 1 bytes: at the limit it
 * is written and removed, one past it is refused and nothing is touched. */
START_TEST(dhcp_path_limit)
{
	char top[] = "/tmp/xns-dhcp-XXXXXX", dir[DHCP_PATH_MAX + 16];
	char name[128], path[DHCP_PATH_MAX + 16];
	struct dhcp_host h = { name, "dom5", "00:16:3e:00:05:00", "10.0.5.1",
			       "10.0.5.128" };
	size_t len;
	int n;

	ck_assert_ptr_nonnull(mkdtemp(top));
	/* top/aaa...a/aaa...a: directories of 200 bytes a name */
	len = (size_t)snprintf(dir, sizeof(dir), "%s/", top);
	memset(dir + len, 'a', 200);
	dir[len + 200] = 0;
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	len = strlen(dir);
	dir[len] = '/';
	memset(dir + len + 1, 'a', 200);
	dir[len + 201] = 0;
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	/* a name filling dir/name up to DHCP_PATH_MAX - 1 bytes */
	n = DHCP_PATH_MAX - 1 - (int)strlen(dir) - 1;
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, (int)sizeof(name));
	memset(name, 'v', (size_t)n);
	name[n] = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	ck_assert_int_eq((int)strlen(path), DHCP_PATH_MAX - 1);
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), 0);
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, name), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* one byte more */
	name[n] = 'v';
	name[n + 1] = 0;
	ck_assert_int_eq(dhcp_dnsmasq_add(dir, dir, &h), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, name), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	/* the name cut to the limit names a file that must stay */
	name[n] = 0;
	write_conf(path, "someone else's\n");
	name[n] = 'v';
	ck_assert_int_eq(dhcp_dnsmasq_del(dir, dir, name), -1);
	ck_assert_int_eq(access(path, F_OK), 0);
	unlink(path);
	rmdir(dir);
	*strrchr(dir, '/') = 0;
	rmdir(dir);
	ck_assert_int_eq(rmdir(top), 0);
}
END_TEST

/* A child that reports each SIGHUP on a pipe; named comm. */
static pid_t hup_child(const char *comm, int *rd)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		sigset_t set;
		int sig;

		close(p[0]);
		prctl(PR_SET_NAME, comm);
		sigemptyset(&set);
		sigaddset(&set, SIGHUP);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		while (sigwait(&set, &sig) == 0 && sig == SIGHUP)
			if (write(p[1], "h", 1) != 1)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	*rd = p[0];
	ck_assert_int_eq(read(p[0], &(char){ 0 }, 1), 1);	/* it is ready */
	return pid;
}

/* What hup_child reported when it was told to end. */
static char hup_end(pid_t pid, int rd)
{
	char c = 0;

	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	if (read(rd, &c, 1) != 1)
		c = 0;
	close(rd);
	return c;
}

START_TEST(dnsmasq_reload_only_dnsmasq)
{
	static const char *const bad[] = { "dnsmasq\n", "", "12x\n", "1\n", "0\n",
					   "2147483648\n" };
	char dir[] = "/tmp/xns-pid-XXXXXX", pidfile[64], text[32];
	pid_t pid;
	int rd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(pidfile, sizeof(pidfile), "%s/dnsmasq.pid", dir);
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);	/* no pid file */

	/* A stale pid file whose number another process took. */
	pid = hup_child("sleep", &rd);
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	write_conf(pidfile, text);
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_int_eq(hup_end(pid, rd), 0);	/* no SIGHUP came */
	/* Now nothing has that number. */
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);

	/* A dnsmasq is told. */
	pid = hup_child("dnsmasq", &rd);
	snprintf(text, sizeof(text), "%d\n", (int)pid);
	write_conf(pidfile, text);
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 1);
	ck_assert_int_eq(hup_end(pid, rd), 'h');

	/* The largest number is a process number (of no process here). */
	write_conf(pidfile, "2147483647\n");
	ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), 0);
	/* What is no process number is refused: one past the largest too. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_conf(pidfile, bad[i]);
		ck_assert_int_eq(dhcp_dnsmasq_reload(pidfile), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	unlink(pidfile);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* --- files replaced whole ------------------------------------------------- */

/* The temporary's name is at most len - 1 bytes: at the limit it is made,
 * one past it is refused. */
START_TEST(text_temp_name_limit)
{
	char dir[] = "/tmp/xns-text-XXXXXX", path[64], tmp[64];
	size_t want;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	want = strlen(dir) + strlen("/.f.tmp");
	ck_assert_ptr_null(text_create(path, tmp, want));
	ck_assert_int_eq(errno, ENAMETOOLONG);
	ck_assert_int_eq(text_remove(path, tmp, want), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
	f = text_create(path, tmp, want + 1);
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(strlen(tmp), want);
	fputs("x\n", f);
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	ck_assert_int_eq(text_remove(path, tmp, want + 1), 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(text_remove(path, tmp, want + 1), 0);	/* gone: fine */
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* The file replaced keeps its mode and owner; a new file gets the usual
 * ones; a killed run's temporary, even a link, is replaced, not followed. */
START_TEST(text_keeps_mode_and_owner)
{
	char dir[] = "/tmp/xns-text-XXXXXX", path[64], tmp[64], victim[64], text[64];
	struct stat st;
	mode_t mask;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/dhcpd.conf", dir);
	write_conf(path, "old\n");
	ck_assert_int_eq(chmod(path, 02640), 0);	/* set-gid kept too */
	if (geteuid() == 0)
		ck_assert_int_eq(chown(path, 1234, 5678), 0);
	ck_assert_ptr_nonnull(f = text_create(path, tmp, sizeof(tmp)));
	fputs("new\n", f);
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 02640);
	if (geteuid() == 0) {
		ck_assert_int_eq(st.st_uid, 1234);
		ck_assert_int_eq(st.st_gid, 5678);
	}
	read_all(path, text, sizeof(text));
	ck_assert_str_eq(text, "new\n");

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_conf(victim, "untouched\n");
	ck_assert_int_eq(symlink(victim, tmp), 0);
	ck_assert_ptr_nonnull(f = text_create(path, tmp, sizeof(tmp)));
	fputs("newer\n", f);
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	read_all(victim, text, sizeof(text));
	ck_assert_str_eq(text, "untouched\n");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 02640);

	unlink(path);
	mask = umask(0);
	umask(mask);
	ck_assert_ptr_nonnull(f = text_create(path, tmp, sizeof(tmp)));
	ck_assert_int_eq(text_commit(f, tmp, path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0666 & ~mask);
	ck_assert_int_eq(st.st_uid, geteuid());
	unlink(path);
	unlink(victim);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* --- network-zones' configuration ---------------------------------------- */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = calloc(1, 1 << 16);

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_ge((int)fread(text, 1, (1 << 16) - 1, f), 0);
	fclose(f);
	return text;
}

START_TEST(zones_plans_golden)
{
	static const char *const samples[] = { "advanced", "guru", "extras" };
	static struct zones zs;
	static char plan[1 << 16];
	char path[128];

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "tests/unit/zones/%s.conf", samples[i]);
		ck_assert_msg(zones_parse_file(path, &zs, err, sizeof(err)) == 0, "%s", err);
		ck_assert_int_eq(zones_render_plan(&zs, plan, sizeof(plan)), 0);
		snprintf(path, sizeof(path), "zones-%s.plan", samples[i]);
		golden(path, plan);
	}
	ck_assert_int_eq(zones_render_plan(&zs, plan, 64), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

/* Each line of errors.txt alone (after one zone z) is refused; the
 * messages, one per line, are the golden file. */
START_TEST(zones_errors_golden)
{
	static struct zones zs;
	char *text = slurp("tests/unit/zones/errors.txt"), *save = NULL;
	char out[1 << 14] = "", one[512];

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(one, sizeof(one),
			 "CreateZone NAME=z NIC=eth0 EXT=none BR=brz INT=10.1.0.1 "
			 "MASK=255.255.255.0\n%s\n", l);
		ck_assert_msg(zones_parse_text("test.conf", one, &zs, err, sizeof(err)) == -1,
			      "accepted: %s", l);
		ck_assert_int_eq(errno, EINVAL);
		strcat(strcat(out, err), "\n");
	}
	free(text);
	golden("zones-errors.txt", out);
}
END_TEST

/* Values written as the shell would: quotes around a whole value go, "..."
 * is expanded and '...' is not. */
START_TEST(zones_shell_quoting)
{
	static struct zones zs;
	const char *text =
		"NIC=\"eth1\"\n"
		"BR='xen-br1'\n"
		"CreateZone NAME=\"zq\" NIC=\"$NIC\" EXT='192.0.2.10' BR=$BR INT=\"10.1.0.1\" "
		"MASK='255.255.255.0'\n"
		"CreateApp NAME='web' ZONE=zq EXT=\"tcp:80\" INT=\"10.1.0.2:8080\"\n";
	static char plan[1 << 16];

	ck_assert_msg(zones_parse_text("q.conf", text, &zs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(zs.z[0].name, "zq");
	ck_assert_str_eq(zs.z[0].nic, "eth1");
	ck_assert_str_eq(zs.z[0].br, "xen-br1");
	ck_assert_str_eq(zs.r[0].name, "web");
	ck_assert_int_eq(zs.r[0].to_port, 8080);
	ck_assert_int_eq(zones_render_plan(&zs, plan, sizeof(plan)), 0);
	ck_assert_ptr_null(strchr(strstr(plan, "add table"), '\''));
	ck_assert_ptr_nonnull(strstr(plan, "iifname \"xen-br1\" oifname \"eth1\" accept"));
	ck_assert_int_eq(zones_parse_text("q.conf", "NIC=eth1\nCreateZone NAME=zq NIC='$NIC' "
					  "EXT=none BR=br1 INT=10.1.0.1 MASK=255.255.255.0\n",
					  &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "q.conf:2: CreateZone: NIC='$NIC' is not an interface name of "
			 "letters, digits, '-', '_' and '.'");
}
END_TEST

/* A variable is set once; ZONES_MAX (32) of them, "NAME=value" of 127
 * bytes, values of 255 bytes once expanded; one more is refused. */
START_TEST(zones_variables)
{
	static struct zones zs;
	char text[4096], *p = text, x[200];

	ck_assert_int_eq(zones_parse_text("v.conf", "A=1\n# again\nA=2\n", &zs, err,
					  sizeof(err)), -1);
	ck_assert_str_eq(err, "v.conf:3: variable A is set again (first on line 1)");
	for (int i = 0; i < 32; i++)
		p += sprintf(p, "V%d=%d\n", i, i);
	ck_assert_msg(zones_parse_text("v.conf", text, &zs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(zs.nvars, 32);
	sprintf(p, "V32=32\n");
	ck_assert_int_eq(zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "v.conf:33: more than 32 variables");

	memset(x, 'x', sizeof(x));
	snprintf(text, sizeof(text), "A=%.125s\n", x);	/* "A=" + 125: 127 bytes */
	ck_assert_msg(zones_parse_text("v.conf", text, &zs, err, sizeof(err)) == 0, "%s", err);
	snprintf(text, sizeof(text), "A=%.126s\n", x);
	ck_assert_int_eq(zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "v.conf:1: variable A: value too long");
	/* 3 * 85 = 255 bytes: past the value's limit, on to the NAME check. */
	snprintf(text, sizeof(text), "A=%.85s\nCreateZone NAME=$A$A$A NIC=none EXT=none BR=b "
		 "INT=10.0.0.1 MASK=255.0.0.0\n", x);
	ck_assert_int_eq(zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "v.conf:2: CreateZone: NAME='xxx"));
	snprintf(text, sizeof(text), "A=%.85s\nCreateZone NAME=$A$A$A. NIC=none EXT=none BR=b "
		 "INT=10.0.0.1 MASK=255.0.0.0\n", x);
	ck_assert_int_eq(zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "v.conf:2: CreateZone: a value longer than 255 bytes");
}
END_TEST

/* ZONES_MAX (32) zones with the longest bridge names and ZONES_RULES (256)
 * other statements are taken and rendered; one more is refused.  Lines of
 * 1023 bytes are taken, of 1024 refused. */
START_TEST(zones_limits)
{
	static struct zones zs;
	static char plan[256 * 1024];
	size_t cap = 64 * 1024;
	char *text = malloc(cap), *p = text, *rules, line[1100];

	for (int i = 0; i < 32; i++)
		p += sprintf(p, "CreateZone NAME=z%d NIC=eth-uplink-%d EXT=none BR=xen-zone-br%d "
			     "INT=10.%d.0.1 MASK=255.255.255.0\n", i, i, i, i);
	rules = p;
	for (int i = 0; i < 256; i++)
		p += sprintf(p, "CreateApp NAME=a%d ZONE=none EXT=tcp:%d INT=eth-app-%d\n", i,
			     i + 1, i);
	ck_assert_msg(zones_parse_text("l.conf", text, &zs, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(zs.nz, 32);
	ck_assert_int_eq(zs.nr, 256);
	ck_assert_int_eq(zones_render_plan(&zs, plan, sizeof(plan)), 0);
	ck_assert_ptr_nonnull(strstr(plan, "iifname { \"xen-zone-br0\", "));
	ck_assert_ptr_nonnull(strstr(plan, ", \"eth-uplink-31\", \"eth-app-0\", "));
	ck_assert_ptr_nonnull(strstr(plan, ", \"eth-app-255\" } drop"));
	sprintf(p, "TuneZone NAME=t ZONE=z0 DIR=in ACTION=drop PORT=tcp:1\n");
	ck_assert_int_eq(zones_parse_text("l.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "l.conf:289: TuneZone: more than 256 CreateApp, TuneZone, "
			 "MapAddress and AllowZone statements");
	sprintf(rules, "CreateZone NAME=z32 NIC=none EXT=none BR=br32 INT=10.32.0.1 "
		"MASK=255.255.255.0\n");
	ck_assert_int_eq(zones_parse_text("l.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "l.conf:33: CreateZone: more than 32 zones");

	memset(line, ' ', sizeof(line));
	line[1022] = '#';
	line[1023] = 0;
	ck_assert_msg(zones_parse_text("l.conf", line, &zs, err, sizeof(err)) == 0, "%s", err);
	line[1023] = '#';
	line[1024] = 0;
	ck_assert_int_eq(zones_parse_text("l.conf", line, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "l.conf:1: line longer than 1023 bytes");
	free(text);
}
END_TEST

START_TEST(zones_file_with_a_nul)
{
	static struct zones zs;
	char path[] = "/tmp/xns-zones-XXXXXX";
	const char text[] = "CreateZone NAME=a NIC=none EXT=none BR=bra INT=10.1.0.1 "
			    "MASK=255.255.255.0\n\0CreateZone NAME=b NIC=none EXT=none BR=brb "
			    "INT=10.2.0.1 MASK=255.255.255.0\n";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1), (int)sizeof(text) - 1);
	close(fd);
	ck_assert_int_eq(zones_parse_file(path, &zs, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ":2: a NUL byte"));
	unlink(path);
}
END_TEST

START_TEST(zones_bridge_words)
{
	static struct zones zs;

	memset(&zs, 0, sizeof(zs));
	ck_assert_int_eq(zones_add_bridge_spec(&zs, "xen-br1:10.10.1.1:255.255.255.0", err,
					       sizeof(err)), 0);
	ck_assert_str_eq(zs.z[0].br, "xen-br1");
	ck_assert_int_eq(zs.z[0].in.prefix, 24);
	ck_assert_str_eq(zs.z[0].nic, "");
	ck_assert_int_eq(zones_add_bridge_spec(&zs, "xen-br1:10.10.9.1:255.255.255.0", err,
					       sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "given twice"));
	ck_assert_int_eq(zones_add_bridge_spec(&zs, "xen-br2:10.10.2.1", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "BRIDGE:ADDRESS:NETMASK"));
	ck_assert_int_eq(zones_add_bridge_spec(&zs, "xen-br2:10.10.2.1:255.0.255.0", err,
					       sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is not a netmask"));
	/* Nothing of a word becomes another argument, a comment, a variable. */
	static const char *const bad[] = {
		"xen-br2:10.10.2.1:255.255.255.0 DHCP=10.10.2.5-10.10.2.9",
		"xen-br2:10.10.2.1:255.255.255.0#", "$BR:10.10.2.1:255.255.255.0",
		"xen\"br2:10.10.2.1:255.255.255.0",
		"xen-br2:10.10.2.1:255.255.255.000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(zones_add_bridge_spec(&zs, bad[i], err, sizeof(err)) == -1,
			      "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(strstr(err, "expected BRIDGE:ADDRESS:NETMASK"));
	}
	ck_assert_int_eq(zs.nz, 1);
}
END_TEST

/* Found by tests/fuzz/zones (reproducer "n:0.0.1.1:0.0.0.0#"): a bridge word
 * was pasted into a CreateZone statement, so what followed the netmask was
 * read as the statement's rest: a comment, more arguments (DHCP=), another
 * statement.  A word is BRIDGE:ADDRESS:NETMASK and nothing else. */
START_TEST(zones_bridge_word_is_only_that)
{
	static const char *const bad[] = {
		"n:0.0.1.1:0.0.0.0#",
		"br0:10.0.0.1:255.255.255.0#x",
		"br0:10.0.0.1:255.255.255.0 DHCP=10.0.0.2-10.0.0.3",
		"br0:10.0.0.1:255.255.255.0;",
		"br0:10.0.0.1:255.255.255.0\nAllowZone FROM=br0 TO=br0",
		"br0:10.0.0.1:255.255.255.0 ",
	};
	static struct zones zs;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&zs, 0, sizeof(zs));
		err[0] = '\0';
		ck_assert_msg(zones_add_bridge_spec(&zs, bad[i], err, sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
		ck_assert_int_eq(zs.nz, 0);
		ck_assert_msg(strstr(err, bad[i]), "'%s' not named in: %s", bad[i], err);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("common");
	TCase *tc;

	tc = tcase_create("args");
	tcase_add_test(tc, command_is_first_word_without_equals);
	tcase_add_test(tc, no_command);
	tcase_add_test(tc, second_command_word_is_refused);
	tcase_add_test(tc, malformed_names_are_refused);
	tcase_add_test(tc, values_are_never_evaluated);
	tcase_add_test(tc, argument_overrides_environment_and_last_wins);
	tcase_add_test(tc, empty_value_is_unset);
	tcase_add_test(tc, ifnames);
	tcase_add_test(tc, new_ifnames);
	tcase_add_test(tc, numbers);
	tcase_add_test(tc, macs);
	tcase_add_test(tc, addresses);
	tcase_add_test(tc, address_holds);
	tcase_add_test(tc, address_classes);
	tcase_add_test(tc, address_policies);
	tcase_add_test(tc, address_list_limits);
	tcase_add_test(tc, escaped_values);
	tcase_add_test(tc, settings_file_below_arguments_and_environment);
	tcase_add_test(tc, unknown_and_empty_arguments_are_refused);
	tcase_add_test(tc, arguments_at_their_limit);
	tcase_add_test(tc, settings_file_nul_and_limits);
	tcase_add_test(tc, text_read_and_nul_lines);
	tcase_add_test(tc, state_file_parser);
	tcase_add_test(tc, settings_file_nul_byte);
	suite_add_tcase(s, tc);

	tc = tcase_create("vlan");
	tcase_add_test(tc, vlan_single_is_access_port);
	tcase_add_test(tc, vlan_flags_and_lists);
	tcase_add_test(tc, vlan_ranges_and_steps);
	tcase_add_test(tc, vlan_errors);
	tcase_add_test(tc, vlan_membership);
	tcase_add_test(tc, vlan_trunks);
	tcase_add_test(tc, vlan_format_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("nat");
	tcase_add_test(tc, nat_derivation_as_the_shell_did);
	tcase_add_test(tc, address_lists_and_printing);
	tcase_add_test(tc, dhcp_files);
	tcase_add_test(tc, dhcp_killed_run_leftovers);
	tcase_add_test(tc, dhcp_path_limit);
	tcase_add_test(tc, dnsmasq_reload_only_dnsmasq);
	suite_add_tcase(s, tc);

	tc = tcase_create("zones");
	tcase_add_test(tc, zones_plans_golden);
	tcase_add_test(tc, zones_errors_golden);
	tcase_add_test(tc, zones_bridge_words);
	tcase_add_test(tc, zones_shell_quoting);
	tcase_add_test(tc, zones_variables);
	tcase_add_test(tc, zones_limits);
	tcase_add_test(tc, zones_file_with_a_nul);
	tcase_add_test(tc, zones_bridge_word_is_only_that);
	suite_add_tcase(s, tc);

	tc = tcase_create("fw");
	tcase_add_test(tc, antispoof_rules_golden);
	tcase_add_test(tc, antispoof_rules_limits);
	tcase_add_test(tc, nft_batch_golden);
	tcase_add_test(tc, nat_rules_and_batch_golden);
	tcase_add_test(tc, nat_owner_names);
	tcase_add_test(tc, backend_choice);
	suite_add_tcase(s, tc);

	tc = tcase_create("xstore");
	tcase_add_test(tc, vif_paths);
	tcase_add_test(tc, vif_paths_refused);
	tcase_add_test(tc, xstore_path_truncation);
	tcase_add_test(tc, xstore_values);
	suite_add_tcase(s, tc);

	tc = tcase_create("system");
	tcase_add_test(tc, sysctl_reads_and_refuses_traversal);
	tcase_add_test(tc, hooks_run_in_order_with_variables);
	tcase_add_test(tc, hook_failure_is_reported);
	tcase_add_test(tc, no_hook_directory_is_fine);
	tcase_add_test(tc, lock_excludes_and_is_removed);
	tcase_add_test(tc, lock_serializes_with_locking_sh);
	tcase_add_test(tc, text_temp_name_limit);
	tcase_add_test(tc, text_keeps_mode_and_owner);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
