/* rootless-cgroup.h: where a rootless container's cgroups go (docs/rootless.md). */
#pragma once

struct start_env;
struct runtime_state;

/* Fills rs->cgroup for a rootless start, from the first source that works: a transient scope
 * of the systemd user manager (the monitor moves into it; env->cgroup_host is read again
 * from there), else the login session's own cgroups, else none for a guest whose init is
 * not systemd (rs->cgroup stays empty: no limits, no freezer), else a one-line refusal
 * naming both fixes. A limits.* key the chosen cgroup has no controller for is refused in one line.
 * Reports its failure; 0 or -errno. */
int rootless_cgroup_paths(struct start_env *env, const char *tag, struct runtime_state *rs);
