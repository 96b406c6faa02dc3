/* State files: what a script made, as "KEY VALUE" lines, so that a later run
 * (stop, offline, the guard) knows it without asking the kernel.  KEY is
 * lower-case letters, VALUE printable ASCII.  A network script keeps
 * RUNDIR/PROG.state while started; a vif script keeps RUNDIR/vif/KNAME (the
 * record) while online.  Files are replaced whole (text_create()). */
#ifndef XNS_STATE_H
#define XNS_STATE_H
#include <stdarg.h>
#include <stddef.h>

/* Where state files live: $XEN_NETSCRIPTS_RUNDIR when it is an absolute
 * path, else this. */
#define STATE_RUNDIR "/run/xen-netscripts"

struct state {
	char **lines;
	int n, cap;
};

/* The state directory (STATE_RUNDIR or the environment's); pure. */
const char *state_rundir(void);

/* The len bytes of text (not NUL-terminated) split into lines appended to
 * s; pure.  The last line needs no newline.  -1 with errno EINVAL and the
 * line (from 1) in *line for a line that is not "KEY VALUE" (a NUL, a
 * control character), ENOMEM; the lines read before stay. */
int state_parse(struct state *s, const char *text, size_t len, int *line);
/* state_parse() of file path; -1 with errno as text_read() (ENOENT: no such
 * state) or state_parse(). */
int state_read(struct state *s, const char *path, int *line);
/* Free the lines; cannot fail. */
void state_clear(struct state *s);

/* Append a line (state_vadd(): with a va_list); -1 with errno ENOMEM, or
 * EINVAL when it is not a state line (a value from outside with a control
 * character). */
int state_add(struct state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int state_vadd(struct state *s, const char *fmt, va_list ap);
/* An "env NAME=VALUE" line for each of names (NULL-ended) set (not empty)
 * in the environment: how a script was called, for the guard to call it the
 * same way.  -1 with errno as state_add(). */
int state_add_env(struct state *s, const char *const names[]);

/* The value of the first "key ..." line at or after *i (from 0), advancing
 * *i past it; NULL when there is none.  Pure. */
const char *state_next(const struct state *s, const char *key, int *i);
/* The value of the first "key ..." line, or NULL; pure. */
const char *state_get(const struct state *s, const char *key);
/* keep(value, arg) for every "key value" line, in order; the lines for
 * which it returns 0 are dropped (with keep NULL, all of them). */
void state_filter(struct state *s, const char *key,
		  int (*keep)(const char *value, void *arg), void *arg);

/* Write s to path (its directory made when missing), replacing it whole;
 * -1 with errno. */
int state_write(const struct state *s, const char *path);
/* Remove path (and a killed run's temporary); what is gone is not an
 * error. */
int state_remove(const char *path);

#endif
