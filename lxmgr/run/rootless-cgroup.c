/* rootless-cgroup.c: a rootless container's cgroups, in issue 22's order: the systemd user
 * manager's scope, else the login session's own cgroups (pam_cgfs, elogind), else a refusal.
 * An unprivileged monitor can only make cgroups in a subtree delegated to the user. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "cgroup/session.h"
#include "cgroup/usermgr.h"
#include "run/rootless-cgroup.h"
#include "run/start.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "cgroup"

/* A guest's reboot: the monitor already sits in OWN/supervisor of its scope. Makes OWN the
 * scope again, as cgroup_paths expects of a delegated unit's cgroup. */
static bool in_own_scope(struct cgroup_host *h)
{
	char *own = h->unified_own, *base;
	size_t n = own ? strlen(own) : 0;

	if (n < 11 || strcmp(own + n - 11, "/supervisor"))
		return false;
	own[n - 11] = '\0';
	base = strrchr(own, '/');
	if (base && !strncmp(base + 1, "lxmgr-", 6) && strlen(base) > 13 &&
	    !strcmp(own + strlen(own) - 6, ".scope"))
		return true;
	own[n - 11] = '/';
	return false;
}

static int usermgr_paths(struct start_env *env, const char *tag, struct runtime_state *rs)
{
	const struct container_config *cfg = &env->c->cfg;
	_cleanup_free_ char *scope = NULL;
	const char *key, *controller = NULL;
	int r;

	r = cgroup_paths(&env->cgroup_host, tag, /* delegated= */ true, &rs->cgroup);
	if (r >= 0)
		r = xasprintf(&scope, "%s%s", env->cgroup_host.unified_mount,
			      env->cgroup_host.unified_own);
	if (r < 0)
		return lx_fail(env->ctx, r, "compute the cgroup paths");
	/* The scope may offer fewer controllers than the root: enable only those. */
	(void)cgroup_host_controllers_of(&env->cgroup_host, scope);
	key = cgroup_usermgr_unusable_limit(scope, cfg, &controller);
	if (key)
		return lx_fail(env->ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s: the user manager's scope has no %s controller (unset it, or "
			       "have user@.service delegate %s)",
			       key, controller, controller);
	return 0;
}

/* Asks for the scope, moves there, and reads the host's layout again from inside it. */
static int enter_scope(struct start_env *env, const char *tag, char *why, size_t size)
{
	struct cgroup_host h = {0};
	char unit[300];
	const char *own;
	int r;

	r = cgroup_usermgr_unit_name(tag, unit, sizeof(unit));
	if (r < 0) {
		(void)snprintf(why, size, "the unit name for %s is too long", tag);
		return r;
	}
	r = cgroup_usermgr_start_scope(unit, getpid(), why, size);
	if (r < 0)
		return r;
	r = cgroup_host_detect(&h);
	if (r < 0) {
		(void)snprintf(why, size, "read /proc/self/cgroup: %s", strerror(-r));
		return r;
	}
	own = h.unified_own ? strrchr(h.unified_own, '/') : NULL;
	if (!own || strcmp(own + 1, unit)) {
		(void)snprintf(why, size, "the monitor is not in %s after its job (%s)", unit,
			       h.unified_own ? h.unified_own : "?");
		cgroup_host_done(&h);
		return -ESRCH;
	}
	cgroup_host_done(&env->cgroup_host);
	env->cgroup_host = h;
	return 0;
}

/* Neither source: systemd inside needs a cgroup it can write and is refused in one line
 * naming both fixes; another init boots in no cgroup of its own, so without limits (a
 * limits.* key is refused) and without the freezer. rs->cgroup stays empty. */
static int without_cgroup(struct start_env *env, struct runtime_state *rs, const char *usermgr_why)
{
	const struct container_config *cfg = &env->c->cfg;
	const char *key = cgroup_session_unusable_limit(&rs->cgroup, cfg);

	if (cfg->init_kind == INIT_KIND_SYSTEMD)
		return lx_fail(env->ctx, LX_SYNTHETIC(-EPERM),
			       "rootless: this session's cgroup is not the user's own: log in "
			       "through pam_cgfs (Debian package libpam-cgfs) on a host without "
			       "systemd, or through the systemd user manager (Delegate=yes), which "
			       "cannot give a scope here: %s",
			       usermgr_why);
	if (key)
		return lx_fail(env->ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s: no cgroup of the user's own to apply it in (unset it, or log "
			       "in through pam_cgfs or the systemd user manager)",
			       key);
	lx_info(env->ctx,
		"rootless: no cgroup of the user's own: this %s guest runs in none, without "
		"limits",
		init_kind_to_string(cfg->init_kind));
	return 0;
}

static int session_paths(struct start_env *env, const char *tag, struct runtime_state *rs,
			 const char *usermgr_why)
{
	const struct container_config *cfg = &env->c->cfg;
	int r;

	if (!cgroup_session_usable(&env->cgroup_host))
		return without_cgroup(env, rs, usermgr_why);
	r = cgroup_session_paths(&env->cgroup_host, tag, &rs->cgroup);
	if (r < 0)
		return lx_fail(env->ctx, r, "compute the cgroup paths");
	if (cgroup_session_unusable_limit(&rs->cgroup, cfg))
		return lx_fail(env->ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "%s: the login session's cgroups give the user no controller "
			       "for it (unset it, or have the session delegate it)",
			       cgroup_session_unusable_limit(&rs->cgroup, cfg));
	return 0;
}

int rootless_cgroup_paths(struct start_env *env, const char *tag, struct runtime_state *rs)
{
	char why[512] = "";
	int r;

	if (in_own_scope(&env->cgroup_host))
		return usermgr_paths(env, tag, rs);
	if (!cgroup_usermgr_usable(&env->cgroup_host, why, sizeof(why)))
		return session_paths(env, tag, rs, why);
	r = enter_scope(env, tag, why, sizeof(why));
	if (r >= 0)
		return usermgr_paths(env, tag, rs);
	if (!cgroup_session_usable(&env->cgroup_host))
		return lx_fail(env->ctx, LX_SYNTHETIC(r), "rootless: the systemd user manager: %s",
			       why);
	lx_warn(env->ctx, LX_SYNTHETIC(r),
		"rootless: the systemd user manager: %s; using the login session's cgroups", why);
	return session_paths(env, tag, rs, why);
}
