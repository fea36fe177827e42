/* control.h: the monitor's control socket: commands, their wire form, client and server ends. */
#pragma once

#include <stddef.h>
#include <stdint.h>

enum ctrl_cmd {
	CTRL_STATUS, /* reply: status 0, arg = run_state, text = state name */
	CTRL_STOP,   /* arg = timeout in seconds (-1: the config's); flags CTRL_FLAG_KILL */
	CTRL_KILL,   /* arg = signal for the container's init */
	CTRL_FREEZE,
	CTRL_UNFREEZE,
	CTRL_REBOOT, /* restart in place, as `reboot` inside would */
	_CTRL_CMD_MAX,
};
const char *ctrl_cmd_to_string(enum ctrl_cmd c);

#define CTRL_FLAG_KILL 0x1U
#define CTRL_TEXT_MAX 240

struct ctrl_msg {
	uint32_t cmd;
	uint32_t flags;
	int32_t arg;
	int32_t status;           /* replies: 0 or -errno */
	char text[CTRL_TEXT_MAX]; /* replies: a message for the user */
};

#define CTRL_WIRE_SIZE (8 + 4 * 4 + CTRL_TEXT_MAX)

/* Encodes into buf (CTRL_WIRE_SIZE bytes): a magic, a version, then the fields. */
void control_encode(const struct ctrl_msg *m, uint8_t buf[static CTRL_WIRE_SIZE]);
/* Decodes len bytes; -EBADMSG for a short, long, foreign or unknown message. */
int control_decode(const uint8_t *buf, size_t len, struct ctrl_msg *ret);

/* Path of the socket: RUNDIR/control. */
int control_socket_path(const char *rundir, char *buf, size_t size);
/* Server: a listening SOCK_SEQPACKET socket at RUNDIR/control (mode 0600). */
int control_listen(const char *rundir);
/* Client: connects; -ECONNREFUSED/-ENOENT when no monitor listens. */
int control_connect(const char *rundir);
int control_send(int fd, const struct ctrl_msg *m);
/* Receives one message; -ECONNRESET at end of stream (the monitor went away). */
int control_recv(int fd, struct ctrl_msg *ret);
/* Sends req and waits for the reply. */
int control_call(int fd, const struct ctrl_msg *req, struct ctrl_msg *reply);
