/* util.h: small helpers shared by lxmgr/ and net/; none of them prints. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Turn libc's -1/errno into -errno (systemd's RET_NERRNO). */
#define NEG_ERRNO(expr)                                                                            \
	({                                                                                         \
		__typeof__(expr) _r = (expr);                                                      \
		_r < 0 ? -errno : _r;                                                              \
	})

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* asprintf that returns 0 or -ENOMEM and leaves *ret NULL on failure. */
int xasprintf(char **ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Reads a whole small file (at most max bytes) at dirfd/path; *ret is NUL-terminated. */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);
/* The same from an open descriptor, read to its end. */
int read_fd_all(int fd, size_t max, char **ret, size_t *ret_len);
/* The same for a path inside a tree the container owns (open_in_root; flags e.g. O_NOFOLLOW). */
int read_file_in_root(int rootfd, const char *path, int flags, size_t max, char **ret,
		      size_t *ret_len);
/* Writes all of data, retrying short writes and EINTR. */
int write_all(int fd, const void *data, size_t len);

/* Writes data to dirfd/path through a temporary file in the same directory (PATH.tmp-PID),
 * fsync, rename. */
int write_file_atomic_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode);
/* As write_file_atomic_at, without the fsync: for runtime files, which a reboot makes stale
 * anyway (the run directory is volatile); readers still see the old or the new whole file. */
int write_file_replace_at(int dirfd, const char *path, const void *data, size_t len, mode_t mode);
/* Removes the FILE.tmp-PID files that a write_file_atomic_at() killed between its write and
 * its rename left in dirfd: those of processes that no longer exist, or every one (any_pid)
 * where the caller holds a lock that every writer of the directory takes. Returns how many. */
int remove_stale_atomic_tmp(int dirfd, bool any_pid);
/* Writes a short string to an existing file (cgroup and /proc knobs). */
int write_string_at(int dirfd, const char *path, const char *s);

/* mkdir -p with mode for every missing component. */
/* Sends len bytes of data over a unix socket, with fd passed along (SCM_RIGHTS) when
 * fd >= 0; -EIO on a short send. */
int fd_send(int sock, const void *data, size_t len, int fd);
/* Receives up to len bytes; *ret_fd is the descriptor passed along (close-on-exec) or
 * -EBADF. Returns the byte count (0: the peer closed) or -errno. */
ssize_t fd_recv(int sock, void *data, size_t len, int *ret_fd);

int mkdir_p(const char *path, mode_t mode);
/* rm -rf that does not cross mount points; -ENOENT is success. */
int rm_rf_at(int dirfd, const char *path);

/* Strict numbers: the whole string, in range, no sign surprises. */
int parse_u64(const char *s, uint64_t *ret);
int parse_u32(const char *s, uint32_t *ret);
/* "512M", "2G", "1024" (bytes), "max" -> UINT64_MAX. Powers of 1024. */
int parse_size(const char *s, uint64_t *ret);
/* "yes"/"no"/"true"/"false"/"1"/"0"/"on"/"off". */
int parse_bool(const char *s, bool *ret);
/* A signal by name ("SIGRTMIN+3", "RTMIN+3", "TERM", "SIGPWR") or number. */
int parse_signal(const char *s, int *ret);
/* The name of a signal, "SIGRTMIN+3" style, written into buf and returned. */
const char *signal_to_string(int sig, char buf[static 16]);

/* Start time of a process (field 22 of /proc/PID/stat), to tell a reused pid apart. */
int pid_start_time(pid_t pid, uint64_t *ret);

/* openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS): a path inside a tree the container owns
 * never leads out of it, whatever symlinks it holds. Retries the EAGAIN that a ".." step
 * gets when a rename elsewhere on the host raced the lookup. */
int open_in_root(int rootfd, const char *path, int flags, mode_t mode);

/* Monotonic time in nanoseconds. */
uint64_t now_ns(void);
/* Wall clock in seconds. */
uint64_t now_realtime_s(void);

/* Returns true if s is safe to use as the name of an existing container: a directory name of
 * the store (ASCII letters, digits, '-', '_', '.', 1-64 chars, not starting with '.' or '-').
 * Containers made before names had to be hostname labels keep working with it. */
bool name_is_valid(const char *s);

/* The rule for the name of a new container, printed when it is refused. */
#define NAME_RULE                                                                                  \
	"use 1-63 letters, digits and '-', starting and ending with a letter or digit (a "         \
	"hostname "                                                                                \
	"label)"
/* Returns true if s may name a new container (NAME_RULE): the name is the default hostname and
 * the NAME.lxmgr host name, so it must be one RFC 1123 label; a dot or '_' would fail there. */
bool name_is_valid_new(const char *s);

/* An id unique in a directory across reboots too (layers, subvolumes): wall-clock
 * nanoseconds in 16 hex digits (a monotonic clock starts again at boot). */
void unique_time_id(char id[static 24]);

/* Blocks SIGINT, SIGTERM and SIGHUP (the set in *ret_mask, the old mask in *ret_old): held,
 * not handled, by work that undoes itself as a whole when one arrives (it polls for them,
 * or reads them from a signalfd of *ret_mask). */
void hold_stop_signals(sigset_t *ret_mask, sigset_t *ret_old);
/* Whether one of the signals hold_stop_signals holds (SIGINT, SIGTERM, SIGHUP) is pending:
 * the held verb's cue to stop cleanly. */
bool stop_signal_pending(void);
