/* test-console.c: unit tests of the console (ring, log cap and rotation, clients: replay,
 * fan-out, who types, a slow client dropped), the escape keys of the console client, and the
 * login helpers (shadow line replacement, password hashing, autologin drop-in). */
#include <crypt.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "guest/login.h"
#include "run/console.h"
#include "run/control.h"
#include "run/pty.h"
#include "unit.h"

struct fixture {
	char dir[PATH_MAX];
	struct console con;
	int pipe_w; /* the container's side of the fake console */
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	int p[2];

	if (!fx)
		return -1;
	if (unit_make_tmpdir(fx->dir, "tcon") < 0 || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	console_init(&fx->con);
	/* A pipe stands in for the pty master: drain reads it the same way. */
	fx->con.master = p[0];
	fx->pipe_w = p[1];
	if (console_log_open(&fx->con, fx->dir) < 0)
		return -1;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	console_close(&fx->con);
	(void)close(fx->pipe_w);
	(void)unit_remove_tmpdir(fx->dir);
	free(fx);
	return 0;
}

static off_t file_size(const struct fixture *fx, const char *name)
{
	char p[PATH_MAX + 32];
	struct stat st;

	(void)snprintf(p, sizeof(p), "%s/%s", fx->dir, name);
	return stat(p, &st) == 0 ? st.st_size : -1;
}

/* Writes len bytes of c through the fake console and drains them. */
static void emit(struct fixture *fx, char c, size_t len)
{
	char buf[4096];

	memset(buf, c, sizeof(buf));
	while (len > 0) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		assert_int_equal(write(fx->pipe_w, buf, n), (ssize_t)n);
		assert_int_equal(console_drain(&fx->con), (ssize_t)n);
		len -= n;
	}
}

static void test_console_ring_keeps_the_last_64k_in_order(void **state _unused_)
{
	struct console *con = malloc(sizeof(*con));
	char big[CONSOLE_RING_SIZE + 100];

	assert_non_null(con);
	console_init(con);
	console_ring_append(con, "abc", 3);
	assert_int_equal(con->ring_len, 3);
	assert_memory_equal(con->ring + con->ring_head, "abc", 3);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	console_ring_append(con, big, sizeof(big));
	assert_int_equal(con->ring_len, CONSOLE_RING_SIZE);
	/* The oldest byte kept is big[100]. */
	assert_int_equal(con->ring[con->ring_head], big[100]);
	console_ring_append(con, "Z", 1);
	assert_int_equal(con->ring_len, CONSOLE_RING_SIZE);
	assert_int_equal(con->ring[(con->ring_head + CONSOLE_RING_SIZE - 1) % CONSOLE_RING_SIZE],
			 'Z');
	assert_int_equal(con->ring[con->ring_head], big[101]);
	free(con);
}

static void test_console_log_is_capped_and_rotated_once(void **state)
{
	struct fixture *fx = *state;

	emit(fx, 'a', 1000);
	assert_int_equal(file_size(fx, "console.log"), 1000);
	assert_int_equal(file_size(fx, "console.log.1"), -1);
	/* 3.5 MiB in all: never more than the cap in either file, one rotation kept. */
	emit(fx, 'b', CONSOLE_LOG_MAX);
	emit(fx, 'c', CONSOLE_LOG_MAX);
	emit(fx, 'd', CONSOLE_LOG_MAX + CONSOLE_LOG_MAX / 2);
	assert_true(file_size(fx, "console.log") <= CONSOLE_LOG_MAX);
	assert_true(file_size(fx, "console.log") > 0);
	assert_true(file_size(fx, "console.log.1") <= CONSOLE_LOG_MAX);
	assert_true(file_size(fx, "console.log.1") > CONSOLE_LOG_MAX / 2);
	assert_int_equal(file_size(fx, "console.log.2"), -1);
}

static void test_console_log_reopened_appends_to_existing_size(void **state)
{
	struct fixture *fx = *state;

	emit(fx, 'x', CONSOLE_LOG_MAX - 10);
	(void)close(fx->con.log_fd);
	free(fx->con.log_path);
	fx->con.log_path = NULL;
	/* A restarted monitor counts what is there already. */
	assert_int_equal(console_log_open(&fx->con, fx->dir), 0);
	assert_true(fx->con.log_size == CONSOLE_LOG_MAX - 10);
	emit(fx, 'y', 20);
	assert_int_equal(file_size(fx, "console.log"), 20);
	assert_int_equal(file_size(fx, "console.log.1"), CONSOLE_LOG_MAX - 10);
}

/* Attaches one end of a new socketpair; returns the client's end and the slot. */
static int attach(struct fixture *fx, uint32_t flags, int32_t arg, int *ret_slot,
		  struct ctrl_msg *ret_reply)
{
	struct ctrl_msg req = {.cmd = CTRL_CONSOLE, .flags = flags, .arg = arg};
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	*ret_slot = console_attach(&fx->con, sv[0], &req);
	assert_int_equal(control_recv(sv[1], ret_reply), 0);
	return sv[1];
}

