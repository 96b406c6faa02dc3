#define _GNU_SOURCE
#include "text.h"

#include <stdarg.h>
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
	/* A temporary that a killed run left goes, whatever it is (a link
	 * is not followed), and ours is made afresh. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return NULL;
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

int text_remove(const char *path, char *tmp, size_t len)
{
	if (temp_name(path, tmp, len) < 0)
		return -1;
	if (unlink(tmp) < 0 && errno != ENOENT)
		return -1;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}
