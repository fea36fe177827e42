/* test-nss.c: unit tests of the NSS module (nss/hosts.c, nss/nss-lxmgr.c) against hosts files
 * in a temporary directory: which names are lxmgr's, malformed lines and foreign files
 * skipped, forward and reverse lookups, and glibc's buffer contract (ERANGE and a retry,
 * misaligned buffers, errno kept on NOTFOUND). */
#include "unit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <nss.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "hosts.h"
#include "nss-lxmgr.h"

static char tmp[PATH_MAX];

static void put(const char *name, const char *text)
{
	char path[PATH_MAX + 64];

	(void)snprintf(path, sizeof(path), "%s/%s", tmp, name);
	unit_write_text(path, text);
}

static int setup(void **state _unused_)
{
	static const char nul_line[] = "10.88.0.9 n\0ul.lxmgr\n";
	char path[PATH_MAX + 64], longline[700];

	assert_int_equal(unit_make_tmpdir(tmp, "nss"), 0);
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "10.77.0.6 long.lxmgr long ", 26);
	longline[sizeof(longline) - 1] = '\0';
	{
		_cleanup_free_ char *text = NULL;

		assert_true(asprintf(&text,
				     "10.77.0.2 web.lxmgr web\n"
				     "fd42::2 web.lxmgr web\n"
				     "# a comment\n"
				     "garbage\n"
				     "10.77.0.999 bad.lxmgr bad\n"
				     "10.77.0.4\n"
				     "10.77.0.5 notours.example notours\n"
				     "10.77.0.7 a.b.lxmgr\n"
				     "%s\n"
				     "   10.77.0.3\tdb.lxmgr db\n",
				     longline) > 0);
		put("dnsmasq-lxbr1.hosts", text);
	}
	/* No newline at the end; a duplicate of db; a NUL in a line. */
	put("dnsmasq-lxbr2.hosts", "10.88.0.2 v4only.lxmgr v4only\n10.77.0.3 db.lxmgr db\n"
				   "10.88.0.3 Mixed.LXMGR. mixed");
	(void)snprintf(path, sizeof(path), "%s/dnsmasq-nul.hosts", tmp);
	assert_int_equal(write_file_atomic_at(AT_FDCWD, path, nul_line, sizeof(nul_line) - 1, 0644),
			 0);
	/* Not hosts files of lxmgr's: a writer's temporary, another name, a symlink, a dir. */
	put("dnsmasq-lxbr1.hosts.tmp-123", "10.99.0.1 stale.lxmgr stale\n");
	put("other.hosts", "10.99.0.2 other.lxmgr other\n");
	put("target", "10.99.0.3 link.lxmgr link\n");
	(void)snprintf(path, sizeof(path), "%s/dnsmasq-link.hosts", tmp);
	assert_int_equal(symlink("target", path), 0);
	(void)snprintf(path, sizeof(path), "%s/dnsmasq-dir.hosts", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	return 0;
}

static int teardown(void **state _unused_)
{
	return unit_remove_tmpdir(tmp);
}

static const char *fmt(const struct hosts_addr *a, char buf[static INET6_ADDRSTRLEN])
{
	return inet_ntop(a->family, a->addr, buf, INET6_ADDRSTRLEN);
}

static void test_name_is_ours_only_for_one_label_dot_lxmgr(void **state _unused_)
{
	char label63[80], label64[80];

	assert_true(hosts_name_is_ours("web.lxmgr"));
	assert_true(hosts_name_is_ours("WEB.LXMGR."));
	assert_true(hosts_name_is_ours("a-1.lxmgr"));
	assert_false(hosts_name_is_ours("lxmgr"));
	assert_false(hosts_name_is_ours(".lxmgr"));
	assert_false(hosts_name_is_ours("web.lxmgr.."));
	assert_false(hosts_name_is_ours("a.b.lxmgr"));
	assert_false(hosts_name_is_ours("-a.lxmgr"));
	assert_false(hosts_name_is_ours("a_b.lxmgr"));
	assert_false(hosts_name_is_ours("web.lxmgr.example"));
	assert_false(hosts_name_is_ours("localhost"));
	assert_false(hosts_name_is_ours(""));
	assert_false(hosts_name_is_ours(NULL));
	memset(label63, 'a', 63);
	strcpy(label63 + 63, ".lxmgr");
	assert_true(hosts_name_is_ours(label63));
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".lxmgr");
	assert_false(hosts_name_is_ours(label64));
}

