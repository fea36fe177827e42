/* console.h: the container's /dev/console: a pty the monitor owns, its log and its ring. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_LOG_MAX (1024 * 1024)
#define CONSOLE_MAX_CLIENTS 16
/* Socket buffer of an attached client: the replayed ring and some slack fit in it. */
#define CONSOLE_CLIENT_SNDBUF (512 * 1024)

struct ctrl_msg;

struct console_client {
	int fd;       /* owned; -EBADF when the slot is free */
	uint64_t seq; /* attach order: the oldest writable client types */
	bool readonly;
};

struct console {
	int master;       /* read by the monitor for the container's whole life */
	int slave;        /* kept open so the master never sees a hang-up between gettys */
	char *slave_path; /* host path, bound onto /dev/console inside */
	int log_fd;
	int journal_fd; /* run by lxmgr@NAME.service: a journal stream that gets the output too */
	char *log_path;
	uint64_t log_size;
	char ring[CONSOLE_RING_SIZE]; /* the recent output, replayed to a client that attaches */
	size_t ring_head, ring_len;
	struct console_client clients[CONSOLE_MAX_CLIENTS];
	uint64_t next_seq;
	int writer; /* slot of the client whose input reaches the container; -1: none */
};

/* Opens a pty whose slave belongs to the container's root (uid) and tty group (gid), and
 * LOGDIR/console.log for appending. */
int console_open(struct console *con, const char *logdir, uid_t uid, gid_t tty_gid);
/* Mounts a devpts instance of this process's own user namespace on /dev/pts (and
 * /dev/ptmx): rootless inside an lxmgr guest, whose devpts gives new ptys group tty (gid=5),
 * a group the user's namespace does not map, so console_open cannot hand the pty over
 * (EPERM). Only in the rootless monitor's private mount namespace. 0 or -errno. */
int console_private_devpts(void);
/* Sets an empty console: no pty, no log, no client. */
void console_init(struct console *con);
/* Opens (appending) LOGDIR/console.log; LOGDIR must exist. */
int console_log_open(struct console *con, const char *logdir);
/* Reads what the container wrote and keeps it in the log (capped at CONSOLE_LOG_MAX, rotated
 * once to console.log.1), the journal stream if any, and the ring, and sends it to every attached
 * client; a client that cannot take it at once is disconnected (the monitor never waits for one).
 * Returns bytes read, 0 when nothing was there. */
ssize_t console_drain(struct console *con);
/* Appends data to the ring buffer (a pure function of the ring, tested). */
void console_ring_append(struct console *con, const char *data, size_t len);
/* Closes the pty, the log and every client. */
void console_close(struct console *con);

/* Takes fd (a non-blocking control connection that sent req = CTRL_CONSOLE): replies, replays
 * the ring, and streams from then on. Returns the client's slot, or -errno after replying
 * with the error (fd is then closed). The first writable client types; when it leaves, the
 * oldest remaining one does. */
int console_attach(struct console *con, int fd, const struct ctrl_msg *req);
/* The client in slot sent something: input (written to the pty if it types, dropped when
 * the pty is full), a window size (applied if it types), or its end (slot freed). */
void console_client_event(struct console *con, int slot);
/* Sends END (status) to every client and disconnects it. */
void console_detach_all(struct console *con, int status);
/* Number of attached clients. */
int console_n_clients(const struct console *con);
