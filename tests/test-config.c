/* test-config.c: unit tests of the config key table, parser, validator, editor and writer. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "store/config.h"
#include "unit.h"

#define UUID1 "5b8b2d7e-6c1f-4a7d-9a63-0c4f8e2b1d90"

/* Every key set to something other than its default. */
static const char full_text[] = "[container]\n"
				"name = dev1\n"
				"uuid = " UUID1 "\n"
				"hostname = dev1.example.org\n"
				"init = /lib/systemd/systemd\n"
				"init_kind = systemd\n"
				"systemd_version = 252\n"
				"stop_signal = SIGPWR\n"
				"stop_timeout = 90\n"
				"cgroup_layout = hybrid\n"
				"autostart = yes\n"
				"[idmap]\n"
				"uid_base = 1065536\n"
				"gid_base = 2065536\n"
				"size = 131072\n"
				"[rootfs]\n"
				"shifted = yes\n"
				"snapshot_of = base\n"
				"source = template debian bookworm x86_64\n"
				"storage = btrfs\n"
				"[limits]\n"
				"memory = 2G\n"
				"memory_high = 1536M\n"
				"cpu = 1.5\n"
				"cpu_weight = 200\n"
				"pids = 4096\n"
				"disk = 10G\n"
				"[net]\n"
				"mode = host\n"
				"bridge = br-test0\n"
				"ip = 10.77.0.5\n"
				"mac = 02:11:22:33:44:55\n"
				"uplink = eth9\n"
				"pool = 10.88.0.0/24\n"
				"dns = local\n"
				"forward = tcp:8080:80 udp:5353:53\n"
				"ipv6 = yes\n"
				"ip6 = fd12:3456:789a::5\n"
				"pool6 = fd12:3456:789a::/64\n"
				"[hooks]\n"
				"pre_start = /usr/local/lib/lxmgr/pre\n"
				"start_host = /usr/local/lib/lxmgr/host\n"
				"post_stop = /usr/local/lib/lxmgr/post\n"
				"post_create = /usr/local/lib/lxmgr/made\n"
				"pre_destroy = /usr/local/lib/lxmgr/gone\n"
				"timeout = 90\n"
				"[console]\n"
				"autologin = root\n"
				"[provision]\n"
				"user = alice\n"
				"ssh_key = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA a@h\n"
				"sudo = yes\n"
				"packages = git vim\n"
				"timezone = Europe/Berlin\n"
				"run = /srv/first-boot.sh\n"
				"cloud_init = /srv/user-data\n"
				"root_password = $6$salt$abcdefghijklmnop\n";

struct fixture {
	char dir[PATH_MAX]; /* first: unit_dir_fixture_new() makes it */
	char path[PATH_MAX + 16];
};

static int setup_dir(void **state)
{
	struct fixture *fx = unit_dir_fixture_new(sizeof(*fx), "test-config");

	if (!fx)
		return -1;
	(void)snprintf(fx->path, sizeof(fx->path), "%s/config", fx->dir);
	*state = fx;
	return 0;
}

/* Parses text as a container's file onto the defaults. */
static int parse_text(const struct fixture *fx, const char *text, bool global,
		      struct container_config *c, struct config_error *err)
{
	unit_write_text(fx->path, text);
	config_init_defaults(c);
	return config_parse_file(fx->path, global, c, err);
}

static void assert_key(const struct container_config *c, const char *key, const char *want)
{
	_cleanup_free_ char *got = NULL;

	assert_int_equal(config_get(c, key, &got), 0);
	assert_string_equal(got, want);
}

