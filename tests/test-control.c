/* test-control.c: unit tests of the control socket (names, wire form, send/recv, listen/connect/
 * call) and of the runtime record (format/parse, state names, pid liveness). */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/control.h"
#include "store/runtime.h"
#include "unit.h"

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
};

static int setup_dir(void **state)
{
	*state = unit_dir_fixture_new(sizeof(struct fixture), "tc");
	return *state ? 0 : -1;
}

static struct ctrl_msg make_msg(uint32_t cmd, uint32_t flags, int32_t arg, int32_t status,
				const char *text)
{
	struct ctrl_msg m = {.cmd = cmd, .flags = flags, .arg = arg, .status = status};

	(void)snprintf(m.text, sizeof(m.text), "%s", text);
	return m;
}

static void assert_msg_equal(const struct ctrl_msg *a, const struct ctrl_msg *b)
{
	assert_int_equal(a->cmd, b->cmd);
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->arg, b->arg);
	assert_int_equal(a->status, b->status);
	assert_string_equal(a->text, b->text);
}

/* ---- names ---- */

static void test_ctrl_cmd_every_value_has_a_distinct_name(void **state _unused_)
{
	static const char *const want[_CTRL_CMD_MAX] = {
		[CTRL_STATUS] = "status",   [CTRL_STOP] = "stop",         [CTRL_KILL] = "kill",
		[CTRL_FREEZE] = "freeze",   [CTRL_UNFREEZE] = "unfreeze", [CTRL_REBOOT] = "reboot",
		[CTRL_CONSOLE] = "console", [CTRL_FORWARD] = "forward",   [CTRL_STATE] = "state",
	};

	for (int i = 0; i < _CTRL_CMD_MAX; i++) {
		const char *n = ctrl_cmd_to_string((enum ctrl_cmd)i);

		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		assert_non_null(want[i]);
		assert_string_equal(n, want[i]);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, ctrl_cmd_to_string((enum ctrl_cmd)j));
	}
	assert_string_equal(ctrl_cmd_to_string(_CTRL_CMD_MAX), "unknown");
}

/* ---- wire form ---- */

static void test_control_encode_decode_round_trips_every_command(void **state _unused_)
{
	for (uint32_t c = 0; c < _CTRL_CMD_MAX; c++) {
		struct ctrl_msg m, got;
		uint8_t buf[CTRL_WIRE_SIZE];
		char text[64];

		(void)snprintf(text, sizeof(text), "reply to %s: done", ctrl_cmd_to_string(c));
		m = make_msg(c, CTRL_FLAG_KILL | 0x80000000U, -1 - (int32_t)c, -EPERM, text);
		memset(&got, 0x5a, sizeof(got));
		control_encode(&m, buf);
		assert_int_equal(control_decode(buf, sizeof(buf), &got), 0);
		assert_msg_equal(&got, &m);
	}
}

