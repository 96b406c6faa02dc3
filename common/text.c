#include "text.h"

#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void text_put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->p, t->left, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= t->left) {
		t->full = 1;
		n = t->left ? (int)t->left - 1 : 0;
	}
	t->p += n;
	t->left -= (size_t)n;
}

FILE *text_create(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path + 1) : 0;
	int n = snprintf(tmp, len, "%.*s.%s.tmp", dir, path, path + dir);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return fopen(tmp, "we");
}

int text_commit(FILE *f, const char *tmp, const char *path)
{
	int bad = ferror(f), e;

	if (fclose(f) != 0)
		bad = 1;
	if (bad || rename(tmp, path) < 0) {
		e = errno ? errno : EIO;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}
