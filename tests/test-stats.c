/* test-stats.c: the parsers of the kernel's figures (stats.c) and of the last event (event.c). */
#include <stdint.h>
#include <string.h>

#include "unit.h"

#include "run/event.h"
#include "run/stats.h"

static void test_stats_parse_keyed_finds_key_not_prefix(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(stats_parse_keyed("usage_usec_x 9\nusage_usec 1234\nuser_usec 1\n",
					   "usage_usec", &v),
			 0);
	assert_int_equal(v, 1234);
	assert_int_equal(stats_parse_keyed("oom 2\noom_kill 3\n", "oom_kill", &v), 0);
	assert_int_equal(v, 3);
	assert_int_equal(stats_parse_keyed("oom 2\n", "oom_kill", &v), -ENOENT);
	assert_int_equal(stats_parse_keyed("oom_kill x\n", "oom_kill", &v), -EINVAL);
}

static void test_stats_parse_limit_knows_no_limit(void **state)
{
	uint64_t v = 0;

	(void)state;
	assert_int_equal(stats_parse_limit("max\n", &v), 0);
	assert_true(v == STATS_UNKNOWN);
	assert_int_equal(stats_parse_limit("9223372036854771712\n", &v), 0);
	assert_true(v == STATS_UNKNOWN);
	assert_int_equal(stats_parse_limit("268435456\n", &v), 0);
	assert_int_equal(v, 268435456);
	assert_true(stats_parse_limit("lots\n", &v) < 0);
}

static void test_stats_parse_io_sums_devices(void **state)
{
	uint64_t r = 0, w = 0;

	(void)state;
	assert_int_equal(stats_parse_io_stat("8:0 rbytes=100 wbytes=20 rios=1 wios=2\n"
					     "253:0 rbytes=5 wbytes=7 rios=1 wios=1\n",
					     &r, &w),
			 0);
	assert_int_equal(r, 105);
	assert_int_equal(w, 27);
	assert_int_equal(stats_parse_blkio("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n"
					   "8:16 Write 10\n8:0 Total 12288\nTotal 99999\n",
					   &r, &w),
			 0);
	assert_int_equal(r, 4096);
	assert_int_equal(w, 8202);
}

static void test_stats_parse_net_dev_skips_lo(void **state)
{
	static const char dev[] =
		"Inter-|   Receive                                                |  Transmit\n"
		" face |bytes    packets errs drop fifo frame compressed multicast|bytes    "
		"packets errs drop fifo colls carrier compressed\n"
		"    lo:  999999      10    0    0    0     0          0         0   999999      "
		"10    0    0    0     0       0          0\n"
		"  eth0:    1500      12    0    0    0     0          0         0      700       "
		"7    0    0    0     0       0          0\n";
	uint64_t rx = 0, tx = 0;

	(void)state;
	assert_int_equal(stats_parse_net_dev(dev, &rx, &tx), 0);
	assert_int_equal(rx, 1500);
	assert_int_equal(tx, 700);
}

static void test_event_parse_reads_kind_time_and_message(void **state)
{
	struct event_last ev;

	(void)state;
	assert_int_equal(event_parse("oom 1796612334 the OOM killer ended 1 process\n", &ev), 0);
	assert_string_equal(ev.event, "oom");
	assert_int_equal(ev.at, 1796612334);
	assert_string_equal(ev.message, "the OOM killer ended 1 process");
	assert_int_equal(event_parse("garbage\n", &ev), -EINVAL);
	for (int i = 0; i < _EVENT_MAX; i++)
		assert_non_null(event_to_string((enum event_kind)i));
	assert_null(event_to_string(_EVENT_MAX));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stats_parse_keyed_finds_key_not_prefix),
		cmocka_unit_test(test_stats_parse_limit_knows_no_limit),
		cmocka_unit_test(test_stats_parse_io_sums_devices),
		cmocka_unit_test(test_stats_parse_net_dev_skips_lo),
		cmocka_unit_test(test_event_parse_reads_kind_time_and_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
