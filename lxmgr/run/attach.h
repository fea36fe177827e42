/* attach.h: running a command inside a running container (exec): setns through a pidfd. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;
struct runtime_state;

struct attach_opts {
	const char *user;   /* name or uid inside; NULL for root */
	char **env;         /* extra K=V, NULL-terminated or NULL */
	char **argv;        /* the command, NULL-terminated */
	const char *rundir; /* the container's runtime directory (seccomp.bpf) */
	bool tty;           /* a new pty of the container's devpts, relayed to our terminal */
	bool stdin_null;    /* not tty: the command reads /dev/null, not our stdin */
	bool login_shell;   /* argv is ignored: the user's shell, argv[0] "-bash" style */
};

/* Runs argv inside the container whose init the runtime record names: in its namespaces,
 * cgroup, capability bounding set and seccomp filter, as root or as opts->user with that
 * user's groups, HOME and shell, with a clean environment (PATH, TERM, LANG, HOME, USER,
 * LOGNAME, SHELL), in a session of its own. No descriptor of ours but 0, 1 and 2 reaches it,
 * nor our session keyring, nor a terminal of the host: with opts->tty it gets a pty opened
 * inside the container (its own devpts: `tty` names /dev/pts/N there) whose master comes back
 * to us over SCM_RIGHTS and is relayed to our terminal in raw mode, with its window size;
 * without, each of our 0, 1, 2 that is a terminal becomes a pipe we relay (stdio-relay.h) and
 * the others are passed as they are. Returns the command's exit status
 * (128+N when killed by signal N; 127 when it cannot be found, 126 when it cannot be run), or
 * -errno after reporting a failure. */
int attach_run(const struct lxmgr_ctx *ctx, const struct runtime_state *rs,
	       const struct attach_opts *opts);
