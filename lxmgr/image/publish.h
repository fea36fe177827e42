/* publish.h: local images: a container, cleaned of its identity, kept in the template cache
 * for `create -t image -r ALIAS` (docs/templates.md). */
#pragma once

#include <errno.h>
#include <stdbool.h>

struct lxmgr_ctx;
struct container;
struct create_request;
struct template_request;

/* The template name create takes for an image, and the cache's directory of the images:
 * CACHE/image/ALIAS/ARCH/{rootfs/,config,published}, as a template's entries are kept
 * (template-cache.h), so that gc removes a killed publish's .ARCH.build-XXXXXX. */
#define IMAGE_TEMPLATE "image"
#define IMAGE_STAMP "published"

/* Makes image alias of c (stopped, or running: a temporary snapshot is read): its tree
 * copied, machine-id emptied and SSH host keys and leases removed (identity_reset), its
 * config less the host-specific keys (as export writes it). An existing alias is refused
 * unless force, which swaps the new image in atomically. Reports failures itself. */
int publish_image(const struct lxmgr_ctx *ctx, struct container *c, const char *alias, bool force);
/* Removes image alias. Reports failures itself. */
int publish_delete(const struct lxmgr_ctx *ctx, const char *alias);

/* create -t image -r ALIAS: the image found and locked (shared: no publish --force or
 * delete removes it while it is copied), req pointed at its rootfs and config as a copy
 * with a fresh identity. Reports failures itself. */
struct image_use {
	int lock;
	char *rootfs, *config, *label, *net;
};
#define IMAGE_USE_INIT                                                                             \
	{                                                                                          \
		.lock = -EBADF                                                                     \
	}
int image_use(const struct lxmgr_ctx *ctx, const struct template_request *t, struct image_use *img,
	      struct create_request *req);
void image_use_done(struct image_use *img);

/* gc, after template_cache_gc: removes the empty CACHE/image/ALIAS directories a killed
 * publish left (its build directory gone). Returns how many, or -errno. */
int publish_gc(const struct lxmgr_ctx *ctx);

/* The images of the cache, for `lxmgr templates`: calls fn for each. */
struct image_info {
	const char *alias, *arch;
	char source[128];
	unsigned long long published; /* seconds since the epoch */
};
int image_foreach(const struct lxmgr_ctx *ctx, void (*fn)(const struct image_info *i, void *u),
		  void *u);
