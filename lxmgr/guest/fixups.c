/* guest-fixups.c: units and files of vendor and cloud images that cannot work in a container,
 * turned off or made to work by files lxmgr owns, re-applied at every start (DESIGN §11). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "guest/fixups.h"
#include "guest/guest.h"
#include "base/log.h"
#include "store/store.h"
#include "base/util.h"

#define LOG_STEP "fixup"
#define DROPIN "lxmgr-container.conf"
#define FSTAB_MARK "#lxmgr (no such disk in a container): "
#define NET_SCRIPTS "/etc/sysconfig/network-scripts"

static const struct unit_fixup {
	const char *unit;
	const char *why;
} unit_fixups[] = {
	{"auditd.service", "the kernel's audit belongs to the host (Cannot change priority)"},
	{"kdump.service", "a crash kernel is loaded by the host, not a container"},
	{"rngd.service", "feeds the host kernel's entropy pool, read-only in a container"},
	{"rngd-wake-threshold.service", "writes the read-only /proc/sys/kernel/random"},
	{"plymouth-start.service", "a boot splash needs a display the container has not got"},
	{"plymouth-read-write.service", "a boot splash needs a display the container has not got"},
	{"var-lib-nfs-rpc_pipefs.mount", "rpc_pipefs cannot be mounted in a user namespace"},
};

static const char *const unit_dirs[] = {"/etc/systemd/system", "/usr/lib/systemd/system",
					"/lib/systemd/system"};

static bool exists_in_root(int rootfd, const char *path)
{
	_cleanup_close_ int fd = open_in_root(rootfd, path, O_PATH, 0);

	return fd >= 0;
}

static bool has_unit(int rootfd, const char *unit)
{
	char path[256];

	for (size_t i = 0; i < ELEMENTSOF(unit_dirs); i++) {
		(void)snprintf(path, sizeof(path), "%s/%s", unit_dirs[i], unit);
		if (exists_in_root(rootfd, path))
			return true;
	}
	return false;
}

/* mkdir of path whose parent exists; new directory owned by uid:gid. */
static int mkdir_owned(int rootfd, const char *path, uid_t uid, gid_t gid)
{
	_cleanup_close_ int parent = -EBADF;
	_cleanup_free_ char *dir = strdup(path);
	char *leaf = dir ? strrchr(dir, '/') : NULL;

	if (!leaf)
		return -ENOMEM;
	*leaf++ = '\0';
	parent = open_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0);
	if (parent < 0)
		return parent;
	if (mkdirat(parent, leaf, 0755) < 0)
		return errno == EEXIST ? 0 : -errno;
	return NEG_ERRNO(fchownat(parent, leaf, uid, gid, AT_SYMLINK_NOFOLLOW));
}

