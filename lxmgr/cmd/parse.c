/* parse.c: the one option parser of the verbs. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "base/lxmgr.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"

/* getopt_long's short option string: ':' first, so that a missing value is told from an
 * unknown option. */
static void short_string(const struct verb_args *a, char buf[static 64])
{
	(void)snprintf(buf, 64, "%s:%s", a->options_first ? "+" : "",
		       a->shortopts ? a->shortopts : "");
}

static int take_args(struct lxmgr_ctx *ctx, int argc, char **argv, struct verb_args *a)
{
	const char *what = a->args_name ? a->args_name : "NAME";

	a->args = argv + optind;
	a->n_args = argc - optind;
	if (a->max_args == 0 && a->n_args > 0)
		return cmd_usage_error(ctx, "%s takes no arguments (got '%s')", ctx->verb,
				       a->args[0]);
	if (a->max_args >= 0 && a->n_args > a->max_args)
		return cmd_usage_error(ctx, "unexpected argument '%s'", a->args[a->max_args]);
	if (a->n_args < a->min_args)
		return cmd_usage_error(ctx, "expected %s", what);
	if (a->n_args > 0)
		ctx->name = a->args[0];
	return 0;
}

int cmd_parse(struct lxmgr_ctx *ctx, int argc, char **argv, struct verb_args *a)
{
	static const struct option none[] = {{}};
	char shortopts[64], bad[3];
	int c, r;

	short_string(a, shortopts);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, a->longopts ? a->longopts : none, NULL)) >=
	       0) {
		if (c == ':')
			return cmd_usage_error(ctx, "option '%s' needs a value", argv[optind - 1]);
		if (c == '?' || !a->on_option)
			return cmd_usage_error(ctx, "unknown option '%s'",
					       args_bad_option(argv, optind, optopt, bad));
		r = a->on_option(ctx, c, optarg, a->userdata);
		if (r != 0)
			return r;
	}
	return take_args(ctx, argc, argv, a);
}
