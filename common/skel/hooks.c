#define _GNU_SOURCE
#include "hooks.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SCRIPT_DIR_DEFAULT
#define SCRIPT_DIR_DEFAULT "/etc/xen/scripts"
#endif

const char *hooks_dir(void)
{
	const char *d = getenv("XEN_SCRIPT_DIR");

	return d && *d == '/' ? d : SCRIPT_DIR_DEFAULT;
}

static int is_hook(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	return len > 5 && strcmp(d->d_name + len - 5, ".hook") == 0;
}

static int has_shebang(const char *path)
{
	char magic[2] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (read(fd, magic, 2) != 2)
		magic[0] = 0;
	close(fd);
	return magic[0] == '#' && magic[1] == '!';
}

static int run_one(const char *path, char *const vars[])
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* Close-on-exec: the hook gets it as stdin only. */
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null >= 0)
			dup2(null, 0);
		for (int i = 0; vars[i]; i++)
			putenv(vars[i]);
		if (has_shebang(path))
			execl(path, path, (char *)NULL);
		else
			execl("/bin/bash", "bash", path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int hooks_any(const char *kind)
{
	char dir[512];
	struct dirent **list;
	int n;

	snprintf(dir, sizeof(dir), "%s/%s.d", hooks_dir(), kind);
	if ((n = scandir(dir, &list, is_hook, alphasort)) < 0)
		return errno != ENOENT &&
		       errno != ENOTDIR; /* hooks_run() says */
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	return n > 0;
}

int hooks_run(const char *kind, char *const vars[], char *failed, size_t len)
{
	char dir[512], path[1024];
	struct dirent **list;
	struct stat st;
	int n, ret = 0;

	snprintf(dir, sizeof(dir), "%s/%s.d", hooks_dir(), kind);
	n = scandir(dir, &list, is_hook, alphasort);
	if (n < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		snprintf(failed, len, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		int status;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		if (ret || stat(path, &st) < 0 || !S_ISREG(st.st_mode) ||
		    access(path, X_OK) < 0)
			continue;
		status = run_one(path, vars);
		if (status != 0) {
			if (status < 0)
				snprintf(failed, len, "%s: %s", path,
					 strerror(errno));
			else if (WIFSIGNALED(status))
				snprintf(failed, len, "%s killed by signal %d",
					 path, WTERMSIG(status));
			else
				snprintf(failed, len,
					 "%s exited with status %d", path,
					 WEXITSTATUS(status));
			ret = -1;
		}
	}
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	if (ret)
		errno = ECANCELED;
	return ret;
}
