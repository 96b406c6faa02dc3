/* The vifs this domain is the backend of, from xenstore and the records;
 * the network scripts' states; restore by running the scripts again. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guard.h"
#include "lock.h"
#include "log.h"
#include "route.h"
#include "sysctl.h"

static const char *const scripts[] = { "vif-bridge", "vif-route", "vif-nat",
				       NULL };

/* The key, checked as the scripts check every value; NULL when absent or
 * refused (a refused value is the script's to report, at its next run);
 * the errno of the first other failure into *failed. */
static char *key(struct xs_handle *xs, const char *dir, const char *name,
		 int *failed)
{
	char *v = xstore_read(xs, dir, name);

	if (!v && errno != ENOENT && errno != EINVAL && errno != EMSGSIZE &&
	    !*failed)
		*failed = errno;
	return v;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* One of our binaries (named as one of names), not the shell script of the
 * same name. */
static int is_ours(const char *script, const char *const names[])
{
	unsigned char magic[4];
	int fd, ok = 0;

	for (int i = 0; names[i]; i++)
		ok |= !strcmp(base(script), names[i]);
	if (!ok || script[0] != '/' ||
	    (fd = open(script, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	ok = read(fd, magic, 4) == 4 && !memcmp(magic, "\177ELF", 4);
	close(fd);
	return ok;
}

static void load_record(struct guard_vif *v)
{
	char path[512], err[160];
	struct state rec = { 0 };
	int line;

	snprintf(path, sizeof(path), "%s/vif/%s", state_rundir(), v->kname);
	if (state_read(&rec, path, &line) < 0) {
		if (errno != ENOENT)
			log_warn("read %s: %m", path);
	} else if (guard_expect_parse(&rec, &v->e, err, sizeof(err)) < 0) {
		log_warn("%s: %s", path, err);
	} else {
		v->has_record = 1;
	}
	state_clear(&rec);
}

/* Fill v for backend/vif/DOMID/DEVID; tap: its emulated NIC.  -1 with
 * errno when the store cannot be read. */
static int fill(struct xs_handle *xs, struct guard_vif *v, unsigned domid,
		unsigned devid, int tap)
{
	char *online, *script;
	int failed = 0;

	memset(v, 0, sizeof(*v));
	v->domid = domid;
	v->devid = devid;
	v->tap = tap;
	snprintf(v->kname, sizeof(v->kname), "vif%u.%u%s", domid, devid,
		 tap ? "-emu" : "");
	snprintf(v->path, sizeof(v->path), "backend/vif/%u/%u", domid, devid);
	online = key(xs, v->path, "online", &failed);
	v->online = online && !strcmp(online, "1");
	free(online);
	if ((script = key(xs, v->path, "script", &failed))) {
		snprintf(v->script, sizeof(v->script), "%s", script);
		free(script);
	}
	v->ours = is_ours(v->script, scripts);
	v->hotplug = key(xs, v->path, "hotplug-status", &failed);
	v->vifname = key(xs, v->path, "vifname", &failed);
	v->ip = key(xs, v->path, "ip", &failed);
	v->bridge = key(xs, v->path, "bridge", &failed);
	v->gatewaydev = key(xs, v->path, "gatewaydev", &failed);
	if (!failed)
		load_record(v);
	errno = failed;
	return failed ? -1 : 0;
}

/* The unsigned number name, or -1. */
static long number(const char *name)
{
	unsigned long u;

	return args_uint(name, 0, 0x7fffffffUL, &u) < 0 ? -1 : (long)u;
}

struct guard_vif *guard_list(struct xs_handle *xs, int *n)
{
	char **doms, **devs = NULL, dir[64], rec[512];
	unsigned nd, nv;
	struct guard_vif *v = NULL, *more;
	int cap = 0;

	*n = 0;
	if (!(doms = xstore_list(xs, "backend/vif", &nd)))
		return NULL;
	for (unsigned i = 0; i < nd; i++) {
		long d = number(doms[i]);

		snprintf(dir, sizeof(dir), "backend/vif/%s", doms[i]);
		if (d < 0 || !(devs = xstore_list(xs, dir, &nv)))
			continue;
		for (unsigned j = 0; j < nv; j++) {
			long k = number(devs[j]);

			if (k < 0)
				continue;
			for (int tap = 0; tap < 2; tap++) {
				snprintf(rec, sizeof(rec),
					 "%s/vif/vif%ld.%ld-emu",
					 state_rundir(), d, k);
				if (tap && access(rec, F_OK) < 0)
					continue;
				if (*n + 1 > cap) {
					cap = cap ? 2 * cap : 64;
					more = realloc(v, (size_t)cap *
								  sizeof(*v));
					if (!more) {
						errno = ENOMEM;
						goto fail;
					}
					v = more;
				}
				if (fill(xs, &v[(*n)++], (unsigned)d,
					 (unsigned)k, tap) < 0)
					goto fail;
			}
		}
		free(devs);
	}
	free(doms);
	if (!v)
		errno = ENOENT;
	return v;
fail:;
	int e = errno;

	free(devs);
	free(doms);
	guard_free(v, *n);
	*n = 0;
	errno = e;
	return NULL;
}

void guard_free(struct guard_vif *v, int n)
{
	for (int i = 0; i < n; i++) {
		free(v[i].vifname);
		free(v[i].ip);
		free(v[i].bridge);
		free(v[i].gatewaydev);
		free(v[i].hotplug);
	}
	free(v);
}

const char *guard_dev(const struct guard_vif *v)
{
	if (v->has_record)
		return v->e.dev;
	return v->vifname ? v->vifname : v->kname;
}

int guard_watched(const struct guard_vif *v)
{
	return v->ours && v->online && v->hotplug &&
	       !strcmp(v->hotplug, "connected");
}

int guard_check(struct guard_vif *v, int followed)
{
	v->nproblems = v->nannounce = 0;
	if (!guard_watched(v))
		return 0;
	if (!v->has_record) {
		snprintf(v->problems[0], GUARD_PROBLEM_LEN,
			 "no record of its online in %s/vif", state_rundir());
		v->nproblems = 1;
		return 0;
	}
	if (guard_observe(v->kname, &v->e, &v->seen) < 0)
		return -1;
	v->seen.followed = followed;
	v->nproblems = guard_compare(&v->e, &v->seen, v->problems);
	v->nannounce = guard_announce_drift(&v->e, &v->seen);
	return 0;
}

int guard_watch_running(void)
{
	int fd = lock_try(GUARD_WATCH_LOCK);

	if (fd >= 0)
		lock_release(GUARD_WATCH_LOCK, fd);
	return fd < 0 && errno == EWOULDBLOCK;
}

/* --- the network scripts ---------------------------------------------- */

static const char *const nets[GUARD_NETS] = { "network-route", "network-nat",
					      "network-zones" };

static void net_say(struct guard_net *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void net_say(struct guard_net *g, const char *fmt, ...)
{
	va_list ap;

	if (g->nproblems == GUARD_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(g->problems[g->nproblems++], GUARD_PROBLEM_LEN, fmt, ap);
	va_end(ap);
}

/* "sysctl PATH OLD NEW": still NEW. */
static void check_sysctl(struct guard_net *g, const char *v)
{
	char path[256], old[64], set[64], now[64];
	const char *parts[16];
	int k = 0;

	if (sscanf(v, "%255s %63s %63s", path, old, set) != 3)
		return;
	for (char *p = strtok(path, "/"); p && k < 15; p = strtok(NULL, "/"))
		parts[k++] = p;
	parts[k] = NULL;
	if (sysctl_get(parts, now, sizeof(now)) < 0)
		return; /* the device is gone: nothing start can put back */
	if (strcmp(now, set)) {
		sscanf(v, "%255s", path);
		net_say(g, "%s is %s, not %s", path, now, set);
	}
}

/* "nat BACKEND NETDEV SUBNETS|any": network-nat's masquerading. */
static void check_nat(struct guard_net *g, const char *v)
{
	char be[16], dev[IFNAMSIZ], why[160];
	struct args_addr subnets[16];
	struct fw_nat nat = { .owner = "network-nat", .from = subnets };
	enum fw_backend b;
	int k = 0;

	/* SUBNETS as given to subnet=: commas or spaces. */
	if (sscanf(v, "%15s %15s %n", be, dev, &k) != 2 || !k ||
	    fw_choose(be, &b) < 0 ||
	    (strcmp(v + k, "any") &&
	     (nat.nfrom = args_addr_csv(v + k, subnets, 16, AF_INET)) < 0)) {
		net_say(g, "state: invalid nat line '%s'", v);
		return;
	}
	nat.out_dev = dev;
	if (fw_nat_check(b, &nat, why, sizeof(why)) == 0)
		net_say(g, "masquerading (%s): %s", be, why);
}

/* "zone NAME BRIDGE": the bridge, and the zones' nft table. */
static void check_zone(struct guard_net *g, const char *v)
{
	const char *br = strchr(v, ' ');

	if (br && link_index(br + 1) < 0)
		net_say(g, "zone bridge %s missing", br + 1);
}

/* "addr DEV ADDRESS": an address network-zones put on a zone's bridge. */
static void check_addr(struct guard_net *g, const char *v)
{
	char dev[IFNAMSIZ], text[ARGS_ADDR_LEN];
	struct args_addr a;

	if (sscanf(v, "%15s %49s", dev, text) != 2 || args_addr(text, &a) < 0)
		net_say(g, "state: invalid addr line '%s'", v);
	else if (route_has_addr(dev, &a) != 1)
		net_say(g, "address %s on %s missing", text, dev);
}

void guard_nets(struct guard_net out[GUARD_NETS])
{
	char path[512], why[160];
	const char *v;
	int line;

	for (int i = 0; i < GUARD_NETS; i++) {
		struct guard_net *g = &out[i];

		memset(g, 0, sizeof(*g));
		g->prog = nets[i];
		snprintf(path, sizeof(path), "%s/%s.state", state_rundir(),
			 g->prog);
		if (state_read(&g->st, path, &line) < 0) {
			if (errno != ENOENT)
				net_say(g, "read %s: %m", path);
			continue;
		}
		g->started = 1;
		for (int k = 0; (v = state_next(&g->st, "sysctl", &k));)
			check_sysctl(g, v);
		for (int k = 0; (v = state_next(&g->st, "nat", &k));)
			check_nat(g, v);
		for (int k = 0; (v = state_next(&g->st, "zone", &k));)
			check_zone(g, v);
		for (int k = 0; (v = state_next(&g->st, "addr", &k));)
			check_addr(g, v);
		if (state_get(&g->st, "zone") &&
		    fw_table_check("inet", "xen-zones", why, sizeof(why)) == 0)
			net_say(g, "firewall: %s", why);
	}
}

void guard_nets_free(struct guard_net nets_[GUARD_NETS])
{
	for (int i = 0; i < GUARD_NETS; i++)
		state_clear(&nets_[i].st);
}

/* --- restore ---------------------------------------------------------- */

/* What a restore takes of our environment: where the host's pieces are
 * (the same xenstored, run directory, locks and log as ours).  Nothing
 * else: an administrator's shell may hold antispoof=no or firewall=. */
static const char *const ours[] = {
	"XENSTORED_PATH",  "XEN_NETSCRIPTS_RUNDIR", "XEN_LOCK_DIR",
	"XEN_HOTPLUG_LOG", "XEN_HOTPLUG_VERBOSE",   "XTABLES_LOCKFILE",
	"ASAN_OPTIONS",	   "UBSAN_OPTIONS",	    NULL
};

/* Start argv in an environment of PATH, ours[], env (the script's own
 * run's, NULL-ended, checked) and add (NULL-ended); its pid, or -1 with
 * errno. */
static pid_t spawn(char *const argv[], const char *const env[],
		   char *const add[])
{
	char *keep[sizeof(ours) / sizeof(ours[0])];
	const char *v;
	pid_t pid = fork();
	int k = 0;

	sigset_t none;

	if (pid != 0)
		return pid;
	sigemptyset(&none); /* watch blocks SIGTERM outside its wait */
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int i = 0; ours[i]; i++)
		if ((v = getenv(ours[i])) &&
		    asprintf(&keep[k], "%s=%s", ours[i], v) > 0)
			k++;
	clearenv();
	putenv("PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	for (int i = 0; i < k; i++)
		putenv(keep[i]);
	for (int i = 0; env[i]; i++)
		putenv((char *)env[i]);
	for (int i = 0; add[i]; i++)
		putenv(add[i]);
	execv(argv[0], argv);
	log_err("run %s: %m", argv[0]);
	_exit(127);
}

int guard_wait(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), status, r;
	struct pollfd p = { fd, POLLIN, 0 };

	if (fd >= 0) {
		while ((r = poll(&p, 1, GUARD_TIMEOUT_S * 1000)) < 0 &&
		       errno == EINTR)
			;
		if (r == 0) {
			log_warn("restore: pid %d still running after %d s: "
				 "killed",
				 (int)pid, GUARD_TIMEOUT_S);
			kill(pid, SIGKILL);
		}
		close(fd);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t guard_restore_vif(const struct guard_vif *v)
{
	char xp[XSTORE_PATH_MAX + 16], dev[IFNAMSIZ + 16],
		nd[XSTORE_VALUE_MAX + 16], sc[XSTORE_PATH_MAX + 16];
	char *argv[4 + 8],
		*add[] = { xp, dev, nd, sc, "XEN_NETSCRIPTS_RESTORE=1", NULL };
	const char *env[16 + 1];
	int tap = v->tap, k = 0, n = 0;

	snprintf(xp, sizeof(xp), "XENBUS_PATH=%s", v->path);
	snprintf(dev, sizeof(dev), "%s=%s", tap ? "INTERFACE" : "vif",
		 v->kname);
	/* What libxl sets: netdev from gatewaydev, the script's own path. */
	snprintf(nd, sizeof(nd), "netdev=%s",
		 v->gatewaydev ? v->gatewaydev : "");
	snprintf(sc, sizeof(sc), "script=%s", v->script);
	argv[k++] = (char *)v->script;
	argv[k++] = tap ? "add" : "online";
	argv[k++] = tap ? "type_if=tap" : "type_if=vif";
	for (int i = 0; v->has_record && i < v->e.nargs; i++)
		argv[k++] = (char *)v->e.args[i];
	argv[k] = NULL;
	for (int i = 0; v->has_record && i < v->e.nenvs; i++)
		env[n++] = v->e.envs[i];
	env[n] = NULL;
	return spawn(argv, env, add);
}

pid_t guard_restore_net(const struct guard_net *g)
{
	const char *const names[] = { g->prog, NULL }, *a;
	const char *exe = state_get(&g->st, "exe"), *env[32];
	char *argv[64], *add[] = { "XEN_NETSCRIPTS_RESTORE=1", NULL };
	int k = 0, n = 0;

	/* Our binary, as it recorded itself: not a shell script put there
	 * since, which would add its rules on every try. */
	if (!exe || !is_ours(exe, names)) {
		errno = ENOEXEC;
		log_warn("%s: its state has no binary of ours to run (%s): run "
			 "%s start once",
			 g->prog, exe ? exe : "no exe line", g->prog);
		return -1;
	}
	argv[k++] = (char *)exe;
	argv[k++] = "start";
	for (int i = 0; k < 63 && (a = state_next(&g->st, "arg", &i));)
		argv[k++] = (char *)a;
	argv[k] = NULL;
	for (int i = 0; n < 31 && (a = state_next(&g->st, "env", &i));)
		if (guard_env_ok(a))
			env[n++] = a;
	env[n] = NULL;
	return spawn(argv, env, add);
}
