/* provision.c: applying a container's [provision] section inside it. The steps run as
 * commands inside the booted guest (the exec path: its namespaces, its own useradd, apt,
 * visudo), never as guest binaries on the host; a stopped container is booted for them and
 * stopped again. Output goes to LOG/NAME/provision.log. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/lxmgr.h"
#include "base/progress.h"
#include "base/util.h"
#include "guest/provision-check.h"
#include "guest/provision-steps.h"
#include "guest/provision.h"
#include "image/clone.h"
#include "run/attach.h"
#include "run/lifecycle.h"
#include "store/config.h"
#include "store/store.h"

#define LOG_STEP "provision"
#define PROVISION_LOG_MAX (1 << 20)

struct prov {
	struct lxmgr_ctx *ctx;
	struct container *c;
	int logfd;
	char *logpath;
	char changed[256]; /* names of the steps that changed something */
	int n_changed;
	struct progress progress;
};

/* What needs the guest booted: everything but the host-side seed and root's hash. */
static bool needs_guest(const struct container_config *c)
{
	return c->provision_user[0] || c->provision_ssh_key[0] || c->provision_sudo ||
	       c->provision_packages[0] || c->provision_timezone[0] || c->provision_run[0];
}

bool provision_requested(const struct container_config *c)
{
	return needs_guest(c) || c->provision_cloud_init[0] || c->provision_root_password[0];
}

static void log_text(struct prov *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_text(struct prov *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vdprintf(p->logfd, fmt, ap);
	va_end(ap);
}

static void mark_changed(struct prov *p, const char *step)
{
	size_t len = strlen(p->changed);

	(void)snprintf(p->changed + len, sizeof(p->changed) - len, "%s%s", len ? " " : "", step);
	p->n_changed++;
	log_text(p, "== %s: changed\n", step);
}

/* The last lines of the log on stderr: a failed create removes the log with the container. */
static void show_log_tail(struct prov *p)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0, lines = 0;
	const char *start;

	if (read_file_at(AT_FDCWD, p->logpath, 1 << 20, &text, &len) < 0 || !len)
		return;
	start = text + len;
	while (start > text && lines <= 12)
		if (*--start == '\n')
			lines++;
	if (start > text)
		start++;
	fprintf(stderr, "%s", start);
	if (text[len - 1] != '\n')
		fputc('\n', stderr);
}

/* Runs argv inside with stdin from in_fd (or /dev/null) and stdout/stderr into the log.
 * Returns the command's exit status, or -errno (reported into the log). */
static int run_inside(struct prov *p, char **argv, int in_fd)
{
	_cleanup_close_ int null = -EBADF;
	int saved[3] = {-EBADF, -EBADF, -EBADF}, r;
	struct attach_opts a = {.argv = argv};

	if (in_fd < 0) {
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0)
			return -errno;
		in_fd = null;
	}
	(void)fflush(stdout);
	(void)fflush(stderr);
	for (int fd = 0; fd < 3; fd++)
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	r = 0;
	if (saved[0] < 0 || saved[1] < 0 || saved[2] < 0 || dup2(in_fd, 0) < 0 ||
	    dup2(p->logfd, 1) < 0 || dup2(p->logfd, 2) < 0)
		r = -errno;
	if (r == 0)
		r = lifecycle_attach_running(p->ctx, p->c->name, &a);
	(void)fflush(stderr);
	for (int fd = 0; fd < 3; fd++)
		if (saved[fd] >= 0) {
			(void)dup2(saved[fd], fd);
			(void)close(saved[fd]);
		}
	return r;
}

/* The guest's package manager, for messages: the first of these the rootfs holds. */
static const char *package_manager(const struct container *c)
{
	static const char *const tools[][2] = {{"/usr/bin/apt-get", "apt"},
					       {"/usr/bin/dnf", "dnf"},
					       {"/usr/bin/yum", "yum"},
					       {"/sbin/apk", "apk"}};
	_cleanup_close_ int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	for (size_t i = 0; rootfd >= 0 && i < ELEMENTSOF(tools); i++) {
		_cleanup_close_ int fd = open_in_root(rootfd, tools[i][0], O_PATH, 0);

		if (fd >= 0)
			return tools[i][1];
	}
	return "its package manager";
}

static int preflight_refused(struct prov *p, int status, const char *outcome)
{
	const char *pm = package_manager(p->c);
	int r = LX_SYNTHETIC(-EOPNOTSUPP);

	switch (status) {
	case PROVISION_NO_PACKAGE_MANAGER:
		return lx_fail(p->ctx, r,
			       "preflight: packages asked for, but the guest has no apt-get, dnf, "
			       "yum or apk; %s",
			       outcome);
	case PROVISION_NO_SUDO:
		return lx_fail(p->ctx, r,
			       "preflight: sudo asked for, but the guest has no sudo and %s cannot "
			       "install it; %s",
			       pm, outcome);
	case PROVISION_NO_TZDATA:
		return lx_fail(p->ctx, r,
			       "preflight: timezone %s is not in the guest and %s cannot install "
			       "tzdata; %s",
			       p->c->cfg.provision_timezone, pm, outcome);
	case PROVISION_NO_USERADD:
		return lx_fail(p->ctx, r,
			       "preflight: a user asked for, but the guest has neither useradd nor "
			       "adduser; %s",
			       outcome);
	case PROVISION_NO_PACKAGES:
		return lx_fail(p->ctx, r, "preflight: %s cannot install: %s; %s", pm,
			       p->c->cfg.provision_packages, outcome);
	default:
		return 0;
	}
}

