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

/* lxmgr's masks and read-only binds are made inside the container's user namespace, so root
 * inside can remove them (as in LXC and nspawn): what they cover must stay guarded by the
 * kernel itself. Undo them all, then try again. */
static void undo_masks(void)
{
	int fd;

	(void)umount2("/proc/sys", MNT_DETACH);
	(void)mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL);
	fd = open("/proc/sys/kernel/hostname", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "escaped", 7) == 7 ? 0 : -1,
		    "writing kernel.hostname with /proc/sys unmasked");
	fd = open("/proc/sys/kernel/core_pattern", O_WRONLY);
	expect_fail(fd >= 0 && write(fd, "|/escape", 8) == 8 ? 0 : -1,
		    "writing kernel.core_pattern with /proc/sys unmasked");
	(void)umount2("/proc/kcore", MNT_DETACH);
	fd = open("/proc/kcore", O_RDONLY);
	expect_fail(fd, "opening /proc/kcore with its mask removed");
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
	undo_masks();
	printf("1..%d\n", n_tests);
	return n_failed ? 1 : 0;
}
