/* The xenstore side of a hotplug script, over libxenstore.  Paths are used as
 * given: a relative XENBUS_PATH is resolved by xenstored under the caller's
 * own /local/domain/<id>/, which is what makes driver domains work. */
#ifndef XNS_XSTORE_H
#define XNS_XSTORE_H

#include <stddef.h>

struct xs_handle;

/* The longest value we accept from the store; longer ones are hostile. */
#define XSTORE_VALUE_MAX 1024
#define XSTORE_PATH_MAX 256

/* Connect to xenstored ($XENSTORED_PATH or the default socket/device);
 * NULL with errno set. */
struct xs_handle *xstore_open(void);
/* Close xs (NULL: nothing to do).  Cannot fail. */
void xstore_close(struct xs_handle *xs);

/* Join dir and key into buf; -1 with errno ENAMETOOLONG when it does not
 * fit. */
int xstore_path(char *buf, size_t len, const char *dir, const char *key);

/* Read dir/key into a malloc'd string.  NULL with errno ENOENT when the key
 * does not exist, EMSGSIZE when the value is longer than XSTORE_VALUE_MAX,
 * and what xstore_value_check() refuses (EINVAL: a NUL or a control
 * character but a tab). */
char *xstore_read(struct xs_handle *xs, const char *dir, const char *key);
/* Read dir/key unchecked: a malloc'd string of *len bytes (NUL-terminated,
 * but it may hold NULs); NULL with errno. */
char *xstore_read_raw(struct xs_handle *xs, const char *dir, const char *key,
		      unsigned *len);
/* 0 when the len bytes at v are a value xstore_read() accepts; else -1 with
 * errno EMSGSIZE or EINVAL and what is wrong in err ("1100 bytes, more than
 * 1024", "a newline at byte 12: a value is one line").  Pure. */
int xstore_value_check(const char *v, unsigned len, char *err, size_t errlen);

/* The names under dir, a malloc'd array of *n strings (one free()); NULL
 * with errno (ENOENT: no such directory). */
char **xstore_list(struct xs_handle *xs, const char *dir, unsigned *n);

/* Write value to dir/key; -1 with errno set. */
int xstore_write(struct xs_handle *xs, const char *dir, const char *key,
		 const char *value);

/* hotplug-status=status under dir. */
int xstore_hotplug_status(struct xs_handle *xs, const char *dir,
			  const char *status);

/* hotplug-error=msg then hotplug-status=error, in one transaction so that
 * libxl, which watches hotplug-status, always finds the message. */
int xstore_hotplug_error(struct xs_handle *xs, const char *dir,
			 const char *msg);

/* Check that path is a vif backend directory, "backend/vif/D/N" or
 * "/local/domain/B/backend/vif/D/N", and return D and N; -1 with errno
 * EINVAL otherwise. */
int xstore_vif_path(const char *path, unsigned *domid, unsigned *devid);

#endif
