/* Unit tests: network-zones' configuration language and plan (network-
 * zones/zones.h), against golden files. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zones.h"
#include "unit.h"

static char err[256];

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
		snprintf(path, sizeof(path), "tests/unit/zones/%s.conf",
			 samples[i]);
		ck_assert_msg(zones_parse_file(path, &zs, err, sizeof(err)) ==
				      0,
			      "%s", err);
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

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		snprintf(
			one, sizeof(one),
			"CreateZone NAME=z NIC=eth0 EXT=none BR=brz INT=10.1.0.1 "
			"MASK=255.255.255.0\n%s\n",
			l);
		ck_assert_msg(zones_parse_text("test.conf", one, &zs, err,
					       sizeof(err)) == -1,
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

	ck_assert_msg(zones_parse_text("q.conf", text, &zs, err, sizeof(err)) ==
			      0,
		      "%s", err);
	ck_assert_str_eq(zs.z[0].name, "zq");
	ck_assert_str_eq(zs.z[0].nic, "eth1");
	ck_assert_str_eq(zs.z[0].br, "xen-br1");
	ck_assert_str_eq(zs.r[0].name, "web");
	ck_assert_int_eq(zs.r[0].to_port, 8080);
	ck_assert_int_eq(zones_render_plan(&zs, plan, sizeof(plan)), 0);
	ck_assert_ptr_null(strchr(strstr(plan, "add table"), '\''));
	ck_assert_ptr_nonnull(
		strstr(plan, "iifname \"xen-br1\" oifname \"eth1\" accept"));
	ck_assert_int_eq(
		zones_parse_text(
			"q.conf",
			"NIC=eth1\nCreateZone NAME=zq NIC='$NIC' "
			"EXT=none BR=br1 INT=10.1.0.1 MASK=255.255.255.0\n",
			&zs, err, sizeof(err)),
		-1);
	ck_assert_str_eq(
		err,
		"q.conf:2: CreateZone: NIC='$NIC' is not an interface name of "
		"letters, digits, '-', '_' and '.'");
}
END_TEST

/* A variable is set once; ZONES_MAX (32) of them, "NAME=value" of 127
 * bytes, values of 255 bytes once expanded; one more is refused. */
