/* export-snapshots.c: export --snapshots: a container's snapshot records and the sealed layers
 * they stand on, into the archive and back into the imported container (docs/snapshots.md). */
#include <dirent.h>
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
#include "guest/guest.h"
#include "guest/identity.h"
#include "image/export.h"
#include "image/snapshot.h"
#include "store/config.h"
#include "store/store.h"

#define LOG_STEP "export"

static int strv_add(char ***v, size_t *n, const char *s, bool unique)
{
	char **grown;

	if (unique)
		for (size_t i = 0; i < *n; i++)
			if (!strcmp((*v)[i], s))
				return 0;
	grown = realloc(*v, (*n + 2) * sizeof(char *));
	if (!grown)
		return -ENOMEM;
	*v = grown;
	grown[*n] = strdup(s);
	grown[*n + 1] = NULL;
	return grown[(*n)++] ? 0 : -ENOMEM;
}

static int copy_file_at(int from_dirfd, const char *from, const char *to)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r = read_file_at(from_dirfd, from, 1 << 20, &text, &len);

	return r < 0 ? r : write_file_atomic_at(AT_FDCWD, to, text, len, 0600);
}

/* stage/snapshots/SNAP: the record, its config cleaned; the ids of its layers into *layers. */
static int stage_one(const struct container *c, const char *stage, const char *snap, char ***layers,
		     size_t *n)
{
	_cleanup_free_ char *dir = NULL, *rec = NULL, *text = NULL, *p = NULL, *q = NULL;
	char *save = NULL;
	size_t len = 0;
	int r;

	if (xasprintf(&dir, "%s/" EXPORT_SNAPSHOTS "/%s", stage, snap) < 0 ||
	    xasprintf(&rec, SNAPSHOT_DIR "/%s", snap) < 0 || xasprintf(&p, "%s/stack", rec) < 0 ||
	    xasprintf(&q, "%s/stack", dir) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0)
		return -errno;
	r = read_file_at(c->dirfd, p, 1 << 16, &text, &len);
	if (r < 0)
		return r;
	r = write_file_atomic_at(AT_FDCWD, q, text, len, 0600);
	for (char *l = strtok_r(text, "\n", &save); r >= 0 && l; l = strtok_r(NULL, "\n", &save)) {
		_cleanup_free_ char *m = NULL;

		if (!name_is_valid(l))
			return -EBADMSG;
		r = xasprintf(&m, EXPORT_LAYERS "/%s", l) < 0 ? -ENOMEM
							      : strv_add(layers, n, m, true);
	}
	free(p);
	free(q);
	p = q = NULL;
	if (r >= 0 && (xasprintf(&p, "%s/config", rec) < 0 || xasprintf(&q, "%s/config", dir) < 0))
		r = -ENOMEM;
	if (r >= 0)
		r = export_clean_config(c->dirfd, p, q);
	free(p);
	free(q);
	p = q = NULL;
	if (r >= 0 &&
	    (xasprintf(&p, "%s/created", rec) < 0 || xasprintf(&q, "%s/created", dir) < 0))
		r = -ENOMEM;
	return r < 0 ? r : copy_file_at(c->dirfd, p, q);
}

int export_stage_snapshots(const struct container *c, const char *stage, char ***ret_extra)
{
	_cleanup_free_ struct snapshot_info *v = NULL;
	_cleanup_strv_ char **layers = NULL, **extra = NULL;
	_cleanup_free_ char *dir = NULL;
	size_t nl = 0, ne = 0;
	int n, r = 0;

	*ret_extra = NULL;
	n = snapshot_list(c, &v);
	if (n <= 0)
		return n;
	if (xasprintf(&dir, "%s/" EXPORT_SNAPSHOTS, stage) < 0)
		return -ENOMEM;
	if (mkdir(dir, 0700) < 0)
		return -errno;
	for (int i = 0; r >= 0 && i < n; i++)
		r = stage_one(c, stage, v[i].name, &layers, &nl);
	if (r < 0)
		return r;
	r = strv_add(&extra, &ne, "-C", false);
	if (r >= 0)
		r = strv_add(&extra, &ne, stage, false);
	if (r >= 0)
		r = strv_add(&extra, &ne, EXPORT_SNAPSHOTS, false);
	if (r >= 0)
		r = strv_add(&extra, &ne, "-C", false);
	if (r >= 0)
		r = strv_add(&extra, &ne, c->dir, false);
	for (size_t i = 0; r >= 0 && i < nl; i++)
		r = strv_add(&extra, &ne, layers[i], false);
	if (r < 0)
		return r;
	*ret_extra = TAKE_PTR(extra);
	return 0;
}