/* Receives frames until none is pending; returns the data bytes, appended to out. */
static size_t recv_data(int fd, char *out, size_t size)
{
	uint8_t buf[CTRL_FRAME_MAX];
	enum ctrl_frame type;
	const uint8_t *data;
	size_t len, total = 0;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), 0);
		assert_int_equal(type, CTRL_FRAME_DATA);
		assert_true(total + len <= size);
		memcpy(out + total, data, len);
		total += len;
	}
	return total;
}

static void test_console_attach_replays_ring_then_streams_to_every_client(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int a = -EBADF, b = -EBADF;
	struct ctrl_msg rep;
	char out[256];
	int sa, sb;

	assert_int_equal(write(fx->pipe_w, "boot messages\r\n", 15), 15);
	(void)console_drain(&fx->con);
	a = attach(fx, 0, CTRL_WINSIZE(40, 120), &sa, &rep);
	assert_true(sa >= 0);
	assert_int_equal(rep.status, 0);
	assert_int_equal(rep.arg, 1); /* the first one types */
	b = attach(fx, 0, 0, &sb, &rep);
	assert_true(sb >= 0 && sb != sa);
	assert_int_equal(rep.arg, 0);
	assert_int_equal(console_n_clients(&fx->con), 2);
	assert_int_equal(recv_data(a, out, sizeof(out)), 15);
	assert_memory_equal(out, "boot messages\r\n", 15);
	assert_int_equal(recv_data(b, out, sizeof(out)), 15);
	/* Live output reaches both. */
	assert_int_equal(write(fx->pipe_w, "login: ", 7), 7);
	(void)console_drain(&fx->con);
	assert_int_equal(recv_data(a, out, sizeof(out)), 7);
	assert_memory_equal(out, "login: ", 7);
	assert_int_equal(recv_data(b, out, sizeof(out)), 7);
	assert_memory_equal(out, "login: ", 7);
}

static void test_console_writer_is_the_oldest_and_passes_on_when_it_leaves(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int b = -EBADF, c = -EBADF;
	int a, sa, sb, sc;
	struct ctrl_msg rep;

	a = attach(fx, 0, 0, &sa, &rep);
	assert_int_equal(rep.arg, 1);
	b = attach(fx, CTRL_FLAG_READONLY, 0, &sb, &rep);
	assert_int_equal(rep.arg, 0);
	c = attach(fx, 0, 0, &sc, &rep);
	assert_int_equal(rep.arg, 0);
	assert_int_equal(fx->con.writer, sa);
	/* The writer leaves: the oldest one that may type takes over, not the read-only one. */
	(void)close(a);
	console_client_event(&fx->con, sa);
	assert_int_equal(console_n_clients(&fx->con), 2);
	assert_int_equal(fx->con.writer, sc);
}

static void test_console_input_of_the_writer_only_reaches_the_container(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int a = -EBADF, b = -EBADF, peer = -EBADF;
	struct ctrl_msg rep;
	int sa, sb, sv[2];
	char got[16] = {0};

	/* A socketpair as the master: what is written to it can be read back. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
	peer = sv[1];
	(void)close(fx->con.master);
	fx->con.master = sv[0];
	a = attach(fx, 0, 0, &sa, &rep);
	b = attach(fx, 0, 0, &sb, &rep);
	assert_int_equal(control_frame_send(b, CTRL_FRAME_DATA, "no", 2, false), 0);
	console_client_event(&fx->con, sb);
	assert_int_equal(control_frame_send(a, CTRL_FRAME_DATA, "yes", 3, false), 0);
	console_client_event(&fx->con, sa);
	assert_int_equal(read(peer, got, sizeof(got)), 3);
	assert_string_equal(got, "yes");
}

static void test_console_drops_a_client_that_falls_behind(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int a = -EBADF;
	struct ctrl_msg rep;
	int sa, small = 4096;

	a = attach(fx, 0, 0, &sa, &rep);
	assert_true(sa >= 0);
	(void)setsockopt(fx->con.clients[sa].fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
	/* The client never reads: the monitor must neither block nor keep it. */
	for (int i = 0; i < 64 && console_n_clients(&fx->con) > 0; i++)
		emit(fx, 'z', 8192);
	assert_int_equal(console_n_clients(&fx->con), 0);
	assert_int_equal(fx->con.writer, -1);
}

static void test_console_detach_all_sends_end_with_the_status(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int a = -EBADF;
	uint8_t buf[CTRL_FRAME_MAX];
	enum ctrl_frame type;
	const uint8_t *data;
	struct ctrl_msg rep;
	size_t len;
	int sa, status;

	a = attach(fx, 0, 0, &sa, &rep);
	console_detach_all(&fx->con, 1);
	assert_int_equal(console_n_clients(&fx->con), 0);
	for (;;) {
		ssize_t n = recv(a, buf, sizeof(buf), 0);

		assert_true(n > 0);
		assert_int_equal(control_frame_decode(buf, (size_t)n, &type, &data, &len), 0);
		if (type == CTRL_FRAME_END)
			break;
	}
	memcpy(&status, data, sizeof(status));
	assert_int_equal(status, 1);
	assert_int_equal(recv(a, buf, sizeof(buf), 0), 0);
}