static void test_find_name_gives_both_families_any_case(void **state _unused_)
{
	struct hosts_addr a[HOSTS_MAX_ADDRS];
	char canon[HOSTS_NAME_MAX], buf[INET6_ADDRSTRLEN];

	assert_int_equal(hosts_find_name(tmp, "web.lxmgr", AF_UNSPEC, a, HOSTS_MAX_ADDRS, canon),
			 2);
	assert_string_equal(canon, "web.lxmgr");
	assert_string_equal(fmt(&a[0], buf), "10.77.0.2");
	assert_string_equal(fmt(&a[1], buf), "fd42::2");
	assert_int_equal(hosts_find_name(tmp, "WEB.Lxmgr.", AF_INET6, a, HOSTS_MAX_ADDRS, canon),
			 1);
	assert_string_equal(fmt(&a[0], buf), "fd42::2");
	assert_int_equal(hosts_find_name(tmp, "web.lxmgr", AF_INET, a, 1, canon), 1);
	assert_string_equal(fmt(&a[0], buf), "10.77.0.2");
	/* The file's spelling, without its trailing dot. */
	assert_int_equal(hosts_find_name(tmp, "mixed.lxmgr", AF_INET, a, HOSTS_MAX_ADDRS, canon),
			 1);
	assert_string_equal(canon, "Mixed.LXMGR");
	/* After a too long line, and in two files: one address. */
	assert_int_equal(hosts_find_name(tmp, "db.lxmgr", AF_UNSPEC, a, HOSTS_MAX_ADDRS, canon), 1);
	assert_string_equal(fmt(&a[0], buf), "10.77.0.3");
	assert_int_equal(hosts_find_name(tmp, "v4only.lxmgr", AF_INET6, a, HOSTS_MAX_ADDRS, canon),
			 0);
}

static void test_find_name_skips_malformed_lines_and_foreign_files(void **state _unused_)
{
	static const char *const skipped[] = {"bad.lxmgr",     "long.lxmgr",  "a.b.lxmgr",
					      "notours.lxmgr", "stale.lxmgr", "other.lxmgr",
					      "link.lxmgr",    "ul.lxmgr",    "nosuch.lxmgr"};
	struct hosts_addr a[HOSTS_MAX_ADDRS];
	char canon[HOSTS_NAME_MAX];

	for (size_t i = 0; i < sizeof(skipped) / sizeof(*skipped); i++)
		assert_int_equal(
			hosts_find_name(tmp, skipped[i], AF_UNSPEC, a, HOSTS_MAX_ADDRS, canon), 0);
	/* A name lxmgr does not answer is not even looked up. */
	assert_int_equal(
		hosts_find_name(tmp, "notours.example", AF_UNSPEC, a, HOSTS_MAX_ADDRS, canon), 0);
	/* No directory (no bridge ever started): nothing, not an error. */
	assert_int_equal(hosts_find_name("/nonexistent/lxmgr-net", "web.lxmgr", AF_UNSPEC, a,
					 HOSTS_MAX_ADDRS, canon),
			 0);
}

static void test_find_addr_gives_the_lxmgr_name(void **state _unused_)
{
	char name[HOSTS_NAME_MAX];
	uint8_t a4[4], a6[16];

	assert_int_equal(inet_pton(AF_INET, "10.77.0.3", a4), 1);
	assert_int_equal(hosts_find_addr(tmp, AF_INET, a4, name), 1);
	assert_string_equal(name, "db.lxmgr");
	assert_int_equal(inet_pton(AF_INET6, "fd42::2", a6), 1);
	assert_int_equal(hosts_find_addr(tmp, AF_INET6, a6, name), 1);
	assert_string_equal(name, "web.lxmgr");
	assert_int_equal(inet_pton(AF_INET, "10.77.0.5", a4), 1); /* notours.example */
	assert_int_equal(hosts_find_addr(tmp, AF_INET, a4, name), 0);
	assert_int_equal(inet_pton(AF_INET, "10.99.0.1", a4), 1); /* a temporary file's */
	assert_int_equal(hosts_find_addr(tmp, AF_INET, a4, name), 0);
	/* 10.77.0.2 as the first bytes of an IPv6 address is not 10.77.0.2. */
	memset(a6, 0, sizeof(a6));
	assert_int_equal(inet_pton(AF_INET, "10.77.0.2", a6), 1);
	assert_int_equal(hosts_find_addr(tmp, AF_INET6, a6, name), 0);
}

