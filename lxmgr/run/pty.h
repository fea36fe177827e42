/* pty.h: the user's terminal (raw mode, window size) and the loop that relays it to the
 * container: a console socket of the monitor, or the master of a pty inside. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <termios.h>

struct pty_term {
	int fd;   /* the user's terminal; -EBADF when stdin is not one */
	bool raw; /* raw mode is on, saved holds what to restore */
	struct termios saved;
};

/* Puts fd in raw mode if it is a terminal (nothing to do otherwise: returns 0, t->raw false).
 * Every caller restores with pty_term_restore on every way out. */
int pty_term_raw(struct pty_term *t, int fd);
/* Restores the saved settings (TCSAFLUSH: pending input is discarded, as a detach should);
 * safe to call twice. */
void pty_term_restore(struct pty_term *t);
/* The window size of fd, or 0x0 when it is not a terminal. */
void pty_get_winsize(int fd, uint16_t *ret_rows, uint16_t *ret_cols);

enum pty_end {
	PTY_END_REMOTE, /* the other end closed (the console went away, the pty hung up) */
	PTY_END_CHILD,  /* child_fd became readable: the command ended */
	PTY_END_DETACH, /* Ctrl-a q */
	PTY_END_SIGNAL, /* SIGTERM, SIGHUP, SIGINT or SIGQUIT reached us (not from the terminal) */
	PTY_END_ERROR,
};

#define PTY_ESCAPE_CHAR 0x01 /* Ctrl-a */

struct pty_relay {
	int in_fd, out_fd; /* the user's side: usually 0 and 1 */
	int remote_fd;     /* polled for output */
	int child_fd;      /* a pidfd, or -EBADF */
	bool escape;       /* Ctrl-a q detaches; Ctrl-a Ctrl-a sends one Ctrl-a */
	void *userdata;
	/* Remote output into buf: >0 bytes, 0 at its end, -EAGAIN for nothing now. */
	ssize_t (*recv)(void *userdata, char *buf, size_t size);
	/* User input to the remote end. */
	int (*send)(void *userdata, const char *buf, size_t len);
	void (*resize)(void *userdata, uint16_t rows, uint16_t cols);
	/* The user's input ended (not a terminal): tell the remote end, if it can be told. */
	void (*input_eof)(void *userdata);
	int signo; /* out: the signal behind PTY_END_SIGNAL */
};

/* Relays until one of enum pty_end happens; SIGWINCH resizes the remote end. Signals are
 * taken through a signalfd while it runs; the caller's mask is restored on return. */
enum pty_end pty_relay_run(struct pty_relay *r);

/* The escape state machine of the console (a pure function, tested): copies in to out
 * (at least 2 * len bytes) without the escapes, *pending carries a Ctrl-a across calls.
 * Returns the number of bytes in out; *ret_detach is set at Ctrl-a q (bytes after it are
 * dropped). */
size_t pty_filter_escape(const char *in, size_t len, char *out, bool *pending, bool *ret_detach);

/* Passes one descriptor over a unix socket (SCM_RIGHTS). recv: -ECONNRESET when the peer
 * closed without sending one; the descriptor comes close-on-exec. */
int pty_send_fd(int sock, int fd);
int pty_recv_fd(int sock);

/* Relays our terminal (raw mode when it is one, restored before returning) to the master of
 * a pty whose session leader is the process of pidfd, until that process ends, the pty hangs
 * up, or a signal ends us (then the pty is hung up, so the session gets SIGHUP). Takes
 * ownership of master. Returns the enum pty_end. */
enum pty_end pty_master_relay(int master, int pidfd);
