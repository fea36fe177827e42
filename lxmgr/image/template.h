/* template.h: distribution templates (templates/README.md): finding them, what they say
 * about themselves, and running one. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* What `TEMPLATE --describe` prints, one "key: value" per line. */
struct template_info {
	char *name;     /* its file name in the template directory: debian, ubuntu, tarball */
	char *path;     /* DIR/NAME */
	char *summary;  /* summary: one line */
	char *release;  /* release: the default release, "-" when it has none */
	bool cache;     /* cache: yes|no: its rootfs is kept in the template cache */
	char **options; /* option: "--mirror URL  text" lines, NULL-terminated, may be NULL */
};
void template_info_done(struct template_info *t);

/* What create asks of a template (its -t, -r, --arch... options). */
struct template_request {
	const char *name;    /* -t */
	const char *release; /* -r, NULL: the template's default */
	const char *arch;    /* --arch, NULL: the host's */
	const char *mirror;  /* --mirror */
	const char *file;    /* --file */
	const char *url;     /* --url */
	const char *image;   /* --image */
	bool refresh;        /* --refresh: rebuild the cache entry */
	bool verbose;        /* -v: the template's own output on stderr */
};

/* The template directory: $LXMGR_TEMPLATE_DIR, else templates/ beside the running binary's
 * directory in a build tree, else the installed LXMGR_TEMPLATEDIR. *ret is malloc'd. */
int template_dir(char **ret);
/* Names of the templates in dir (executable files, sorted), NULL-terminated, malloc'd. */
int template_list(const char *dir, char ***ret);
/* Runs DIR/NAME --describe. -ENOENT: no such template; -EBADMSG: it answered no summary. */
int template_describe(const char *dir, const char *name, struct template_info *ret);

/* Checks req against what the template takes (its option: lines), a release or arch a path
 * cannot hold, and an architecture the host cannot run; sets *ret_arch (static, the kernel's
 * name: x86_64, aarch64...). Reports the failure itself (step "template"); returns 0 or
 * -errno. */
int template_check_request(const struct lxmgr_ctx *ctx, const struct template_info *t,
			   const struct template_request *req, const char **ret_arch);

/* A template chosen for a create: found, described, its request checked. */
struct template_choice {
	struct template_info info;
	const struct template_request *req;
	const char *release; /* -r or the template's default; NULL when it has no releases */
	const char *arch;    /* the kernel's name (static) */
};
/* Finds req->name in the template directory, runs its --describe and checks req against
 * it. Reports failures itself ("no template 'foo'"); returns 0 or -errno. */
int template_choose(const struct lxmgr_ctx *ctx, const struct template_request *req,
		    struct template_choice *ret);
void template_choice_done(struct template_choice *c);

/* Prints "lxmgr: VERB NAME: template: TEXT" unless -q: a step of long work, as the
 * template's STEP: lines are shown. */
void template_step(const struct lxmgr_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* One run of a template's build into rootfs (an empty directory). */
struct template_run {
	const struct template_info *info;
	const struct template_request *req;
	const char *release;  /* resolved: -r or the template's default */
	const char *arch;     /* resolved */
	const char *rootfs;   /* LXMGR_TEMPLATE_ROOTFS */
	const char *workdir;  /* LXMGR_TEMPLATE_TMPDIR, the template's working directory */
	const char *log_path; /* all of its output; STEP: lines are also shown */
	bool (*cancelled)(void *userdata); /* polled: true kills the template */
	void *userdata;
};

/* Runs the template as PID 1's child in a new pid and mount namespace: when lxmgr dies
 * (even by SIGKILL) the namespace's init gets SIGKILL, which ends every process of the
 * template, and the mounts it made (debootstrap's /proc in the target) vanish with the
 * namespace. Reports failures itself: a bad input (exit 2) as the template's one ERROR
 * line, a failure with the end of its output and the log's path. Returns 0, -EINTR when
 * cancelled, or another -errno. */
int template_run(const struct lxmgr_ctx *ctx, const struct template_run *run);
