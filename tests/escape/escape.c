/* escape.c: tries, as root inside a container, what root inside must not be able to do.
 * Static, copied into the container by tests/integration/isolation-escape.sh. Prints one
 * TAP line per attempt: "ok" when the attempt failed as it must. Usage: escape MARKER PID
 * where MARKER is a host path that must stay unreachable and PID a host process id. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int n_tests, n_failed;

static void report(int escaped, const char *fmt, ...)
{
	va_list ap;

	n_tests++;
	if (escaped)
		n_failed++;
	printf("%s %d - ", escaped ? "not ok" : "ok", n_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static void expect_fail(int r, const char *what)
{
	report(r >= 0, "%s fails (%s)", what, r >= 0 ? "succeeded" : strerror(errno));
}

/* The classic: chroot into a subdirectory, climb with "..", chroot(".") again. */
static void chroot_escape(const char *marker)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		(void)mkdir("/tmp/escape-jail", 0700);
		if (chroot("/tmp/escape-jail") < 0)
			_exit(3);
		for (int i = 0; i < 256; i++)
			(void)chdir("..");
		if (chroot(".") < 0)
			_exit(3);
		/* Where did we land? The host marker must not be visible, and a file we
		 * create at "/" must be inside the container (the test checks the host). */
		if (access(marker, F_OK) == 0)
			_exit(1);
		(void)close(open("/escaped-by-chroot", O_WRONLY | O_CREAT, 0644));
		_exit(access("/etc/lxmgr-escape-inside", F_OK) == 0 ? 0 : 2);
	}
	(void)waitpid(pid, &status, 0);
	report(!WIFEXITED(status) || WEXITSTATUS(status) != 0,
	       "chroot escape ends inside the container's own root (status %d)",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

static void open_by_handle(void)
{
	struct {
		struct file_handle fh;
		unsigned char data[128];
	} h = {.fh.handle_bytes = 128};
	int mount_id, fd, r;

	r = name_to_handle_at(AT_FDCWD, "/", &h.fh, &mount_id, 0);
	fd = r == 0 ? open_by_handle_at(AT_FDCWD, &h.fh, O_RDONLY) : -1;
	report(fd >= 0, "open_by_handle_at is refused (%s)", strerror(errno));
}

static void proc_of_host(pid_t host_pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/root", (int)host_pid);
	report(access(path, F_OK) == 0 && host_pid > 1000, "host pid %d is not visible in /proc",
	       (int)host_pid);
	report(kill(host_pid, 0) == 0 && host_pid > 1000, "no signal reaches host pid %d",
	       (int)host_pid);
	expect_fail((int)ptrace(PTRACE_ATTACH, host_pid, NULL, NULL), "ptrace of the monitor");
}

/* What lxmgr's masks cover must stay guarded by the kernel itself too: try to undo them
 * (which locked_masks proves fails), then write what they cover. */
static void undo_masks(void)
{
	int fd;

	(void)umount2("/proc/sys", MNT_DETACH);
	(void)mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL);
	fd = open("/proc/sys/kernel/hostname", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "escaped", 7) == 7 ? 0 : -1,
		    "writing kernel.hostname after trying to unmask /proc/sys");
	fd = open("/proc/sys/kernel/core_pattern", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "|/escape", 8) == 8 ? 0 : -1,
		    "writing kernel.core_pattern after trying to unmask /proc/sys");
	(void)umount2("/proc/kcore", MNT_DETACH);
	fd = open("/proc/kcore", O_RDONLY);
	expect_fail(fd, "opening /proc/kcore after trying to remove its mask");
}

#define MAX_MOUNTS 64

struct mnt {
	char path[256];
	int ro;
};

/* lxmgr's mounts on /proc and /sys (not the container's own cgroup mounts below them). */
static int kernel_mounts(struct mnt *out, int max)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char path[256], opts[256];

		/* id parent major:minor root mount-point options ... */
		if (sscanf(line, "%*d %*d %*s %*s %255s %255s", path, opts) != 2)
			continue;
		if (strncmp(path, "/proc", 5) != 0 && strncmp(path, "/sys", 4) != 0)
			continue;
		if (!strncmp(path, "/sys/fs/cgroup", 14))
			continue;
		snprintf(out[n].path, sizeof(out[n].path), "%s", path);
		out[n].ro = !strncmp(opts, "ro", 2) && (opts[2] == ',' || !opts[2]);
		n++;
	}
	fclose(f);
	return n;
}

static int has_mount(const struct mnt *m, int n, const char *path)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(m[i].path, path))
			return 1;
	return 0;
}

static ssize_t read_size(const char *path)
{
	char b[4096];
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, b, sizeof(b))) > 0)
		total += n;
	close(fd);
	return total;
}

/* In a new mount namespace, and in a new user namespace too: a copy keeps the locks. */
static int umount_in_copy(int flags, const char *path)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (unshare(flags) < 0)
			_exit(3);
		_exit(umount2(path, MNT_DETACH) == 0 && read_size("/proc/kallsyms") != 0 ? 1 : 0);
	}
	(void)waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/* lxmgr's masks and read-only parts of /proc and /sys are mounted from the host's user
 * namespace and reach the container as a locked copy: none can be removed, moved, made
 * read-write, uncovered by a bind, or sidestepped by a fresh proc or sysfs. */
