/* security.h: the capability bounding set and the seccomp filter of a container. */
#pragma once

#include <stddef.h>

/* Capabilities no container keeps (docs/security.md lists them with the reasons). */
extern const int security_dropped_caps[];
extern const size_t security_n_dropped_caps;

/* Drops the capabilities above from the bounding set of the calling process. */
int security_drop_bounding_set(void);

/* Builds the filter and writes it as raw BPF to path (the monitor does this once per start,
 * so that exec loads it without compiling it again). */
int security_seccomp_export(const char *path);
/* Builds and loads the filter into the calling process. Never sets NO_NEW_PRIVS: sudo needs
 * setuid, so the caller must hold CAP_SYS_ADMIN in its user namespace. */
int security_seccomp_load(void);
/* Loads a filter exported by security_seccomp_export. */
int security_seccomp_load_file(const char *path);

/* The system calls the filter refuses and the errno each gets, ended by a NULL name
 * (docs/security.md lists them with the reasons). */
struct security_denied_syscall {
	const char *name;
	int errno_value;
};
extern const struct security_denied_syscall security_denied_syscalls[];
/* ioctl requests the filter refuses with EPERM, ended by 0. */
extern const unsigned long security_denied_ioctls[];
