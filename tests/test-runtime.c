/* test-runtime.c: unit tests of the monitor's state record (store/runtime.c) beyond the
 * names and fields test-control.c covers: the journal of host network objects round-trips,
 * the record goes through RUNDIR/state on disk, a damaged record is refused whole, and the
 * liveness check tells a reused pid from the process that started. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "store/runtime.h"
#include "unit.h"

static void fill_net(struct runtime_state *s)
{
	*s = (struct runtime_state){.state = RUN_STATE_RUNNING, .monitor_pid = 42, .reboots = 3};
	s->net_veth = strdup("lx-dev1");
	s->net_bridge = strdup("lxbr-0a1b2c3d");
	s->net_nat = strdup("lxmgr-lxbr-0a1b2c3d");
	s->net_uplink = strdup("eth0");
	s->net_ip = strdup("10.77.0.2");
	s->net_ip6 = strdup("fd00:1:2:3::2");
	s->net_dns = strdup("dev1 02:11:22:33:44:55"); /* a blank inside a value */
	s->net_forward = strdup("lxmgr-fwd-lx-dev1");
	assert_non_null(s->net_forward);
}

static void assert_net_equal(const struct runtime_state *a, const struct runtime_state *b)
{
	assert_string_equal(a->net_veth, b->net_veth);
	assert_string_equal(a->net_bridge, b->net_bridge);
	assert_string_equal(a->net_nat, b->net_nat);
	assert_string_equal(a->net_uplink, b->net_uplink);
	assert_string_equal(a->net_ip, b->net_ip);
	assert_string_equal(a->net_ip6, b->net_ip6);
	assert_string_equal(a->net_dns, b->net_dns);
	assert_string_equal(a->net_forward, b->net_forward);
}

static void test_network_journal_round_trips(void **state _unused_)
{
	struct runtime_state s, got;
	_cleanup_free_ char *text = NULL;

	fill_net(&s);
	assert_int_equal(runtime_state_format(&s, &text), 0);
	assert_non_null(strstr(text, "\nnet_dns=dev1 02:11:22:33:44:55\n"));
	assert_int_equal(runtime_state_parse(text, &got), 0);
	assert_int_equal(got.state, RUN_STATE_RUNNING);
	assert_int_equal(got.monitor_pid, 42);
	assert_int_equal(got.reboots, 3);
	assert_net_equal(&s, &got);
	runtime_state_done(&got);

	/* An object not made yet is not in the record, and reads back as NULL. */
	free(s.net_forward);
	s.net_forward = NULL;
	free(text);
	text = NULL;
	assert_int_equal(runtime_state_format(&s, &text), 0);
	assert_null(strstr(text, "net_forward="));
	assert_int_equal(runtime_state_parse(text, &got), 0);
	assert_null(got.net_forward);
	assert_string_equal(got.net_veth, "lx-dev1");
	runtime_state_done(&got);
	runtime_state_done(&s);
	assert_null(s.net_veth);
}

static void test_write_then_read_gives_the_same_record(void **state)
{
	const char *dir = *state;
	struct runtime_state s, got;
	char path[PATH_MAX];
	struct stat st;

	assert_int_equal(runtime_state_read(dir, &got), -ENOENT);
	fill_net(&s);
	s.state = RUN_STATE_STOPPING;
	s.init_pid = 4242;
	s.init_start = 123456789ULL;
	s.console = strdup("/dev/pts/3");
	assert_int_equal(runtime_state_write(dir, &s), 0);
	(void)snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(runtime_state_read(dir, &got), 0);
	assert_int_equal(got.state, RUN_STATE_STOPPING);
	assert_int_equal(got.init_pid, 4242);
	assert_true(got.init_start == 123456789ULL);
	assert_string_equal(got.console, "/dev/pts/3");
	assert_net_equal(&s, &got);
	runtime_state_done(&got);

	/* Rewritten on a change of state: the new record replaces the old one whole. */
	runtime_state_done(&s);
	s = (struct runtime_state){.state = RUN_STATE_STOPPED};
	assert_int_equal(runtime_state_write(dir, &s), 0);
	assert_int_equal(runtime_state_read(dir, &got), 0);
	assert_int_equal(got.state, RUN_STATE_STOPPED);
	assert_null(got.net_veth);
	assert_null(got.console);
	runtime_state_done(&got);
}

static void test_a_damaged_record_is_refused(void **state _unused_)
{
	static const char *const bad[] = {
		"state=running\nmonitor_pid\n",            /* no '=' */
		"state=sleeping\n",                        /* unknown state */
		"state=running\nmonitor_pid=-1\n",         /* negative pid */
		"state=running\nmonitor_pid=2147483648\n", /* beyond pid_t */
		"state=running\ninit_pid=12ab\n",
		"state=running\nreboots=4294967296\n",
		"state=running\nmonitor_start=\n",
		"state=running\nstarted_at=1e9\n",
	};
	struct runtime_state got;

	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		if (runtime_state_parse(bad[i], &got) >= 0)
			fail_msg("accepted: %s", bad[i]);
	assert_int_equal(runtime_state_parse("state=running\nmonitor_pid=2147483647\n", &got), 0);
	assert_int_equal(got.monitor_pid, INT32_MAX);
	runtime_state_done(&got);
}

static void test_a_later_value_of_a_key_wins_and_nothing_leaks(void **state _unused_)
{
	struct runtime_state got;

	assert_int_equal(
		runtime_state_parse("net_veth=a\nnet_veth=b\nstate=frozen\nstate=running\n", &got),
		0);
	assert_string_equal(got.net_veth, "b");
	assert_int_equal(got.state, RUN_STATE_RUNNING);
	runtime_state_done(&got);
	/* The strings parsed before the bad line are freed (ASan/valgrind would tell). */
	assert_int_equal(runtime_state_parse("net_veth=a\nconsole=/dev/pts/1\nbad\n", &got),
			 -EINVAL);
}

static void test_pid_is_checks_the_start_time(void **state _unused_)
{
	uint64_t start;

	assert_int_equal(pid_start_time(getpid(), &start), 0);
	assert_true(runtime_pid_is(getpid(), start));
	assert_false(runtime_pid_is(getpid(), start + 1)); /* a reused pid */
	assert_false(runtime_pid_is(getpid(), start - 1));
	assert_false(runtime_pid_is(0, 0));
	assert_false(runtime_pid_is(-1, start));
	assert_false(runtime_pid_is(INT32_MAX, start)); /* beyond pid_max */
}

static int setup(void **state)
{
	static char dir[PATH_MAX];

	if (unit_make_tmpdir(dir, "test-rt") < 0)
		return -1;
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	return unit_remove_tmpdir(*state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_journal_round_trips),
		cmocka_unit_test_setup_teardown(test_write_then_read_gives_the_same_record, setup,
						teardown),
		cmocka_unit_test(test_a_damaged_record_is_refused),
		cmocka_unit_test(test_a_later_value_of_a_key_wins_and_nothing_leaks),
		cmocka_unit_test(test_pid_is_checks_the_start_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
