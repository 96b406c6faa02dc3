#define _GNU_SOURCE
#include "xstore.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "args.h"

struct xs_handle *xstore_open(void)
{
	struct xs_handle *xs = xs_open(0);

	if (!xs && !errno)
		errno = ECONNREFUSED;
	return xs;
}

void xstore_close(struct xs_handle *xs)
{
	if (xs)
		xs_close(xs);
}

int xstore_path(char *buf, size_t len, const char *dir, const char *key)
{
	int n = snprintf(buf, len, "%s/%s", dir, key);

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

char *xstore_read_raw(struct xs_handle *xs, const char *dir, const char *key,
		      unsigned *len)
{
	char path[XSTORE_PATH_MAX];

	if (xstore_path(path, sizeof(path), dir, key) < 0)
		return NULL;
	return xs_read(xs, XBT_NULL, path, len);
}

int xstore_value_check(const char *v, unsigned len, char *err, size_t errlen)
{
	if (len > XSTORE_VALUE_MAX) {
		snprintf(err, errlen, "%u bytes, more than %d", len,
			 XSTORE_VALUE_MAX);
		errno = EMSGSIZE;
		return -1;
	}
	for (unsigned i = 0; i < len; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c >= 0x20 || c == '\t')
			continue;
		if (c == '\n')
			snprintf(err, errlen,
				 "a newline at byte %u: a value is one line",
				 i + 1);
		else
			snprintf(err, errlen,
				 "a control character (0x%02x) at byte %u", c,
				 i + 1);
		errno = EINVAL;
		return -1;
	}
	return 0;
}

char *xstore_read(struct xs_handle *xs, const char *dir, const char *key)
{
	char err[64];
	unsigned len;
	char *v = xstore_read_raw(xs, dir, key, &len);

	if (v && xstore_value_check(v, len, err, sizeof(err)) < 0) {
		int e = errno;

		free(v);
		errno = e;
		return NULL;
	}
	return v;
}

char **xstore_list(struct xs_handle *xs, const char *dir, unsigned *n)
{
	return xs_directory(xs, XBT_NULL, dir, n);
}

int xstore_write(struct xs_handle *xs, const char *dir, const char *key,
		 const char *value)
{
	char path[XSTORE_PATH_MAX];

	if (xstore_path(path, sizeof(path), dir, key) < 0)
		return -1;
	return xs_write(xs, XBT_NULL, path, value, (unsigned)strlen(value))
		       ? 0
		       : -1;
}

int xstore_hotplug_status(struct xs_handle *xs, const char *dir,
			  const char *status)
{
	return xstore_write(xs, dir, "hotplug-status", status);
}

int xstore_hotplug_error(struct xs_handle *xs, const char *dir, const char *msg)
{
	char epath[XSTORE_PATH_MAX], spath[XSTORE_PATH_MAX];

	if (xstore_path(epath, sizeof(epath), dir, "hotplug-error") < 0 ||
	    xstore_path(spath, sizeof(spath), dir, "hotplug-status") < 0)
		return -1;
	for (int tries = 0; tries < 16; tries++) {
		xs_transaction_t t = xs_transaction_start(xs);

		if (t == XBT_NULL)
			return -1;
		if (!xs_write(xs, t, epath, msg, (unsigned)strlen(msg)) ||
		    !xs_write(xs, t, spath, "error", 5)) {
			int e = errno;

			xs_transaction_end(xs, t, true);
			errno = e;
			return -1;
		}
		if (xs_transaction_end(xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -1;
	}
	errno = EAGAIN;
	return -1;
}

/* Parse "NUMBER/" or "NUMBER\0" at *p (at most 5 digits, domids and devids
 * are small); advance past the separator. */
static int component(const char **p, unsigned *out, int last)
{
	size_t len = strcspn(*p, "/");
	char buf[8];
	unsigned long v;

	if (len == 0 || len >= 6 ||
	    (last ? (*p)[len] != '\0' : (*p)[len] != '/'))
		return -1;
	memcpy(buf, *p, len);
	buf[len] = '\0';
	if (args_uint(buf, 0, 65535, &v) < 0)
		return -1;
	if (len > 1 && buf[0] == '0')
		return -1;
	*out = (unsigned)v;
	*p += len + (last ? 0 : 1);
	return 0;
}

int xstore_vif_path(const char *path, unsigned *domid, unsigned *devid)
{
	const char *p = path;
	unsigned self;

	if (strlen(path) >= XSTORE_PATH_MAX)
		goto bad;
	if (strncmp(p, "/local/domain/", 14) == 0) {
		p += 14;
		if (component(&p, &self, 0) < 0)
			goto bad;
	}
	if (strncmp(p, "backend/vif/", 12) != 0)
		goto bad;
	p += 12;
	if (component(&p, domid, 0) < 0 || component(&p, devid, 1) < 0)
		goto bad;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}
