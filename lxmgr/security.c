/* security.c: the capability bounding set and the seccomp filter of a container. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "security.h"
#include "util.h"

/* Dropped from the bounding set: what would reach the host kernel or its clock, modules,
 * raw I/O, the audit system or a security module, none of which a user namespace confines. */
const int security_dropped_caps[] = {
	CAP_SYS_MODULE,   CAP_SYS_RAWIO,  CAP_SYS_TIME,      CAP_MAC_ADMIN,
	CAP_MAC_OVERRIDE, CAP_WAKE_ALARM, CAP_AUDIT_CONTROL, CAP_AUDIT_READ,
};
const size_t security_n_dropped_caps = ELEMENTSOF(security_dropped_caps);

/* Refused with EPERM: kernel images and modules, handle-based opens (the classic escape
 * through open_by_handle_at), port I/O, swap and process accounting. */
const char *const security_denied_syscalls[] = {
	"kexec_load",
	"kexec_file_load",
	"open_by_handle_at",
	"init_module",
	"finit_module",
	"delete_module",
	"iopl",
	"ioperm",
	"swapon",
	"swapoff",
	"acct",
	NULL,
};

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
	for (const char *const *s = security_denied_syscalls; *s; s++) {
		int nr = seccomp_syscall_resolve_name(*s);

		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 0);
		if (r < 0 && r != -EDOM)
			return r;
	}
	*ret = TAKE_PTR(f);
	return 0;
}

int security_seccomp_export(const char *path)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx f = NULL;
	_cleanup_close_ int fd = -EBADF;
	int r = build_filter(&f);

	if (r < 0)
		return r;
	fd = NEG_ERRNO(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
	if (fd < 0)
		return fd;
	return seccomp_export_bpf(f, fd);
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