START_TEST(zones_variables)
{
	static struct zones zs;
	char text[4096], *p = text, x[200];

	ck_assert_int_eq(zones_parse_text("v.conf", "A=1\n# again\nA=2\n", &zs,
					  err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err,
			 "v.conf:3: variable A is set again (first on line 1)");
	for (int i = 0; i < 32; i++)
		p += sprintf(p, "V%d=%d\n", i, i);
	ck_assert_msg(zones_parse_text("v.conf", text, &zs, err, sizeof(err)) ==
			      0,
		      "%s", err);
	ck_assert_int_eq(zs.nvars, 32);
	sprintf(p, "V32=32\n");
	ck_assert_int_eq(
		zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "v.conf:33: more than 32 variables");

	memset(x, 'x', sizeof(x));
	snprintf(text, sizeof(text), "A=%.125s\n",
		 x); /* "A=" + 125: 127 bytes */
	ck_assert_msg(zones_parse_text("v.conf", text, &zs, err, sizeof(err)) ==
			      0,
		      "%s", err);
	snprintf(text, sizeof(text), "A=%.126s\n", x);
	ck_assert_int_eq(
		zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "v.conf:1: variable A: value too long");
	/* 3 * 85 = 255 bytes: past the value's limit, on to the NAME check. */
	snprintf(text, sizeof(text),
		 "A=%.85s\nCreateZone NAME=$A$A$A NIC=none EXT=none BR=b "
		 "INT=10.0.0.1 MASK=255.0.0.0\n",
		 x);
	ck_assert_int_eq(
		zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "v.conf:2: CreateZone: NAME='xxx"));
	snprintf(text, sizeof(text),
		 "A=%.85s\nCreateZone NAME=$A$A$A. NIC=none EXT=none BR=b "
		 "INT=10.0.0.1 MASK=255.0.0.0\n",
		 x);
	ck_assert_int_eq(
		zones_parse_text("v.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err,
			 "v.conf:2: CreateZone: a value longer than 255 bytes");
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
		p += sprintf(
			p,
			"CreateZone NAME=z%d NIC=eth-uplink-%d EXT=none BR=xen-zone-br%d "
			"INT=10.%d.0.1 MASK=255.255.255.0\n",
			i, i, i, i);
	rules = p;
	for (int i = 0; i < 256; i++)
		p += sprintf(
			p,
			"CreateApp NAME=a%d ZONE=none EXT=tcp:%d INT=eth-app-%d\n",
			i, i + 1, i);
	ck_assert_msg(zones_parse_text("l.conf", text, &zs, err, sizeof(err)) ==
			      0,
		      "%s", err);
	ck_assert_int_eq(zs.nz, 32);
	ck_assert_int_eq(zs.nr, 256);
	ck_assert_int_eq(zones_render_plan(&zs, plan, sizeof(plan)), 0);
	ck_assert_ptr_nonnull(strstr(plan, "iifname { \"xen-zone-br0\", "));
	ck_assert_ptr_nonnull(
		strstr(plan, ", \"eth-uplink-31\", \"eth-app-0\", "));
	ck_assert_ptr_nonnull(strstr(plan, ", \"eth-app-255\" } drop"));
	sprintf(p, "TuneZone NAME=t ZONE=z0 DIR=in ACTION=drop PORT=tcp:1\n");
	ck_assert_int_eq(
		zones_parse_text("l.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(
		err, "l.conf:289: TuneZone: more than 256 CreateApp, TuneZone, "
		     "MapAddress and AllowZone statements");
	sprintf(rules,
		"CreateZone NAME=z32 NIC=none EXT=none BR=br32 INT=10.32.0.1 "
		"MASK=255.255.255.0\n");
	ck_assert_int_eq(
		zones_parse_text("l.conf", text, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "l.conf:33: CreateZone: more than 32 zones");

	memset(line, ' ', sizeof(line));
	line[1022] = '#';
	line[1023] = 0;
	ck_assert_msg(zones_parse_text("l.conf", line, &zs, err, sizeof(err)) ==
			      0,
		      "%s", err);
	line[1023] = '#';
	line[1024] = 0;
	ck_assert_int_eq(
		zones_parse_text("l.conf", line, &zs, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "l.conf:1: line longer than 1023 bytes");
	free(text);
}
END_TEST

START_TEST(zones_file_with_a_nul)
{
	static struct zones zs;
	char path[] = "/tmp/xns-zones-XXXXXX";
	const char text[] =
		"CreateZone NAME=a NIC=none EXT=none BR=bra INT=10.1.0.1 "
		"MASK=255.255.255.0\n\0CreateZone NAME=b NIC=none EXT=none BR=brb "
		"INT=10.2.0.1 MASK=255.255.255.0\n";
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, sizeof(text) - 1),
			 (int)sizeof(text) - 1);
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
	ck_assert_int_eq(
		zones_add_bridge_spec(&zs, "xen-br1:10.10.1.1:255.255.255.0",
				      err, sizeof(err)),
		0);
	ck_assert_str_eq(zs.z[0].br, "xen-br1");
	ck_assert_int_eq(zs.z[0].in.prefix, 24);
	ck_assert_str_eq(zs.z[0].nic, "");
	ck_assert_int_eq(
		zones_add_bridge_spec(&zs, "xen-br1:10.10.9.1:255.255.255.0",
				      err, sizeof(err)),
		-1);
	ck_assert_ptr_nonnull(strstr(err, "given twice"));
	ck_assert_int_eq(zones_add_bridge_spec(&zs, "xen-br2:10.10.2.1", err,
					       sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "BRIDGE:ADDRESS:NETMASK"));
	ck_assert_int_eq(zones_add_bridge_spec(&zs,
					       "xen-br2:10.10.2.1:255.0.255.0",
					       err, sizeof(err)),
			 -1);
	ck_assert_ptr_nonnull(strstr(err, "is not a netmask"));
	/* Nothing of a word becomes another argument, a comment, a variable. */
	static const char *const bad[] = {
		"xen-br2:10.10.2.1:255.255.255.0 DHCP=10.10.2.5-10.10.2.9",
		"xen-br2:10.10.2.1:255.255.255.0#",
		"$BR:10.10.2.1:255.255.255.0",
		"xen\"br2:10.10.2.1:255.255.255.0",
		"xen-br2:10.10.2.1:255.255.255.000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000000000000000000000000000000",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(zones_add_bridge_spec(&zs, bad[i], err,
						    sizeof(err)) == -1,
			      "accepted %s", bad[i]);
		ck_assert_ptr_nonnull(
			strstr(err, "expected BRIDGE:ADDRESS:NETMASK"));
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
		ck_assert_msg(zones_add_bridge_spec(&zs, bad[i], err,
						    sizeof(err)) == -1,
			      "accepted '%s'", bad[i]);
		ck_assert_int_eq(zs.nz, 0);
		ck_assert_msg(strstr(err, bad[i]), "'%s' not named in: %s",
			      bad[i], err);
	}
}
END_TEST

Suite *zones_suite(void)
{
	const TTest *tests[] = { zones_plans_golden,
				 zones_errors_golden,
				 zones_bridge_words,
				 zones_shell_quoting,
				 zones_variables,
				 zones_limits,
				 zones_file_with_a_nul,
				 zones_bridge_word_is_only_that,
				 NULL };

	return unit_suite("zones", tests);
}
