#define _GNU_SOURCE
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HOTPLUG_LOG "/var/log/xen/xen-hotplug.log"

static const char *prog = "xen-netscripts";
static FILE *logfile;
static int verbose;

void log_init(const char *name)
{
	const char *path = getenv("XEN_HOTPLUG_LOG");
	const char *v = getenv("XEN_HOTPLUG_VERBOSE");

	prog = name;
	verbose = v && *v && strcmp(v, "0") != 0;
	openlog(prog, LOG_PID, LOG_DAEMON);
	logfile = fopen(path && *path == '/' ? path : HOTPLUG_LOG, "ae");
	if (logfile)
		setvbuf(logfile, NULL, _IOLBF, 0);
}

const char *log_prog(void)
{
	return prog;
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_vmsg(int level, const char *fmt, va_list ap)
{
	int saved = errno;
	char msg[1024], stamp[32];
	struct tm tm;
	time_t now = time(NULL);

	vsnprintf(msg, sizeof(msg), fmt, ap);
	/* A message is one line whatever the values quoted in it hold. */
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';

	syslog(level, "%s", msg);
	if (level <= LOG_INFO || verbose) {
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S",
			 localtime_r(&now, &tm));
		fprintf(logfile ? logfile : stderr, "%s %s[%d]: %s\n", stamp,
			prog, (int)getpid(), msg);
	}
	if (logfile && level <= LOG_WARNING)
		fprintf(stderr, "%s: %s\n", prog, msg);
	errno = saved;
}
