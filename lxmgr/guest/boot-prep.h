/* boot-prep.h: what a guest needs from lxmgr before each boot: a check that it can boot on this
 * host, and the drop-ins lxmgr owns inside its rootfs (DESIGN §11). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "store/config.h"

struct lxmgr_ctx;
struct container;
struct cgroup_host;

/* Where lxmgr mounts a name=systemd hierarchy on a host that has none (pure cgroup2). */
#define BOOT_PREP_SYSTEMD_V1_MOUNT "/run/lxmgr-cgroup/systemd"

/* First line of a file lxmgr generates from a distribution file it kept as FILE.lxmgr-orig. */
#define BOOT_PREP_MARKER "# lxmgr: generated at every start from "

/* Monitor side, before clone: refuses (one line: why, and what would fix it) a guest that
 * cannot boot here, makes the name=systemd hierarchy exist when the guest needs one, then
 * re-applies the guest's drop-ins through the rootfs (never following a symlink out of it).
 * Reports its own failure; returns 0 or -errno. */
int boot_prep_start(const struct lxmgr_ctx *ctx, const struct container *c, struct cgroup_host *h);

/* Pure: the inittab lxmgr boots with, from the guest's own text orig. tty1..N and serial
 * getty lines are commented out (a container has no such devices), as are power-failure
 * lines (sysvinit: replaced by one that powers off, for the SIGPWR stop), and lines whose
 * program is absent when program_exists says so; one getty on /dev/console is added when
 * getty is not NULL. *ret is malloc'd. */
int boot_prep_inittab_text(const char *orig, const char *orig_name, bool sysvinit,
			   const char *getty,
			   bool (*program_exists)(const char *path, void *userdata), void *userdata,
			   char **ret);
