/* args.h: the global options before the verb, and the verb table's shape. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

struct global_opts {
	const char *root; /* --root DIR, else $LXMGR_ROOT, else NULL */
	int verbosity;    /* -q: -1, default 0, -v: 1, -vv: 2 */
	bool help;
	bool version;
	int verb_index; /* argv index of the verb, or argc when none */
};

/* Parses "lxmgr [--root DIR] [-q] [-v...] [--help] [--version] VERB ...". Global options are
 * only read before the verb. Returns 0, or -EINVAL with *ret_bad naming the bad argument. */
int args_parse_global(int argc, char **argv, struct global_opts *ret, const char **ret_bad);

/* A verb: its name, handler, how many positional arguments, and its help. */
struct verb {
	const char *name;
	int (*run)(struct lxmgr_ctx *ctx, int argc, char **argv);
	const char *usage;   /* "NAME [--timeout S] [--kill]" */
	const char *summary; /* one line */
	const char *options; /* option lines for --help, or NULL */
};

/* The option that getopt_long just refused with '?', as the user can find it in the command:
 * "-s" for a letter of "-secdash" (getopt has not left that element yet, so argv[optind - 1]
 * names the one before it), else the whole element, "--bogus" or "--shift=x". Returns argv's
 * string or buf. */
const char *args_bad_option(char *const *argv, int optind, int optopt, char buf[static 3]);

const struct verb *args_find_verb(const struct verb *table, const char *name);
