/* Logging the way the shell scripts did: syslog daemon.* tagged with the
 * program name, and /var/log/xen/xen-hotplug.log (stderr when it cannot be
 * opened).  Errors and warnings also go to stderr, which libxl shows. */
#ifndef XNS_LOG_H
#define XNS_LOG_H

#include <stdarg.h>
#include <syslog.h>

/* Set the program name used in every message and open the log file.
 * $XEN_HOTPLUG_LOG overrides the file's path.  Never fails. */
void log_init(const char *prog);

/* The name given to log_init(). */
const char *log_prog(void);

/* Log one message at a syslog level; the program name is prefixed. */
void log_msg(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The same with a va_list. */
void log_vmsg(int level, const char *fmt, va_list ap);
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
