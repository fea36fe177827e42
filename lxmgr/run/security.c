/* security.c: the capability bounding set and the seccomp filter of a container. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/security.h"

/* Dropped from the bounding set: what would reach the host kernel or its clock, modules,
 * raw I/O, the audit system or a security module, none of which a user namespace confines. */
const int security_dropped_caps[] = {
	CAP_SYS_MODULE,   CAP_SYS_RAWIO,  CAP_SYS_TIME,      CAP_MAC_ADMIN,
	CAP_MAC_OVERRIDE, CAP_WAKE_ALARM, CAP_AUDIT_CONTROL, CAP_AUDIT_READ,
};
const size_t security_n_dropped_caps = ELEMENTSOF(security_dropped_caps);

/* What a dev machine never needs and a user namespace does not confine, compared with the
 * defaults of LXC (kexec, handles, modules, keyctl) and nspawn (its allow-list leaves out the
 * keyring, bpf, perf, fanotify, quotactl, userfaultfd, swap, accounting and the obsolete
 * calls). Nesting (lxmgr, podman, docker inside) needs none of them: runc, crun, systemd and
 * lxmgr take ENOSYS from keyctl as "no keyring here", as they do under LXC. */
const struct security_denied_syscall security_denied_syscalls[] = {
	/* Kernel images and modules, handle-based opens (the classic escape through
	 * open_by_handle_at), port I/O, swap and process accounting. */
	{"kexec_load", EPERM},
	{"kexec_file_load", EPERM},
	{"open_by_handle_at", EPERM},
	{"init_module", EPERM},
	{"finit_module", EPERM},
	{"delete_module", EPERM},
	{"iopl", EPERM},
	{"ioperm", EPERM},
	{"swapon", EPERM},
	{"swapoff", EPERM},
	{"acct", EPERM},
	/* The keyring is not namespaced: keys are the host's, and request_key makes the host
	 * run /sbin/request-key as its root on behalf of the caller. */
	{"keyctl", ENOSYS},
	{"add_key", ENOSYS},
	{"request_key", ENOSYS},
	/* Kernel attack surface with no use inside: eBPF programs, performance counters of the
	 * host's CPUs, whole-filesystem notification marks, quotas (limits.disk is set from the
	 * host), page faults handled in user space (a favourite of kernel exploits), the host's
	 * kernel log. */
	{"bpf", EPERM},
	{"perf_event_open", EPERM},
	{"fanotify_init", EPERM},
	{"quotactl", EPERM},
	{"quotactl_fd", EPERM},
	{"userfaultfd", EPERM},
	{"syslog", EPERM},
	/* Obsolete: no current program calls them. */
	{"_sysctl", ENOSYS},
	{"uselib", ENOSYS},
	{"ustat", ENOSYS},
	{"sysfs", ENOSYS},
	{"create_module", ENOSYS},
	{"get_kernel_syms", ENOSYS},
	{"query_module", ENOSYS},
	{"nfsservctl", ENOSYS},
	{"lookup_dcookie", ENOSYS},
	{"vm86", ENOSYS},
	{"vm86old", ENOSYS},
	{NULL, 0},
};

/* ioctl requests refused with EPERM on any descriptor: TIOCSTI pushes input into a terminal
 * as if typed (a terminal of the host, should one ever reach a container), TIOCLINUX reads
 * and writes a virtual console's screen and selection. */
const unsigned long security_denied_ioctls[] = {TIOCSTI, TIOCLINUX, 0};

int security_drop_bounding_set(void)
{
	for (size_t i = 0; i < security_n_dropped_caps; i++)
		if (prctl(PR_CAPBSET_DROP, security_dropped_caps[i], 0, 0, 0) < 0 &&
		    errno != EINVAL)
			return -errno;
	return 0;
}

static void seccomp_releasep(scmp_filter_ctx *f)
{
	if (*f)
		seccomp_release(*f);
}

static int add_denied_syscalls(scmp_filter_ctx f)
{
	for (const struct security_denied_syscall *d = security_denied_syscalls; d->name; d++) {
		int nr = seccomp_syscall_resolve_name(d->name), r;

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(f, SCMP_ACT_ERRNO((uint32_t)d->errno_value), nr, 0);
		/* -EDOM: a call some of the filter's architectures do not have. */
		if (r < 0 && r != -EDOM)
			return r;
	}
	return 0;
}

static int add_denied_ioctls(scmp_filter_ctx f)
{
	for (const unsigned long *req = security_denied_ioctls; *req; req++) {
		/* The kernel reads the request as 32 bits: compare only those, or a request with
		 * high bits set would pass the filter and still be TIOCSTI. */
		int r = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
					 SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL, *req));

		if (r < 0)
			return r;
	}
	return 0;
}

static int build_filter(scmp_filter_ctx *ret)
{
	static const uint32_t extra_arches[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
	_cleanup_(seccomp_releasep) scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	int r;

	if (!f)
		return -ENOMEM;
	/* libseccomp sets NO_NEW_PRIVS by default; setuid sudo must keep working. */
	r = seccomp_attr_set(f, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return r;
	/* The same calls through the 32-bit entry points are refused too. */
	for (size_t i = 0; i < ELEMENTSOF(extra_arches); i++) {
		if (seccomp_arch_native() != SCMP_ARCH_X86_64)
			break;
		r = seccomp_arch_add(f, extra_arches[i]);
		if (r < 0 && r != -EEXIST)
			return r;
	}
	r = add_denied_syscalls(f);
	if (r >= 0)
		r = add_denied_ioctls(f);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(f);
	return 0;
}

/* libseccomp 2.5 turns any failed write into -ECANCELED and drops errno, so a full store read
 * "Operation canceled": export into a memfd, which no file system limits, then write the bytes
 * with a checked write that keeps the real cause, atomically so a failure leaves no stub. */
int security_seccomp_export(const char *path)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx f = NULL;
	_cleanup_close_ int mfd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	off_t size;
	ssize_t n;
	int r = build_filter(&f);

	if (r < 0)
		return r;
	mfd = NEG_ERRNO(memfd_create("lxmgr-seccomp", MFD_CLOEXEC));
	if (mfd < 0)
		return mfd;
	r = seccomp_export_bpf(f, mfd);
	if (r < 0)
		return r;
	size = lseek(mfd, 0, SEEK_END);
	if (size <= 0)
		return size < 0 ? -errno : -ENODATA;
	buf = malloc((size_t)size);
	if (!buf)
		return -ENOMEM;
	n = pread(mfd, buf, (size_t)size, 0);
	if (n != size)
		return n < 0 ? -errno : -EIO;
	return write_file_replace_at(AT_FDCWD, path, buf, (size_t)size, 0600);
}

int security_seccomp_load(void)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx f = NULL;
	int r = build_filter(&f);

	if (r < 0)
		return r;
	return seccomp_load(f);
}

int security_seccomp_load_file(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	struct sock_fprog prog;
	size_t len;
	int r;

	r = read_file_at(AT_FDCWD, path, 1 << 20, &buf, &len);
	if (r < 0)
		return r;
	if (len == 0 || len % sizeof(struct sock_filter) != 0)
		return -EBADMSG;
	prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)buf;
	return NEG_ERRNO(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0));
}