/* Validate that every buffer too small gets TRYAGAIN/ERANGE and the first big enough one the
 * full answer, at every alignment. */
static void test_byname3_retries_with_erange_until_the_buffer_fits(void **state _unused_)
{
	_Alignas(16) char buffer[512];

	for (size_t off = 0; off < 8; off++) {
		bool fitted = false;

		for (size_t len = 0; len + off <= sizeof(buffer) && !fitted; len++) {
			struct hostent h;
			int err = 0, herr = 0;
			int32_t ttl = -1;
			char *canon = NULL;
			enum nss_status st =
				lxmgr_nss_byname3(tmp, "web.lxmgr", AF_INET, &h, buffer + off, len,
						  &err, &herr, &ttl, &canon);

			if (st == NSS_STATUS_TRYAGAIN) {
				assert_int_equal(err, ERANGE);
				assert_int_equal(herr, NETDB_INTERNAL);
				continue;
			}
			assert_int_equal(st, NSS_STATUS_SUCCESS);
			assert_string_equal(h.h_name, "web.lxmgr");
			assert_ptr_equal(canon, h.h_name);
			assert_int_equal(ttl, 0);
			assert_null(h.h_aliases[0]);
			assert_int_equal(h.h_addrtype, AF_INET);
			assert_int_equal(h.h_length, 4);
			assert_memory_equal(h.h_addr_list[0], "\x0a\x4d\x00\x02", 4);
			assert_null(h.h_addr_list[1]);
			assert_true((uintptr_t)h.h_addr_list % sizeof(char *) == 0);
			/* Nothing written past the buffer it was given. */
			assert_true((char *)h.h_addr_list[0] + 4 <= buffer + off + len);
			fitted = true;
		}
		assert_true(fitted);
	}
}

static void test_byname3_notfound_keeps_errno_and_says_no_data(void **state _unused_)
{
	char buffer[256];
	struct hostent h;
	int err = 0, herr = 0;

	errno = 4242;
	assert_int_equal(lxmgr_nss_byname3(tmp, "v4only.lxmgr", AF_INET6, &h, buffer,
					   sizeof(buffer), &err, &herr, NULL, NULL),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, NO_DATA);
	assert_int_equal(errno, 4242);
	assert_int_equal(lxmgr_nss_byname3(tmp, "nosuch.lxmgr", AF_INET, &h, buffer, sizeof(buffer),
					   &err, &herr, NULL, NULL),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, HOST_NOT_FOUND);
	assert_int_equal(lxmgr_nss_byname3(tmp, "localhost", AF_INET, &h, buffer, sizeof(buffer),
					   &err, &herr, NULL, NULL),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, HOST_NOT_FOUND);
	assert_int_equal(errno, 4242);
	assert_int_equal(err, 0);
	assert_int_equal(lxmgr_nss_byname3(tmp, "web.lxmgr", AF_UNIX, &h, buffer, sizeof(buffer),
					   &err, &herr, NULL, NULL),
			 NSS_STATUS_UNAVAIL);
	assert_int_equal(err, EAFNOSUPPORT);
}