static void test_control_encode_decode_keeps_extreme_values(void **state _unused_)
{
	struct ctrl_msg m = make_msg(CTRL_KILL, UINT32_MAX, INT32_MIN, INT32_MAX, ""), got;
	uint8_t buf[CTRL_WIRE_SIZE];
	char long_text[CTRL_TEXT_MAX];

	control_encode(&m, buf);
	assert_int_equal(control_decode(buf, sizeof(buf), &got), 0);
	assert_msg_equal(&got, &m);
	/* The longest text that fits: 239 characters and the NUL. */
	memset(long_text, 'q', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	m = make_msg(CTRL_STATUS, 0, 0, 0, long_text);
	control_encode(&m, buf);
	assert_int_equal(control_decode(buf, sizeof(buf), &got), 0);
	assert_int_equal(strlen(got.text), CTRL_TEXT_MAX - 1);
	assert_string_equal(got.text, long_text);
}

static void test_control_decode_refuses_short_long_foreign_and_unknown(void **state _unused_)
{
	struct ctrl_msg m = make_msg(CTRL_STOP, CTRL_FLAG_KILL, 30, 0, "x"), got;
	uint8_t buf[CTRL_WIRE_SIZE + 1], bad[CTRL_WIRE_SIZE];

	memset(buf, 0, sizeof(buf));
	control_encode(&m, buf);
	assert_int_equal(control_decode(buf, CTRL_WIRE_SIZE, &got), 0);
	assert_int_equal(control_decode(buf, CTRL_WIRE_SIZE - 1, &got), -EBADMSG);
	assert_int_equal(control_decode(buf, CTRL_WIRE_SIZE + 1, &got), -EBADMSG);
	assert_int_equal(control_decode(buf, 0, &got), -EBADMSG);

	/* Magic: the first 4 bytes. */
	memcpy(bad, buf, sizeof(bad));
	bad[0] ^= 0xff;
	assert_int_equal(control_decode(bad, sizeof(bad), &got), -EBADMSG);
	/* Version: the next 4. */
	memcpy(bad, buf, sizeof(bad));
	bad[4] ^= 0x03;
	assert_int_equal(control_decode(bad, sizeof(bad), &got), -EBADMSG);

	/* Commands this build does not know (encode does not check, a newer peer might send). */
	m.cmd = _CTRL_CMD_MAX;
	control_encode(&m, bad);
	assert_int_equal(control_decode(bad, sizeof(bad), &got), -EBADMSG);
	m.cmd = UINT32_MAX;
	control_encode(&m, bad);
	assert_int_equal(control_decode(bad, sizeof(bad), &got), -EBADMSG);
}

static void test_control_decode_nul_terminates_text_missing_its_nul(void **state _unused_)
{
	struct ctrl_msg m = make_msg(CTRL_STATUS, 0, 2, 0, "running"), got;
	uint8_t buf[CTRL_WIRE_SIZE];

	/* Wire bytes without any NUL in the text: a peer that did not use control_encode. */
	control_encode(&m, buf);
	memset(buf + CTRL_WIRE_SIZE - CTRL_TEXT_MAX, 'A', CTRL_TEXT_MAX);
	memset(&got, 'Z', sizeof(got));
	assert_int_equal(control_decode(buf, sizeof(buf), &got), 0);
	assert_int_equal(got.text[CTRL_TEXT_MAX - 1], '\0');
	assert_int_equal(got.text[CTRL_TEXT_MAX - 2], 'A');
	assert_int_equal(strlen(got.text), CTRL_TEXT_MAX - 1);
	assert_int_equal(got.arg, 2);

	/* A struct whose text fills the array: encode terminates it too. */
	memset(m.text, 'B', sizeof(m.text));
	control_encode(&m, buf);
	assert_int_equal(buf[CTRL_WIRE_SIZE - 1], '\0');
	assert_int_equal(control_decode(buf, sizeof(buf), &got), 0);
	assert_int_equal(strlen(got.text), CTRL_TEXT_MAX - 1);
	assert_int_equal(got.text[0], 'B');
}

/* ---- sockets ---- */

static void seqpacket_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

static void test_control_send_recv_over_socketpair_then_econnreset(void **state _unused_)
{
	struct ctrl_msg a = make_msg(CTRL_STOP, CTRL_FLAG_KILL, 15, 0, "");
	struct ctrl_msg b = make_msg(CTRL_STOP, 0, 0, -ETIMEDOUT, "stop timed out"), got;
	int sv[2];

	seqpacket_pair(sv);
	assert_int_equal(control_send(sv[0], &a), 0);
	assert_int_equal(control_send(sv[0], &b), 0);
	/* Message boundaries are kept: two sends, two receives. */
	assert_int_equal(control_recv(sv[1], &got), 0);
	assert_msg_equal(&got, &a);
	assert_int_equal(control_recv(sv[1], &got), 0);
	assert_msg_equal(&got, &b);
	assert_int_equal(control_send(sv[1], &b), 0);
	assert_int_equal(control_recv(sv[0], &got), 0);
	assert_msg_equal(&got, &b);

	(void)close(sv[0]);
	assert_int_equal(control_recv(sv[1], &got), -ECONNRESET);
	/* Sending to a closed peer is -EPIPE, not a crash. */
	assert_int_equal(control_send(sv[1], &a), -EPIPE);
	(void)close(sv[1]);
}

static void test_control_recv_refuses_datagram_of_wrong_size(void **state _unused_)
{
	struct ctrl_msg m = make_msg(CTRL_STATUS, 0, 0, 0, "ok"), got;
	uint8_t buf[CTRL_WIRE_SIZE + 16];
	int sv[2];

	seqpacket_pair(sv);
	memset(buf, 0, sizeof(buf));
	control_encode(&m, buf);
	/* One byte too many (a valid message with a tail), then one too few. */
	assert_int_equal(send(sv[0], buf, CTRL_WIRE_SIZE + 1, 0), CTRL_WIRE_SIZE + 1);
	assert_int_equal(send(sv[0], buf, CTRL_WIRE_SIZE - 1, 0), CTRL_WIRE_SIZE - 1);
	assert_int_equal(send(sv[0], buf, CTRL_WIRE_SIZE, 0), CTRL_WIRE_SIZE);
	assert_int_equal(control_recv(sv[1], &got), -EBADMSG);
	assert_int_equal(control_recv(sv[1], &got), -EBADMSG);
	assert_int_equal(control_recv(sv[1], &got), 0);
	assert_msg_equal(&got, &m);
	(void)close(sv[0]);
	(void)close(sv[1]);
}

static void control_path(const struct fixture *fx, char buf[static PATH_MAX])
{
	assert_int_equal(control_socket_path(fx->dir, buf, PATH_MAX), 0);
}

static void test_control_socket_path_is_rundir_control(void **state)
{
	struct fixture *fx = *state;
	char want[PATH_MAX + 16], got[PATH_MAX], small[8];

	(void)snprintf(want, sizeof(want), "%s/control", fx->dir);
	control_path(fx, got);
	assert_string_equal(got, want);
	assert_int_equal(control_socket_path("/run/lxmgr/x", small, sizeof(small)), -ENAMETOOLONG);
}

static void test_control_listen_makes_0600_socket_and_connect_reaches_it(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int lfd = -EBADF, cfd = -EBADF, afd = -EBADF;
	char path[PATH_MAX];
	struct stat st;
	struct pollfd p;

	lfd = control_listen(fx->dir);
	assert_true(lfd >= 0);
	control_path(fx, path);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(fcntl(lfd, F_GETFD) & FD_CLOEXEC);

	cfd = control_connect(fx->dir);
	assert_true(cfd >= 0);
	p = (struct pollfd){.fd = lfd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 5000), 1);
	afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(afd >= 0);
	{
		struct ctrl_msg m = make_msg(CTRL_FREEZE, 0, 0, 0, ""), got;

		assert_int_equal(control_send(cfd, &m), 0);
		assert_int_equal(control_recv(afd, &got), 0);
		assert_msg_equal(&got, &m);
	}
}

