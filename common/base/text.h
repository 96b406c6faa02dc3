/* Text built into a fixed buffer: appends that run out of room are cut and
 * remembered, and checked once at the end. */
#ifndef XNS_TEXT_H
#define XNS_TEXT_H
#include <stddef.h>
#include <stdio.h>

struct text {
	char *p;     /* where the next append goes */
	size_t left; /* room left, the terminating NUL included */
	int full;    /* an append was cut */
};

#define TEXT_INIT(buf, len)                                                    \
	{                                                                      \
		(buf), (len), 0                                                \
	}

/* Append printf-style. */
void text_put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The len bytes at s for a one-line message, into buf (always terminated):
 * a control byte as \n, \t or \xNN, a backslash as \\; after max bytes of
 * s, "..." instead of the rest. */
void text_escape(char *buf, size_t size, const char *s, size_t len, size_t max);

/* Files replaced whole: written to a temporary beside path, ".NAME.tmp"
 * (hidden from a directory watcher such as dnsmasq's), then renamed over
 * it.  text_create() opens the temporary (its name into tmp; ENAMETOOLONG
 * when it does not fit in len), made afresh, a killed run's one removed
 * first; it gets the owner and mode of the file it replaces.  NULL with
 * errno set. */
FILE *text_create(const char *path, char *tmp, size_t len);
/* Close f and rename tmp to path; on failure tmp is removed and -1 is
 * returned with errno set. */
int text_commit(FILE *f, const char *tmp, const char *path);
/* Remove path and the temporary a killed run may have left beside it (its
 * name into tmp, as text_create()); what is gone is not an error. */
int text_remove(const char *path, char *tmp, size_t len);

/* The most text_read() reads: a settings file, a configuration, a state
 * file are far smaller. */
#define TEXT_MAX (1024 * 1024)

/* The whole of file path, NUL-terminated, into a malloc'd buffer (len: its
 * size, the terminator not counted); NULL with errno (EFBIG when it holds
 * more than max bytes). */
char *text_read(const char *path, size_t max, size_t *len);
/* The line (counted from 1) of the first NUL byte in text's len bytes, 0
 * when there is none: a NUL would cut the rest of its line short. */
int text_nul_line(const char *text, size_t len);

#endif
