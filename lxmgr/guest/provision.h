/* provision.h: applying a container's [provision] section inside it (user, key, sudo,
 * packages, timezone, hostname, a first-boot script, a cloud-init seed). */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;
struct container;
struct container_config;

#define PROVISION_LOG "provision.log"
#define PROVISION_RUN_DONE "provision-run.done"

/* Whether c asks for anything beyond the hostname. */
bool provision_requested(const struct container_config *c);

/* Applies the [provision] section of the container name: host-side checks, then (a stopped
 * container is started for it and stopped again afterwards) every step inside, through the
 * exec path, with the guest's own tools. Output goes to LOG/NAME/provision.log; a summary line
 * goes to stdout. A refused or failed step is reported (naming the step) and ends it.
 * Returns how many steps changed something (0: nothing to do), or -errno. */
int provision_apply(struct lxmgr_ctx *ctx, const char *name);

/* Writes the NoCloud seed (user-data from provision.cloud_init, meta-data with the uuid and
 * hostname) into the stopped or running container's rootfs, unless it is there already; refuses
 * an image without /usr/bin/cloud-init. *ret_changed tells whether a file was written. */
int provision_cloud_init_seed(struct lxmgr_ctx *ctx, struct container *c, bool *ret_changed);

/* Root's hash in the /etc/shadow of the tree at rootfd (malloc'd); -ESRCH without a root line. */
int provision_read_root_hash(int rootfd, char **ret);

/* Puts provision.root_password into the rootfs's /etc/shadow (host side, keeping the file's
 * owner and mode) unless it is there already. */
int provision_root_password(struct lxmgr_ctx *ctx, struct container *c, bool *ret_changed);