static void test_control_connect_without_listener_fails(void **state)
{
	struct fixture *fx = *state;
	char longdir[200];
	int lfd;

	assert_int_equal(control_connect(fx->dir), -ENOENT);
	/* A socket file left behind by a dead monitor. */
	lfd = control_listen(fx->dir);
	assert_true(lfd >= 0);
	(void)close(lfd);
	assert_int_equal(control_connect(fx->dir), -ECONNREFUSED);
	/* A second listen replaces the stale file. */
	lfd = control_listen(fx->dir);
	assert_true(lfd >= 0);
	(void)close(lfd);

	/* Longer than sun_path. */
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	assert_int_equal(control_listen(longdir), -ENAMETOOLONG);
	assert_int_equal(control_connect(longdir), -ENAMETOOLONG);
}

/* The forked server: accept one client, answer one request, exit 0 (or non-zero on trouble).
 * No cmocka in the child. */
static _Noreturn void serve_one(int lfd)
{
	struct pollfd p = {.fd = lfd, .events = POLLIN};
	struct ctrl_msg req, reply;
	int fd;

	(void)alarm(10);
	if (poll(&p, 1, 5000) != 1)
		_exit(2);
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		_exit(3);
	if (control_recv(fd, &req) < 0)
		_exit(4);
	reply = make_msg(req.cmd, 0, req.arg + 1, -EAGAIN, "");
	(void)snprintf(reply.text, sizeof(reply.text), "pong %s flags=%u",
		       ctrl_cmd_to_string(req.cmd), req.flags);
	if (control_send(fd, &reply) < 0)
		_exit(5);
	/* Then the end of the stream. */
	_exit(0);
}

