/* provision-host.c: the provisioning steps done as host root in the rootfs, before a boot:
 * the cloud-init NoCloud seed (cloud-init reads it at boot) and root's password hash. Every
 * path is resolved inside the rootfs with openat2(RESOLVE_IN_ROOT), and no symlink is
 * followed for the files themselves. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "guest/fixups.h"
#include "guest/login.h"
#include "guest/provision.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "provision"
#define SEED_DIR "/var/lib/cloud/seed/nocloud"

/* mkdir -p of an absolute path inside the tree at rootfd; new directories get uid:gid. */
static int mkdir_in_root(int rootfd, const char *path, uid_t uid, gid_t gid)
{
	char buf[256];

	for (const char *slash = strchr(path + 1, '/');; slash = strchr(slash + 1, '/')) {
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		_cleanup_close_ int fd = -EBADF, parent = -EBADF;
		char *leaf;

		(void)snprintf(buf, sizeof(buf), "%.*s", (int)n, path);
		fd = open_in_root(rootfd, buf, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
		if (fd == -ENOENT) {
			leaf = strrchr(buf, '/');
			*leaf = '\0';
			parent = open_in_root(rootfd, buf[0] ? buf : "/", O_PATH | O_DIRECTORY, 0);
			if (parent < 0)
				return parent;
			if (mkdirat(parent, leaf + 1, 0755) < 0 ||
			    fchownat(parent, leaf + 1, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
		} else if (fd < 0) {
			return fd;
		}
		if (!slash)
			return 0;
	}
}

/* Whether path inside holds text already. */
static bool holds_text(int rootfd, const char *path, const char *text)
{
	_cleanup_free_ char *old = NULL;

	return read_file_in_root(rootfd, path, O_NOFOLLOW, 1 << 20, &old, NULL) >= 0 &&
	       !strcmp(old, text);
}

/* Writes text to path inside unless it holds it already: 1 written, 0 unchanged. */
static int write_if_changed(int rootfd, const char *path, const char *text, uid_t uid, gid_t gid)
{
	_cleanup_close_ int fd = -EBADF;
	size_t len = strlen(text);
	int r;

	if (holds_text(rootfd, path, text))
		return 0;
	fd = open_in_root(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fd;
	/* write_all keeps the cause: a full store is ENOSPC, not a made-up EIO. */
	r = write_all(fd, text, len);
	if (r < 0)
		return r;
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, 0600) < 0)
		return -errno;
	return 1;
}

/* The root directory of c's running init, read from its runtime state. */
static int open_running_root(const struct container *c)
{
	_cleanup_(runtime_state_done) struct runtime_state rs = {0};
	_cleanup_free_ char *path = NULL;
	int r, fd;

	r = runtime_state_read(c->rundir, &rs);
	if (r < 0)
		return r;
	if (rs.init_pid <= 0)
		return -ESRCH;
	if (xasprintf(&path, "/proc/%d/root", (int)rs.init_pid) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* The tree host-side steps work on: the rootfs (a stopped snapshot's view, see
 * provision.c), or for a running snapshot clone its init's root, read only: its upper layer
 * must not change beside its mounted overlay (*ret_read_only). */
static int open_tree(const struct lxmgr_ctx *ctx, const struct container *c, const char *step,
		     bool *ret_read_only)
{
	int fd;

	*ret_read_only = c->cfg.snapshot_of[0] && store_is_running(c);
	fd = *ret_read_only ? open_running_root(c)
			    : NEG_ERRNO(open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	return fd < 0 ? lx_fail(ctx, fd, "%s: open %s", step,
				*ret_read_only ? "the running container's root" : c->rootfs)
		      : fd;
}

static int refuse_running_snapshot(const struct lxmgr_ctx *ctx, const struct container *c,
				   const char *step)
{
	return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
		       "%s: %s is a running snapshot clone, whose upper layer cannot be written "
		       "beside its overlay: stop it and provision again",
		       step, c->name);
}

int provision_cloud_init_seed(struct lxmgr_ctx *ctx, struct container *c, bool *ret_changed)
{
	const struct container_config *cfg = &c->cfg;
	_cleanup_free_ char *user_data = NULL, *meta = NULL;
	_cleanup_close_ int rootfd = -EBADF, probe = -EBADF;
	uid_t uid = cfg->rootfs_shifted ? cfg->uid_base : 0;
	gid_t gid = cfg->rootfs_shifted ? cfg->gid_base : 0;
	bool read_only;
	int r, w1, w2;

	*ret_changed = false;
	if (!cfg->provision_cloud_init[0])
		return 0;
	r = read_file_at(AT_FDCWD, cfg->provision_cloud_init, 1 << 20, &user_data, NULL);
	if (r < 0)
		return lx_fail(ctx, r, "cloud-init: read %s", cfg->provision_cloud_init);
	rootfd = open_tree(ctx, c, "cloud-init", &read_only);
	if (rootfd < 0)
		return rootfd;
	probe = open_in_root(rootfd, "/usr/bin/cloud-init", O_PATH, 0);
	if (probe < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "cloud-init: the image has no cloud-init (/usr/bin/cloud-init); use "
			       "--user, --ssh-key, --packages and --run instead");
	if (xasprintf(&meta, "instance-id: %s\nlocal-hostname: %s\n", cfg->uuid,
		      cfg->hostname ? cfg->hostname : c->name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (read_only)
		return holds_text(rootfd, SEED_DIR "/user-data", user_data) &&
				       holds_text(rootfd, SEED_DIR "/meta-data", meta)
			       ? 0
			       : refuse_running_snapshot(ctx, c, "cloud-init");
	r = mkdir_in_root(rootfd, SEED_DIR, uid, gid);
	if (r < 0)
		return lx_fail(ctx, r, "cloud-init: create %s in the rootfs", SEED_DIR);
	w1 = write_if_changed(rootfd, SEED_DIR "/user-data", user_data, uid, gid);
	w2 = w1 < 0 ? w1 : write_if_changed(rootfd, SEED_DIR "/meta-data", meta, uid, gid);
	if (w1 < 0 || w2 < 0)
		return lx_fail(ctx, w1 < 0 ? w1 : w2, "cloud-init: write the seed in %s", SEED_DIR);
	*ret_changed = w1 > 0 || w2 > 0;
	/* Without NoCloud in the guest's datasource_list the seed would be ignored. */
	w1 = guest_fixup_cloud_datasource(rootfd, uid, gid);
	if (w1 < 0)
		return lx_fail(ctx, w1, "cloud-init: write %s", GUEST_FIXUP_CLOUD_CFG);
	*ret_changed = *ret_changed || w1 > 0;
	return 0;
}

int provision_read_root_hash(int rootfd, char **ret)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	if (read_file_in_root(rootfd, "/etc/shadow", O_NOFOLLOW, 1 << 20, &text, NULL) < 0)
		return -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "root:", 5) != 0)
			continue;
		*ret = strndup(line + 5, strcspn(line + 5, ":"));
		return *ret ? 0 : -ENOMEM;
	}
	return -ESRCH;
}

int provision_root_password(struct lxmgr_ctx *ctx, struct container *c, bool *ret_changed)
{
	const char *want = c->cfg.provision_root_password;
	_cleanup_free_ char *have = NULL;
	_cleanup_close_ int rootfd = -EBADF;
	bool read_only;
	int r;

	*ret_changed = false;
	if (!want[0])
		return 0;
	rootfd = open_tree(ctx, c, "root-password", &read_only);
	if (rootfd < 0)
		return rootfd;
	r = provision_read_root_hash(rootfd, &have);
	if (r < 0)
		return lx_fail(ctx, r == -ESRCH ? LX_SYNTHETIC(r) : r,
			       "root-password: the rootfs's /etc/shadow has no line for root");
	if (!strcmp(have, want))
		return 0;
	if (read_only)
		return refuse_running_snapshot(ctx, c, "root-password");
	r = login_set_hash(rootfd, "root", want);
	if (r < 0)
		return lx_fail(ctx, r, "root-password: write the rootfs's /etc/shadow");
	*ret_changed = true;
	return 0;
}
