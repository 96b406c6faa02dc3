/* The administrator's hooks: every executable DIR/KIND.d/NAME.hook, which the
 * shell scripts sourced with their variables in scope.  A binary runs them
 * as programs with those variables exported. */
#ifndef XNS_HOOKS_H
#define XNS_HOOKS_H

#include <stddef.h>

/* The scripts directory: $XEN_SCRIPT_DIR when it is absolute, else
 * /etc/xen/scripts. */
const char *hooks_dir(void);

/* Whether kind ("vif-post") has a hook to run, so that the caller makes
 * the variables only then. */
int hooks_any(const char *kind);

/* Run the hooks of kind ("vif-post") in name order, each with vars
 * ("NAME=VALUE", NULL-ended) added to the environment and stdin on
 * /dev/null.  A hook without "#!" runs under /bin/bash, as it was sourced
 * by bash.  Returns 0 when every hook exited 0 (or there are none); -1 with
 * errno set and the failing hook's path and status in failed otherwise. */
int hooks_run(const char *kind, char *const vars[], char *failed, size_t len);

#endif