static void test_config_defaults_match_the_documented_values(void **state _unused_)
{
	struct container_config c;

	config_init_defaults(&c);
	assert_string_equal(c.init, "/sbin/init");
	assert_null(c.name);
	assert_null(c.uuid);
	assert_null(c.hostname);
	assert_int_equal(c.init_kind, INIT_KIND_UNKNOWN);
	assert_int_equal(c.stop_signal, SIGRTMIN + 3);
	assert_int_equal(c.stop_timeout, 30);
	assert_int_equal(c.id_count, 65536);
	assert_true(c.memory_max == LIMIT_UNSET && c.memory_high == LIMIT_UNSET);
	assert_true(c.pids_max == LIMIT_UNSET && c.disk_max == LIMIT_UNSET);
	assert_int_equal(c.cpu_millis, CPU_QUOTA_UNSET);
	assert_int_equal(c.cpu_weight, 0);
	assert_int_equal(c.net_mode, NET_MODE_NONE);
	assert_false(c.autostart);
	assert_key(&c, "container.stop_signal", "SIGRTMIN+3");
	assert_key(&c, "limits.memory", "");
	config_done(&c);
}

static void test_config_parse_reads_every_key(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state, full_text, false, &c, &err), 0);
	assert_string_equal(c.name, "dev1");
	assert_string_equal(c.uuid, UUID1);
	assert_string_equal(c.hostname, "dev1.example.org");
	assert_string_equal(c.init, "/lib/systemd/systemd");
	assert_int_equal(c.init_kind, INIT_KIND_SYSTEMD);
	assert_int_equal(c.systemd_version, 252);
	assert_int_equal(c.stop_signal, SIGPWR);
	assert_int_equal(c.stop_timeout, 90);
	assert_true(c.autostart);
	assert_int_equal(c.uid_base, 1065536);
	assert_int_equal(c.gid_base, 2065536);
	assert_int_equal(c.id_count, 131072);
	assert_true(c.rootfs_shifted);
	assert_true(c.memory_max == (UINT64_C(2) << 30));
	assert_true(c.memory_high == (UINT64_C(1536) << 20));
	assert_int_equal(c.cpu_millis, 1500);
	assert_int_equal(c.cpu_weight, 200);
	assert_true(c.pids_max == 4096);
	assert_int_equal(c.net_mode, NET_MODE_HOST);
	assert_key(&c, "limits.memory", "2G");
	assert_key(&c, "limits.memory_high", "1536M");
	assert_key(&c, "limits.cpu", "1.5");
	assert_key(&c, "limits.disk", "10G");
	assert_key(&c, "container.stop_signal", "SIGPWR");
	assert_key(&c, "container.init_kind", "systemd");
	assert_key(&c, "rootfs.shifted", "yes");
	assert_string_equal(c.rootfs_source, "template debian bookworm x86_64");
	assert_int_equal(config_validate(&c, &err), 0);
	config_done(&c);
}

static void test_config_parse_unknown_key_names_file_line_and_key(void **state)
{
	struct fixture *fx = *state;
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(fx, "# limits\n[limits]\n\nmemroy = 1G\n", false, &c, &err),
			 -EINVAL);
	assert_string_equal(err.file, fx->path);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.key, "limits.memroy");
	assert_string_equal(err.message, "unknown key");
	config_done(&c);
}

static void test_config_parse_unknown_section_is_named(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state, "[limits]\npids = 5\n[limit]\n", false, &c, &err),
			 -EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.message, "unknown section [limit]");
	config_done(&c);
}

static void test_config_parse_source_refuses_what_ini_mangles(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(
		parse_text(*state, "[rootfs]\nsource = directory /a\\b\n", false, &c, &err),
		-EINVAL);
	assert_string_equal(err.key, "rootfs.source");
	config_done(&c);
}

static void test_config_parse_bad_size_is_refused(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state, "[limits]\nmemory = lots\n", false, &c, &err), -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.key, "limits.memory");
	assert_non_null(strstr(err.message, "invalid size 'lots' (expected e.g. 512M, 2G or max"));
	config_done(&c);
	/* Below the 4M floor. */
	assert_int_equal(parse_text(*state, "[limits]\nmemory_high = 1M\n", false, &c, &err),
			 -EINVAL);
	assert_string_equal(err.key, "limits.memory_high");
	config_done(&c);
	assert_int_equal(parse_text(*state, "[limits]\nmemory = max\n", false, &c, &err), 0);
	assert_true(c.memory_max == LIMIT_UNSET);
	config_done(&c);
}

