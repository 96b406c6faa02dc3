/* The settings file (args_load_config in common/args.h), read where
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

static char *trim(char *s)
{
	char *end = s + strlen(s);

	while (isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* Each NAME=VALUE line's setting as args_setting() gives it. */
static void check_lines(char *text)
{
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '='), *name, *value;
		const char *got;

		if (!eq || *trim(l) == '#')
			continue;
		*eq = '\0';
		name = trim(l);
		value = trim(eq + 1);
		if (getenv(name))
			continue;	/* the environment overrides the file */
		got = args_setting(name);
		/* Lines further down of the same name win: checked when
		 * reached, so only a setting that no later line names. */
		if (!strstr(save ? save : "", name))
			FUZZ_CHECK(*value ? got && !strcmp(got, value) : !got,
				   "%s: '%s', not '%s'", name, got ? got : "(unset)", value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	char *argv[] = { "fuzz", NULL }, err[512], *text;
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
			   "refused without a message naming the file: '%s'", err);
		FUZZ_CHECK(!args_setting("firewall") || getenv("firewall"),
			   "a refused file left settings");
	} else if (!memchr(data, '\0', size)) {
		text = fuzz_str(data, size);
		check_lines(text);
		free(text);
	}
	args_free_config();
	return 0;
}
