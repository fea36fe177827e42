/* test-notify.c: sd_notify lines, and the guest's notify socket with its sender check. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "run/notify.h"
#include "unit.h"

static void test_notify_parse_reads_ready_stopping_status(void **state _unused_)
{
	static const char text[] = "STATUS=Startup finished in 1.2s.\nREADY=1\nX_OTHER=2";
	struct notify_msg m;

	notify_parse(text, strlen(text), &m);
	assert_true(m.ready);
	assert_false(m.stopping);
	assert_string_equal(m.status, "Startup finished in 1.2s.");
	notify_parse("STOPPING=1", 10, &m);
	assert_true(m.stopping);
	assert_false(m.ready);
	assert_string_equal(m.status, "");
	/* READY=0 and a prefix are not READY=1. */
	notify_parse("READY=0\nREADY=10", 16, &m);
	assert_false(m.ready);
}

/* A child sends through sd_notify(3) as the guest's systemd does; the socket is bound the way
 * the container's first process binds it, relative to the working directory. */
static pid_t send_from_child(const char *dir, const char *text)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		char env[4200];

		(void)snprintf(env, sizeof(env), "%s/root" NOTIFY_GUEST_PATH, dir);
		(void)setenv("NOTIFY_SOCKET", env, 1);
		_exit(sd_notify(0, text) > 0 ? 0 : 1);
	}
	return pid;
}

static void test_notify_guest_socket_takes_ready_from_init_only(void **state _unused_)
{
	char dir[] = "/tmp/test-notify.XXXXXX", cwd[4096], path[4200];
	_cleanup_close_ int fd = -EBADF;
	struct notify_msg m;
	struct stat st;
	int status;
	pid_t pid;

	assert_non_null(mkdtemp(dir));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(mkdir_p("root/run/host", 0755), 0);
	fd = notify_guest_bind("root");
	assert_true(fd >= 0);
	assert_int_equal(chdir(cwd), 0);
	/* Only root (of the container) may write to it. */
	(void)snprintf(path, sizeof(path), "%s/root" NOTIFY_GUEST_PATH, dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(notify_guest_recv(fd, 1, &m), -EAGAIN);

	/* From init: taken. */
	pid = send_from_child(dir, "READY=1\nSTATUS=Ready.");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	assert_int_equal(notify_guest_recv(fd, pid, &m), 1);
	assert_true(m.ready);
	assert_string_equal(m.status, "Ready.");
	/* From any other process of the container: ignored (NotifyAccess=main). */
	pid = send_from_child(dir, "READY=1");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(notify_guest_recv(fd, pid + 100000, &m), 0);
	assert_int_equal(notify_guest_recv(fd, pid, &m), -EAGAIN);
	assert_int_equal(rm_rf_at(AT_FDCWD, dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_notify_parse_reads_ready_stopping_status),
		cmocka_unit_test(test_notify_guest_socket_takes_ready_from_init_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