static void test_byname4_links_a_tuple_per_address(void **state _unused_)
{
	_Alignas(16) char buffer[512];
	struct gaih_addrtuple *t = NULL, mine = {0};
	struct gaih_addrtuple *pre = &mine;
	int err = 0, herr = 0;
	int32_t ttl = -1;

	assert_int_equal(
		lxmgr_nss_byname4(tmp, "web.lxmgr", &t, buffer, sizeof(buffer), &err, &herr, &ttl),
		NSS_STATUS_SUCCESS);
	assert_non_null(t);
	assert_string_equal(t->name, "web.lxmgr");
	assert_int_equal(t->family, AF_INET);
	assert_memory_equal(t->addr, "\x0a\x4d\x00\x02", 4);
	assert_non_null(t->next);
	assert_int_equal(t->next->family, AF_INET6);
	assert_memory_equal(t->next->addr, "\xfd\x42\0\0", 4);
	assert_null(t->next->next);
	assert_int_equal(ttl, 0);
	/* A tuple of the caller's is filled in place. */
	assert_int_equal(
		lxmgr_nss_byname4(tmp, "db.lxmgr", &pre, buffer, sizeof(buffer), &err, &herr, NULL),
		NSS_STATUS_SUCCESS);
	assert_ptr_equal(pre, &mine);
	assert_memory_equal(mine.addr, "\x0a\x4d\x00\x03", 4);
	assert_null(mine.next);
	/* Too small, then not ours, then ours but unknown. */
	t = NULL;
	assert_int_equal(lxmgr_nss_byname4(tmp, "web.lxmgr", &t, buffer, 16, &err, &herr, NULL),
			 NSS_STATUS_TRYAGAIN);
	assert_int_equal(err, ERANGE);
	assert_null(t);
	assert_int_equal(lxmgr_nss_byname4(tmp, "example.org", &t, buffer, sizeof(buffer), &err,
					   &herr, NULL),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(lxmgr_nss_byname4(tmp, "nosuch.lxmgr", &t, buffer, sizeof(buffer), &err,
					   &herr, NULL),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, HOST_NOT_FOUND);
	assert_null(t);
}

static void test_byaddr2_answers_ours_and_refuses_bad_lengths(void **state _unused_)
{
	_Alignas(16) char buffer[256];
	struct hostent h;
	int err = 0, herr = 0;
	uint8_t a4[4], a6[16];

	assert_int_equal(inet_pton(AF_INET6, "fd42::2", a6), 1);
	assert_int_equal(lxmgr_nss_byaddr2(tmp, a6, 16, AF_INET6, &h, buffer, sizeof(buffer), &err,
					   &herr, NULL),
			 NSS_STATUS_SUCCESS);
	assert_string_equal(h.h_name, "web.lxmgr");
	assert_int_equal(h.h_length, 16);
	assert_memory_equal(h.h_addr_list[0], a6, 16);
	assert_null(h.h_addr_list[1]);
	assert_int_equal(
		lxmgr_nss_byaddr2(tmp, a6, 16, AF_INET6, &h, buffer, 12, &err, &herr, NULL),
		NSS_STATUS_TRYAGAIN);
	assert_int_equal(err, ERANGE);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", a4), 1);
	assert_int_equal(lxmgr_nss_byaddr2(tmp, a4, 4, AF_INET, &h, buffer, sizeof(buffer), &err,
					   &herr, NULL),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, HOST_NOT_FOUND);
	assert_int_equal(lxmgr_nss_byaddr2(tmp, a4, 16, AF_INET, &h, buffer, sizeof(buffer), &err,
					   &herr, NULL),
			 NSS_STATUS_UNAVAIL);
	assert_int_equal(err, EINVAL);
	assert_int_equal(lxmgr_nss_byaddr2(tmp, a4, 4, AF_UNIX, &h, buffer, sizeof(buffer), &err,
					   &herr, NULL),
			 NSS_STATUS_UNAVAIL);
	assert_int_equal(err, EAFNOSUPPORT);
}

#define T(f) cmocka_unit_test(f)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_name_is_ours_only_for_one_label_dot_lxmgr),
		T(test_find_name_gives_both_families_any_case),
		T(test_find_name_skips_malformed_lines_and_foreign_files),
		T(test_find_addr_gives_the_lxmgr_name),
		T(test_byname3_retries_with_erange_until_the_buffer_fits),
		T(test_byname3_notfound_keeps_errno_and_says_no_data),
		T(test_byname4_links_a_tuple_per_address),
		T(test_byaddr2_answers_ours_and_refuses_bad_lengths),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
