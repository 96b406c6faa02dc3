/* Kernel modules, loaded as the kernel itself and the iptables command load
 * them: by the program that /proc/sys/kernel/modprobe names. */
#ifndef XNS_KMOD_H
#define XNS_KMOD_H

#include <stddef.h>

/* Run that program as `PROG -q -- name` (stdin and stdout on /dev/null, our
 * stderr) and wait for it.  0 when it exited 0 (the module is loaded, or
 * built in); -1 with errno set and what failed in err: ENOENT when there is
 * no such file (a kernel without modules) or it names no program, EIO
 * when the program failed ("'PROG' exited with status 1"), else as reading
 * the file or starting the program set it. */
int kmod_load(const char *name, char *err, size_t len);

#endif
