/* store.h: where containers live, opening one, its lock, listing. */
#pragma once

#include <stdbool.h>

#include "store/config.h"

struct lxmgr_ctx;

/* In RUN, beside the containers' runtime directories: a name no container can have. The
 * store's lib directory holds containers only (tests and users list it). */
#define STORE_ALLOC_LOCK ".alloc.lock"

struct container {
	char *name;
	char *dir;         /* LIB/NAME */
	char *config_path; /* LIB/NAME/config */
	char *rootfs;      /* LIB/NAME/rootfs */
	char *rundir;      /* RUN/NAME */
	char *logdir;      /* LOG/NAME */
	int dirfd;         /* LIB/NAME, O_DIRECTORY; the monitor holds flock(LOCK_EX) on it */
	int view_fd;       /* snapshot clones: the host's view of the rootfs (clone.h), or -EBADF */
	/* Set by whoever opened view_fd (clone_view_open): container_free closes the view through
	 * it, so that the store needs nothing of the image folder. */
	void (*close_view)(struct container *c);
	struct container_config cfg;
};

/* Builds the paths of a container (no I/O); name must be valid. */
int store_container_paths(const struct lxmgr_ctx *ctx, const char *name, struct container **ret);
/* Opens an existing container: validates the name, opens its directory, loads defaults, the
 * global file and its config. Reports every failure itself (one line) and returns -errno. */
int store_container_open(const struct lxmgr_ctx *ctx, const char *name, struct container **ret);
struct container *container_free(struct container *c);
void container_freep(struct container **c);
#define _cleanup_container_ _cleanup_(container_freep)

/* Loads the built-in defaults plus the global lxmgr.conf (create uses this for new ones). */
int store_load_defaults(const struct lxmgr_ctx *ctx, struct container_config *ret);

/* Takes the running lock without blocking: -EBUSY when a monitor holds it. */
int store_lock_running(struct container *c);
/* The running lock of a stopped container, held (until c is freed) while the caller works on
 * it: a start must wait. A running one is refused in one line ("NAME is running: stop it
 * first"), reported under the caller's step. Returns 0 or -errno. */
int store_lock_stopped(const struct lxmgr_ctx *ctx, const char *step, struct container *c);
/* true while a monitor holds the running lock. */
bool store_is_running(const struct container *c);

/* Names of all containers in the store, sorted; a NULL-terminated malloc'd vector. */
int store_list_names(const struct lxmgr_ctx *ctx, char ***ret);

/* The store's allocation lock (flock on RUN/.alloc.lock), blocking: held while a create
 * chooses its ids and addresses and writes them as its reservation, while a start allocates
 * or moves them, while config set checks an id range, and around create's rename. Nothing
 * that takes it runs while holding a container's config lock (config.h). Returns the fd (the
 * lock lasts until it is closed) or -errno; does not report. */
int store_lock_alloc(const struct lxmgr_ctx *ctx);

/* Calls fn for every container of the store whose own config file parses (over the built-in
 * defaults; the global file is not read), then for every create in progress whose reservation
 * parses (LIB/.NAME.create-XXXXXX/config, with name NAME). A negative return of fn stops and
 * is returned. */
int store_foreach_config(const struct lxmgr_ctx *ctx,
			 int (*fn)(void *userdata, const char *name,
				   const struct container_config *c),
			 void *userdata);

/* store_foreach_config, parsing only the configs whose raw text wanted accepts: a cheap look
 * that must never turn away a config fn would act on, unless it took from the text itself
 * what fn would have (see config_peek). */
int store_foreach_config_where(const struct lxmgr_ctx *ctx,
			       bool (*wanted)(void *userdata, const char *text),
			       int (*fn)(void *userdata, const char *name,
					 const struct container_config *c),
			       void *userdata);

/* Reports a config error in the one-line form "FILE:LINE: KEY: message". */
int store_report_config_error(const struct lxmgr_ctx *ctx, int r, const struct config_error *e);