static int unlink_in_root(int rootfd, const char *path)
{
	_cleanup_close_ int parent = -EBADF;
	_cleanup_free_ char *dir = strdup(path);
	char *leaf = dir ? strrchr(dir, '/') : NULL;

	if (!leaf)
		return -ENOMEM;
	*leaf++ = '\0';
	parent = open_in_root(rootfd, dir, O_PATH | O_DIRECTORY, 0);
	if (parent == -ENOENT)
		return 0;
	if (parent < 0)
		return parent;
	if (unlinkat(parent, leaf, 0) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/* text into /etc/systemd/system/UNIT.d/lxmgr-container.conf, or the file (and its directory
 * when that is then empty) removed when text is NULL. */
static int write_dropin(int rootfd, const char *unit, const char *text, uid_t uid, gid_t gid)
{
	char dir[256], path[300];
	int r;

	(void)snprintf(dir, sizeof(dir), "/etc/systemd/system/%s.d", unit);
	(void)snprintf(path, sizeof(path), "%s/" DROPIN, dir);
	if (!text) {
		_cleanup_close_ int sys =
			open_in_root(rootfd, "/etc/systemd/system", O_PATH | O_DIRECTORY, 0);
		r = unlink_in_root(rootfd, path);
		if (r == 0 && sys >= 0)
			(void)unlinkat(sys, dir + strlen("/etc/systemd/system/"), AT_REMOVEDIR);
		return r;
	}
	r = mkdir_owned(rootfd, dir, uid, gid);
	if (r < 0)
		return r;
	return guest_write_file(rootfd, path, text, uid, gid);
}

static int fix_unit(int rootfd, const struct unit_fixup *u, bool on, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *text = NULL;

	if (!on || !has_unit(rootfd, u->unit))
		return write_dropin(rootfd, u->unit, NULL, uid, gid);
	if (xasprintf(&text,
		      "# Written by lxmgr at every start; `lxmgr config NAME set guest.fixups no`\n"
		      "# removes it. Off in a container: %s.\n[Unit]\n"
		      "ConditionVirtualization=!container\n",
		      u->why) < 0)
		return -ENOMEM;
	return write_dropin(rootfd, u->unit, text, uid, gid);
}

/* The device an ifcfg file configures: its DEVICE=, else the name after "ifcfg-". */
static void ifcfg_device(int dirfd, const char *name, char *dev, size_t size)
{
	_cleanup_free_ char *text = NULL;
	const char *p;

	(void)snprintf(dev, size, "%s", name + strlen("ifcfg-"));
	if (read_file_in_root(dirfd, name, O_NOFOLLOW, 1 << 16, &text, NULL) < 0)
		return;
	for (p = strstr(text, "DEVICE="); p; p = strstr(p + 1, "DEVICE="))
		if (p == text || p[-1] == '\n') {
			p += strlen("DEVICE=");
			p += *p == '"' || *p == '\'';
			(void)snprintf(dev, size, "%.*s", (int)strcspn(p, "\"'\n \t"), p);
			return;
		}
}

/* "ConditionPathExists=/sys/class/net/DEV\n" for each device of the ifcfg scripts but lo;
 * *ret NULL when they name none. */
static int ifcfg_conditions(int rootfd, char **ret)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ char *out = NULL;
	size_t len = 0;
	struct dirent *de;
	FILE *f;
	int fd;

	*ret = NULL;
	fd = open_in_root(rootfd, NET_SCRIPTS, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd == -ENOENT || fd == -ENOTDIR ? 0 : fd;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return -errno;
	}
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	while ((de = readdir(d))) {
		char dev[64];

		if (strncmp(de->d_name, "ifcfg-", 6) != 0 || strchr(de->d_name, '~') ||
		    strstr(de->d_name, ".rpm"))
			continue;
		ifcfg_device(dirfd(d), de->d_name, dev, sizeof(dev));
		if (dev[0] && strcmp(dev, "lo") != 0 && !strchr(dev, '/'))
			fprintf(f, "ConditionPathExists=/sys/class/net/%s\n", dev);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	if (len)
		*ret = TAKE_PTR(out);
	return 0;
}

/* network.service of the initscripts: ifup of a device the container lacks fails the unit
 * (--net none has no eth0); with the device there (bridge, routed) it runs as usual. */
static int fix_network_scripts(int rootfd, bool on, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *cond = NULL, *text = NULL;
	int r;

	if (on && (exists_in_root(rootfd, "/etc/rc.d/init.d/network") ||
		   has_unit(rootfd, "network.service"))) {
		r = ifcfg_conditions(rootfd, &cond);
		if (r < 0)
			return r;
	}
	if (!cond)
		return write_dropin(rootfd, "network.service", NULL, uid, gid);
	if (xasprintf(&text,
		      "# Written by lxmgr at every start; `lxmgr config NAME set guest.fixups no`\n"
		      "# removes it. The ifcfg scripts run only when the container has their\n"
		      "# devices (net.mode none has no eth0).\n[Unit]\n%s",
		      cond) < 0)
		return -ENOMEM;
	return write_dropin(rootfd, "network.service", text, uid, gid);
}

/* A block device source: the container has no disk of its own, its root is a directory. */
static bool names_disk(const char *line)
{
	static const char *const prefixes[] = {
		"UUID=",   "LABEL=",   "PARTUUID=", "PARTLABEL=",   "/dev/disk/", "/dev/sd",
		"/dev/vd", "/dev/xvd", "/dev/nvme", "/dev/mapper/", "/dev/hd"};

	line += strspn(line, " \t");
	for (size_t i = 0; i < ELEMENTSOF(prefixes); i++)
		if (!strncmp(line, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* fstab with the disk lines commented out (on), or those comments undone (!on); *ret NULL
 * when nothing changes. systemd-remount-fs fails on a UUID= root, and fstab-generator waits
 * 90 s for the device of any other such line. */
static int fstab_text(const char *cur, bool on, char **ret)
{
	_cleanup_free_ char *copy = strdup(cur), *out = NULL;
	bool changed = false;
	size_t len = 0;
	FILE *f;

	*ret = NULL;
	if (!copy)
		return -ENOMEM;
	f = open_memstream(&out, &len);
	if (!f)
		return -ENOMEM;
	for (char *next = copy, *l; (l = strsep(&next, "\n"));) {
		bool marked = !strncmp(l, FSTAB_MARK, strlen(FSTAB_MARK));

		if (!on && marked) {
			l += strlen(FSTAB_MARK);
			changed = true;
		} else if (on && !marked && names_disk(l)) {
			fputs(FSTAB_MARK, f);
			changed = true;
		}
		fprintf(f, next ? "%s\n" : "%s", l);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	if (changed)
		*ret = TAKE_PTR(out);
	return 0;
}

static int fix_fstab(int rootfd, bool on, uid_t uid, gid_t gid)
{
	_cleanup_free_ char *cur = NULL, *text = NULL;
	int r;

	r = read_file_in_root(rootfd, "/etc/fstab", O_NOFOLLOW, 1 << 20, &cur, NULL);
	if (r == -ENOENT || r == -ELOOP)
		return 0;
	if (r < 0)
		return r;
	r = fstab_text(cur, on, &text);
	if (r < 0 || !text)
		return r;
	return guest_write_file(rootfd, "/etc/fstab", text, uid, gid);
}

int guest_fixup_cloud_datasource(int rootfd, uid_t uid, gid_t gid)
{
	static const char text[] =
		"# Written by lxmgr: a container has no cloud metadata service, only the NoCloud\n"
		"# seed of `lxmgr create --cloud-init` (/var/lib/cloud/seed/nocloud), so\n"
		"# cloud-init looks there first and waits for no metadata service (Ec2 would wait\n"
		"# two minutes). `lxmgr config NAME set guest.fixups no` removes this file while "
		"no\n"
		"# --cloud-init seed is set.\n"
		"datasource_list: [ NoCloud, None ]\n";
	_cleanup_free_ char *cur = NULL;
	int r;

	if (!exists_in_root(rootfd, "/etc/cloud"))
		return 0;
	if (read_file_in_root(rootfd, GUEST_FIXUP_CLOUD_CFG, O_NOFOLLOW, 1 << 16, &cur, NULL) >=
		    0 &&
	    !strcmp(cur, text))
		return 0;
	r = mkdir_owned(rootfd, "/etc/cloud/cloud.cfg.d", uid, gid);
	if (r < 0)
		return r;
	r = guest_write_file(rootfd, GUEST_FIXUP_CLOUD_CFG, text, uid, gid);
	return r < 0 ? r : 1;
}

int guest_fixups_apply(int rootfd, const struct container_config *cfg, uid_t uid, gid_t gid)
{
	bool on = cfg->guest_fixups, units = on && cfg->init_kind == INIT_KIND_SYSTEMD;
	int r = 0;

	for (size_t i = 0; r >= 0 && i < ELEMENTSOF(unit_fixups); i++)
		r = fix_unit(rootfd, &unit_fixups[i], units, uid, gid);
	if (r >= 0)
		r = fix_network_scripts(rootfd, units, uid, gid);
	if (r >= 0)
		r = fix_fstab(rootfd, on, uid, gid);
	if (r >= 0 && (on || cfg->provision_cloud_init[0]))
		r = guest_fixup_cloud_datasource(rootfd, uid, gid);
	else if (r >= 0)
		r = unlink_in_root(rootfd, GUEST_FIXUP_CLOUD_CFG);
	return r < 0 ? r : 0;
}

int guest_fixups_apply_stopped(struct lxmgr_ctx *ctx, const char *name)
{
	_cleanup_container_ struct container *c = NULL;
	_cleanup_close_ int rootfd = -EBADF;
	const struct container_config *cfg;
	int r;

	r = store_container_open(ctx, name, &c);
	if (r < 0)
		return r;
	cfg = &c->cfg;
	if (store_is_running(c) || cfg->snapshot_of[0])
		return 0;
	rootfd = open(c->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return lx_fail(ctx, -errno, "open %s", c->rootfs);
	r = guest_fixups_apply(rootfd, cfg, cfg->rootfs_shifted ? cfg->uid_base : 0,
			       cfg->rootfs_shifted ? cfg->gid_base : 0);
	if (r < 0)
		return lx_fail(ctx, r, "%s the guest fix-ups",
			       cfg->guest_fixups ? "apply" : "remove");
	return 0;
}

static bool has_dropin(int rootfd, const char *unit)
{
	char path[300];

	(void)snprintf(path, sizeof(path), "/etc/systemd/system/%s.d/" DROPIN, unit);
	return exists_in_root(rootfd, path);
}

static unsigned fstab_marked(int rootfd)
{
	_cleanup_free_ char *text = NULL;
	unsigned n = 0;

	if (read_file_in_root(rootfd, "/etc/fstab", O_NOFOLLOW, 1 << 20, &text, NULL) < 0)
		return 0;
	for (const char *p = strstr(text, FSTAB_MARK); p; p = strstr(p + 1, FSTAB_MARK))
		n += p == text || p[-1] == '\n';
	return n;
}

void guest_fixups_list(int rootfd, char *buf, size_t size)
{
	size_t len = 0;
	unsigned n;

	buf[0] = '\0';
#define ADD(...) (len += (size_t)snprintf(buf + len, len < size ? size - len : 0, __VA_ARGS__))
	for (size_t i = 0; i < ELEMENTSOF(unit_fixups); i++)
		if (has_dropin(rootfd, unit_fixups[i].unit))
			ADD("%s%s (off)", len ? ", " : "", unit_fixups[i].unit);
	if (has_dropin(rootfd, "network.service"))
		ADD("%snetwork.service (only with its ifcfg devices)", len ? ", " : "");
	n = fstab_marked(rootfd);
	if (n)
		ADD("%sfstab (%u disk line%s commented out)", len ? ", " : "", n,
		    n == 1 ? "" : "s");
	if (exists_in_root(rootfd, GUEST_FIXUP_CLOUD_CFG))
		ADD("%scloud-init (NoCloud first)", len ? ", " : "");
#undef ADD
	if (!len)
		(void)snprintf(buf, size, "none");
}

const char *guest_fixup_reason(const char *unit)
{
	for (size_t i = 0; i < ELEMENTSOF(unit_fixups); i++)
		if (!strcmp(unit, unit_fixups[i].unit))
			return unit_fixups[i].why;
	if (!strcmp(unit, "network.service"))
		return "its ifcfg scripts name a device the container has not got";
	if (!strcmp(unit, "systemd-remount-fs.service"))
		return "/etc/fstab names a disk the container has not got";
	if (!strncmp(unit, "cloud-init", 10))
		return "cloud-init waits for a metadata service a container has not got";
	return NULL;
}
