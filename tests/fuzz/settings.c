/* The settings file (args_load_config in common/base/args.h), read where
 * $XEN_NETSCRIPTS_CONF points: a memfd holding the input.  What loads is
 * what the lines say (the last line of a name wins, values trimmed, empty is
 * unset); a refused file leaves no setting behind. */
#define _GNU_SOURCE
#include <ctype.h>
#include <sys/mman.h>
#include <unistd.h>

#include "args.h"
#include "fuzz.h"

static int fd = -1;

/* The len bytes at s without the white space around them, in out. */
static void strip(const char *s, size_t len, char *out)
{
	for (; len && isspace((unsigned char)*s); len--)
		s++;
	for (; len && isspace((unsigned char)s[len - 1]); len--)
		;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* The longest line's length, its newline not counted. */
static size_t longest_line(const uint8_t *data, size_t size)
{
	size_t longest = 0, len = 0;

	for (size_t i = 0; i < size; i++, len++)
		if (data[i] == '\n') {
			longest = len > longest ? len : longest;
			len = (size_t)-1;
		}
	return len > longest ? len : longest;
}

/* Each NAME=VALUE line's setting as args_setting() gives it. */
static void check_lines(char *text)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '='), *name, *value;
		const char *got;

		if (!eq || l[strspn(l, " \t\v\f\r")] == '#')
			continue;
		name = fuzz_buf(strlen(l) + 1);
		value = fuzz_buf(strlen(l) + 1);
		strip(l, (size_t)(eq - l), name);
		strip(eq + 1, strlen(eq + 1), value);
		got = args_setting(name);
		/* The environment overrides the file; lines further down of
		 * the same name win: checked when reached. */
		if (!getenv(name) && !strstr(save ? save : "", name))
			FUZZ_CHECK(*value ? got && !strcmp(got, value) : !got,
				   "%s: '%s', not '%s'", name,
				   got ? got : "(unset)", value);
		free(value);
		free(name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char *argv[] = { "fuzz", NULL }, err[512], *text;
	const char *reason;
	int ret;

	if (fd < 0) {
		if ((fd = memfd_create("xen-netscripts.conf", MFD_CLOEXEC)) < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		setenv("XEN_NETSCRIPTS_CONF", path, 1);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	args_init(1, argv, err, sizeof(err));
	err[0] = '\0';
	ret = args_load_config(err, sizeof(err));
	if (ret < 0) {
		FUZZ_CHECK(errno == EINVAL && err[0] && strstr(err, path),
			   "refused without a message naming the file: '%s'",
			   err);
		FUZZ_CHECK(!args_setting("firewall") || getenv("firewall"),
			   "a refused file left settings");
		/* The reason follows "FILE:LINE: "; a quoted name may hold the
		 * same words. */
		reason = strncmp(err, path, strlen(path))
				 ? NULL
				 : strchr(err + strlen(path) + 1, ':');
		if (reason && !strncmp(reason, ": line longer than", 18))
			FUZZ_CHECK(longest_line(data, size) > 510,
				   "%s, but no line is: '%.*s'", err, (int)size,
				   (const char *)data);
	} else if (!memchr(data, '\0', size)) {
		text = fuzz_str(data, size);
		check_lines(text);
		free(text);
	}
	args_free_config();
	return 0;
}
