/* cgroup-session.h: rootless cgroups below the login session's own (pam_cgfs, elogind). */
#pragma once

#include <stdbool.h>

#include "cgroup/cgroup.h"

/* Whether this process sits in a cgroup2 cgroup (not the root) that it may write: the
 * session's own, delegated to the user. */
bool cgroup_session_usable(const struct cgroup_host *h);

/* The container's cgroups as OWN/lxmgr-TAG.scope in the cgroup2 hierarchy and in each v1
 * hierarchy whose own cgroup the user may write (others are left out). Creates nothing. */
int cgroup_session_paths(const struct cgroup_host *h, const char *tag, struct cgroup *ret);

struct container_config;

/* The first limits.* key of c that cg cannot apply (its controller is neither offered to the
 * session's cgroup2 dir nor in a v1 hierarchy the session owns), or NULL. */
const char *cgroup_session_unusable_limit(const struct cgroup *cg,
					  const struct container_config *c);