static void test_config_parse_malformed_line_reports_its_line(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(
		parse_text(*state, "[container]\n; fine\nautostart yes\n", false, &c, &err),
		-EINVAL);
	assert_int_equal(err.line, 3);
	assert_string_equal(err.message, "not a key = value line");
	config_done(&c);
	/* iniparser would silently join this line with the next one. */
	assert_int_equal(parse_text(*state, "[limits]\n# x \\\npids = 5\n", false, &c, &err),
			 -EINVAL);
	assert_int_equal(err.line, 2);
	config_done(&c);
}

static void test_config_parse_key_outside_section_is_refused(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state, "\nautostart = yes\n[container]\n", false, &c, &err),
			 -EINVAL);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.key, "autostart");
	config_done(&c);
}

static void test_config_parse_duplicate_key_is_refused(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(
		parse_text(*state, "[net]\nmode = host\n[net]\nmode = none\n", false, &c, &err),
		-EINVAL);
	assert_int_equal(err.line, 4);
	assert_string_equal(err.message, "set twice (first on line 2)");
	config_done(&c);
}

static void test_config_parse_missing_file_is_enoent(void **state)
{
	struct fixture *fx = *state;
	struct container_config c;
	struct config_error err;

	config_init_defaults(&c);
	assert_int_equal(config_parse_file(fx->path, false, &c, &err), -ENOENT);
	config_done(&c);
}

/* The global file then the container's: absent keys keep their value, empty ones unset it. */
static void test_config_parse_layers_and_empty_value_unsets(void **state)
{
	struct fixture *fx = *state;
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(fx, "[limits]\nmemory = 1G\npids = 100\n", true, &c, &err), 0);
	unit_write_text(fx->path, "[limits]\nmemory =\n");
	assert_int_equal(config_parse_file(fx->path, false, &c, &err), 0);
	assert_true(c.memory_max == LIMIT_UNSET);
	assert_true(c.pids_max == 100);
	config_done(&c);
	/* A key without an unset state needs a value. */
	assert_int_equal(parse_text(fx, "[container]\nstop_timeout =\n", false, &c, &err), -EINVAL);
	config_done(&c);
}

static void test_config_parse_cpu_takes_three_decimals(void **state)
{
	static const struct {
		const char *text;
		uint32_t millis; /* 0: refused */
	} cases[] = {
		{"1.5", 1500},  {"0.01", 10}, {"2", 2000},   {"1024", 1024000},
		{"0.123", 123}, {"0.005", 0}, {"1.2345", 0}, {"1025", 0},
		{"1.", 0},      {".5", 0},    {"-1", 0},     {"1,5", 0},
	};
	struct fixture *fx = *state;
	char text[64];

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct container_config c;
		struct config_error err;
		int r;

		(void)snprintf(text, sizeof(text), "[limits]\ncpu = %s\n", cases[i].text);
		r = parse_text(fx, text, false, &c, &err);
		if (cases[i].millis) {
			assert_int_equal(r, 0);
			assert_int_equal(c.cpu_millis, cases[i].millis);
		} else {
			assert_int_equal(r, -EINVAL);
		}
		config_done(&c);
	}
}

static void test_config_parse_canonicalises_values(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state,
				    "[Container]\nStop_Signal = RTMIN+3\nautostart = on\n"
				    "[limits]\nmemory = 536870912\nmemory_high = 5000000\n"
				    "cpu = 0.250 # quarter\n",
				    false, &c, &err),
			 0);
	assert_key(&c, "container.stop_signal", "SIGRTMIN+3");
	assert_key(&c, "container.autostart", "yes");
	assert_key(&c, "limits.memory", "512M");
	assert_key(&c, "limits.memory_high", "5000000");
	assert_key(&c, "limits.cpu", "0.25");
	config_done(&c);
}