static void locked_masks(void)
{
	struct mnt m[MAX_MOUNTS];
	int n = kernel_mounts(m, MAX_MOUNTS), r;

	report(!has_mount(m, n, "/proc/sys") || !has_mount(m, n, "/sys/firmware") ||
		       !has_mount(m, n, "/proc/kallsyms"),
	       "lxmgr's masks are in place (%d mounts on /proc and /sys)", n);
	for (int i = n - 1; i >= 0; i--) {
		char what[300];

		snprintf(what, sizeof(what), "unmounting %.255s", m[i].path);
		expect_fail(umount2(m[i].path, MNT_DETACH), what);
	}
	for (int i = 0; i < n; i++) {
		char what[300];

		if (!m[i].ro)
			continue;
		snprintf(what, sizeof(what), "remounting %.255s read-write", m[i].path);
		expect_fail(mount(NULL, m[i].path, NULL, MS_REMOUNT | MS_BIND, NULL), what);
		snprintf(what, sizeof(what), "remounting %.255s (superblock) read-write",
			 m[i].path);
		expect_fail(mount(NULL, m[i].path, NULL, MS_REMOUNT, NULL), what);
	}
	(void)mkdir("/tmp/escape-mnt", 0700);
	expect_fail(mount("proc", "/tmp/escape-mnt", "proc", 0, NULL), "mounting a new proc");
	expect_fail(mount("proc", "/proc", "proc", 0, NULL), "mounting a new proc over /proc");
	expect_fail(mount("sysfs", "/sys", "sysfs", 0, NULL), "mounting a new sysfs over /sys");
	expect_fail(mount("/proc", "/tmp/escape-mnt", NULL, MS_BIND, NULL),
		    "a bind of /proc without its masks");
	expect_fail(mount("/sys", "/tmp/escape-mnt", NULL, MS_BIND, NULL),
		    "a bind of /sys without its masks");
	expect_fail(mount("/proc/sys", "/tmp/escape-mnt", NULL, MS_MOVE, NULL),
		    "moving /proc/sys away");
	r = umount_in_copy(CLONE_NEWNS, "/proc/kallsyms");
	report(r != 0, "a mask stays in a new mount namespace (%d)", r);
	r = umount_in_copy(CLONE_NEWUSER | CLONE_NEWNS, "/proc/kallsyms");
	report(r != 0, "a mask stays in a nested user namespace (%d)", r);
	/* Whatever was tried: the masks still hide what they cover. */
	report(read_size("/proc/kallsyms") != 0, "/proc/kallsyms still reads empty (%zd bytes)",
	       read_size("/proc/kallsyms"));
	report(read_size("/proc/timer_list") > 0, "/proc/timer_list still reads empty (%zd)",
	       read_size("/proc/timer_list"));
	report(access("/sys/firmware/acpi", F_OK) == 0 || access("/sys/firmware/dmi", F_OK) == 0,
	       "/sys/firmware is still empty");
}

static void mounts(void)
{
	(void)mkdir("/tmp/escape-mnt", 0700);
	expect_fail(mount("sysfs", "/tmp/escape-mnt", "sysfs", 0, NULL), "mounting a new sysfs");
	expect_fail(mount("/dev/vda", "/tmp/escape-mnt", "ext4", 0, NULL),
		    "mounting a host block device");
}

static void kernel(void)
{
	int fd;

	expect_fail((int)syscall(SYS_init_module, "", 0, ""), "init_module");
	expect_fail((int)syscall(SYS_finit_module, -1, "", 0), "finit_module");
	expect_fail((int)syscall(SYS_kexec_load, 0, 0, NULL, 0), "kexec_load");
	expect_fail(open("/proc/sys/kernel/hostname", O_WRONLY),
		    "writing kernel.hostname in /proc/sys");
	expect_fail(open("/proc/sys/vm/drop_caches", O_WRONLY), "writing vm.drop_caches");
	fd = open("/proc/sysrq-trigger", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "h", 1) == 1 ? 0 : -1, "writing /proc/sysrq-trigger");
	fd = open("/proc/kcore", O_RDONLY);
	{
		char b[64];
		ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

		report(n > 0, "/proc/kcore gives nothing (read %zd)", n);
	}
	expect_fail(open("/dev/mem", O_RDONLY), "opening /dev/mem");
	expect_fail(mknod("/tmp/escape-sda", S_IFBLK | 0600, makedev(8, 0)),
		    "mknod of a block device");
	expect_fail(open("/sys/firmware/../kernel/uevent_helper", O_WRONLY),
		    "writing /sys/kernel/uevent_helper");
	{
		struct timespec now;

		(void)clock_gettime(CLOCK_REALTIME, &now);
		expect_fail(clock_settime(CLOCK_REALTIME, &now), "setting the host's clock");
	}
}

static void cgroups(void)
{
	int fd = open("/sys/fs/cgroup/../cgroup.procs", O_WRONLY);

	report(access("/sys/fs/cgroup/lxmgr.slice", F_OK) == 0,
	       "the host's cgroup tree is not visible");
	expect_fail(fd >= 0 && write(fd, "0", 1) == 1 ? 0 : -1,
		    "moving out of the container's cgroup");
	fd = open("/sys/fs/cgroup/memory.max", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "max", 3) == 3 ? 0 : -1, "raising its own memory.max");
	fd = open("/sys/fs/cgroup/pids.max", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "max", 3) == 3 ? 0 : -1, "raising its own pids.max");
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: escape MARKER HOST-PID\n");
		return 2;
	}
	chroot_escape(argv[1]);
	open_by_handle();
	proc_of_host((pid_t)atoi(argv[2]));
	mounts();
	kernel();
	cgroups();
	locked_masks();
	undo_masks();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
