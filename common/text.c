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

void text_escape(char *buf, size_t size, const char *s, size_t len, size_t max)
{
	struct text t = TEXT_INIT(buf, size);

	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < len && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			text_put(&t, "\\n");
		else if (c == '\t')
			text_put(&t, "\\t");
		else if (c == '\\')
			text_put(&t, "\\\\");
		else if (c < 0x20 || c == 0x7f)
			text_put(&t, "\\x%02x", c);
		else
			text_put(&t, "%c", c);
	}
	if (len > max)
		text_put(&t, "...");
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
