/* create-fill.c: filling a new container's rootfs (create-build.h): from a tarball, a
 * template, a directory, a clone's source or snapshot, or (rootless) a reader's stream. */
#include <fcntl.h>
#include <linux/fs.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "base/cleanup.h"
#include "base/lazy-libs.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "fs/idmap-alloc.h"
#include "fs/idmap.h"
#include "fs/rootfs.h"
#include "fs/rootless.h"
#include "fs/storage.h"
#include "guest/guest.h"
#include "guest/identity.h"
#include "guest/login.h"
#include "image/clone.h"
#include "image/copy.h"
#include "image/create.h"
#include "image/import.h"
#include "image/rootless-copy.h"
#include "image/rootless-template.h"
#include "image/snapshot.h"
#include "image/template-cache.h"
#include "image/template.h"
#include "network/network.h"
#include "run/hooks.h"
#include "store/store.h"

#include "image/create-build.h"

#define LOG_STEP "create"

bool build_interrupted(void *userdata _unused_)
{
	return stop_signal_pending();
}

static void report(void *userdata, uint64_t done, uint64_t total)
{
	struct build *b = userdata;
	int percent = total ? (int)(done * 100 / total) : 100;

	if (percent > 100)
		percent = 100;
	/* Progress is for people: -q (errors only) silences it. */
	if (log_threshold() < LOG_LEVEL_WARNING)
		return;
	/* A terminal gets a line that updates in place; a log gets every 25%. */
	if (b->tty) {
		fprintf(stderr, "\rlxmgr: %s %s: rootfs: %3d%% (%llu of %llu MiB)", b->ctx->verb,
			b->req->name, percent, (unsigned long long)(done >> 20),
			(unsigned long long)(total >> 20));
		if (percent == 100)
			fputc('\n', stderr);
	} else if (percent / 25 != b->last_percent / 25 ||
		   (percent == 100 && b->last_percent != 100)) {
		fprintf(stderr, "lxmgr: %s %s: rootfs: %d%%\n", b->ctx->verb, b->req->name,
			percent);
	}
	b->last_percent = percent;
}

void build_close_view(struct build *b)
{
	_cleanup_free_ char *ovdir = NULL;

	if (b->view_fd < 0)
		return;
	if (xasprintf(&ovdir, "%s/" CLONE_OVERLAY_DIR, b->tmpdir) >= 0)
		clone_close_view_at(b->view_fd, ovdir);
	else
		(void)close(b->view_fd);
	b->view_fd = -EBADF;
}

