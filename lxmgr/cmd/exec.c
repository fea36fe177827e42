/* cmd-exec.c: lxmgr exec: a command inside a running container; its status is ours. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "run/attach.h"
#include "run/lifecycle.h"
#include "store/runtime.h"
#include "store/store.h"

#define LOG_STEP "exec"
#define MAX_ENV 64

struct exec_opts {
	const char *name;
	const char *user;
	char *env[MAX_ENV + 1];
	int n_env;
	char **argv;
	int tty; /* 1: -t, 0: -T, -1: a pty when stdin and stdout are both terminals */
};

static int parse_opts(struct lxmgr_ctx *ctx, int argc, char **argv, struct exec_opts *o)
{
	static const struct option longopts[] = {
		{"user", required_argument, NULL, 'u'},
		{"env", required_argument, NULL, 'e'},
		{"tty", no_argument, NULL, 't'},
		{"no-tty", no_argument, NULL, 'T'},
		{},
	};
	char bad[3];
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":u:e:tT", longopts, NULL)) >= 0)
		switch (c) {
		case 'u':
			o->user = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return cmd_usage_error(ctx, "--env takes KEY=VALUE, not '%s'",
						       optarg);
			if (o->n_env == MAX_ENV)
				return cmd_usage_error(ctx, "at most %d --env options", MAX_ENV);
			o->env[o->n_env++] = optarg;
			break;
		case 't':
		case 'T':
			if (o->tty != -1 && o->tty != (c == 't'))
				return cmd_usage_error(ctx, "-t and -T cannot be given together");
			o->tty = c == 't';
			break;
		case ':':
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cmd_usage_error(ctx,
					       "unknown option '%s' (put the command after --)",
					       args_bad_option(argv, optind, optopt, bad));
		}
	if (optind >= argc)
		return cmd_usage_error(ctx, "expected NAME -- CMD [ARGS...]");
	o->name = argv[optind++];
	ctx->name = o->name;
	if (optind >= argc)
		return cmd_usage_error(ctx, "no command given (lxmgr exec NAME -- CMD [ARGS...])");
	o->argv = argv + optind;
	return 0;
}

int cmd_exec(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	struct exec_opts o = {.tty = -1};
	struct attach_opts a;
	int r;

	r = parse_opts(ctx, argc, argv, &o);
	if (r != 0)
		return r;
	/* A pty only for a terminal at both ends: `exec ... > file` from a terminal must get the
	 * command's bytes, not a pty's CR-LF. Either way no host terminal reaches the command. */
	if (o.tty == -1)
		o.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	a = (struct attach_opts){.user = o.user, .env = o.env, .argv = o.argv, .tty = o.tty == 1};
	r = lifecycle_attach_running(ctx, o.name, &a);
	return r < 0 ? EXIT_FAILED : r;
}