static void test_pty_filter_escape_detaches_and_doubles(void **state _unused_)
{
	char out[64];
	bool pending = false, detach;
	size_t n;

	n = pty_filter_escape("ab", 2, out, &pending, &detach);
	assert_int_equal(n, 2);
	assert_false(detach);
	/* Ctrl-a Ctrl-a is one Ctrl-a. */
	n = pty_filter_escape("\x01\x01x", 3, out, &pending, &detach);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x01x", 2);
	/* Ctrl-a then another key: both go through. */
	n = pty_filter_escape("\x01z", 2, out, &pending, &detach);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\x01z", 2);
	/* Ctrl-a at the end of one read, q at the start of the next. */
	n = pty_filter_escape("ls\x01", 3, out, &pending, &detach);
	assert_int_equal(n, 2);
	assert_true(pending);
	n = pty_filter_escape("qrest", 5, out, &pending, &detach);
	assert_int_equal(n, 0);
	assert_true(detach);
	/* q alone is a q. */
	pending = false;
	n = pty_filter_escape("q", 1, out, &pending, &detach);
	assert_int_equal(n, 1);
	assert_false(detach);
}

static void test_login_shadow_replace_changes_only_roots_hash_and_day(void **state _unused_)
{
	static const char text[] = "rootx:*:1:0:99999:7:::\n"
				   "root:*:19000:0:99999:7:::\n"
				   "daemon:*:19000:0:99999:7:::\n";
	_cleanup_free_ char *out = NULL;

	assert_int_equal(login_shadow_replace(text, "root", "$y$j9T$salt$hash", 20000, &out), 0);
	assert_string_equal(out, "rootx:*:1:0:99999:7:::\n"
				 "root:$y$j9T$salt$hash:20000:0:99999:7:::\n"
				 "daemon:*:19000:0:99999:7:::\n");
	assert_int_equal(login_shadow_replace(text, "alice", "$6$x$y", 1, &out), -ESRCH);
	assert_int_equal(login_shadow_replace(text, "root", "bad:hash", 1, &out), -EINVAL);
	assert_int_equal(login_shadow_replace(text, "root", "bad\nhash", 1, &out), -EINVAL);
}

static void test_login_hash_password_verifies_with_crypt(void **state _unused_)
{
	_cleanup_free_ char *h1 = NULL, *h2 = NULL;
	struct crypt_data *d = calloc(1, sizeof(*d));
	const char *again;

	assert_non_null(d);
	assert_int_equal(login_hash_password("secret", &h1), 0);
	assert_int_equal(login_hash_password("secret", &h2), 0);
	assert_true(!strncmp(h1, "$6$", 3));
	/* A fresh salt each time. */
	assert_string_not_equal(h1, h2);
	again = crypt_r("secret", h1, d);
	assert_non_null(again);
	assert_string_equal(again, h1);
	again = crypt_r("Secret", h1, d);
	assert_true(!again || strcmp(again, h1) != 0);
	free(d);
}

static void test_login_set_password_keeps_owner_and_mode(void **state)
{
	struct fixture *fx = *state;
	_cleanup_close_ int rootfd = -EBADF;
	_cleanup_free_ char *text = NULL;
	char p[PATH_MAX + 32];
	struct stat st;

	(void)snprintf(p, sizeof(p), "%s/etc", fx->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	(void)snprintf(p, sizeof(p), "%s/etc/shadow", fx->dir);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, p, "root:*:1:0:::::\n", 16, 0640), 0);
	assert_int_equal(chmod(p, 0640), 0);
	rootfd = open(fx->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(login_set_password(rootfd, "root", "pw"), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(read_file_at(AT_FDCWD, p, 4096, &text, NULL), 0);
	assert_true(!strncmp(text, "root:$", 6));
	assert_int_equal(login_set_password(rootfd, "nobody", "pw"), -ESRCH);
}

static void test_login_autologin_dropin_resets_execstart(void **state _unused_)
{
	_cleanup_free_ char *text = NULL;

	assert_int_equal(login_autologin_dropin("root", &text), 0);
	assert_non_null(strstr(text, "[Service]\nExecStart=\nExecStart=-/sbin/agetty "
				     "--autologin root "));
}

#define T(f) cmocka_unit_test(f)
#define TF(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_console_ring_keeps_the_last_64k_in_order),
		TF(test_console_log_is_capped_and_rotated_once),
		TF(test_console_log_reopened_appends_to_existing_size),
		TF(test_console_attach_replays_ring_then_streams_to_every_client),
		TF(test_console_writer_is_the_oldest_and_passes_on_when_it_leaves),
		TF(test_console_input_of_the_writer_only_reaches_the_container),
		TF(test_console_drops_a_client_that_falls_behind),
		TF(test_console_detach_all_sends_end_with_the_status),
		T(test_pty_filter_escape_detaches_and_doubles),
		T(test_login_shadow_replace_changes_only_roots_hash_and_day),
		T(test_login_hash_password_verifies_with_crypt),
		TF(test_login_set_password_keeps_owner_and_mode),
		T(test_login_autologin_dropin_resets_execstart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