static void test_control_call_gets_the_reply_of_a_forked_server(void **state)
{
	struct fixture *fx = *state;
	struct ctrl_msg req = make_msg(CTRL_STOP, CTRL_FLAG_KILL, 41, 0, ""), reply;
	_cleanup_close_ int cfd = -EBADF;
	int lfd, status = -1;
	pid_t pid;

	lfd = control_listen(fx->dir);
	assert_true(lfd >= 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		serve_one(lfd);
	(void)close(lfd);

	cfd = control_connect(fx->dir);
	assert_true(cfd >= 0);
	assert_int_equal(control_call(cfd, &req, &reply), 0);
	assert_int_equal(reply.cmd, CTRL_STOP);
	assert_int_equal(reply.arg, 42);
	assert_int_equal(reply.status, -EAGAIN);
	assert_string_equal(reply.text, "pong stop flags=1");
	/* The server exited: the next receive sees the end of the stream. */
	assert_int_equal(control_recv(cfd, &reply), -ECONNRESET);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- console frames ---- */

static void test_control_frame_round_trips_and_refuses_bad_frames(void **state _unused_)
{
	uint8_t buf[CTRL_FRAME_MAX], p[4];
	enum ctrl_frame type;
	const uint8_t *data;
	uint16_t rows, cols;
	size_t len;
	int n;

	n = control_frame_encode(CTRL_FRAME_DATA, "hello", 5, buf);
	assert_int_equal(n, CTRL_FRAME_HEADER + 5);
	assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), 0);
	assert_int_equal(type, CTRL_FRAME_DATA);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	control_frame_put_winsize(p, 50, 200);
	n = control_frame_encode(CTRL_FRAME_RESIZE, p, 4, buf);
	assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), 0);
	control_frame_get_winsize(data, &rows, &cols);
	assert_int_equal(rows, 50);
	assert_int_equal(cols, 200);
	/* Too long, wrong payload size, foreign magic, unknown type, short header. */
	assert_int_equal(control_frame_encode(CTRL_FRAME_DATA, buf, CTRL_FRAME_DATA_MAX + 1, buf),
			 -EMSGSIZE);
	assert_int_equal(control_frame_decode(buf, (size_t)n - 1, &type, &data, &len), -EBADMSG);
	buf[0] ^= 0xff;
	assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), -EBADMSG);
	n = control_frame_encode((enum ctrl_frame)_CTRL_FRAME_MAX, NULL, 0, buf);
	assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), -EBADMSG);
	assert_int_equal(control_frame_decode(buf, 7, &type, &data, &len), -EBADMSG);
	/* The window size of a request survives its int32. */
	assert_int_equal(CTRL_WINSIZE_ROWS(CTRL_WINSIZE(65535, 1)), 65535);
	assert_int_equal(CTRL_WINSIZE_COLS(CTRL_WINSIZE(65535, 1)), 1);
}

static void test_control_frame_send_over_socketpair_keeps_boundaries(void **state _unused_)
{
	uint8_t buf[CTRL_FRAME_MAX + 1], big[CTRL_FRAME_DATA_MAX];
	enum ctrl_frame type;
	const uint8_t *data;
	size_t len;
	ssize_t n;
	int sv[2];

	memset(big, 'x', sizeof(big));
	seqpacket_pair(sv);
	assert_int_equal(control_frame_send(sv[0], CTRL_FRAME_DATA, big, sizeof(big), false), 0);
	assert_int_equal(control_frame_send(sv[0], CTRL_FRAME_DATA, "ab", 2, true), 0);
	n = recv(sv[1], buf, sizeof(buf), 0);
	assert_int_equal(n, CTRL_FRAME_MAX);
	assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), 0);
	assert_int_equal(len, CTRL_FRAME_DATA_MAX);
	n = recv(sv[1], buf, sizeof(buf), 0);
	assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), 0);
	assert_int_equal(len, 2);
	assert_memory_equal(data, "ab", 2);
	(void)close(sv[1]);
	assert_int_equal(control_frame_send(sv[0], CTRL_FRAME_DATA, "c", 1, true), -EPIPE);
	(void)close(sv[0]);
}

/* ---- runtime record ---- */

static void test_run_state_every_value_has_a_name_that_parses_back(void **state _unused_)
{
	static const char *const want[_RUN_STATE_MAX] = {
		[RUN_STATE_STOPPED] = "stopped", [RUN_STATE_STARTING] = "starting",
		[RUN_STATE_RUNNING] = "running", [RUN_STATE_STOPPING] = "stopping",
		[RUN_STATE_FROZEN] = "frozen",   [RUN_STATE_REBOOTING] = "rebooting",
	};

	for (int i = 0; i < _RUN_STATE_MAX; i++) {
		const char *n = run_state_to_string((enum run_state)i);
		enum run_state back = (enum run_state) - 1;

		assert_non_null(n);
		assert_string_not_equal(n, "unknown");
		assert_non_null(want[i]);
		assert_string_equal(n, want[i]);
		assert_int_equal(run_state_from_string(n, &back), 0);
		assert_int_equal(back, i);
	}
	assert_string_equal(run_state_to_string(_RUN_STATE_MAX), "unknown");
}

