/* identity.c: a fresh machine identity for a copied rootfs (create, clone, templates). */
#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "guest/guest.h"
#include "guest/identity.h"

/* Files that belong to one machine: the directory inside the rootfs and a pattern of names.
 * Only regular files and symlinks are removed (a symlink itself, never its target). */
static const struct stale_file {
	const char *dir;
	const char *pattern;
} stale_files[] = {
	{"/etc/ssh", "ssh_host_*"},
	{"/var/lib/dbus", "machine-id"},
	{"/var/lib/dhcp", "*.leases"},
	{"/var/lib/dhcp", "*.lease"},
	{"/var/lib/dhcpcd", "*"},
	{"/var/lib/dhcpcd5", "*"},
	{"/var/lib/NetworkManager", "*.lease"},
	{"/var/lib/NetworkManager", "secret_key"},
	{"/var/lib/systemd", "random-seed"},
	{"/var/lib/systemd", "credential.secret"},
};

/* Only the types every sshd since OpenSSH 6.5 serves (no DSA, no RSA1, which `ssh-keygen -A`
 * makes on older ones), each skipped where ssh-keygen does not know it; group ssh_keys 0640
 * where the guest has that group (RHEL, Fedora), as their own sshd-keygen does. */
static const char keygen_unit[] =
	"# Written by lxmgr (identity reset at create/clone): SSH host keys are removed so that\n"
	"# every copy gets its own; this makes them before sshd starts. lxmgr owns this file.\n"
	"[Unit]\n"
	"Description=SSH host keys for this machine (lxmgr)\n"
	"DefaultDependencies=no\n"
	"After=local-fs.target\n"
	"Before=ssh.service sshd.service ssh.socket sshd.socket multi-user.target\n"
	"ConditionFileIsExecutable=/usr/bin/ssh-keygen\n"
	"\n"
	"[Service]\n"
	"Type=oneshot\n"
	"ExecStart=/bin/sh -c 'for t in rsa ecdsa ed25519; do k=/etc/ssh/ssh_host_$${t}_key; "
	"[ -s $$k ] || { ssh-keygen -q -t $$t -N \"\" -f $$k && echo made $$k; } || "
	"rm -f $$k $$k.pub; "
	"[ ! -e $$k ] || ! getent group ssh_keys >/dev/null || "
	"{ chgrp ssh_keys $$k && chmod 0640 $$k; }; done; :'\n"
	"\n"
	"[Install]\n"
	"WantedBy=multi-user.target\n";

/* The distribution's own key makers (RHEL and Fedora: sshd-keygen.service before systemd 23x
 * era packaging, sshd-keygen@.service after), pulled in by sshd.service: lxmgr's unit would
 * race them. */
static const char *const guest_keygen_units[] = {
	"/usr/lib/systemd/system/sshd-keygen@.service",
	"/usr/lib/systemd/system/sshd-keygen.service",
	"/lib/systemd/system/sshd-keygen@.service",
	"/lib/systemd/system/sshd-keygen.service",
};

static int remove_matching(int rootfd, const struct stale_file *s)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	/* O_NOFOLLOW: a directory that is a symlink is not ours to walk. */
	fd = open_in_root(rootfd, s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR || fd == -ELOOP ? 0 : fd;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return -errno;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (de->d_name[0] == '.' || fnmatch(s->pattern, de->d_name, FNM_PERIOD) != 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (!S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
			continue;
		/* /var/lib/dbus/machine-id is mostly a symlink to /etc/machine-id: keep it. */
		if (S_ISLNK(st.st_mode) && strcmp(s->dir, "/var/lib/dbus") == 0)
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT)
			return -errno;
	}
	return 0;
}

static bool is_regular_in_root(int rootfd, const char *path)
{
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH, 0);
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* systemd guests with sshd and no key maker of their own: the keygen unit, enabled by a link
 * in multi-user.target.wants. */
static int install_keygen(int rootfd, uid_t uid, gid_t gid)
{
	_cleanup_close_ int sys = -EBADF, wants = -EBADF;
	int r;

	if (!is_regular_in_root(rootfd, "/usr/sbin/sshd"))
		return 0;
	for (size_t i = 0; i < ELEMENTSOF(guest_keygen_units); i++)
		if (is_regular_in_root(rootfd, guest_keygen_units[i]))
			return 0;
	sys = open_in_root(rootfd, "/etc/systemd/system", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (sys < 0)
		return sys == -ENOENT ? 0 : sys;
	r = guest_write_file(rootfd, "/etc/systemd/system/" IDENTITY_KEYGEN_UNIT, keygen_unit, uid,
			     gid);
	if (r < 0)
		return r;
	if (mkdirat(sys, "multi-user.target.wants", 0755) == 0) {
		if (fchownat(sys, "multi-user.target.wants", uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	} else if (errno != EEXIST)
		return -errno;
	wants = openat(sys, "multi-user.target.wants",
		       O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (wants < 0)
		return -errno;
	if (symlinkat("/etc/systemd/system/" IDENTITY_KEYGEN_UNIT, wants, IDENTITY_KEYGEN_UNIT) <
	    0) {
		if (errno != EEXIST)
			return -errno;
		return 0;
	}
	if (fchownat(wants, IDENTITY_KEYGEN_UNIT, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

int identity_reset(int rootfd, uid_t uid, gid_t gid)
{
	int r;

	for (size_t i = 0; i < ELEMENTSOF(stale_files); i++) {
		r = remove_matching(rootfd, &stale_files[i]);
		if (r < 0)
			return r;
	}
	/* Empty, not absent: systemd then takes the id from container_uuid and does not treat
	 * the boot as a first boot (which would run its first-boot units). */
	r = guest_write_file(rootfd, "/etc/machine-id", "", uid, gid);
	if (r < 0)
		return r;
	return install_keygen(rootfd, uid, gid);
}
