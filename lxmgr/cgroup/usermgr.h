/* usermgr.h: rootless cgroups from the systemd user manager: one transient scope with
 * Delegate=yes per container, asked for over the user's D-Bus (docs/rootless.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct cgroup_host;
struct container_config;

/* Whether the user manager can be asked for a scope: a pure cgroup2 host (no v1 controller
 * hierarchy) and the user's bus socket ($DBUS_SESSION_BUS_ADDRESS's unix:path, else
 * $XDG_RUNTIME_DIR/bus). When not, why says what the host lacks, in a few words. */
bool cgroup_usermgr_usable(const struct cgroup_host *h, char *why, size_t size);

/* Whether the user manager answers on that bus (doctor): 0, or -errno with why. */
int cgroup_usermgr_probe(char *why, size_t size);

/* "lxmgr-TAG.scope", TAG escaped as systemd escapes a unit name (\xNN for any byte but
 * [A-Za-z0-9:_.-]): a unit name that cannot collide with another container's. */
int cgroup_usermgr_unit_name(const char *tag, char *buf, size_t size);

/* Asks the user manager for the transient scope unit (mode "fail": an existing one is an
 * error) holding pid, with Delegate=yes and CollectMode=inactive-or-failed, and waits (at most
 * 30 s) for its job. 0 once pid is in the scope's cgroup; -errno with why (the manager's own
 * message) otherwise. */
int cgroup_usermgr_start_scope(const char *unit, pid_t pid, char *why, size_t size);

/* The first limits.* key of c whose cgroup2 controller dir does not offer to its children
 * (cgroup.controllers), with that controller's name in *ret_controller; NULL when all apply. */
const char *cgroup_usermgr_unusable_limit(const char *dir, const struct container_config *c,
					  const char **ret_controller);

/* Which source a running rootless container's recorded cgroup2 path comes from: "user
 * manager" (OWN/lxmgr-TAG.scope/payload; unit gets the scope's name) or "session". */
const char *cgroup_rootless_source(const char *unified, char *unit, size_t size);

/* After a dead monitor's payload cgroup was removed: removes the scope's supervisor/ and the
 * scope's own directory when unified is a user manager scope's payload (the unit went
 * with the monitor; its directory stays when the payload could not be removed by the
 * manager, which does not own the container's range). Best effort. */
void cgroup_usermgr_remove_scope_dir(const char *unified);

/* For a process that enters a running container of the user manager source (exec, the
 * readiness query of start --wait): clone3 into its payload cgroup needs write access to
 * the common ancestor of ours and the payload, so a process outside the scope asks the
 * manager to move it into the scope's supervisor/ (AttachProcessesToUnit; the scope has
 * Delegate=yes). 0 also when unified is no scope's or we are in it already; -errno with why. */
int cgroup_usermgr_join(const char *unified, char *why, size_t size);