static void test_config_parse_id_range_past_2_32_is_refused(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state,
				    "[idmap]\nuid_base = 4294901760\ngid_base = 100000\n"
				    "size = 65537\n",
				    false, &c, &err),
			 -EINVAL);
	assert_string_equal(err.key, "idmap.size");
	assert_int_equal(err.line, 4);
	config_done(&c);
	assert_int_equal(parse_text(*state, "[idmap]\nuid_base = 4294901760\nsize = 65536\n", false,
				    &c, &err),
			 0);
	config_done(&c);
}

static void test_config_global_refuses_container_only_keys(void **state)
{
	static const char *const texts[] = {
		"[container]\nstop_timeout = 5\nname = dev1\n",
		"[container]\nstop_timeout = 5\nuuid = " UUID1 "\n",
		"[container]\nstop_timeout = 5\n[idmap]\nuid_base = 100000\n",
	};
	static const char *const keys[] = {"container.name", "container.uuid", "idmap.uid_base"};
	struct container_config c;
	struct config_error err;

	for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
		assert_int_equal(parse_text(*state, texts[i], true, &c, &err), -EINVAL);
		assert_string_equal(err.key, keys[i]);
		assert_int_equal(err.line, 3 + (i == 2));
		config_done(&c);
		assert_int_equal(parse_text(*state, texts[i], false, &c, &err), 0);
		config_done(&c);
	}
	assert_int_equal(parse_text(*state, "[container]\nstop_timeout = 5\n", true, &c, &err), 0);
	assert_int_equal(c.stop_timeout, 5);
	config_done(&c);
}

static void test_config_validate_requires_uuid(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state,
				    "[container]\nname = dev1\n"
				    "[idmap]\nuid_base = 100000\ngid_base = 100000\n",
				    false, &c, &err),
			 0);
	assert_int_equal(config_validate(&c, &err), -EINVAL);
	assert_string_equal(err.key, "container.uuid");
	assert_string_equal(err.message, "not set");
	c.uuid = strdup(UUID1);
	assert_int_equal(config_validate(&c, &err), 0);
	config_done(&c);
}

static void test_config_validate_names_missing_or_bad_key(void **state)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(*state, full_text, false, &c, &err), 0);
	c.gid_base = 0;
	assert_int_equal(config_validate(&c, &err), -EINVAL);
	assert_string_equal(err.key, "idmap.gid_base");
	c.gid_base = 100000;
	free(c.name);
	c.name = strdup("../evil");
	assert_int_equal(config_validate(&c, &err), -EINVAL);
	assert_string_equal(err.key, "container.name");
	config_done(&c);
}

static void test_config_get_unknown_key_is_enoent(void **state _unused_)
{
	struct container_config c;
	char *text = NULL;

	config_init_defaults(&c);
	assert_int_equal(config_get(&c, "limits.memroy", &text), -ENOENT);
	assert_null(text);
	assert_key(&c, "container.hostname", "");
	assert_key(&c, "limits.pids", "");
	config_done(&c);
}

static const char edit_text[] = "# dev1\n"
				"[container]\n"
				"name = dev1\n"
				"  # keep me\n"
				"stop_timeout = 30\n"
				"\n"
				"[limits]\n"
				"; memory cap\n"
				"memory = 512M\n"
				"pids = 100\n"
				"\n"
				"# network\n"
				"[net]\n"
				"mode = none\n";

static void assert_edit(const struct fixture *fx, const char *key, const char *value,
			const char *want)
{
	_cleanup_free_ char *got = NULL;
	struct config_error err;

	unit_write_text(fx->path, edit_text);
	assert_int_equal(config_edit_file(fx->path, key, value, &err), 0);
	got = unit_read_text(fx->path);
	assert_string_equal(got, want);
}

