/* cmd-config.c: lxmgr config: show, get, set and unset keys of a container's config. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/sd.h"
#include "base/util.h"
#include "cgroup/cgroup.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "guest/fixups.h"
#include "fs/idmap-alloc.h"
#include "fs/mounts-source.h"
#include "fs/mounts.h"
#include "fs/quota.h"
#include "network/forward-live.h"
#include "run/unit.h"
#include "store/config-keys.h"
#include "store/runtime.h"
#include "store/store.h"
#include "store/suggest.h"

#define LOG_STEP "config"

static int show_all(const struct container *c)
{
	const char *doc;
	const char *key;

	for (size_t i = 0; (key = config_key_name(i, &doc)); i++) {
		_cleanup_free_ char *v = NULL;

		if (config_get(&c->cfg, key, &v) >= 0)
			printf("%s = %s\n", key, v);
	}
	return 0;
}

/* Said without -v (a warning-level line on stderr, -q hides it): a user who changes a running
 * container expects the change to show. */
static void next_start_note(const struct lxmgr_ctx *ctx, const char *key)
{
	if (!strcmp(key, "container.autostart"))
		return; /* applied by the unit, or at the host's next boot */
	if (!strncmp(key, "provision.", 10))
		log_line(ctx, LOG_LEVEL_WARNING, LOG_STEP, 0,
			 "%s is applied by `lxmgr provision %s`", key, ctx->name);
	else if (!strncmp(key, "mount.", 6))
		log_line(ctx, LOG_LEVEL_WARNING, LOG_STEP, 0,
			 "%s takes effect at the next start (`lxmgr mount` attaches a share now)",
			 key);
	else
		log_line(ctx, LOG_LEVEL_WARNING, LOG_STEP, 0,
			 "%s takes effect at the next start (the container is running)", key);
}

/* Limits of a running container change at once; everything else at its next start. */
static void apply_live(const struct lxmgr_ctx *ctx, const char *name, const char *key)
{
	_cleanup_container_ struct container *c = NULL;
	struct runtime_state rs = {0};
	struct cgroup_host h = {0};
	int r;

	if (store_container_open(ctx, name, &c) < 0 || !store_is_running(c))
		return;
	if (strncmp(key, "limits.", 7) != 0) {
		next_start_note(ctx, key);
		return;
	}
	r = runtime_state_read(c->rundir, &rs);
	if (r >= 0)
		r = cgroup_host_detect(&h);
	if (r >= 0)
		r = cgroup_apply_limits(&h, &rs.cgroup, &c->cfg);
	if (r < 0)
		lx_warn(ctx, r,
			"apply %s to the running container (it applies at the next start), "
			"ignoring",
			key);
	cgroup_host_done(&h);
	runtime_state_done(&rs);
}

/* idmap.uid_base, gid_base or size: the range it would give, checked as start checks it, under
 * the store's allocation lock (held by *ret_lock until the edit is written), so that no create
 * takes the same ids meanwhile. */
static int check_id_key(struct lxmgr_ctx *ctx, const struct container *c, const char *key,
			const char *value, int *ret_lock)
{
	uint32_t uid_base = c->cfg.uid_base, gid_base = c->cfg.gid_base, count = c->cfg.id_count;
	_cleanup_close_ int lock = -EBADF;
	struct config_error e = {0};
	char owner[NAME_MAX + 1];
	uint32_t v;
	int r;

	if (!value || strncmp(key, "idmap.", 6) != 0)
		return 0;
	/* A malformed value gets the config's own message from config_edit_file. */
	if (config_check_value(key, value, &e) < 0 || parse_u32(value, &v) < 0)
		return 0;
	if (!strcmp(key, "idmap.uid_base"))
		uid_base = v;
	else if (!strcmp(key, "idmap.gid_base"))
		gid_base = v;
	else if (!strcmp(key, "idmap.size"))
		count = v;
	else
		return 0;
	lock = store_lock_alloc(ctx);
	if (lock < 0)
		return log_fail_full(ctx, "store", lock, "lock %s/" STORE_ALLOC_LOCK,
				     ctx->paths.run);
	r = idmap_check_range(ctx, c->name,
			      idmap_block_owner(c->name, &c->cfg, owner, sizeof(owner)), uid_base,
			      gid_base, count);
	if (r < 0)
		return r;
	*ret_lock = TAKE_FD(lock);
	return 0;
}

/* mount.NAME: a source inside the store is refused now, as start and `lxmgr mount` would
 * refuse it, not only at the next start. Other faults get config_edit_file's message. */