/* The keys export left out that make the snapshot's config this container's: a restore puts
 * the config back whole. rootfs.snapshot_of is set by the restore itself. */
static const char *const identity_keys[] = {
	"container.name", "container.uuid", "container.hostname",
	"idmap.uid_base", "idmap.gid_base", "net.ip",
	"net.ip6",        "net.mac",
};

static int give_identity(const struct lxmgr_ctx *ctx, const struct container *c, const char *cfg)
{
	struct config_error e = {0};

	for (size_t i = 0; i < ELEMENTSOF(identity_keys); i++) {
		_cleanup_free_ char *value = NULL;
		int r = config_get(&c->cfg, identity_keys[i], &value);

		if (r < 0)
			return lx_fail(ctx, r, "read %s of %s", identity_keys[i], c->name);
		if (!value[0])
			continue;
		r = config_edit_file(cfg, identity_keys[i], value, &e);
		if (r < 0)
			return store_report_config_error(ctx, r, &e);
	}
	return 0;
}

static int fix_configs(const struct lxmgr_ctx *ctx, const struct container *c, const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return lx_fail(ctx, -errno, "open %s", dir);
	while ((de = readdir(d))) {
		_cleanup_free_ char *cfg = NULL;
		int r;

		if (de->d_name[0] == '.')
			continue;
		if (!name_is_valid(de->d_name))
			return lx_fail(ctx, LX_SYNTHETIC(-EBADMSG),
				       "the archive holds a snapshot of an invalid name");
		if (xasprintf(&cfg, "%s/%s/config", dir, de->d_name) < 0)
			return lx_fail(ctx, -ENOMEM, "out of memory");
		r = give_identity(ctx, c, cfg);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A layer's /etc as the exported machine left it (its machine-id committed at boot, its SSH
 * host keys, hostname and leases) would make a restored snapshot boot as that machine: each
 * layer with an /etc gets what create does to a copied tree. */
static int reset_layer(const struct lxmgr_ctx *ctx, const struct container *c, int layerfd,
		       const char *id)
{
	struct stat st;
	int r;

	if (fstatat(layerfd, "etc", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	r = identity_reset(layerfd, 0, 0);
	/* /etc/hosts is rewritten keeping its other lines: only where the layer has it whole. */
	if (r >= 0 && faccessat(layerfd, "etc/hostname", F_OK, AT_SYMLINK_NOFOLLOW) == 0 &&
	    faccessat(layerfd, "etc/hosts", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		r = guest_write_identity(layerfd, c->cfg.hostname, 0, 0);
	return r < 0 ? log_fail_full(ctx, "identity", r, "reset the identity in layer %s", id) : 0;
}

static int reset_layers(const struct lxmgr_ctx *ctx, const struct container *c, const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT ? 0 : lx_fail(ctx, -errno, "open %s", dir);
	while ((de = readdir(d))) {
		_cleanup_close_ int fd = -EBADF;
		int r;

		if (de->d_name[0] == '.')
			continue;
		fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return lx_fail(ctx, -errno, "open %s/%s", dir, de->d_name);
		r = reset_layer(ctx, c, fd, de->d_name);
		if (r < 0)
			return r;
	}
	return 0;
}

int export_adopt_snapshots(const struct lxmgr_ctx *ctx, const char *stage, const char *name,
			   bool keep_identity)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_free_ char *snaps = NULL, *layers = NULL, *to = NULL;
	_cleanup_free_ struct snapshot_info *v = NULL;
	struct stat st;
	int r;

	if (xasprintf(&snaps, "%s/" EXPORT_SNAPSHOTS, stage) < 0 ||
	    xasprintf(&layers, "%s/" EXPORT_LAYERS, stage) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (stat(snaps, &st) < 0)
		return 0;
	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	r = fix_configs(ctx, c, snaps);
	if (r >= 0 && !keep_identity)
		r = reset_layers(ctx, c, layers);
	if (r < 0)
		return r;
	/* The records first, then their layers: a kill between leaves records without layers,
	 * which gc removes (snapshot_gc). The container is new: nothing else is there yet. */
	if (xasprintf(&to, "%s/" SNAPSHOT_DIR, c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (rename(snaps, to) < 0)
		return lx_fail(ctx, -errno, "move the snapshots into %s", to);
	free(to);
	if (xasprintf(&to, "%s/" SNAPSHOT_LAYERS_DIR, c->dir) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	if (stat(layers, &st) == 0 && rename(layers, to) < 0)
		return lx_fail(ctx, -errno, "move the layers into %s", to);
	(void)chmod(to, 0700);
	r = snapshot_list(c, &v);
	return r < 0 ? lx_fail(ctx, r, "list the snapshots of %s", name) : r;
}
