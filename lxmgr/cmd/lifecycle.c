/* cmd-lifecycle.c: start, stop, restart, kill, freeze, unfreeze. */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "args.h"
#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "fs/quota.h"
#include "guest/guest.h"
#include "image/clone.h"
#include "run/attach.h"
#include "run/boot.h"
#include "run/console-client.h"
#include "run/control.h"
#include "run/lifecycle.h"
#include "run/monitor.h"
#include "run/start.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "control"

struct lifecycle_opts {
	const char *name;
	const char *extra; /* kill: the signal */
	char **names;      /* start, stop: every NAME given (argv's own strings) */
	int n_names;
	bool foreground, wait, kill, all;
	bool autostart; /* start --autostart: every stopped container with autostart = yes */
	bool console;   /* start: attach to the console once init runs */
	int timeout;    /* -1: the config's */
};

enum name_args {
	ONE_NAME,       /* NAME */
	NAME_AND_EXTRA, /* NAME [SIGNAL] */
	MANY_NAMES,     /* NAME... or --all */
};

static int check_names(struct lxmgr_ctx *ctx, int argc, char **argv, struct lifecycle_opts *o,
		       enum name_args kind)
{
	int n = argc - optind;

	if (kind == MANY_NAMES) {
		if (o->all && o->autostart)
			return cmd_usage_error(ctx, "--all and --autostart exclude each other");
		if ((o->all || o->autostart) && n > 0)
			return cmd_usage_error(ctx, "%s goes with no NAME",
					       o->all ? "--all" : "--autostart");
		if (!o->all && !o->autostart && n == 0)
			return cmd_usage_error(ctx, "expected NAME... or --all");
		o->names = argv + optind;
		o->n_names = n;
	} else if (o->all || o->autostart) {
		return cmd_usage_error(ctx, "unknown option '%s'",
				       o->all ? "--all" : "--autostart");
	} else if (n < 1 || n > (kind == NAME_AND_EXTRA ? 2 : 1)) {
		return cmd_usage_error(ctx, "expected NAME%s",
				       kind == NAME_AND_EXTRA ? " [SIGNAL]" : "");
	}
	o->name = n > 0 ? argv[optind] : NULL;
	o->extra = kind == NAME_AND_EXTRA && n > 1 ? argv[optind + 1] : NULL;
	ctx->name = n == 1 ? o->name : NULL;
	return 0;
}

static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct lifecycle_opts *o,
		      enum name_args kind)
{
	static const struct option longopts[] = {
		{"foreground", no_argument, NULL, 'f'}, {"wait", no_argument, NULL, 'w'},
		{"kill", no_argument, NULL, 'k'},       {"timeout", required_argument, NULL, 't'},
		{"console", no_argument, NULL, 'c'},    {"all", no_argument, NULL, 'a'},
		{"autostart", no_argument, NULL, 'A'},  {},
	};
	uint32_t t;
	char bad[3];
	int c;

	*o = (struct lifecycle_opts){.timeout = -1};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) >= 0)
		switch (c) {
		case 'f':
			o->foreground = true;
			break;
		case 'w':
			o->wait = true;
			break;
		case 'k':
			o->kill = true;
			break;
		case 'c':
			o->console = true;
			break;
		case 'a':
			o->all = true;
			break;
		case 'A':
			o->autostart = true;
			break;
		case 't':
			if (parse_u32(optarg, &t) < 0 || t > 86400)
				return cmd_usage_error(
					ctx, "--timeout takes seconds (0-86400), not '%s'", optarg);
			o->timeout = (int)t;
			break;
		case ':':
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error(ctx, "unknown option '%s'",
					       args_bad_option(argv, optind, optopt, bad));
		}
	return check_names(ctx, argc, argv, o, kind);
}

static int open_running(struct lxmgr_ctx *ctx, const char *name, struct container **ret,
			int *ret_fd)
{
	_cleanup_container_ struct container *c = NULL;
	int r = store_container_open(ctx, name, &c);

	if (r < 0)
		return r;
	if (!store_is_running(c))
		return lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
	*ret_fd = control_connect(c->rundir);
	if (*ret_fd < 0)
		return lx_fail(ctx, *ret_fd, "connect to the monitor at %s/control", c->rundir);
	*ret = TAKE_PTR(c);
	return 0;
}

struct stopping {
	struct container *c;
	int sock;
};

/* A container without a monitor: if a killed monitor left cgroups or runtime files, they
 * are removed now (under the running lock, as start does), and that counts as stopped. */
