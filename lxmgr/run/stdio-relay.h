/* stdio-relay.h: a command run inside a container never holds a terminal of the host. Each
 * of our descriptors 0, 1 and 2 that is a terminal reaches the command through a pipe that we
 * relay; the others (files, pipes, sockets the caller chose) are passed as they are. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

struct stdio_relay {
	int child[3]; /* what the command gets as descriptor i: i itself, or its end of a pipe */
	int ours[3];  /* our end of descriptor i's pipe (0: the write end), or -EBADF */
};

/* Makes a pipe for each of 0, 1, 2 that is a terminal; with stdin_null, the command reads
 * /dev/null instead of our stdin (lxmgr's own queries must not eat what the user types
 * ahead). Every way out goes through stdio_relay_done. Returns 0 or -errno. */
int stdio_relay_open(struct stdio_relay *s, bool stdin_null);
/* In the command's process: its ends onto 0, 1 and 2. Returns 0 or -errno. */
int stdio_relay_child(const struct stdio_relay *s);
/* In ours, once the command's process exists: closes its ends. */
void stdio_relay_parent(struct stdio_relay *s);
/* Relays until the process of pidfd (pid) has ended and its output is drained (or has gone
 * quiet for a moment: a daemon it started may hold the pipes for good), forwarding what
 * arrives on sigfd (SIGINT, SIGQUIT, SIGTERM, SIGHUP) to its process group: it is in a session
 * of its own, so the terminal's Ctrl-C reaches us, not it. Returns its exit status (128+N when
 * killed by signal N) or -errno. */
int stdio_relay_run(struct stdio_relay *s, int pidfd, pid_t pid, int sigfd);
void stdio_relay_done(struct stdio_relay *s);
