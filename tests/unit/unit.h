/* The unit tests (Check): one file per module, tests/unit/check_NAME.c,
 * defining its tests and NAME_suite(), which main.c runs; and what they
 * share (unit.c).  A new test goes into its module's file and the list of
 * its NAME_suite(); a new module's NAME_suite() into the list below and
 * main.c's. */
#ifndef XNS_UNIT_H
#define XNS_UNIT_H
#include <check.h>
#include <stddef.h>
#include <sys/types.h>

#include "args.h"

Suite *args_suite(void);
Suite *text_suite(void);
Suite *vlan_suite(void);
Suite *xstore_suite(void);
Suite *sysctl_suite(void);
Suite *hooks_suite(void);
Suite *lock_suite(void);
Suite *fw_suite(void);
Suite *fw_rules_suite(void);
Suite *nat_suite(void);
Suite *dhcp_suite(void);
Suite *state_suite(void);
Suite *zones_suite(void);
Suite *guard_suite(void);
Suite *announce_suite(void);
Suite *about_suite(void);

/* A suite of one test case, both called name, of the tests (NULL-ended). */
Suite *unit_suite(const char *name, const TTest *const *tests);

/* A directory of our own under /tmp, named in XEN_SCRIPT_DIR and
 * XEN_LOCK_DIR; removed whole. */
extern char tmpdir[64];
void make_tmpdir(void);
void remove_tmpdir(void);

/* path made to hold text (and given mode). */
void write_conf(const char *path, const char *text);
void write_file(const char *path, const char *text, mode_t mode);
/* path's text, cut to len - 1 bytes. */
void read_file(const char *path, char *buf, size_t len);

/* Compare text with tests/unit/golden/name; UPDATE_GOLDEN=1 in the
 * environment rewrites the file instead. */
void golden(const char *name, const char *text);

#endif
