/* guest.h: what the guest is (its init) and the identity files lxmgr writes into it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "store/config.h"

/* Checks that path inside the tree at rootfd is an executable regular file (following
 * symlinks inside the tree only). 0, -ENOENT, -ENOEXEC (not executable) or -errno. */
int guest_check_init(int rootfd, const char *path);

/* Detects the guest's init: systemd (and its version), OpenRC, sysvinit or busybox. */
int guest_detect_init(int rootfd, const char *path, enum init_kind *ret_kind,
		      uint32_t *ret_systemd_version);

/* The first systemd that runs on cgroup2 alone: v230 added the unified hierarchy (nspawn's
 * detect_unified_cgroup_hierarchy_from_image() uses the same boundary). Older ones need a v1
 * name=systemd hierarchy. systemd >= 256 refuses v1 altogether. */
#define GUEST_SYSTEMD_UNIFIED_MIN 230U
#define GUEST_SYSTEMD_V1_MAX 255U

/* The /sys/fs/cgroup layout a guest needs: hybrid for systemd < 230, else unified (also for
 * inits that do not care, and for a systemd whose version could not be read). */
enum cgroup_layout guest_cgroup_layout(enum init_kind kind, uint32_t systemd_version);

/* Whether the guest described by c can boot with its configured layout: 0, or -EOPNOTSUPP
 * with one sentence in why (what is wrong and what would fix it). */
int guest_check_layout(const struct container_config *c, char *why, size_t size);

/* Writes text to path inside the tree at rootfd (never following a symlink out of it, nor a
 * symlink as the last component), mode 0644, owner uid:gid. */
int guest_write_file(int rootfd, const char *path, const char *text, uid_t uid, gid_t gid);

/* The signal that asks this kind of init for a clean power-off. */
int guest_stop_signal(enum init_kind kind);

/* Writes /etc/hostname, the hostname lines of /etc/hosts (keeping the others) and an empty
 * /etc/machine-id (so systemd derives it from container_uuid); files get owner uid:gid. */
int guest_write_identity(int rootfd, const char *hostname, uid_t uid, gid_t gid);
