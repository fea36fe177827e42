/* cmd.h: the verbs' entry points (one cmd-*.c file each) and what they share. */
#pragma once

#include <stdbool.h>

#include "lxmgr.h"

int cmd_create(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_clone(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_snapshot(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_restore(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_export(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_import(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_start(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_stop(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_restart(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_kill(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_freeze(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_unfreeze(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_exec(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_list(struct lxmgr_ctx *ctx, int argc, char **argv);
int cmd_info(struct lxmgr_ctx *ctx, int argc, char **argv);
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

/* Exit statuses of DESIGN §1. */
#define EXIT_FAILED 1
#define EXIT_USAGE 2

/* Prints "lxmgr: VERB: message" plus a hint to --help, and returns EXIT_USAGE. */
int cmd_usage_error(const struct lxmgr_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* container.autostart on a host with systemd as PID 1: systemctl enable --now (lxmgr.target
 * too) or disable --now lxmgr@NAME.service. Refuses in one line where systemd is not PID 1 or
 * the store is not the default one (cmd-enable.c). */
int cmd_autostart_apply(const struct lxmgr_ctx *ctx, const char *name, bool on);

/* Removes what a dead monitor left of a container (cgroups, runtime files); shared by gc and
 * by start. Returns 1 if something was removed, 0 if nothing was there. */
struct container;
int cmd_cleanup_stale(const struct lxmgr_ctx *ctx, struct container *c);

/* Asks the monitor of a running container to stop it (timeout -1: the config's; kill_now:
 * kill every process at once) and waits until the monitor has exited. */
int cmd_stop_running(const struct lxmgr_ctx *ctx, const struct container *c, int timeout,
		     bool kill_now);

/* Attaches this terminal to the console of c through its monitor until Ctrl-a q, a signal or
 * the container's stop; the terminal is restored on every way out (cmd-console.c). */
int cmd_console_attach(const struct lxmgr_ctx *ctx, const struct container *c, bool readonly);
/* Runs a in the running container name (exec, shell): reports a stopped or missing container
 * itself; returns the command's status or -errno (cmd-exec.c). */
struct attach_opts;
int cmd_attach_running(struct lxmgr_ctx *ctx, const char *name, struct attach_opts *a);