static void test_config_edit_keeps_comments_and_order(void **state)
{
	struct fixture *fx = *state;
	struct container_config c;
	struct config_error err;

	assert_edit(fx, "limits.memory", "1073741824",
		    "# dev1\n[container]\nname = dev1\n  # keep me\nstop_timeout = 30\n\n"
		    "[limits]\n; memory cap\nmemory = 1G\npids = 100\n\n# network\n[net]\n"
		    "mode = none\n");
	config_init_defaults(&c);
	assert_int_equal(config_parse_file(fx->path, false, &c, &err), 0);
	assert_true(c.memory_max == UINT64_C(1) << 30);
	config_done(&c);
}

static void test_config_edit_appends_key_at_end_of_its_section(void **state)
{
	assert_edit(*state, "limits.cpu", "1.5",
		    "# dev1\n[container]\nname = dev1\n  # keep me\nstop_timeout = 30\n\n"
		    "[limits]\n; memory cap\nmemory = 512M\npids = 100\ncpu = 1.5\n\n# network\n"
		    "[net]\nmode = none\n");
}

static void test_config_edit_unset_removes_line(void **state)
{
	assert_edit(*state, "limits.memory", NULL,
		    "# dev1\n[container]\nname = dev1\n  # keep me\nstop_timeout = 30\n\n"
		    "[limits]\n; memory cap\npids = 100\n\n# network\n[net]\nmode = none\n");
}

static void test_config_edit_appends_missing_section(void **state)
{
	struct fixture *fx = *state;
	struct container_config c;
	struct config_error err;

	assert_edit(fx, "rootfs.shifted", "yes",
		    "# dev1\n[container]\nname = dev1\n  # keep me\nstop_timeout = 30\n\n"
		    "[limits]\n; memory cap\nmemory = 512M\npids = 100\n\n# network\n[net]\n"
		    "mode = none\n\n[rootfs]\nshifted = yes\n");
	config_init_defaults(&c);
	assert_int_equal(config_parse_file(fx->path, false, &c, &err), 0);
	assert_true(c.rootfs_shifted);
	config_done(&c);
}

static void assert_edit_refused(const struct fixture *fx, const char *text, const char *key,
				const char *value, const char *want_key)
{
	_cleanup_free_ char *after = NULL;
	struct config_error err;

	unit_write_text(fx->path, text);
	assert_int_equal(config_edit_file(fx->path, key, value, &err), -EINVAL);
	assert_string_equal(err.key, want_key);
	after = unit_read_text(fx->path);
	assert_string_equal(after, text);
}

static void test_config_edit_bad_value_leaves_file_untouched(void **state)
{
	struct fixture *fx = *state;
	struct config_error err;

	assert_edit_refused(fx, edit_text, "limits.memory", "lots", "limits.memory");
	assert_int_equal(config_edit_file(fx->path, "limits.memory", "lots", &err), -EINVAL);
	assert_non_null(strstr(err.message, "invalid size 'lots'"));
	assert_edit_refused(fx, edit_text, "limits.memroy", "1G", "limits.memroy");
	assert_edit_refused(fx, edit_text, "container.hostname", "bad host", "container.hostname");
	assert_edit_refused(fx, "[idmap]\nuid_base = 4294901760\n", "idmap.size", "65537",
			    "idmap.size");
	/* A broken file is not made worse. */
	assert_edit_refused(fx, "[limits]\nmemroy = 1G\n", "limits.pids", "10", "limits.memroy");
	assert_edit_refused(fx, edit_text, "container.name", NULL, "container.name");
}

