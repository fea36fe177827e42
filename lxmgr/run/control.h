/* control.h: the monitor's control socket: commands, their wire form, client and server ends. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctrl_cmd {
	CTRL_STATUS, /* reply: status 0, arg = run_state, text = state name */
	CTRL_STOP,   /* arg = timeout in seconds (-1: the config's); flags CTRL_FLAG_KILL */
	CTRL_KILL,   /* arg = signal for the container's init */
	CTRL_FREEZE,
	CTRL_UNFREEZE,
	CTRL_REBOOT, /* restart in place, as `reboot` inside would */
	/* arg = the client's window size (CTRL_WINSIZE), flags CTRL_FLAG_READONLY. Reply: status,
	 * arg 1 when this client types (the first attached one does). After a reply with status
	 * 0 the connection carries frames (below) both ways until either end closes it. */
	CTRL_CONSOLE,
	/* net.forward of the config file becomes the live forwards (host lock, nft, record);
	 * reply: status, text says what failed */
	CTRL_FORWARD,
	/* arg = the oldest answer (seconds) the client accepts. Reply: arg = run_state, text =
	 * the guest's systemd state as guest-state.h writes it, from the monitor's cache. */
	CTRL_STATE,
	_CTRL_CMD_MAX,
};
const char *ctrl_cmd_to_string(enum ctrl_cmd c);

#define CTRL_FLAG_KILL 0x1U
#define CTRL_FLAG_READONLY 0x2U /* console: watch only, never type */
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

/* A window size in one int32 of a request: rows in the high 16 bits, columns in the low. */
#define CTRL_WINSIZE(rows, cols) ((int32_t)(((uint32_t)(rows) << 16) | ((uint32_t)(cols)&0xffffU)))
#define CTRL_WINSIZE_ROWS(arg) ((uint16_t)((uint32_t)(arg) >> 16))
#define CTRL_WINSIZE_COLS(arg) ((uint16_t)((uint32_t)(arg)&0xffffU))

/* Console frames: one per SOCK_SEQPACKET message, a magic, a type, then the payload. */
enum ctrl_frame {
	CTRL_FRAME_DATA,   /* monitor -> client: console output; client -> monitor: input */
	CTRL_FRAME_RESIZE, /* client -> monitor: payload u16 rows, u16 cols */
	CTRL_FRAME_END,    /* monitor -> client: the container stopped; payload i32 status */
	_CTRL_FRAME_MAX,
};

#define CTRL_FRAME_HEADER 8
#define CTRL_FRAME_DATA_MAX 4096
#define CTRL_FRAME_MAX (CTRL_FRAME_HEADER + CTRL_FRAME_DATA_MAX)

/* Encodes a frame into buf (CTRL_FRAME_MAX bytes); returns its length, or -EMSGSIZE when
 * len exceeds CTRL_FRAME_DATA_MAX. */
int control_frame_encode(enum ctrl_frame type, const void *data, size_t len,
			 uint8_t buf[static CTRL_FRAME_MAX]);
/* Decodes a received frame: *ret_data points into buf. -EBADMSG for a foreign or unknown
 * frame, or a RESIZE/END whose payload has the wrong size. */
int control_frame_decode(const uint8_t *buf, size_t len, enum ctrl_frame *ret_type,
			 const uint8_t **ret_data, size_t *ret_len);
/* Sends one frame; MSG_DONTWAIT when nonblock (then -EAGAIN when the peer is behind). */
int control_frame_send(int fd, enum ctrl_frame type, const void *data, size_t len, bool nonblock);
/* Payload helpers of RESIZE and END. */
void control_frame_put_winsize(uint8_t p[static 4], uint16_t rows, uint16_t cols);
void control_frame_get_winsize(const uint8_t p[static 4], uint16_t *rows, uint16_t *cols);
