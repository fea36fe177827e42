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

#include "cleanup.h"
#include "log.h"
#include "login.h"
#include "lxmgr.h"
#include "provision.h"
#include "store.h"
#include "util.h"

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

/* Writes text to path inside unless it holds it already: 1 written, 0 unchanged. */
static int write_if_changed(int rootfd, const char *path, const char *text, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *old = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t len = strlen(text);

	if (read_file_in_root(rootfd, path, O_NOFOLLOW, 1 << 20, &old, NULL) >= 0 &&
	    !strcmp(old, text))
		return 0;
	fd = open_in_root(rootfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fd;
	if (len && write(fd, text, len) != (ssize_t)len)
		return -EIO;
	if (fchown(fd, uid, gid) < 0 || fchmod(fd, 0600) < 0)
		return -errno;
	return 1;
}

int provision_cloud_init_seed(struct lxmgr_ctx *ctx, struct container *c, bool *ret_changed)
{
	const struct container_config *cfg = &c->cfg;
	_cleanup_free_ char *user_data = NULL, *meta = NULL;
	_cleanup_close_ int rootfd = -EBADF, probe = -EBADF;
	uid_t uid = cfg->rootfs_shifted ? cfg->uid_base : 0;
	gid_t gid = cfg->rootfs_shifted ? cfg->gid_base : 0;
	int r, w1, w2;

	*ret_changed = false;
	if (!cfg->provision_cloud_init[0])
		return 0;
	/* A snapshot's rootfs directory is empty: its tree exists only as a mounted overlay. */
	if (cfg->snapshot_of[0])
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "cloud-init: %s is a snapshot of %s, whose overlay is only mounted "
			       "while it runs: seed a full clone instead",
			       c->name, cfg->snapshot_of);
	r = read_file_at(AT_FDCWD, cfg->provision_cloud_init, 1 << 20, &user_data, NULL);
	if (r < 0)
		return lx_fail(ctx, r, "cloud-init: read %s", cfg->provision_cloud_init);
	rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open %s", c->rootfs);
	probe = open_in_root(rootfd, "/usr/bin/cloud-init", O_PATH, 0);
	if (probe < 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "cloud-init: the image has no cloud-init (/usr/bin/cloud-init); use "
			       "--user, --ssh-key, --packages and --run instead");
	if (xasprintf(&meta, "instance-id: %s\nlocal-hostname: %s\n", cfg->uuid,
		      cfg->hostname ? cfg->hostname : c->name) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	r = mkdir_in_root(rootfd, SEED_DIR, uid, gid);
	if (r < 0)
		return lx_fail(ctx, r, "cloud-init: create %s in the rootfs", SEED_DIR);
	w1 = write_if_changed(rootfd, SEED_DIR "/user-data", user_data, uid, gid);
	w2 = w1 < 0 ? w1 : write_if_changed(rootfd, SEED_DIR "/meta-data", meta, uid, gid);
	if (w1 < 0 || w2 < 0)
		return lx_fail(ctx, w1 < 0 ? w1 : w2, "cloud-init: write the seed in %s", SEED_DIR);
	*ret_changed = w1 > 0 || w2 > 0;
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
	int r;

	*ret_changed = false;
	if (!want[0])
		return 0;
	if (c->cfg.snapshot_of[0])
		return lx_fail(ctx, LX_SYNTHETIC(-EOPNOTSUPP),
			       "root-password: %s is a snapshot of %s, whose overlay is only "
			       "mounted while it runs: set it inside with passwd",
			       c->name, c->cfg.snapshot_of);
	rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open %s", c->rootfs);
	r = provision_read_root_hash(rootfd, &have);
	if (r < 0)
		return lx_fail(ctx, r == -ESRCH ? LX_SYNTHETIC(r) : r,
			       "root-password: the rootfs's /etc/shadow has no line for root");
	if (!strcmp(have, want))
		return 0;
	r = login_set_hash(rootfd, "root", want);
	if (r < 0)
		return lx_fail(ctx, r, "root-password: write the rootfs's /etc/shadow");
	*ret_changed = true;
	return 0;
}
