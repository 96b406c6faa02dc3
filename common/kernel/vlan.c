#include "vlan.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIT_SET(m, v) ((m)[(v) / 8] |= (uint8_t)(1u << ((v) % 8)))
#define BIT_GET(m, v) (((m)[(v) / 8] >> ((v) % 8)) & 1)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

/* Read a decimal number of at most 5 digits at *p; -1 if there is none. */
static long number(const char **p)
{
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)**p) && n < 6) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 || n == 6 ? -1 : v;
}

static int add(struct vlan_spec *spec, long vid, int pvid, int untagged,
	       char *err, size_t errlen)
{
	if (vid < 1 || vid > VLAN_MAX)
		return fail(err, errlen, "VLAN %ld is not between 1 and %d",
			    vid, VLAN_MAX);
	if (BIT_GET(spec->member, vid))
		return fail(err, errlen, "VLAN %ld is given more than once",
			    vid);
	if (pvid) {
		if (spec->pvid)
			return fail(err, errlen, "two PVIDs: %u and %ld",
				    spec->pvid, vid);
		spec->pvid = (uint16_t)vid;
	}
	BIT_SET(spec->member, vid);
	if (untagged)
		BIT_SET(spec->untagged, vid);
	return 0;
}

static int term(const char *t, size_t len, struct vlan_spec *spec, char *err,
		size_t errlen)
{
	char buf[32];
	const char *p = buf;
	long vid, a, b;

	if (len == 0 || len >= sizeof(buf))
		return fail(err, errlen, "empty or overlong VLAN term");
	memcpy(buf, t, len);
	buf[len] = '\0';
	vid = number(&p);
	if (vid < 0)
		goto bad;
	if (*p == '-') {
		p++;
		b = number(&p);
		if (b < 0 || *p)
			goto bad;
		if (b < vid)
			return fail(err, errlen, "VLAN range '%s' is backwards",
				    buf);
		for (long v = vid; v <= b; v++)
			if (add(spec, v, 0, 0, err, errlen) < 0)
				return -1;
		return 0;
	}
	if (*p == '+') {
		p++;
		a = number(&p);
		if (a < 1 || *p++ != 'x')
			goto bad;
		b = number(&p);
		if (b < 1 || *p)
			goto bad;
		for (long i = 0; i < b; i++)
			if (add(spec, vid + i * a, 0, 0, err, errlen) < 0)
				return -1;
		return 0;
	}
	{
		int pv = 0, un = 0;

		if (*p == 'p') {
			pv = 1;
			p++;
		}
		if (*p == 'u') {
			un = 1;
			p++;
		}
		if (*p)
			goto bad;
		return add(spec, vid, pv, un, err, errlen);
	}
bad:
	return fail(err, errlen, "malformed VLAN term '%s'", buf);
}

int vlan_parse(const char *s, struct vlan_spec *spec, char *err, size_t errlen)
{
	unsigned count = 0, only = 0;
	int flags = 0;

	memset(spec, 0, sizeof(*spec));
	if (!*s)
		return fail(err, errlen, "empty VLAN specification");
	for (;;) {
		size_t len = strcspn(s, "/");

		if (term(s, len, spec, err, errlen) < 0)
			return -1;
		flags |= memchr(s, 'p', len) || memchr(s, 'u', len);
		if (!s[len])
			break;
		s += len + 1;
	}
	for (unsigned v = 1; v <= VLAN_MAX; v++)
		if (BIT_GET(spec->member, v)) {
			count++;
			only = v;
		}
	if (count == 1 && !flags) {
		spec->pvid = (uint16_t)only;
		BIT_SET(spec->untagged, only);
	}
	return 0;
}

int vlan_is_member(const struct vlan_spec *spec, unsigned vid)
{
	return vid >= 1 && vid <= VLAN_MAX && BIT_GET(spec->member, vid);
}

int vlan_is_untagged(const struct vlan_spec *spec, unsigned vid)
{
	return vlan_is_member(spec, vid) && BIT_GET(spec->untagged, vid);
}

int vlan_is_trunk(const struct vlan_spec *spec)
{
	for (unsigned vid = 1; vid <= VLAN_MAX; vid++)
		if (vlan_is_member(spec, vid) && !vlan_is_untagged(spec, vid))
			return 1;
	return 0;
}

int vlan_format(const struct vlan_spec *spec, char *buf, size_t len)
{
	size_t used = 0;

	if (!len) {
		errno = ENOSPC;
		return -1;
	}
	buf[0] = '\0';
	for (unsigned v = 1; v <= VLAN_MAX; v++) {
		unsigned end = v;
		int n;

		if (!vlan_is_member(spec, v))
			continue;
		/* A run of plain tagged VLANs prints as a range. */
		if (v != spec->pvid && !vlan_is_untagged(spec, v))
			while (end < VLAN_MAX &&
			       vlan_is_member(spec, end + 1) &&
			       end + 1 != spec->pvid &&
			       !vlan_is_untagged(spec, end + 1))
				end++;
		if (end > v)
			n = snprintf(buf + used, len - used, "%s%u-%u",
				     used ? ", " : "", v, end);
		else
			n = snprintf(buf + used, len - used, "%s%u%s%s",
				     used ? ", " : "", v,
				     v == spec->pvid ? " PVID" : "",
				     vlan_is_untagged(spec, v) ? " untagged"
							       : "");
		if (n < 0 || (size_t)n >= len - used) {
			errno = ENOSPC;
			return -1;
		}
		used += (size_t)n;
		v = end;
	}
	return 0;
}