static int step_failed(struct prov *p, const char *step, int status)
{
	bool create = !strcmp(p->ctx->verb, "create");
	int r;

	log_text(p, "== %s: failed (exit status %d)\n", step, status);
	/* A failed create removes the container and its log: show the log's end first. */
	if (create && (strcmp(step, "preflight") || status == PROVISION_NO_PACKAGES))
		show_log_tail(p);
	if (!strcmp(step, "preflight")) {
		r = preflight_refused(p, status,
				      create ? "nothing was created" : "nothing was changed");
		if (r < 0)
			return r;
	}
	return lx_fail(
		p->ctx, LX_SYNTHETIC(-EIO), "step %s failed (exit status %d)%s%s", step, status,
		create ? ": the container was removed" : "; log: ", create ? "" : p->logpath);
}

/* Said where the container is made; a later `provision` keeps it in the log only. */
static int warn_no_sshd(struct prov *p)
{
	log_text(p, "== ssh-server: no sshd in the guest\n");
	if (!strcmp(p->ctx->verb, "create") || !strcmp(p->ctx->verb, "launch"))
		lx_warn(p->ctx, 0,
			"ssh-server: the guest has no SSH server and its package manager could "
			"not install openssh-server (log: %s): --ssh-key lets nobody in, ignoring",
			p->logpath);
	return 0;
}

static int run_step(struct prov *p, enum provision_step s)
{
	const struct container_config *cfg = &p->c->cfg;
	const char *name = provision_step_to_string(s);
	char pkgs[sizeof(cfg->provision_packages)];
	char *argv[] = {"/bin/sh",
			"-c",
			(char *)provision_step_script(s),
			"lxmgr-provision",
			cfg->hostname ? cfg->hostname : p->c->name,
			(char *)cfg->provision_user,
			cfg->provision_sudo ? "1" : "0",
			(char *)cfg->provision_timezone,
			(char *)cfg->provision_ssh_key,
			pkgs,
			NULL};
	int r;

	/* The key takes commas or spaces (lxmgr.conf(5)); the scripts split on spaces. */
	if (provision_packages_normalize(cfg->provision_packages, pkgs, sizeof(pkgs)) < 0)
		pkgs[0] = '\0';

	log_text(p, "== %s\n", name);
	progress_step(p->ctx, &p->progress, "provision", "%s", name);
	r = run_inside(p, argv, -EBADF);
	if (r < 0)
		return step_failed(p, name, r);
	if (r == PROVISION_NO_SSHD && s == PROVISION_STEP_SSH_SERVER)
		return warn_no_sshd(p);
	if (r == PROVISION_CHANGED && s != PROVISION_STEP_PREFLIGHT) {
		mark_changed(p, name);
		return 0;
	}
	return r == 0 ? 0 : step_failed(p, name, r);
}

/* provision.run: the script runs once; its text is kept beside the config after it succeeded,
 * and it runs again only when the file's text differs from that copy. */
