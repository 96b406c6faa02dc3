#define _GNU_SOURCE
#include "sysctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* /proc/sys/a/b/c from parts; a component may not hold '/' or be "."/"..",
 * since an interface name from outside is one of them. */
static int build(const char *const parts[], char *path, size_t len)
{
	size_t used = (size_t)snprintf(path, len, "/proc/sys");

	for (int i = 0; parts[i]; i++) {
		int n;

		if (!*parts[i] || strchr(parts[i], '/') ||
		    strcmp(parts[i], ".") == 0 || strcmp(parts[i], "..") == 0) {
			errno = EINVAL;
			return -1;
		}
		n = snprintf(path + used, len - used, "/%s", parts[i]);
		if (n < 0 || (size_t)n >= len - used) {
			errno = ENAMETOOLONG;
			return -1;
		}
		used += (size_t)n;
	}
	return 0;
}

int sysctl_get(const char *const parts[], char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	if (build(parts, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

int sysctl_set(const char *const parts[], const char *value)
{
	char path[256];
	size_t len = strlen(value);
	int fd, ret;

	if (build(parts, path, sizeof(path)) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = write(fd, value, len) == (ssize_t)len ? 0 : -1;
	if (close(fd) < 0)
		ret = -1;
	return ret;
}
