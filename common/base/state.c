#define _GNU_SOURCE
#include "state.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "text.h"

const char *state_rundir(void)
{
	const char *dir = getenv("XEN_NETSCRIPTS_RUNDIR");

	return dir && *dir == '/' ? dir : STATE_RUNDIR;
}

void state_clear(struct state *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->lines[i]);
	free(s->lines);
	s->lines = NULL;
	s->n = s->cap = 0;
}

/* Take line (malloc'd) into the state; -1 with errno ENOMEM. */
static int push(struct state *s, char *line)
{
	char **more;

	if (s->n == s->cap) {
		int cap = s->cap ? 2 * s->cap : 32;

		if (!(more = realloc(s->lines, (size_t)cap * sizeof(*more))))
			return -1;
		s->lines = more;
		s->cap = cap;
	}
	s->lines[s->n++] = line;
	return 0;
}

static int line_ok(const char *s, size_t len)
{
	size_t k = 0;

	while (k < len && s[k] >= 'a' && s[k] <= 'z')
		k++;
	if (k == 0 || k + 1 >= len || s[k] != ' ')
		return 0;
	for (size_t i = k + 1; i < len; i++)
		if (s[i] < ' ' || s[i] > '~')
			return 0;
	return 1;
}

int state_parse(struct state *s, const char *text, size_t len, int *line)
{
	const char *end = text + len;

	*line = 0;
	for (const char *p = text; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)((nl ? nl : end) - p);
		char *copy;

		++*line;
		if (!line_ok(p, l)) {
			errno = EINVAL;
			return -1;
		}
		if (!(copy = strndup(p, l)) || push(s, copy) < 0) {
			free(copy);
			errno = ENOMEM;
			return -1;
		}
		p += l + 1;
	}
	return 0;
}

int state_read(struct state *s, const char *path, int *line)
{
	size_t len;
	char *text = text_read(path, TEXT_MAX, &len);
	int rc, e;

	*line = 0;
	if (!text)
		return -1;
	rc = state_parse(s, text, len, line);
	e = errno;
	free(text);
	errno = e;
	return rc;
}

int state_add(struct state *s, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = state_vadd(s, fmt, ap);
	va_end(ap);
	return rc;
}

int state_vadd(struct state *s, const char *fmt, va_list ap)
{
	char *line;
	int rc = vasprintf(&line, fmt, ap);

	if (rc < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (!line_ok(line, (size_t)rc)) {
		free(line);
		errno = EINVAL;
		return -1;
	}
	if (push(s, line) < 0) {
		free(line);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int state_add_env(struct state *s, const char *const names[])
{
	const char *v;

	for (int i = 0; names[i]; i++)
		if ((v = getenv(names[i])) && *v &&
		    state_add(s, "env %s=%s", names[i], v) < 0)
			return -1;
	return 0;
}

/* Whether line is "key ...". */
static int has_key(const char *line, const char *key, size_t len)
{
	return !strncmp(line, key, len) && line[len] == ' ';
}

const char *state_next(const struct state *s, const char *key, int *i)
{
	size_t len = strlen(key);

	for (; *i < s->n; ++*i)
		if (has_key(s->lines[*i], key, len))
			return s->lines[(*i)++] + len + 1;
	return NULL;
}

const char *state_get(const struct state *s, const char *key)
{
	int i = 0;

	return state_next(s, key, &i);
}

void state_filter(struct state *s, const char *key,
		  int (*keep)(const char *value, void *arg), void *arg)
{
	size_t len = strlen(key);
	int j = 0;

	for (int i = 0; i < s->n; i++) {
		if (has_key(s->lines[i], key, len) &&
		    !(keep && keep(s->lines[i] + len + 1, arg)))
			free(s->lines[i]);
		else
			s->lines[j++] = s->lines[i];
	}
	s->n = j;
}

/* mkdir -p of path's directory (RUNDIR/vif needs two levels). */
static int make_dir(const char *path)
{
	char dir[512];
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!(slash = strrchr(dir, '/')) || slash == dir)
		return 0;
	*slash = 0;
	if (mkdir(dir, 0755) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT || make_dir(dir) < 0)
		return -1;
	return mkdir(dir, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int state_write(const struct state *s, const char *path)
{
	char tmp[512];
	FILE *f;

	/* The directory is made when the file cannot be (once per boot). */
	if (!(f = text_create(path, tmp, sizeof(tmp))) &&
	    (errno != ENOENT || make_dir(path) < 0 ||
	     !(f = text_create(path, tmp, sizeof(tmp)))))
		return -1;
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s\n", s->lines[i]);
	return text_commit(f, tmp, path);
}

int state_remove(const char *path)
{
	char tmp[512];

	return text_remove(path, tmp, sizeof(tmp));
}
