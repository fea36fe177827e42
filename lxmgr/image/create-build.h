/* create-build.h: the state of one create (create.c), shared with the steps that fill its
 * rootfs (create-fill.c). Private to the image folder. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "fs/storage.h"
#include "image/create.h"
#include "image/rootless-copy.h"
#include "image/template.h"
#include "store/config.h"

/* clone NAME@SNAP (full copy): the upper and work of the snapshot's view while it is copied. */
#define SOURCE_VIEW_DIR ".source-view"

struct build {
	const struct lxmgr_ctx *ctx;
	const struct create_request *req;
	char *tmpdir; /* LIB/.NAME.create-XXXXXX */
	char *tmp_rootfs;
	int tmpfd;   /* locked: gc leaves a create in progress alone */
	int view_fd; /* snapshot clone or snapshot source: the overlay view (clone.h) */
	bool tty;
	int last_percent;
	struct template_choice tmpl; /* -t: the template, found and checked */
	struct container_config cfg;
	bool rootless; /* filled inside a user namespace that maps the range (rootless.h) */
	enum storage_pool pool;
	bool pool_clone;           /* btrfs source and clone: the rootfs is a subvolume snapshot */
	struct rootless_copy copy; /* rootless --rootfs DIR or clone: the tree as a stream */
	char *tmpl_tarball;        /* rootless -t debian: mmdebstrap's archive (cached) */
};

/* Whether SIGINT, SIGTERM or SIGHUP is pending (held by create): a copy's cancel test. */
bool build_interrupted(void *userdata);
/* What a create copies from, for messages: the clone's source or the directory. */
const char *build_tree_of(const struct create_request *req);
/* Closes the overlay view of a snapshot clone's build (b->view_fd), if any. */
void build_close_view(struct build *b);
/* Fills b->tmp_rootfs from what b->req names (a tarball, a template, a directory, a clone's
 * source), reporting progress on a terminal; reports its failures, -EINTR when interrupted. */
int build_fill_rootfs(struct build *b);
