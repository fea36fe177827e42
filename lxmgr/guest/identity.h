/* identity.h: a fresh machine identity for a copied rootfs (create, clone, templates). */
#pragma once

#include <sys/types.h>

/* The unit that makes SSH host keys at the first boot of a systemd guest with sshd. */
#define IDENTITY_KEYGEN_UNIT "lxmgr-ssh-keygen.service"

/* Resets what makes a rootfs one particular machine, so that a copy boots as a new one:
 * - /etc/machine-id emptied (systemd derives it from container_uuid), a regular
 *   /var/lib/dbus/machine-id removed (a symlink to /etc/machine-id is kept);
 * - SSH host keys (/etc/ssh/ssh_host_*) removed; a systemd guest with /usr/sbin/sshd and
 *   no sshd-keygen unit of its own (RHEL, Fedora) gets IDENTITY_KEYGEN_UNIT (RSA, ECDSA and
 *   Ed25519 keys before ssh.service/sshd.service, group ssh_keys 0640 where that group
 *   exists), because Debian's openssh makes keys only in its package scripts;
 * - DHCP client leases and DUIDs (dhclient, dhcpcd, NetworkManager), systemd's random seed
 *   and credential secret removed.
 * Every path is resolved inside the tree at rootfd (RESOLVE_IN_ROOT); files lxmgr writes get
 * owner uid:gid (0:0, or the container's base on a shifted rootfs). Prints nothing; returns
 * 0 or -errno. */
int identity_reset(int rootfd, uid_t uid, gid_t gid);
