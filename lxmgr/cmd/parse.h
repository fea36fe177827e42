/* parse.h: the one option parser of the verbs: getopt_long over the verb's own options, then
 * its positional arguments (usually container names), each refusal one usage line. */
#pragma once

#include <getopt.h>
#include <stdbool.h>

struct lxmgr_ctx;

struct verb_args {
	const struct option *longopts; /* the verb's options ({} ended), or NULL for none */
	const char *shortopts;         /* getopt's letters ("f", "t:"), or NULL for none */
	/* Called for each option: getopt's value (the letter, or the long option's val) and its
	 * argument or NULL. Returns 0, or what the verb returns (a usage error). */
	int (*on_option)(struct lxmgr_ctx *ctx, int opt, const char *arg, void *userdata);
	void *userdata;
	int min_args, max_args; /* positional arguments allowed; max -1: no limit */
	const char *args_name;  /* what they are, for "expected NAME" (default "NAME") */
	/* Options only before the first positional argument: what follows may be a value that
	 * starts with '-' (config NAME set KEY -1). */
	bool options_first;
	/* out: the positional arguments (pointers into argv) */
	char **args;
	int n_args;
};

/* Parses argv (argv[0] is the verb) as a describes. Options may come before or after the
 * positional arguments; "--" ends them. ctx->name becomes the first positional argument,
 * for messages. Returns 0, or EXIT_USAGE after printing one usage line. */
int cmd_parse(struct lxmgr_ctx *ctx, int argc, char **argv, struct verb_args *a);
