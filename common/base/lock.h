/* Named locks compatible with Xen's locking.sh: the file
 * /var/run/xen-hotplug/NAME, flock'ed, checked to still be the file that was
 * locked, released by unlinking it.  A host that runs shell scripts and these
 * binaries side by side still serializes on the same names. */
#ifndef XNS_LOCK_H
#define XNS_LOCK_H

#define LOCK_DIR "/var/run/xen-hotplug"

/* Take lock name (waiting as long as it takes); returns the fd to pass to
 * lock_release(), or -1 with errno set.  $XEN_LOCK_DIR overrides the
 * directory. */
int lock_claim(const char *name);

/* Take lock name if nobody holds it: as lock_claim(), but -1 with errno
 * EWOULDBLOCK at once when it is held. */
int lock_try(const char *name);

/* Release lock name taken as fd. */
void lock_release(const char *name, int fd);

#endif
