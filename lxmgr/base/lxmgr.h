/* lxmgr.h: the context every verb passes down, and the store's paths. */
#pragma once

#include <stdbool.h>

/* Where everything lives. Defaults follow DESIGN §8; --root DIR (or LXMGR_ROOT) puts it all
 * under DIR: DIR/lib, DIR/run, DIR/log, DIR/cache and DIR/etc/lxmgr.conf. */
struct lxmgr_paths {
	char *lib;        /* containers: LIB/NAME/{config,rootfs,hooks} */
	char *run;        /* runtime: RUN/NAME/ */
	char *log;        /* LOG/NAME/console.log */
	char *cache;      /* template caches */
	char *conf;       /* global defaults file */
	char *hooks;      /* global hooks: HOOKS/HOOK.d/ */
	char *cgroup_tag; /* cgroup directory prefix, unique per store */
};

enum output_mode {
	OUTPUT_TABLE,
	OUTPUT_JSON,
};

struct lxmgr_ctx {
	const char *verb; /* for messages: "start" */
	const char *name; /* the container the verb acts on, or NULL */
	struct lxmgr_paths paths;
	bool custom_root; /* --root or LXMGR_ROOT was given */
	const char *root; /* that DIR as given, or NULL (a verb re-executing lxmgr passes it) */
	enum output_mode output;
	const char *argv0; /* the lxmgr binary, re-executed by hooks and units */
};

int lxmgr_paths_init(struct lxmgr_paths *p, const char *root);
void lxmgr_paths_done(struct lxmgr_paths *p);