static int run_script(struct prov *p)
{
	const char *path = p->c->cfg.provision_run;
	_cleanup_free_ char *text = NULL, *done = NULL;
	_cleanup_close_ int fd = -EBADF;
	char *argv[] = {"/bin/sh", "-s", NULL};
	size_t len = 0;
	int r;

	if (!path[0])
		return 0;
	r = read_file_at(AT_FDCWD, path, 1 << 20, &text, &len);
	if (r < 0)
		return lx_fail(p->ctx, r, "run: read %s", path);
	if (read_file_at(p->c->dirfd, PROVISION_RUN_DONE, 1 << 20, &done, NULL) >= 0 &&
	    !strcmp(done, text)) {
		log_text(p, "== run: %s ran already\n", path);
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lx_fail(p->ctx, -errno, "run: open %s", path);
	log_text(p, "== run %s\n", path);
	progress_step(p->ctx, &p->progress, "provision", "run %s", path);
	r = run_inside(p, argv, fd);
	if (r != 0)
		return step_failed(p, "run", r);
	r = write_file_atomic_at(p->c->dirfd, PROVISION_RUN_DONE, text, len, 0600);
	if (r < 0)
		return lx_fail(p->ctx, r, "run: record that %s ran", path);
	mark_changed(p, "run");
	return 0;
}

static int open_log(struct prov *p)
{
	char when[32];
	time_t now = time(NULL);
	struct stat st;
	struct tm tm;
	int r;

	r = mkdir_p(p->c->logdir, 0700);
	if (r < 0)
		return lx_fail(p->ctx, r, "create %s", p->c->logdir);
	if (xasprintf(&p->logpath, "%s/%s", p->c->logdir, PROVISION_LOG) < 0)
		return lx_fail(p->ctx, -ENOMEM, "out of memory");
	/* Kept small, as the console log: over 1 MiB it is rotated once to provision.log.1. */
	if (stat(p->logpath, &st) == 0 && st.st_size > PROVISION_LOG_MAX) {
		_cleanup_free_ char *old = NULL;

		if (xasprintf(&old, "%s.1", p->logpath) < 0)
			return lx_fail(p->ctx, -ENOMEM, "out of memory");
		if (rename(p->logpath, old) < 0)
			return lx_fail(p->ctx, -errno, "rotate %s", p->logpath);
	}
	p->logfd = open(p->logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (p->logfd < 0)
		return lx_fail(p->ctx, -errno, "open %s", p->logpath);
	(void)strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
	log_text(p, "==== lxmgr %s %s: provisioning at %s\n", p->ctx->verb, p->c->name, when);
	return 0;
}

/* SIGINT, SIGTERM and SIGHUP are held while provisioning runs (attach_run holds them too and
 * passes SIGTERM and SIGHUP on to the step): they end it between steps, and create then
 * removes the container, instead of leaving it running half-provisioned. */
static int check_interrupted(struct prov *p, const char *before)
{
	if (!stop_signal_pending())
		return 0;
	log_text(p, "== interrupted before %s\n", before);
	return lx_fail(p->ctx, LX_SYNTHETIC(-EINTR), "interrupted before %s%s", before,
		       strcmp(p->ctx->verb, "create") ? "" : ": the container was removed");
}

static int run_all(struct prov *p)
{
	int r = 0;

	for (enum provision_step s = 0; s < _PROVISION_STEP_MAX && r >= 0; s++) {
		r = check_interrupted(p, provision_step_to_string(s));
		if (r >= 0)
			r = run_step(p, s);
	}
	if (r >= 0)
		r = check_interrupted(p, "run");
	if (r >= 0)
		r = run_script(p);
	return r;
}

static int host_steps_on_tree(struct prov *p)
{
	bool changed = false;
	int r;

	r = provision_cloud_init_seed(p->ctx, p->c, &changed);
	if (r >= 0 && changed)
		mark_changed(p, "cloud-init");
	if (r >= 0)
		r = provision_root_password(p->ctx, p->c, &changed);
	if (r >= 0 && changed)
		mark_changed(p, "root-password");
	return r;
}

/* Done from the host before any boot: the seed must be there when cloud-init starts. A
 * stopped snapshot clone's tree exists only as an overlay: the steps work on its view,
 * closed again before a boot mounts the same upper layer. */
static int host_steps(struct prov *p)
{
	bool view = p->c->cfg.snapshot_of[0] && !store_is_running(p->c);
	int r = view ? clone_view_open(p->ctx, p->c) : 0;

	if (r >= 0)
		r = host_steps_on_tree(p);
	if (view)
		clone_view_close(p->c);
	return r;
}

static int boot(struct prov *p)
{
	const char *name = p->ctx->name;
	int r;

	log_text(p, "== boot for provisioning\n");
	progress_step(p->ctx, &p->progress, "provision", "booting it");
	r = lifecycle_start(p->ctx, p->c->name, /* foreground= */ false);
	p->ctx->name = name;
	return r < 0 ? -EIO : 0;
}

int provision_apply(struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_container_ struct container *c = NULL;
	struct prov p = {.ctx = ctx, .logfd = -EBADF};
	bool started = false;
	sigset_t mask, old;
	int r;

	(void)sigemptyset(&mask);
	(void)sigaddset(&mask, SIGINT);
	(void)sigaddset(&mask, SIGTERM);
	(void)sigaddset(&mask, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &mask, &old);
	r = store_container_open(ctx, name, &c);
	if (r < 0) {
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	p.c = c;
	progress_init(&p.progress);
	r = open_log(&p);
	if (r >= 0)
		r = host_steps(&p);
	if (r >= 0 && needs_guest(&c->cfg) && !store_is_running(c)) {
		r = boot(&p);
		started = r >= 0;
	}
	if (r >= 0 && needs_guest(&c->cfg))
		r = run_all(&p);
	progress_end(&p.progress);
	if (started && lifecycle_stop_running(ctx, c, r < 0 ? 0 : -1, /* kill_now= */ r < 0) < 0 &&
	    r >= 0)
		r = -EIO;
	if (r >= 0) {
		log_text(&p, "==== done: %s\n", p.n_changed ? p.changed : "no change");
		if (p.n_changed)
			printf("%s: provisioned: changed %s\n", name, p.changed);
		else
			printf("%s: provisioned: no change (everything was in place)\n", name);
		r = p.n_changed;
	}
	if (p.logfd >= 0)
		(void)close(p.logfd);
	free(p.logpath);
	/* A pending signal stays held: the caller cleans up and exits with an error. */
	if (!stop_signal_pending())
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}