/* Points b->tmp_rootfs at the overlay view of lower and overlay_dir (clone.h). */
static int use_view(struct build *b, const char *lower, const char *overlay_dir)
{
	b->view_fd = clone_open_view_at(lower, overlay_dir, /* volatile_= */ true);
	if (b->view_fd < 0)
		return lx_fail(b->ctx, b->view_fd, "overlayfs of %s and %s", lower, overlay_dir);
	free(b->tmp_rootfs);
	b->tmp_rootfs = NULL;
	if (xasprintf(&b->tmp_rootfs, "/proc/self/fd/%d", b->view_fd) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	return 0;
}

/* clone: the source's own hooks (LIB/SRC/hooks) are the clone's too. */
static int copy_own_hooks(struct build *b)
{
	_cleanup_free_ char *from = NULL, *to = NULL, *failed = NULL;
	int r;

	if (xasprintf(&from, "%s/hooks", b->req->clone_of->dir) < 0 ||
	    xasprintf(&to, "%s/hooks", b->tmpdir) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	if (access(from, F_OK) < 0)
		return 0;
	r = copy_tree(from, to, 0, 0, NULL, &failed);
	return r < 0 ? lx_fail(b->ctx, r, "copy %s", failed ? failed : from) : 0;
}

/* A full clone of a snapshot clone, or of a snapshot (clone_ref): its merged tree mounted on
 * the source's rootfs directory, in a mount namespace of this process only (copy_tree walks a
 * path). A snapshot's view gets an empty upper of its own, under the build's directory. */
static int attach_source_view(struct build *b)
{
	const struct container *src = b->req->clone_of;
	const char *ref = b->req->clone_ref ? b->req->clone_ref : src->cfg.snapshot_of;
	_cleanup_free_ char *lower = NULL, *ovdir = NULL;
	_cleanup_close_ int srcview = -EBADF;
	int r;

	r = snapshot_lower_of(b->ctx, ref, &lower);
	if (r < 0)
		return lx_fail(b->ctx, r, "the layers of %s", ref);
	if (b->req->clone_ref)
		r = xasprintf(&ovdir, "%s/" SOURCE_VIEW_DIR, b->tmpdir);
	else
		r = xasprintf(&ovdir, "%s/" CLONE_OVERLAY_DIR, src->dir);
	if (r < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	if (b->req->clone_ref &&
	    (mkdir(ovdir, 0700) < 0 || mkdirat(b->tmpfd, SOURCE_VIEW_DIR "/upper", 0755) < 0 ||
	     mkdirat(b->tmpfd, SOURCE_VIEW_DIR "/work", 0755) < 0))
		return lx_fail(b->ctx, -errno, "make %s", ovdir);
	/* Not volatile: it lasts until this process exits, its marker would stay. */
	srcview = clone_open_view_at(lower, ovdir, /* volatile_= */ false);
	if (srcview < 0)
		return lx_fail(b->ctx, srcview, "overlayfs of %s and %s", lower, ovdir);
	r = clone_attach_private(srcview, src->rootfs);
	if (r < 0)
		return lx_fail(b->ctx, r, "mount the view of %s on %s", ref, src->rootfs);
	return 0;
}

/* A full clone into the dir pool of a btrfs container's snapshot: a copy of its subvolume. */
static int fill_from_pool_snapshot(struct build *b, const struct copy_progress *p)
{
	const char *at = strchr(b->req->clone_ref, '@');
	_cleanup_free_ char *link = NULL, *from = NULL, *failed = NULL;
	int r;

	if (xasprintf(&link, "%s/" SNAPSHOT_DIR "/%s/rootfs", b->req->clone_of->dir, at + 1) < 0)
		return lx_fail(b->ctx, -ENOMEM, "out of memory");
	/* The tree itself: copy_tree does not follow a link at its top. */
	from = realpath(link, NULL);
	if (!from)
		return lx_fail(b->ctx, -errno, "resolve %s", link);
	r = copy_tree(from, b->tmp_rootfs, 0, 0, p, &failed);
	return r < 0 && r != -EINTR ? lx_fail(b->ctx, r, "copy %s", failed ? failed : from) : r;
}

/* clone: a snapshot gets its layers and works on its overlay view from here on; a full
 * clone copies the source's rootfs (a snapshot source through its view). */
static int fill_from_source(struct build *b, const struct copy_progress *p)
{
	const struct container *src = b->req->clone_of;
	_cleanup_free_ char *failed = NULL, *ovdir = NULL, *lower = NULL;
	int r;

	r = copy_own_hooks(b);
	if (r < 0 || b->pool_clone)
		return r;
	if (b->req->clone_ref && storage_of(&src->cfg) == STORAGE_BTRFS)
		return fill_from_pool_snapshot(b, p);
	if (b->req->snapshot) {
		/* Rootless: the view is mounted in this child's namespaces, gone with it. */
		if (b->rootless && unshare(CLONE_NEWNS) < 0)
			return lx_fail(b->ctx, -errno, "unshare the mount namespace");
		r = clone_make_layers(b->tmpdir);
		if (r < 0)
			return lx_fail(b->ctx, r, "make the overlay layers in %s", b->tmpdir);
		if (xasprintf(&ovdir, "%s/" CLONE_OVERLAY_DIR, b->tmpdir) < 0)
			return lx_fail(b->ctx, -ENOMEM, "out of memory");
		if (!b->req->clone_ref)
			return use_view(b, src->rootfs, ovdir);
		r = snapshot_lower_of(b->ctx, b->req->clone_ref, &lower);
		if (r < 0)
			return lx_fail(b->ctx, r, "the layers of %s", b->req->clone_ref);
		return use_view(b, lower, ovdir);
	}
	if (b->req->clone_ref || clone_is_snapshot(&src->cfg)) {
		r = attach_source_view(b);
		if (r < 0)
			return r;
	}
	r = copy_tree(src->rootfs, b->tmp_rootfs, 0, 0, p, &failed);
	if (r == -EINTR)
		return r;
	if (r < 0)
		return lx_fail(b->ctx, r, "copy %s", failed ? failed : src->rootfs);
	if (b->req->clone_ref) {
		/* The snapshot's view is ours alone: gone, its empty upper goes too. */
		if (umount2(src->rootfs, MNT_DETACH) < 0)
			return lx_fail(b->ctx, -errno, "unmount the view on %s", src->rootfs);
		r = rm_rf_at(b->tmpfd, SOURCE_VIEW_DIR);
		if (r < 0)
			return lx_fail(b->ctx, r, "remove %s/" SOURCE_VIEW_DIR, b->tmpdir);
	}
	return 0;
}

const char *build_tree_of(const struct create_request *req)
{
	return req->clone_of ? req->clone_of->rootfs : req->source_dir;
}

/* Rootless --rootfs DIR or clone: the reader's stream (rootless-copy.h), unpacked here, inside
 * the new range's user namespace. */
static int fill_from_stream(struct build *b, const struct copy_progress *p)
{
	_cleanup_free_ char *failed = NULL, *why = NULL;
	struct copy_progress quiet = {0};
	char stream[64];
	int r = b->req->clone_of ? copy_own_hooks(b) : 0;

	if (r < 0)
		return r;
	if (mkdir(b->tmp_rootfs, 0755) < 0)
		return lx_fail(b->ctx, -errno, "mkdir %s", b->tmp_rootfs);
	(void)snprintf(stream, sizeof(stream), "/proc/self/fd/%d", b->copy.fd);
	/* No progress: a stream has no size to count against. */
	quiet.cancelled = p->cancelled;
	quiet.userdata = p->userdata;
	r = import_tarball(stream, b->tmp_rootfs, &quiet, &failed);
	if (r == -EINTR)
		return r;
	/* A reader that failed is the cause of anything wrong with what it sent. */
	if (rootless_copy_check(&b->copy, &why) < 0)
		return lx_fail(b->ctx, LX_SYNTHETIC(-EIO), "read %s: %s", build_tree_of(b->req),
			       why ? why : "tar failed");
	return r < 0 ? lx_fail(b->ctx, r == -EMEDIUMTYPE ? LX_SYNTHETIC(-EIO) : r,
			       "copy %s into the container's ids%s%s", build_tree_of(b->req),
			       failed ? ": " : "", failed ? failed : "")
		     : 0;
}

int build_fill_rootfs(struct build *b)
{
	const struct create_request *req = b->req;
	struct copy_progress p = {.report = report, .cancelled = build_interrupted, .userdata = b};
	_cleanup_free_ char *failed = NULL;
	int r;

	const char *tarball = b->tmpl_tarball ? b->tmpl_tarball : req->tarball;

	if (req->tmpl && !b->tmpl_tarball)
		return template_make_rootfs(b->ctx, &b->tmpl, b->tmpdir, b->tmp_rootfs, &p);
	if (b->copy.fd >= 0)
		return fill_from_stream(b, &p);
	if (tarball) {
		if (mkdir(b->tmp_rootfs, 0755) < 0)
			return lx_fail(b->ctx, -errno, "mkdir %s", b->tmp_rootfs);
		r = import_tarball_with(tarball, b->tmp_rootfs,
					b->tmpl_tarball ? NULL : req->tarball_args, &p, &failed);
		if (r == -EINTR)
			return r;
		if (r == -EMEDIUMTYPE)
			return lx_fail(b->ctx, LX_SYNTHETIC(r), "%s is not a tar archive%s%s",
				       tarball, failed ? ": " : "", failed ? failed : "");
		if (r < 0)
			return lx_fail(b->ctx, r, "unpack %s", tarball);
		return 0;
	}
	if (req->clone_of)
		return fill_from_source(b, &p);
	if (req->adopt_source_dir && b->pool == STORAGE_DIR &&
	    renameat(AT_FDCWD, req->source_dir, AT_FDCWD, b->tmp_rootfs) < 0)
		return lx_fail(b->ctx, -errno, "move %s into place", req->source_dir);
	if (req->adopt_source_dir && b->pool == STORAGE_DIR)
		return 0;
	r = copy_tree(req->source_dir, b->tmp_rootfs, 0, 0, &p, &failed);
	if (r == -EINTR)
		return r;
	if (r < 0)
		return lx_fail(b->ctx, r, "copy %s", failed ? failed : req->source_dir);
	return 0;
}
