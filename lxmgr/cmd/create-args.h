/* create-args.h: create's command line, shared by create and launch. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* Parses create's arguments (argv[0] the verb, then NAME and options), makes the container
 * and applies its [provision] keys; a failure leaves nothing. Sets ctx->name. With hint and
 * --ssh-key, ends by printing how to connect. Returns the exit status: 0, EXIT_FAILED or
 * EXIT_USAGE (reported). */
int create_args_run(struct lxmgr_ctx *ctx, int argc, char **argv, bool hint);
