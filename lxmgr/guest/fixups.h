/* guest-fixups.h: the guest's own units and files that cannot work in a container, turned
 * off (or made to work) by files lxmgr owns in the rootfs, re-applied at every start and
 * removed with guest.fixups no (DESIGN §11). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "store/config.h"

struct lxmgr_ctx;

/* Where the cloud-init drop-in goes: NoCloud first, no metadata service waited for. */
#define GUEST_FIXUP_CLOUD_CFG "/etc/cloud/cloud.cfg.d/99_lxmgr-datasource.cfg"

/* With cfg->guest_fixups, writes each fix-up that the guest in the tree at rootfd needs:
 * - a ConditionVirtualization=!container drop-in (lxmgr-container.conf) for the units of
 *   guest_fixup_units[] that the guest has (auditd, kdump, rngd, plymouth, rpc_pipefs...);
 * - network.service (ifcfg scripts): a drop-in that runs it only when every device the
 *   scripts name exists in the container (eth0 under net.mode bridge, none under none);
 * - /etc/fstab: the lines of a disk the container has not got (UUID=, LABEL=, /dev/sdX...)
 *   commented out with "#lxmgr (...): ", restored by the undo;
 * - cloud-init: GUEST_FIXUP_CLOUD_CFG.
 * Without, removes them (the cloud-init file stays while provision.cloud_init is set). Files
 * get owner uid:gid; paths resolve inside the tree. Returns 0 or -errno; prints nothing. */
int guest_fixups_apply(int rootfd, const struct container_config *cfg, uid_t uid, gid_t gid);

/* config set guest.fixups on a stopped container: applies or removes the fix-ups at once
 * (a running one, or a snapshot clone, gets them at its next start). Reports its failure. */
int guest_fixups_apply_stopped(struct lxmgr_ctx *ctx, const char *name);

/* Writes GUEST_FIXUP_CLOUD_CFG when the guest has /etc/cloud: 1 written, 0 unchanged or no
 * cloud-init, -errno. */
int guest_fixup_cloud_datasource(int rootfd, uid_t uid, gid_t gid);

/* The fix-ups in place in the tree, "auditd.service, fstab (1 line), ..." or "none". */
void guest_fixups_list(int rootfd, char *buf, size_t size);

/* Why lxmgr turns unit off in a container, or NULL when it has no fix-up for it. */
const char *guest_fixup_reason(const char *unit);
