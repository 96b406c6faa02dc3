#include "kmod.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "sysctl.h"

extern char **environ;

/* The kernel keeps the program's path in 256 bytes, its NUL included. */
#define KMOD_PATH_MAX 256

int kmod_load(const char *name, char *err, size_t len)
{
	const char *const knob[] = { "kernel", "modprobe", NULL };
	char prog[KMOD_PATH_MAX + 1];
	char *argv[] = { prog, "-q", "--", (char *)name, NULL };
	posix_spawn_file_actions_t fa;
	int status, e;
	pid_t pid;

	if (sysctl_get(knob, prog, sizeof(prog)) < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(err, len,
				 "load kernel module %s: this kernel loads "
				 "none (no /proc/sys/kernel/modprobe)",
				 name);
		else
			snprintf(err, len,
				 "load kernel module %s: read "
				 "/proc/sys/kernel/modprobe: %s",
				 name, strerror(e));
		errno = e;
		return -1;
	}
	if (!prog[0]) {
		snprintf(err, len,
			 "load kernel module %s: /proc/sys/kernel/modprobe "
			 "names no program",
			 name);
		errno = ENOENT;
		return -1;
	}
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		goto spawn_failed;
	if ((e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY,
						  0)) != 0 ||
	    (e = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						  0)) != 0 ||
	    (e = posix_spawn(&pid, prog, &fa, NULL, argv, environ)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		goto spawn_failed;
	}
	posix_spawn_file_actions_destroy(&fa);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			e = errno;
			goto spawn_failed;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		snprintf(err, len,
			 "load kernel module %s: '%s' exited with status %d",
			 name, prog, WEXITSTATUS(status));
	else
		snprintf(err, len,
			 "load kernel module %s: '%s' killed by signal %d",
			 name, prog, WTERMSIG(status));
	errno = EIO;
	return -1;
spawn_failed:
	snprintf(err, len, "load kernel module %s: run '%s': %s", name, prog,
		 strerror(e));
	errno = e;
	return -1;
}
