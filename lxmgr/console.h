/* console.h: the container's /dev/console: a pty the monitor owns, its log and its ring. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_LOG_MAX (1024 * 1024)

struct console {
	int master;       /* read by the monitor for the container's whole life */
	int slave;        /* kept open so the master never sees a hang-up between gettys */
	char *slave_path; /* host path, bound onto /dev/console inside */
	int log_fd;
	char *log_path;
	uint64_t log_size;
	char ring[CONSOLE_RING_SIZE]; /* the recent output, replayed to a client that attaches */
	size_t ring_head, ring_len;
};

/* Opens a pty whose slave belongs to the container's root (uid) and tty group (gid), and
 * LOGDIR/console.log for appending. */
int console_open(struct console *con, const char *logdir, uid_t uid, gid_t tty_gid);
/* Reads what the container wrote and keeps it in the log (capped at CONSOLE_LOG_MAX, rotated
 * once to console.log.1) and the ring. Returns bytes read, 0 when nothing was there. */
ssize_t console_drain(struct console *con);
/* Appends data to the ring buffer (a pure function of the ring, tested). */
void console_ring_append(struct console *con, const char *data, size_t len);
void console_close(struct console *con);
