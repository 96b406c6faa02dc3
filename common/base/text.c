#define _GNU_SOURCE
#include "text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

/* path's temporary, ".NAME.tmp" beside it, into tmp. */
static int temp_name(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	int dir = slash ? (int)(slash - path + 1) : 0;
	int n = snprintf(tmp, len, "%.*s.%s.tmp", dir, path, path + dir);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

FILE *text_create(const char *path, char *tmp, size_t len)
{
	struct stat st;
	FILE *f;
	int fd, e;

	if (temp_name(path, tmp, len) < 0)
		return NULL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	/* A temporary that a killed run left goes, whatever it is (a link
	 * is not followed), and ours is made afresh. */
	if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return NULL;
	/* The file replaced keeps its owner and mode (the owner first:
	 * chown clears the set-id bits). */
	if (stat(path, &st) == 0) {
		if (fchown(fd, st.st_uid, st.st_gid) < 0 ||
		    fchmod(fd, st.st_mode & 07777) < 0)
			goto fail;
	} else if (errno != ENOENT) {
		goto fail;
	}
	if ((f = fdopen(fd, "w")))
		return f;
fail:
	e = errno;
	close(fd);
	unlink(tmp);
	errno = e;
	return NULL;
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

char *text_read(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL, *more;
	size_t cap = 0, n = 0, got;
	int e;

	if (!f)
		return NULL;
	for (;;) {
		/* Room for max + 1 bytes tells a file of max bytes from a
		 * longer one; the last byte of the buffer is for the
		 * terminator. */
		if (n + 1 >= cap) {
			cap = cap ? 2 * cap : 4096;
			if (cap > max + 2)
				cap = max + 2;
			if (!(more = realloc(buf, cap))) {
				e = ENOMEM;
				goto fail;
			}
			buf = more;
		}
		got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (n > max) {
			e = EFBIG;
			goto fail;
		}
		if (!got)
			break;
	}
	if (ferror(f)) {
		e = errno ? errno : EIO;
		goto fail;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
fail:
	fclose(f);
	free(buf);
	errno = e;
	return NULL;
}

int text_nul_line(const char *text, size_t len)
{
	const char *nul = memchr(text, 0, len);
	int line = 1;

	if (!nul)
		return 0;
	for (const char *p = text; p < nul; p++)
		line += *p == '\n';
	return line;
}

int text_remove(const char *path, char *tmp, size_t len)
{
	if (temp_name(path, tmp, len) < 0)
		return -1;
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -1;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}
