/* access.h: how a user gets into a container: the ssh command line or lxmgr shell. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct lxmgr_ctx;
struct container;

/* Whether the hosts: line of an nsswitch.conf (f) names the lxmgr module, so that
 * NAME.lxmgr resolves on this host. */
bool access_nss_enabled(FILE *f);

/* Prints to stdout how to get into c: when it has a provisioned user with a key and an sshd,
 * "ssh USER@NAME.lxmgr" if the host resolves NAME.lxmgr (the default store, the module in
 * /etc/nsswitch.conf), else "ssh USER@ADDRESS"; with shell_too, `lxmgr shell NAME` too.
 * A snapshot clone's rootfs must be mounted (running) for the sshd check. */
void access_print_hint(const struct lxmgr_ctx *ctx, const struct container *c, bool shell_too);