static void test_run_state_from_string_refuses_unknown_names(void **state _unused_)
{
	static const char *const bad[] = {"", "unknown", "Running", "run", "running ", "frozen\n"};
	enum run_state s = RUN_STATE_FROZEN;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(run_state_from_string(bad[i], &s), -EINVAL);
	assert_int_equal(s, RUN_STATE_FROZEN);
}

static void fill_state(struct runtime_state *s)
{
	*s = (struct runtime_state){
		.state = RUN_STATE_FROZEN,
		.monitor_pid = 1234,
		.monitor_start = 987654321012ULL,
		.init_pid = INT32_MAX,
		.init_start = UINT64_MAX,
		.started_at = 1700000000ULL,
		.reboots = UINT32_MAX,
	};
	s->cgroup.unified = strdup("/sys/fs/cgroup/unified/lxmgr.slice/lxmgr-0a1b2c3d-dev1.scope");
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		assert_int_equal(xasprintf(&s->cgroup.v1[i], "/sys/fs/cgroup/%s/lxmgr.slice/x=%d",
					   cgroup_v1_to_string((enum cgroup_v1)i), i),
				 0);
	s->console = strdup("/dev/pts/17");
	s->cgroup_mount = strdup("/sys/fs/cgroup/unified");
	assert_non_null(s->cgroup.unified);
	assert_non_null(s->console);
	assert_non_null(s->cgroup_mount);
}

static void test_runtime_state_format_parse_round_trips_every_field(void **state _unused_)
{
	struct runtime_state s, got;
	_cleanup_free_ char *text = NULL, *again = NULL;

	fill_state(&s);
	assert_int_equal(runtime_state_format(&s, &text), 0);
	assert_int_equal(runtime_state_parse(text, &got), 0);
	assert_int_equal(got.state, RUN_STATE_FROZEN);
	assert_int_equal(got.monitor_pid, 1234);
	assert_true(got.monitor_start == 987654321012ULL);
	assert_int_equal(got.init_pid, INT32_MAX);
	assert_true(got.init_start == UINT64_MAX);
	assert_true(got.started_at == 1700000000ULL);
	assert_true(got.reboots == UINT32_MAX);
	assert_string_equal(got.cgroup.unified, s.cgroup.unified);
	for (int i = 0; i < _CGROUP_V1_MAX; i++) {
		assert_non_null(got.cgroup.v1[i]);
		assert_string_equal(got.cgroup.v1[i], s.cgroup.v1[i]);
	}
	assert_string_equal(got.console, "/dev/pts/17");
	assert_string_equal(got.cgroup_mount, "/sys/fs/cgroup/unified");
	/* Formatting the parsed record gives the same text. */
	assert_int_equal(runtime_state_format(&got, &again), 0);
	assert_string_equal(again, text);
	runtime_state_done(&got);
	runtime_state_done(&s);
	assert_null(s.console);
	assert_null(s.cgroup.unified);
}

static void test_runtime_state_format_omits_unset_paths(void **state _unused_)
{
	struct runtime_state s = {.state = RUN_STATE_STARTING, .monitor_pid = 7}, got;
	_cleanup_free_ char *text = NULL;

	assert_int_equal(runtime_state_format(&s, &text), 0);
	assert_null(strstr(text, "console="));
	assert_null(strstr(text, "cgroup="));
	assert_null(strstr(text, "cgroup_memory="));
	assert_non_null(strstr(text, "state=starting\n"));
	memset(&got, 0x5a, sizeof(got));
	assert_int_equal(runtime_state_parse(text, &got), 0);
	assert_int_equal(got.state, RUN_STATE_STARTING);
	assert_int_equal(got.monitor_pid, 7);
	assert_null(got.console);
	assert_null(got.cgroup_mount);
	assert_null(got.cgroup.unified);
	for (int i = 0; i < _CGROUP_V1_MAX; i++)
		assert_null(got.cgroup.v1[i]);
	runtime_state_done(&got);
}

static void test_runtime_state_parse_ignores_unknown_keys(void **state _unused_)
{
	struct runtime_state got;

	assert_int_equal(runtime_state_parse("state=running\n"
					     "future_key=1\n"
					     "cgroup_blkio=/x\n"
					     "init_pid=5\n"
					     "console=/dev/pts/3=odd\n",
					     &got),
			 0);
	assert_int_equal(got.state, RUN_STATE_RUNNING);
	assert_int_equal(got.init_pid, 5);
	/* The value is everything after the first '='. */
	assert_string_equal(got.console, "/dev/pts/3=odd");
	runtime_state_done(&got);
}

