/* The validators of common/base/args.h on the input as one value (interface
 * name, MAC, number), and the command-line grammar on the input split at its
 * NULs as an argv.  What a validator accepts has the shape it promises. */
#define _GNU_SOURCE
#include <net/if.h>
#include <strings.h>

#include "args.h"
#include "fuzz.h"

#define ARGV_MAX 80 /* more than args.c's 64 NAME=VALUE arguments */

static void value(const char *s)
{
	static const unsigned long ranges[][2] = { { 0, 4294967295ul },
						   { 68, 65535 },
						   { 1, 4094 } };
	unsigned char mac[6];
	unsigned long v;
	char text[32];

	if (args_ifname(s) == 0) {
		size_t len = strlen(s);

		FUZZ_CHECK(len >= 1 && len < IFNAMSIZ && strcmp(s, ".") &&
				   strcmp(s, "..") &&
				   !strpbrk(s, "/: \t\n\v\f\r"),
			   "interface name '%s' accepted", s);
	}
	if (args_mac(s, mac) == 0) {
		FUZZ_CHECK(args_mac_format(mac, text, sizeof(text)) == 0 &&
				   !strcasecmp(text, s) && !(mac[0] & 1),
			   "MAC '%s' read as %s", s, text);
	}
	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		if (args_uint(s, ranges[r][0], ranges[r][1], &v) < 0) {
			FUZZ_CHECK(errno == EINVAL || errno == ERANGE,
				   "'%s': errno %d", s, errno);
			continue;
		}
		FUZZ_CHECK(v >= ranges[r][0] && v <= ranges[r][1] &&
				   strlen(s) <= 10 &&
				   strspn(s, "0123456789") == strlen(s) &&
				   strtoull(s, NULL, 10) == v,
			   "'%s' read as %lu", s, v);
	}
}

static void command_line(char **argv, int argc)
{
	char err[256];
	const char *cmd, *v;

	err[0] = '\0';
	if (args_init(argc, argv, err, sizeof(err)) < 0) {
		FUZZ_CHECK(err[0], "argv refused without a message");
		return;
	}
	cmd = args_command();
	FUZZ_CHECK(!cmd || !strchr(cmd, '='), "command '%s'", cmd);
	for (int i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *want = NULL;
		char *name;
		size_t len;

		if (!eq) {
			FUZZ_CHECK(cmd == argv[i],
				   "'%s' is not the command '%s'", argv[i],
				   cmd ? cmd : "(none)");
			continue;
		}
		/* NAME's value is the last NAME='s, NULL when that is empty. */
		len = (size_t)(eq - argv[i]);
		for (int j = argc - 1; j > i && !want; j--)
			if (!strncmp(argv[j], argv[i], len + 1))
				want = argv[j] + len + 1;
		if (!want)
			want = eq + 1;
		name = strndup(argv[i], len);
		if (!name)
			abort();
		v = args_get(name);
		args_bool(name, 0);
		free(name);
		FUZZ_CHECK(v == (*want ? want : NULL), "%s: value '%s'",
			   argv[i], v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[ARGV_MAX + 2], *copy; /* name, words, NULL */
	int n;

	/* The first word is the value; all of them, after the program's
	 * name, the command line. */
	n = fuzz_words(data, size, argv + 1, ARGV_MAX, &copy);
	value(argv[1]);
	argv[0] = "fuzz";
	argv[n + 1] = NULL;
	command_line(argv, n + 1);
	free(copy);
	return 0;
}
