/* cgroup-session.c: a rootless container's cgroups, below the cgroups the user's login
 * session sits in when the user owns them (what pam_cgfs or elogind give a session on a host
 * without systemd): an unprivileged process may create and fill cgroups only in a subtree it
 * owns (cgroup2's delegation rule, and the owner checks of v1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup/internal.h"
#include "cgroup/session.h"
#include "base/cleanup.h"
#include "store/config.h"
#include "base/util.h"

static int own_dir(const char *mount, const char *own, char **ret)
{
	if (!mount || !own || own[0] != '/')
		return -ENOENT;
	return xasprintf(ret, "%s%s", mount, strcmp(own, "/") ? own : "");
}

bool cgroup_session_usable(const struct cgroup_host *h)
{
	_cleanup_free_ char *dir = NULL;

	/* The root of a hierarchy is never a session's own. */
	if (!h->unified_own || !strcmp(h->unified_own, "/"))
		return false;
	if (own_dir(h->unified_mount, h->unified_own, &dir) < 0)
		return false;
	return access(dir, W_OK) == 0;
}

/* Whether the session's cgroup2 dir offers the memory controller to its children. */
static bool session_has_memory(const char *dir)
{
	_cleanup_free_ char *text = NULL;

	if (cg_read(dir, "cgroup.controllers", &text) < 0)
		return false;
	for (char *t = strtok(text, " \n"); t; t = strtok(NULL, " \n"))
		if (!strcmp(t, "memory"))
			return true;
	return false;
}

int cgroup_session_paths(const struct cgroup_host *h, const char *tag, struct cgroup *ret)
{
	_cleanup_free_ char *base = NULL;
	struct cgroup cg = {};
	int r;

	r = own_dir(h->unified_mount, h->unified_own, &base);
	if (r < 0)
		return r;
	r = xasprintf(&cg.unified, "%s/lxmgr-%s.scope", base, tag);
	for (int i = 0; r >= 0 && i < _CGROUP_V1_MAX; i++) {
		_cleanup_free_ char *dir = NULL;

		/* A v1 hierarchy the session does not own is left out: no limit through it. */
		if (own_dir(h->v1_mount[i], h->v1_own[i], &dir) < 0 || access(dir, W_OK) < 0)
			continue;
		r = xasprintf(&cg.v1[i], "%s/lxmgr-%s.scope", dir, tag);
	}
	if (r < 0) {
		cgroup_done(&cg);
		return r;
	}
	cg.limits_v2 = session_has_memory(base);
	*ret = cg;
	return 0;
}

const char *cgroup_session_unusable_limit(const struct cgroup *cg, const struct container_config *c)
{
	/* cgroup2's memory controller comes with the others a session is given (pam_cgfs,
	 * systemd delegate them together); on a hybrid host the v1 hierarchies decide. */
	if (cg->limits_v2)
		return NULL;
	if (c->memory_max != LIMIT_UNSET && !cg->v1[CGROUP_V1_MEMORY])
		return "limits.memory";
	if (c->memory_high != LIMIT_UNSET && !cg->v1[CGROUP_V1_MEMORY])
		return "limits.memory_high";
	if (c->pids_max != LIMIT_UNSET && c->pids_max && !cg->v1[CGROUP_V1_PIDS])
		return "limits.pids";
	if ((c->cpu_millis != CPU_QUOTA_UNSET || c->cpu_weight) && !cg->v1[CGROUP_V1_CPU])
		return c->cpu_millis != CPU_QUOTA_UNSET ? "limits.cpu" : "limits.cpu_weight";
	return NULL;
}