static void
test_runtime_state_parse_refuses_line_without_equals_and_bad_values(void **state _unused_)
{
	static const struct {
		const char *text;
		int r;
	} bad[] = {
		{"state=running\ngarbage\n", -EINVAL},
		{"state=bogus\n", -EINVAL},
		{"init_pid=-1\n", -EINVAL},
		{"init_pid=2147483648\n", -EINVAL},
		{"monitor_start=12a\n", -EINVAL},
		{"reboots=4294967296\n", -ERANGE},
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		struct runtime_state got = {.monitor_pid = 99};

		assert_int_equal(runtime_state_parse(bad[i].text, &got), bad[i].r);
		assert_int_equal(got.monitor_pid, 99); /* untouched on error */
	}
}

static void test_runtime_state_write_read_round_trips_through_rundir(void **state)
{
	struct fixture *fx = *state;
	struct runtime_state s, got;
	char p[PATH_MAX + 16];
	struct stat st;

	assert_int_equal(runtime_state_read(fx->dir, &got), -ENOENT);
	fill_state(&s);
	s.state = RUN_STATE_REBOOTING;
	assert_int_equal(runtime_state_write(fx->dir, &s), 0);
	(void)snprintf(p, sizeof(p), "%s/state", fx->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(runtime_state_read(fx->dir, &got), 0);
	assert_int_equal(got.state, RUN_STATE_REBOOTING);
	assert_string_equal(got.cgroup.unified, s.cgroup.unified);
	assert_true(got.reboots == UINT32_MAX);
	runtime_state_done(&got);
	runtime_state_done(&s);
}

static void test_runtime_pid_is_true_only_for_the_exact_start_time(void **state _unused_)
{
	uint64_t t = 0;

	assert_int_equal(pid_start_time(getpid(), &t), 0);
	assert_true(runtime_pid_is(getpid(), t));
	assert_false(runtime_pid_is(getpid(), t + 1));
	assert_false(runtime_pid_is(getpid(), t - 1));
	assert_false(runtime_pid_is(0, t));
	assert_false(runtime_pid_is(-1, t));
}

static void test_runtime_pid_is_false_after_the_process_is_reaped(void **state _unused_)
{
	uint64_t t = 0;
	pid_t pid;
	int p[2];
	char c;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		(void)close(p[1]);
		(void)alarm(30); /* never outlives a failed test by much */
		/* Lives until the parent closes the pipe. */
		if (read(p[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	(void)close(p[0]);
	assert_int_equal(pid_start_time(pid, &t), 0);
	assert_true(runtime_pid_is(pid, t));
	(void)close(p[1]);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_false(runtime_pid_is(pid, t));
}

#define T(f) cmocka_unit_test(f)
#define TD(f) cmocka_unit_test_setup_teardown(f, setup_dir, unit_dir_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ctrl_cmd_every_value_has_a_distinct_name),
		T(test_control_encode_decode_round_trips_every_command),
		T(test_control_encode_decode_keeps_extreme_values),
		T(test_control_decode_refuses_short_long_foreign_and_unknown),
		T(test_control_decode_nul_terminates_text_missing_its_nul),
		T(test_control_send_recv_over_socketpair_then_econnreset),
		T(test_control_recv_refuses_datagram_of_wrong_size),
		TD(test_control_socket_path_is_rundir_control),
		TD(test_control_listen_makes_0600_socket_and_connect_reaches_it),
		TD(test_control_connect_without_listener_fails),
		TD(test_control_call_gets_the_reply_of_a_forked_server),
		T(test_control_frame_round_trips_and_refuses_bad_frames),
		T(test_control_frame_send_over_socketpair_keeps_boundaries),
		T(test_run_state_every_value_has_a_name_that_parses_back),
		T(test_run_state_from_string_refuses_unknown_names),
		T(test_runtime_state_format_parse_round_trips_every_field),
		T(test_runtime_state_format_omits_unset_paths),
		T(test_runtime_state_parse_ignores_unknown_keys),
		T(test_runtime_state_parse_refuses_line_without_equals_and_bad_values),
		TD(test_runtime_state_write_read_round_trips_through_rundir),
		T(test_runtime_pid_is_true_only_for_the_exact_start_time),
		T(test_runtime_pid_is_false_after_the_process_is_reaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
