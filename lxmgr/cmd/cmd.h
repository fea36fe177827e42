/* cmd.h: the verbs' entry points (one cmd-*.c file each) and what they share. */
#pragma once

#include <stdbool.h>

#include "base/lxmgr.h"

int cmd_create(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_launch(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_clone(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_snapshot(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_restore(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_export(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_publish(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_import(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_copy(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_move(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_start(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_stop(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_restart(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_kill(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_freeze(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_unfreeze(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_exec(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_list(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_info(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_top(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_metrics(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_config(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_destroy(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_gc(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_net(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_console(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_shell(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_templates(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_doctor(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_mount(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_umount(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_provision(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_enable(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_disable(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_file(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_forward(struct lxmgr_ctx *ctx, int argc, char **argv);

/* Exit statuses of DESIGN §1. */
#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* Prints "lxmgr: VERB: message" plus a hint to --help, and returns EXIT_USAGE. */
int cmd_usage_error(const struct lxmgr_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
