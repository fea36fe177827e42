/* guest.h: what the guest is (its init) and the identity files lxmgr writes into it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

/* Checks that path inside the tree at rootfd is an executable regular file (following
 * symlinks inside the tree only). 0, -ENOENT, -ENOEXEC (not executable) or -errno. */
int guest_check_init(int rootfd, const char *path);

/* Detects the guest's init: systemd (and its version), OpenRC, sysvinit or busybox. */
int guest_detect_init(int rootfd, const char *path, enum init_kind *ret_kind,
		      uint32_t *ret_systemd_version);

/* The signal that asks this kind of init for a clean power-off. */
int guest_stop_signal(enum init_kind kind);

/* Writes /etc/hostname, the hostname lines of /etc/hosts (keeping the others) and an empty
 * /etc/machine-id (so systemd derives it from container_uuid); files get owner uid:gid. */
int guest_write_identity(int rootfd, const char *hostname, uid_t uid, gid_t gid);