static int stop_stopped(struct lxmgr_ctx *ctx, struct container *c, const struct lifecycle_opts *o)
{
	int r = store_lock_running(c);

	if (r == -EBUSY) /* a start took it just now */
		return lx_fail(ctx, LX_SYNTHETIC(r), "container is starting");
	if (r < 0)
		return lx_fail(ctx, r, "lock %s", c->dir);
	r = lifecycle_cleanup_stale(ctx, c);
	if (r != 0)
		return r < 0 ? r : 0;
	return o->all ? 0 : lx_fail(ctx, LX_SYNTHETIC(-ESRCH), "container is not running");
}

/* Sends the stop to one container: 1 when it was asked, 0 when --all skips it (not
 * running), negative after reporting why not. */
static int stop_one(struct lxmgr_ctx *ctx, const char *name, const struct lifecycle_opts *o,
		    struct stopping *ret)
{
	_cleanup_container_ struct container *c = NULL;
	int r;

	ctx->name = name;
	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	if (!store_is_running(c))
		return stop_stopped(ctx, c, o);
	r = lifecycle_send_stop(ctx, c, o->timeout, o->kill);
	if (r < 0)
		return r;
	*ret = (struct stopping){.c = TAKE_PTR(c), .sock = r};
	return 1;
}

/* Every stop signal goes out first, then we wait for all: the containers shut down side by
 * side, so N of them take about as long as the slowest one, not the sum. */
static int stop_many(struct lxmgr_ctx *ctx, char **names, size_t n, const struct lifecycle_opts *o)
{
	_cleanup_free_ struct stopping *st = calloc(n ? n : 1, sizeof(*st));
	size_t asked = 0, failed = 0;
	int r;

	if (!st)
		return lx_fail(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		r = stop_one(ctx, names[i], o, &st[asked]);
		if (r < 0)
			failed++;
		else if (r > 0)
			asked++;
	}
	for (size_t i = 0; i < asked; i++) {
		ctx->name = st[i].c->name;
		(void)lifecycle_wait_monitor_exit(st[i].c, st[i].sock);
		if (store_is_running(st[i].c)) {
			(void)lx_fail(ctx, LX_SYNTHETIC(-ETIMEDOUT), "its monitor still runs");
			failed++;
		}
		(void)close(st[i].sock);
		st[i].c = container_free(st[i].c);
	}
	ctx->name = NULL;
	return failed ? -EIO : 0;
}

int cmd_stop(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **all = NULL;
	struct lifecycle_opts o;
	size_t n = 0;
	int r = parse_opts(ctx, argc, argv, &o, MANY_NAMES);

	if (r != 0)
		return r;
	if (o.autostart)
		return cmd_usage_error(ctx, "unknown option '--autostart'");
	if (!o.all)
		return stop_many(ctx, o.names, (size_t)o.n_names, &o) < 0 ? EXIT_FAILED : 0;
	r = store_list_names(ctx, &all);
	if (r < 0) {
		(void)lx_fail(ctx, r, "read %s", ctx->paths.lib);
		return EXIT_FAILED;
	}
	while (all[n])
		n++;
	return stop_many(ctx, all, n, &o) < 0 ? EXIT_FAILED : 0;
}

static int start_one(struct lxmgr_ctx *ctx, const char *name, const struct lifecycle_opts *o)
{
	_cleanup_container_ struct container *c = NULL;
	int r = lifecycle_start(ctx, name, o->foreground);

	if (r < 0 || !o->console)
		return r;
	r = store_container_open(ctx, name, &c);
	return r < 0 ? r : console_client_attach(ctx, c, /* readonly= */ false);
}

/* start --all or --autostart: whether the store's container name is one to start now (1),
 * one to pass over (0: running, not autostart, or the lower layer of snapshot clones, which
 * must stay stopped), or -errno when it cannot be read (reported). */
static int start_selects(struct lxmgr_ctx *ctx, const char *name, const struct lifecycle_opts *o)
{
	_cleanup_container_ struct container *c = NULL;
	char snaps[256];
	int r;

	ctx->name = name;
	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	if (store_is_running(c) || (o->autostart && !c->cfg.autostart))
		return 0;
	r = clone_snapshots_of(ctx, name, snaps, sizeof(snaps));
	if (r > 0)
		lx_info(ctx, "not started: the lower layer of snapshot clones (%s)", snaps);
	return r < 0 ? lx_fail(ctx, r, "list its snapshot clones") : r == 0;
}

/* The NAMEs, or for --all/--autostart the store's containers start_selects() picks
 * (NULL-terminated, malloc'd); *failed counts those that could not be read. */
