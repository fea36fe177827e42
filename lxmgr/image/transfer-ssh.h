/* transfer-ssh.h: a container sent to another host through ssh, as an export stream into the
 * far side's `lxmgr import -` (lxmgr copy and move; docs/snapshots.md). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct lxmgr_ctx;
struct container;

/* [USER@]HOST[:NEWNAME]; HOST may be an IPv6 address in brackets ([fd00::2]:dev2). */
struct ssh_dest {
	char *host; /* [USER@]HOST as ssh takes it (brackets removed) */
	char *name; /* NEWNAME, or NULL: keep the source's name */
};

/* Parses spec into *ret (freed with ssh_dest_done). -EINVAL for a bad spec: an empty user,
 * host or name, a host that starts with '-' or holds blanks or '/', an unbracketed IPv6
 * address, an invalid NEWNAME. */
int ssh_dest_parse(const char *spec, struct ssh_dest *ret);
void ssh_dest_done(struct ssh_dest *d);

struct ssh_send_opts {
	const char *ssh;    /* the ssh command, split on blanks (default "ssh") */
	char **ssh_options; /* each passed to ssh as -o OPT */
	size_t n_ssh_options;
	const char *remote_lxmgr; /* the far side's lxmgr command, unquoted (default "lxmgr") */
	const char *remote_root;  /* the far side's --root DIR, or NULL */
	bool keep_identity;       /* import --keep-identity (a move) */
	bool snapshots;           /* export --snapshots: the far side's import adopts them */
	bool progress;            /* bytes and rate on stderr (also when stderr is a terminal) */
};

/* Streams the archive of c (stopped, or running: a temporary snapshot; export-live.h) through
 * `ssh HOST LXMGR [--root DIR] import - NAME` and waits for the far side's import. The stream's
 * last block is held back until the local export has succeeded, so the far side never sees a
 * whole archive of a failed export: it sees a truncated one and removes what it unpacked.
 * SIGINT, SIGTERM and SIGHUP stop the transfer the same way. One line on failure: ssh's own
 * (unreachable host), the far side's lxmgr line (name taken), the export's, or "interrupted".
 * Returns 0 once the far side reported success, else -errno. */
int ssh_send_container(const struct lxmgr_ctx *ctx, struct container *c, const struct ssh_dest *d,
		       const struct ssh_send_opts *o);