static void test_config_write_then_parse_round_trips(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *text = NULL;
	struct container_config c, back;
	struct config_error err;
	struct stat st;
	const char *key;

	assert_int_equal(parse_text(fx, full_text, false, &c, &err), 0);
	assert_int_equal(config_write_file(fx->path, &c), 0);
	assert_int_equal(stat(fx->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	text = unit_read_text(fx->path);
	assert_true(text[0] == '#');
	config_init_defaults(&back);
	assert_int_equal(config_parse_file(fx->path, false, &back, &err), 0);
	for (size_t i = 0; (key = config_key_name(i, NULL)); i++) {
		_cleanup_free_ char *want = NULL;

		assert_int_equal(config_get(&c, key, &want), 0);
		assert_key(&back, key, want);
	}
	config_done(&back);
	config_done(&c);
}

static void test_config_write_omits_unset_keys_and_refuses_bad_values(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *text = NULL;
	struct container_config c;

	config_init_defaults(&c);
	c.name = strdup("dev1");
	assert_int_equal(config_write_file(fx->path, &c), 0);
	text = unit_read_text(fx->path);
	assert_non_null(strstr(text, "\n[container]\nname = dev1\ninit = /sbin/init\n"));
	assert_non_null(strstr(text, "\n[rootfs]\nshifted = no\n\n[net]\nmode = none\n"));
	assert_null(strstr(text, "[limits]"));
	assert_null(strstr(text, "hostname"));
	c.hostname = strdup("bad host");
	assert_int_equal(config_write_file(fx->path, &c), -EINVAL);
	config_done(&c);
}

/* Completeness of the table: every key has a doc, a value in full_text, and parses what it
 * prints back to the same text. */
/* [storage] is lxmgr.conf's only (store-wide settings): read from a global file. */
static const char global_text[] = "[storage]\ndefault = btrfs\nbtrfs_size = 30G\n";

static void test_config_table_every_key_parses_its_own_printed_default(void **state)
{
	struct fixture *fx = *state;
	struct container_config full, fullg;
	struct config_error err;
	const char *key, *doc;
	size_t i;

	assert_int_equal(parse_text(fx, full_text, false, &full, &err), 0);
	assert_int_equal(parse_text(fx, global_text, true, &fullg, &err), 0);
	for (i = 0; (key = config_key_name(i, &doc)); i++) {
		_cleanup_free_ char *want = NULL, *text = NULL;
		struct container_config c;
		const char *dot = strchr(key, '.');
		bool global = !strncmp(key, "storage.", 8);

		assert_non_null(dot);
		assert_true(doc && *doc);
		assert_int_equal(config_get(global ? &fullg : &full, key, &want), 0);
		assert_true(*want);
		assert_int_equal(
			xasprintf(&text, "[%.*s]\n%s = %s\n", (int)(dot - key), key, dot + 1, want),
			0);
		assert_int_equal(parse_text(fx, text, global, &c, &err), 0);
		assert_key(&c, key, want);
		config_done(&c);
	}
	assert_int_equal(i, 54);
	config_done(&full);
	config_done(&fullg);
}

/* Validate that the pool keys stay where they belong: a container's pool is its own, the
 * store's default and image size are lxmgr.conf's, and both are never written back. */
static void test_config_storage_keys_are_split_between_files(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(fx, "[storage]\ndefault = btrfs\n", false, &c, &err), -EINVAL);
	assert_non_null(strstr(err.message, "only lxmgr.conf"));
	config_done(&c);
	assert_int_equal(parse_text(fx, "[rootfs]\nstorage = btrfs\n", true, &c, &err), -EINVAL);
	config_done(&c);
	assert_int_equal(parse_text(fx, "[rootfs]\nstorage = zfs\n", false, &c, &err), -EINVAL);
	assert_non_null(strstr(err.message, "dir or btrfs"));
	config_done(&c);
	assert_int_equal(parse_text(fx, global_text, true, &c, &err), 0);
	assert_int_equal(c.storage_btrfs_size, 30ULL << 30);
	assert_int_equal(config_write_file(fx->path, &c), 0);
	config_done(&c);
	assert_int_equal(read_file_at(AT_FDCWD, fx->path, 1 << 16, &text, &len), 0);
	assert_null(strstr(text, "[storage]"));
	assert_non_null(strstr(text, "[container]"));
}

static void test_config_enum_tables_name_every_value(void **state _unused_)
{
	for (int k = 0; k < _INIT_KIND_MAX; k++) {
		enum init_kind back;

		assert_non_null(init_kind_to_string(k));
		assert_int_equal(init_kind_from_string(init_kind_to_string(k), &back), 0);
		assert_int_equal(back, k);
	}
	for (int m = 0; m < _NET_MODE_MAX; m++) {
		enum net_mode back;

		assert_non_null(net_mode_to_string(m));
		assert_int_equal(net_mode_from_string(net_mode_to_string(m), &back), 0);
		assert_int_equal(back, m);
	}
	for (int l = 0; l < _CGROUP_LAYOUT_MAX; l++) {
		enum cgroup_layout back;

		assert_non_null(cgroup_layout_to_string(l));
		assert_int_equal(cgroup_layout_from_string(cgroup_layout_to_string(l), &back), 0);
		assert_int_equal(back, l);
	}
	assert_null(cgroup_layout_to_string(_CGROUP_LAYOUT_MAX));
	assert_null(init_kind_to_string(_INIT_KIND_MAX));
	assert_null(net_mode_to_string(_NET_MODE_MAX));
}

/* Families: mount.NAME and device.NAME, free leaf names, up to CONFIG_ENTRIES_MAX each. */
static void test_config_family_keys_parse_get_and_write_back(void **state)
{
	struct fixture *fx = *state;
	struct container_config c, back;
	struct config_error err;

	assert_int_equal(parse_text(fx,
				    "[container]\nname = dev1\n[mount]\nsrc = /tmp:/home/a/src\n"
				    "data = /srv:/data:ro\nown = /srv:/own:owner=alice:ro\n"
				    "[device]\ntun = /dev/net/tun\n",
				    false, &c, &err),
			 0);
	assert_key(&c, "mount.src", "/tmp:/home/a/src");
	assert_key(&c, "mount.data", "/srv:/data:ro");
	assert_key(&c, "device.tun", "/dev/net/tun");
	assert_key(&c, "mount.absent", "");
	assert_int_equal(config_validate(&c, &err), -EINVAL); /* no uuid: the family passed */
	assert_string_equal(err.key, "container.uuid");
	assert_int_equal(config_write_file(fx->path, &c), 0);
	config_init_defaults(&back);
	assert_int_equal(config_parse_file(fx->path, false, &back, &err), 0);
	assert_key(&back, "mount.src", "/tmp:/home/a/src");
	assert_key(&back, "mount.data", "/srv:/data:ro");
	assert_key(&back, "mount.own", "/srv:/own:owner=alice:ro");
	assert_key(&back, "device.tun", "/dev/net/tun");
	config_done(&back);
	config_done(&c);
	/* The table's key list leaves the families out. */
	for (size_t i = 0; config_key_name(i, NULL); i++)
		assert_null(strchr(config_key_name(i, NULL), '*'));
}

static void assert_family_refused(struct fixture *fx, const char *text, const char *key)
{
	struct container_config c;
	struct config_error err;

	assert_int_equal(parse_text(fx, text, false, &c, &err), -EINVAL);
	assert_string_equal(err.key, key);
	config_done(&c);
}

static void test_config_family_bad_values_are_refused(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *many = NULL;
	FILE *f;
	size_t size = 0;

	assert_family_refused(fx, "[mount]\nx = rel:/a\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:rel\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/proc/x\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/sys\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/dev/x\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp/../etc:/x\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/x:rw\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/x:owner=\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/x:ro:ro\n", "mount.*");
	assert_family_refused(fx, "[mount]\nx = /tmp:/x:owner=a:owner=b\n", "mount.*");
	assert_family_refused(fx, "[device]\nx = /etc/passwd\n", "device.*");
	assert_family_refused(fx, "[device]\nx = /dev/pts/0\n", "device.*");
	f = open_memstream(&many, &size);
	assert_non_null(f);
	fprintf(f, "[mount]\n");
	for (int i = 0; i <= CONFIG_ENTRIES_MAX; i++)
		fprintf(f, "m%d = /tmp:/m%d\n", i, i);
	assert_int_equal(fclose(f), 0);
	assert_family_refused(fx, many, "mount.*");
}

static void test_config_family_edit_checks_the_host_and_unsets(void **state)
{
	struct fixture *fx = *state;
	_cleanup_free_ char *before = NULL, *after = NULL, *done = NULL;
	struct config_error err;

	unit_write_text(fx->path, "[container]\nname = dev1\n");
	assert_int_equal(config_edit_file(fx->path, "mount.src", "/tmp:/src", &err), 0);
	assert_int_equal(config_edit_file(fx->path, "device.null", "/dev/null", &err), 0);
	before = unit_read_text(fx->path);
	assert_string_equal(before, "[container]\nname = dev1\n\n[mount]\nsrc = /tmp:/src\n\n"
				    "[device]\nnull = /dev/null\n");
	assert_int_equal(config_edit_file(fx->path, "mount.gone", "/nonexistent-lxmgr:/x", &err),
			 -EINVAL);
	assert_string_equal(err.key, "mount.gone");
	assert_non_null(strstr(err.message, "source /nonexistent-lxmgr"));
	assert_int_equal(config_edit_file(fx->path, "device.dir", "/dev/pts", &err), -EINVAL);
	assert_int_equal(config_edit_file(fx->path, "mount.Bad", "/tmp:/x", &err), -EINVAL);
	assert_int_equal(config_edit_file(fx->path, "mount.*", "/tmp:/x", &err), -EINVAL);
	after = unit_read_text(fx->path);
	assert_string_equal(before, after);
	assert_int_equal(config_edit_file(fx->path, "mount.src", NULL, &err), 0);
	done = unit_read_text(fx->path);
	assert_string_equal(done, "[container]\nname = dev1\n\n[mount]\n\n"
				  "[device]\nnull = /dev/null\n");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_dir, unit_dir_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_config_defaults_match_the_documented_values),
		T(test_config_parse_reads_every_key),
		T(test_config_parse_unknown_key_names_file_line_and_key),
		T(test_config_parse_unknown_section_is_named),
		T(test_config_parse_bad_size_is_refused),
		T(test_config_parse_source_refuses_what_ini_mangles),
		T(test_config_parse_malformed_line_reports_its_line),
		T(test_config_parse_key_outside_section_is_refused),
		T(test_config_parse_duplicate_key_is_refused),
		T(test_config_parse_missing_file_is_enoent),
		T(test_config_parse_layers_and_empty_value_unsets),
		T(test_config_parse_cpu_takes_three_decimals),
		T(test_config_parse_canonicalises_values),
		T(test_config_parse_id_range_past_2_32_is_refused),
		T(test_config_global_refuses_container_only_keys),
		T(test_config_validate_requires_uuid),
		T(test_config_validate_names_missing_or_bad_key),
		T(test_config_get_unknown_key_is_enoent),
		T(test_config_edit_keeps_comments_and_order),
		T(test_config_edit_appends_key_at_end_of_its_section),
		T(test_config_edit_unset_removes_line),
		T(test_config_edit_appends_missing_section),
		T(test_config_edit_bad_value_leaves_file_untouched),
		T(test_config_write_then_parse_round_trips),
		T(test_config_write_omits_unset_keys_and_refuses_bad_values),
		T(test_config_table_every_key_parses_its_own_printed_default),
		T(test_config_storage_keys_are_split_between_files),
		T(test_config_enum_tables_name_every_value),
		T(test_config_family_keys_parse_get_and_write_back),
		T(test_config_family_bad_values_are_refused),
		T(test_config_family_edit_checks_the_host_and_unsets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