static int check_mount_key(struct lxmgr_ctx *ctx, const char *key, const char *value)
{
	const char *store[MOUNTS_STORE_DIRS_MAX];
	struct mount_entry m;
	char why[PATH_MAX + 64];
	int fd;

	if (!value || strncmp(key, "mount.", 6) != 0 || mounts_parse(value, &m) < 0)
		return 0;
	mounts_source_store(&ctx->paths, store);
	fd = mounts_source_open(m.src, store, why, sizeof(why));
	if (fd == LX_SYNTHETIC(-EXDEV))
		return lx_fail(ctx, fd, "%s: %s", key, why);
	if (fd >= 0)
		(void)close(fd);
	return 0;
}

/* limits.disk is a project quota on the store's file system, not a cgroup file: refused before
 * the file changes where that file system has none, and applied at once, running or not. */
static int edit_disk(struct lxmgr_ctx *ctx, struct container *c, const char *value)
{
	_cleanup_container_ struct container *n = NULL;
	struct config_error e = {0};
	int r;

	if (value && *value && strcmp(value, "max")) {
		r = config_check_value("limits.disk", value, &e);
		if (r < 0)
			return store_report_config_error(ctx, r, &e);
		r = quota_refuse_for(ctx, c);
		if (r < 0)
			return r;
	}
	r = config_edit_file(c->config_path, "limits.disk", value, &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	r = store_container_open(ctx, c->name, &n);
	return r < 0 ? r : quota_apply(ctx, n);
}

static int edit(struct lxmgr_ctx *ctx, struct container *c, const char *key, const char *value)
{
	const struct config_key *k = config_key_lookup(key);
	_cleanup_close_ int lock = -EBADF;
	struct config_error e = {0};
	bool on = false;
	int r;

	if (k && (k->flags & KEY_RECORDED))
		return lx_fail(ctx, LX_SYNTHETIC(-EPERM),
			       "%s is lxmgr's record of how %s was made: changed by hand it breaks "
			       "the container, so config %s refuses it",
			       key, c->name, value ? "set" : "unset");
	r = check_id_key(ctx, c, key, value, &lock);
	if (r >= 0)
		r = check_mount_key(ctx, key, value);
	if (r < 0)
		return r;

	/* autostart means lxmgr enable/disable where systemd runs: the unit goes first, so a
	 * refusal changes nothing. Elsewhere it is recorded only. */
	if (!strcmp(key, "container.autostart") && sd_is_booted() &&
	    (!value || parse_bool(value, &on) >= 0)) {
		r = unit_autostart_apply(ctx, c->name, on);
		if (r < 0)
			return r;
	}
	if (!strcmp(key, "limits.disk"))
		return edit_disk(ctx, c, value);
	if (!strcmp(key, "net.forward"))
		return network_forward_change(ctx, c, value);
	r = config_edit_file(c->config_path, key, value, &e);
	if (r < 0)
		return store_report_config_error(ctx, r, &e);
	apply_live(ctx, c->name, key);
	if (!strcmp(key, "guest.fixups"))
		return guest_fixups_apply_stopped(ctx, c->name);
	return 0;
}

int cmd_config(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *v = NULL;
	struct verb_args a = {.min_args = 1,
			      .max_args = 4,
			      .args_name = "NAME [get KEY | set KEY VALUE | unset KEY]",
			      .options_first = true};
	const char *op;
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	argc = a.n_args + 1;
	argv = a.args - 1;
	op = argc > 2 ? argv[2] : NULL;
	if (op && !((!strcmp(op, "get") && argc == 4) || (!strcmp(op, "set") && argc == 5) ||
		    (!strcmp(op, "unset") && argc == 4)))
		return cmd_usage_error(ctx, "expected get KEY, set KEY VALUE or unset KEY");
	if (store_container_open(ctx, ctx->name, &c) < 0)
		return EXIT_FAILED;
	if (!op)
		return show_all(c);
	if (!strcmp(op, "get")) {
		r = config_get(&c->cfg, argv[3], &v);
		if (r == -ENOENT) {
			char hint[96];

			suggest_config_key(argv[3], hint, sizeof(hint));
			return lx_fail(ctx, LX_SYNTHETIC(r), "unknown key '%s'%s", argv[3], hint),
			       EXIT_FAILED;
		}
		if (r < 0)
			return EXIT_FAILED;
		printf("%s\n", v);
		return 0;
	}
	r = edit(ctx, c, argv[3], !strcmp(op, "set") ? argv[4] : NULL);
	return r < 0 ? EXIT_FAILED : 0;
}
