/* Text built into a fixed buffer: appends that run out of room are cut and
 * remembered, and checked once at the end. */
#ifndef XNS_TEXT_H
#define XNS_TEXT_H
#include <stddef.h>

struct text {
	char *p;	/* where the next append goes */
	size_t left;	/* room left, the terminating NUL included */
	int full;	/* an append was cut */
};

#define TEXT_INIT(buf, len) { (buf), (len), 0 }

/* Append printf-style. */
void text_put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
