/* Kernel knobs under /proc/sys (net.ipv4.ip_forward, proxy_arp, ...). */
#ifndef XNS_SYSCTL_H
#define XNS_SYSCTL_H

#include <stddef.h>

/* Read the knob whose path components are parts (NULL-ended; an interface
 * name is one component, dots and all) into buf, without the newline.  -1
 * with errno set (EINVAL for a component that is empty, "." or ".." or holds
 * a '/'). */
int sysctl_get(const char *const parts[], char *buf, size_t len);

/* Write value to the knob whose path components are parts (NULL-ended),
 * e.g. {"net", "ipv4", "conf", "vif1.0", "proxy_arp", NULL}. */
int sysctl_set(const char *const parts[], const char *value);

#endif
