/*
 * LD_PRELOAD shim that lets Debian's unmodified C xenstored run without a
 * hypervisor: it fakes exactly the hypervisor-facing calls the daemon makes
 * (libxenctrl, libxengnttab, libxenevtchn) and the two /proc/xen files dom0's
 * introduction reads.  Everything else (the store, the socket protocol,
 * watches, transactions, permissions) is the real daemon.
 *
 * XSSHIM_DOMAINS=1,5,7 makes xc_domain_getinfo report those domains as
 * running besides domain 0, so that they can be introduced.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xenctrl.h>
#include <xenevtchn.h>
#include <xengnttab.h>

#define PAGE 4096

static int fake_handle;

static int domain_exists(uint32_t domid)
{
	const char *s = getenv("XSSHIM_DOMAINS");
	char *end;

	if (domid == 0)
		return 1;
	while (s && *s) {
		unsigned long d = strtoul(s, &end, 10);
		if (end == s)
			break;
		if (d == domid)
			return 1;
		s = *end ? end + 1 : end;
	}
	return 0;
}

xc_interface *xc_interface_open(xentoollog_logger *l, xentoollog_logger *d,
				unsigned f)
{
	(void)l, (void)d, (void)f;
	return (xc_interface *)&fake_handle;
}

int xc_interface_close(xc_interface *xch)
{
	(void)xch;
	return 0;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first, unsigned int max,
		      xc_dominfo_t *info)
{
	unsigned int n = 0;

	(void)xch;
	/* Report the next existing domains from first on, as Xen would. */
	for (uint32_t d = first; n < max && d < 1024; d++) {
		if (!domain_exists(d))
			continue;
		memset(&info[n], 0, sizeof(info[n]));
		info[n].domid = d;
		info[n].running = 1;
		info[n].max_vcpu_id = 0;
		info[n].nr_online_vcpus = 1;
		n++;
	}
	return (int)n;
}

/* Grant tables: a domain's ring is an anonymous zeroed page. */
xengnttab_handle *xengnttab_open(xentoollog_logger *l, unsigned f)
{
	(void)l, (void)f;
	return (xengnttab_handle *)&fake_handle;
}

int xengnttab_close(xengnttab_handle *h)
{
	(void)h;
	return 0;
}

int xengnttab_set_max_grants(xengnttab_handle *h, uint32_t n)
{
	(void)h, (void)n;
	return 0;
}

void *xengnttab_map_grant_ref(xengnttab_handle *h, uint32_t domid, uint32_t ref,
			      int prot)
{
	void *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	(void)h, (void)domid, (void)ref, (void)prot;
	return p == MAP_FAILED ? NULL : p;
}

int xengnttab_unmap(xengnttab_handle *h, void *start_address, uint32_t count)
{
	(void)h;
	return munmap(start_address, (size_t)count * PAGE);
}

/* Event channels: a pipe that never fires; ports are handed out in order. */
struct xenevtchn_handle {
	int rfd, wfd;
	int next_port;
};

static xenevtchn_handle *evtchn_new(int rfd)
{
	xenevtchn_handle *h = calloc(1, sizeof(*h));
	int p[2];

	if (!h)
		return NULL;
	if (rfd < 0) {
		if (pipe2(p, O_CLOEXEC) < 0) {
			free(h);
			return NULL;
		}
		h->rfd = p[0];
		h->wfd = p[1];
	} else {
		h->rfd = rfd;
		h->wfd = -1;
	}
	h->next_port = 1;
	return h;
}

xenevtchn_handle *xenevtchn_open(xentoollog_logger *l, unsigned f)
{
	(void)l, (void)f;
	return evtchn_new(-1);
}

xenevtchn_handle *xenevtchn_fdopen(xentoollog_logger *l, int fd, unsigned f)
{
	(void)l, (void)f;
	return evtchn_new(fd);
}

int xenevtchn_close(xenevtchn_handle *h)
{
	if (!h)
		return 0;
	close(h->rfd);
	if (h->wfd >= 0)
		close(h->wfd);
	free(h);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *h)
{
	return h->rfd;
}

xenevtchn_port_or_error_t xenevtchn_bind_virq(xenevtchn_handle *h,
					      unsigned int virq)
{
	(void)virq;
	return h->next_port++;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *h,
						     uint32_t domid,
						     evtchn_port_t remote)
{
	(void)domid, (void)remote;
	return h->next_port++;
}

int xenevtchn_unbind(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h, (void)port;
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h, (void)port;
	return 0;
}

int xenevtchn_unmask(xenevtchn_handle *h, evtchn_port_t port)
{
	(void)h, (void)port;
	return 0;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *h)
{
	(void)h;
	errno = EAGAIN;
	return -1;
}

/* /proc/xen/xsd_port and /proc/xen/xsd_kva: dom0's store port and ring. */
static int fake_proc(const char *path)
{
	int fd;

	if (strcmp(path, "/proc/xen/xsd_port") == 0) {
		fd = memfd_create("xsd_port", MFD_CLOEXEC);
		if (fd >= 0 &&
		    (write(fd, "1\n", 2) != 2 || lseek(fd, 0, SEEK_SET) < 0)) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if (strcmp(path, "/proc/xen/xsd_kva") == 0) {
		fd = memfd_create("xsd_kva", MFD_CLOEXEC);
		if (fd >= 0 && ftruncate(fd, PAGE) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	return -2;
}

static int real_open(const char *sym, const char *path, int flags, mode_t mode)
{
	int (*fn)(const char *, int, ...) =
		(int (*)(const char *, int, ...))dlsym(RTLD_NEXT, sym);
	return fn(path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd = fake_proc(path);

	if (fd != -2)
		return fd;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return real_open("open", path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;
	int fd = fake_proc(path);

	if (fd != -2)
		return fd;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return real_open("open64", path, flags, mode);
}
