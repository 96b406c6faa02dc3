#define _GNU_SOURCE
#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *lock_dir(void)
{
	const char *dir = getenv("XEN_LOCK_DIR");

	return dir && *dir == '/' ? dir : LOCK_DIR;
}

static int lock_path(const char *name, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s", lock_dir(), name);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Take lock name, waiting or (nb) not; the fd, or -1 with errno.  The
 * directory is made when the lock file cannot be (once per boot). */
static int take(const char *name, int nb)
{
	char path[256];
	struct stat fst, pst;
	int made = 0;

	if (lock_path(name, path, sizeof(path)) < 0)
		return -1;
	for (;;) {
		int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0 && errno == ENOENT && !made++) {
			if (mkdir(lock_dir(), 0755) < 0 && errno != EEXIST)
				return -1;
			continue;
		}
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | (nb ? LOCK_NB : 0)) < 0) {
			int e = errno;

			close(fd);
			if (e == EINTR)
				continue;
			errno = e;
			return -1;
		}
		/* The holder before us unlinks the file as it releases: we own
		 * the lock only if the path still names the file we locked. */
		if (fstat(fd, &fst) == 0 && stat(path, &pst) == 0 &&
		    fst.st_dev == pst.st_dev && fst.st_ino == pst.st_ino)
			return fd;
		close(fd);
	}
}

int lock_claim(const char *name)
{
	return take(name, 0);
}

int lock_try(const char *name)
{
	return take(name, 1);
}

void lock_release(const char *name, int fd)
{
	char path[256];

	if (fd < 0)
		return;
	if (lock_path(name, path, sizeof(path)) == 0)
		unlink(path);
	close(fd);
}
