/* notify.h: readiness and status for the systemd unit (sd_notify), and the guest's own
 * NOTIFY_SOCKET that the monitor forwards (container.notify_ready). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Where the guest finds the socket, and what its init gets in NOTIFY_SOCKET. */
#define NOTIFY_GUEST_PATH "/run/host/notify"

/* What one sd_notify datagram says; fields it does not carry stay false or empty. */
struct notify_msg {
	bool ready;
	bool stopping;
	char status[160];
};

/* Parses "KEY=VALUE" lines (sd_notify(3)); unknown keys are skipped. Pure: for unit tests. */
void notify_parse(const char *buf, size_t n, struct notify_msg *ret);

/* Whether systemd runs us as an lxmgr@ service (INVOCATION_ID set, our cgroup is the unit
 * lxmgr@*.service): then our cgroup is delegated (Delegate=yes). */
bool notify_run_by_unit(void);

/* Sends a state line to the service manager when one started us ($NOTIFY_SOCKET); a no-op
 * otherwise. Failures do not matter to the container: they are ignored. */
void notify_send(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Child side, before pivot_root, in the container's mount namespace with its /run mounted:
 * creates a datagram socket bound at root/run/host/notify, owned by the container's root,
 * with SO_PASSCRED on.
 * Returns the socket fd (for the monitor, through the sync socket) or -errno. */
int notify_guest_bind(const char *root);

/* Turns on SO_PASSCRED (notify_guest_bind does it at once; harmless to repeat). */
int notify_guest_setup(int fd);

/* Monitor side: reads one datagram. Returns 1 and fills *ret when it came from init_pid,
 * 0 for a datagram of another sender (ignored, as NotifyAccess=main does), -EAGAIN when
 * none is waiting, or -errno. */
int notify_guest_recv(int fd, pid_t init_pid, struct notify_msg *ret);
