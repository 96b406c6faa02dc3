/* Unit tests: state files (common/base/state.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "unit.h"

/* Every line is kept, however many; the last needs no newline; a line that
 * is not KEY VALUE (a NUL byte, a control character) is an error with its
 * number. */
START_TEST(state_file_parser)
{
	struct state n;
	char *text = malloc(1000 * 32), *p = text;
	int line;

	memset(&n, 0, sizeof(n));
	for (int i = 0; i < 1000; i++)
		p += sprintf(p, "bridge br%d\n", i);
	ck_assert_int_eq(state_parse(&n, text, (size_t)(p - text), &line), 0);
	ck_assert_int_eq(n.n, 1000);
	ck_assert_str_eq(n.lines[999], "bridge br999");
	ck_assert_int_eq(
		state_parse(&n, "sysctl net/ipv4/ip_forward 0 1", 30, &line),
		0);
	ck_assert_int_eq(n.n, 1001);
	ck_assert_str_eq(n.lines[1000], "sysctl net/ipv4/ip_forward 0 1");
	state_clear(&n);
	ck_assert_int_eq(n.n, 0);
	ck_assert_int_eq(state_parse(&n, "", 0, &line), 0);
	ck_assert_int_eq(n.n, 0);

	static const struct {
		const char *text;
		size_t len;
		int line;
	} bad[] = {
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
		ck_assert_msg(state_parse(&n, bad[i].text, bad[i].len, &line) ==
				      -1,
			      "accepted case %zu", i);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_int_eq(line, bad[i].line);
		ck_assert_int_eq(n.n, bad[i].line - 1);
		state_clear(&n);
	}
	free(text);
}
END_TEST

/* A state file is written where its directories are not there yet (a
 * fresh /run: RUNDIR/vif), and replaced whole where they are. */
START_TEST(state_write_makes_directories)
{
	struct state s;
	char path[192];
	int line;

	memset(&s, 0, sizeof(s));
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/run/vif/vif1.0", tmpdir);
	ck_assert_int_eq(state_add(&s, "dev %s", "vif1.0"), 0);
	ck_assert_int_eq(state_write(&s, path), 0);
	state_clear(&s);
	ck_assert_int_eq(state_read(&s, path, &line), 0);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.lines[0], "dev vif1.0");
	ck_assert_int_eq(state_add(&s, "bridge %s", "xenbr0"), 0);
	ck_assert_int_eq(state_write(&s, path), 0);
	state_clear(&s);
	ck_assert_int_eq(state_read(&s, path, &line), 0);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.lines[1], "bridge xenbr0");
	state_clear(&s);
	ck_assert_int_eq(state_remove(path), 0);
	ck_assert_int_eq(state_read(&s, path, &line), -1);
	ck_assert_int_eq(errno, ENOENT);
	remove_tmpdir();
}
END_TEST

Suite *state_suite(void)
{
	const TTest *tests[] = { state_file_parser,
				 state_write_makes_directories, NULL };

	return unit_suite("state", tests);
}