static int start_names(struct lxmgr_ctx *ctx, const struct lifecycle_opts *o, char ***ret,
		       int *failed)
{
	_cleanup_strv_ char **all = NULL;
	size_t kept = 0;
	int r;

	if (!o->all && !o->autostart) {
		all = calloc((size_t)o->n_names + 1, sizeof(*all));
		for (int i = 0; all && i < o->n_names; i++)
			if (!(all[i] = strdup(o->names[i])))
				return lx_fail(ctx, -ENOMEM, "out of memory");
		if (!all)
			return lx_fail(ctx, -ENOMEM, "out of memory");
		*ret = TAKE_PTR(all);
		return 0;
	}
	r = store_list_names(ctx, &all);
	if (r < 0)
		return lx_fail(ctx, r, "read %s", ctx->paths.lib);
	for (size_t i = 0; all[i]; i++) {
		char *name = TAKE_PTR(all[i]);

		r = start_selects(ctx, name, o);
		*failed += r < 0;
		if (r > 0)
			all[kept++] = name;
		else
			free(name);
	}
	ctx->name = NULL;
	*ret = TAKE_PTR(all);
	return 0;
}

/* One after another: each start returns once its init runs (milliseconds), and every
 * monitor is forked without the locks of the others. --wait then waits for all of them. */
static int start_verb(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_strv_ char **names = NULL;
	struct lifecycle_opts o;
	_cleanup_free_ bool *started = NULL;
	int failed = 0, n = 0, r = parse_opts(ctx, argc, argv, &o, MANY_NAMES);

	if (r != 0)
		return r;
	if (o.console && (o.foreground || o.wait))
		return cmd_usage_error(ctx, "--console goes with neither --foreground nor --wait");
	if ((o.n_names > 1 || o.all || o.autostart) && (o.console || o.foreground))
		return cmd_usage_error(ctx, "--console and --foreground take one NAME");
	if (start_names(ctx, &o, &names, &failed) < 0)
		return EXIT_FAILED;
	while (names[n])
		n++;
	started = calloc((size_t)n + 1, sizeof(*started));
	if (!started) {
		(void)lx_fail(ctx, -ENOMEM, "out of memory");
		return EXIT_FAILED;
	}
	for (int i = 0; i < n; i++) {
		started[i] = start_one(ctx, names[i], &o) >= 0;
		failed += !started[i];
	}
	for (int i = 0; o.wait && i < n; i++)
		if (started[i] && boot_wait_up(ctx, names[i]) < 0)
			failed++;
	return failed ? EXIT_FAILED : 0;
}

int cmd_start(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	const char *saved_name = ctx->name;
	int r = start_verb(ctx, argc, argv);

	/* ctx->name pointed at names start_verb() freed; a caller (provision) reports on. */
	ctx->name = saved_name;
	return r;
}

int cmd_restart(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, ONE_NAME);

	if (r != 0)
		return r;
	r = stop_many(ctx, (char **)&o.name, 1, &o);
	if (r < 0)
		return EXIT_FAILED;
	return start_one(ctx, o.name, &o) < 0 ? EXIT_FAILED : 0;
}

static int simple_request(struct lxmgr_ctx *ctx, const char *name, enum ctrl_cmd cmd, int arg)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int sock = -EBADF;
	struct ctrl_msg req = {.cmd = cmd, .arg = arg}, rep = {0};
	int r;

	r = open_running(ctx, name, &c, &sock);
	if (r < 0)
		return EXIT_FAILED;
	r = control_call(sock, &req, &rep);
	if (r < 0) {
		(void)lx_fail(ctx, r, "%s", ctrl_cmd_to_string(cmd));
		return EXIT_FAILED;
	}
	if (rep.status < 0) {
		if (rep.text[0])
			(void)lx_fail(ctx, LX_SYNTHETIC(rep.status), "%s", rep.text);
		else
			(void)lx_fail(ctx, rep.status, "%s", ctrl_cmd_to_string(cmd));
		return EXIT_FAILED;
	}
	return 0;
}

int cmd_kill(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int sig = SIGKILL, r = parse_opts(ctx, argc, argv, &o, NAME_AND_EXTRA);

	if (r != 0)
		return r;
	if (o.extra && parse_signal(o.extra, &sig) < 0)
		return cmd_usage_error(ctx, "unknown signal '%s'", o.extra);
	return simple_request(ctx, o.name, CTRL_KILL, sig);
}

int cmd_freeze(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, ONE_NAME);

	return r != 0 ? r : simple_request(ctx, o.name, CTRL_FREEZE, 0);
}

int cmd_unfreeze(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct lifecycle_opts o;
	int r = parse_opts(ctx, argc, argv, &o, ONE_NAME);

	return r != 0 ? r : simple_request(ctx, o.name, CTRL_UNFREEZE, 0);
}
