/* hosts.c: reads the bridges' hosts files (DIR/dnsmasq-BRIDGE.hosts) for the NSS module. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "hosts.h"

#define SUFFIX ".lxmgr"
#define SUFFIX_LEN (sizeof(SUFFIX) - 1)
#define FILE_PREFIX "dnsmasq-"
#define FILE_SUFFIX ".hosts"
/* lxmgr writes short lines; a longer one is not lxmgr's and is skipped whole. */
#define LINE_MAX_LEN 512
/* A bigger file is not lxmgr's: skipped rather than read in every process. */
#define FILE_MAX_SIZE (4 << 20)

/* One line of a hosts file: its address and its first name, not NUL-terminated. */
struct hosts_line {
	struct hosts_addr addr;
	const char *name;
	size_t name_len;
};

/* Called for each well-formed line; true stops the scan. */
typedef bool (*hosts_visit_fn)(const struct hosts_line *l, void *userdata);

/* The length of name without one trailing dot. */
static size_t bare_len(const char *name, size_t n)
{
	return n > 0 && name[n - 1] == '.' ? n - 1 : n;
}

static bool label_is_valid(const char *s, size_t n)
{
	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
	}
	return true;
}

/* LABEL.lxmgr: at most 69 characters, so it always fits HOSTS_NAME_MAX. */
static bool is_ours(const char *name, size_t n)
{
	n = bare_len(name, n);
	return n > SUFFIX_LEN && !strncasecmp(name + n - SUFFIX_LEN, SUFFIX, SUFFIX_LEN) &&
	       label_is_valid(name, n - SUFFIX_LEN);
}

bool hosts_name_is_ours(const char *name)
{
	return name && is_ours(name, strnlen(name, HOSTS_NAME_MAX));
}

/* Splits "IP NAME ..." into l; false for a comment, a blank or a malformed line. */
static bool parse_line(char *s, struct hosts_line *l)
{
	static const char blanks[] = " \t\r\n";
	char ip[INET6_ADDRSTRLEN];
	size_t n;

	s += strspn(s, blanks);
	n = strcspn(s, blanks);
	if (n == 0 || s[0] == '#' || n >= sizeof(ip))
		return false;
	memcpy(ip, s, n);
	ip[n] = '\0';
	if (inet_pton(AF_INET, ip, l->addr.addr) == 1)
		l->addr.family = AF_INET;
	else if (inet_pton(AF_INET6, ip, l->addr.addr) == 1)
		l->addr.family = AF_INET6;
	else
		return false;
	s += n;
	s += strspn(s, blanks);
	n = strcspn(s, blanks);
	if (!is_ours(s, n))
		return false;
	l->name = s;
	l->name_len = bare_len(s, n);
	return true;
}

/* Feeds each well-formed line of f to visit; true when visit stopped the scan. A line that
 * is too long or holds a NUL is skipped whole. */
static bool scan_file(FILE *f, hosts_visit_fn visit, void *userdata)
{
	char line[LINE_MAX_LEN];
	size_t n = 0;
	bool bad = false;
	int c;

	do {
		struct hosts_line l;

		c = getc_unlocked(f); /* f is this call's own */
		if (c != '\n' && c != EOF) {
			if (c == '\0' || n == sizeof(line) - 1)
				bad = true;
			else
				line[n++] = (char)c;
			continue;
		}
		line[n] = '\0';
		l = (struct hosts_line){0}; /* compared whole: the unused bytes of an IPv4 too */
		if (!bad && parse_line(line, &l) && visit(&l, userdata))
			return true;
		n = 0;
		bad = false;
	} while (c != EOF);
	return false;
}

static bool is_hosts_file(const char *name)
{
	size_t n = strlen(name), p = sizeof(FILE_PREFIX) - 1, s = sizeof(FILE_SUFFIX) - 1;

	return n > p + s && !strncmp(name, FILE_PREFIX, p) && !strcmp(name + n - s, FILE_SUFFIX);
}

/* Opens one hosts file of dir: a regular file of sane size, or NULL (skipped). */
static FILE *open_hosts_file(int dfd, const char *name)
{
	_cleanup_close_ int fd = -EBADF;
	struct stat st;
	FILE *f;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > FILE_MAX_SIZE)
		return NULL;
	f = fdopen(fd, "r");
	if (f)
		fd = -EBADF; /* f owns it now */
	return f;
}

/* Visits the lines of every hosts file of dir. 0, or -errno (a missing dir is 0). */
static int scan(const char *dir, hosts_visit_fn visit, void *userdata)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES ? 0 : -errno;
	while ((de = readdir(d))) {
		_cleanup_fclose_ FILE *f = NULL;

		if (!is_hosts_file(de->d_name))
			continue;
		f = open_hosts_file(dirfd(d), de->d_name);
		if (f && scan_file(f, visit, userdata))
			break;
	}
	return 0;
}

struct by_name {
	const char *name;
	size_t name_len;
	int family;
	struct hosts_addr *addrs;
	size_t max, n;
	char *canon;
};

static bool visit_name(const struct hosts_line *l, void *userdata)
{
	struct by_name *q = userdata;

	if (l->name_len != q->name_len || strncasecmp(l->name, q->name, q->name_len))
		return false;
	if (q->family != AF_UNSPEC && l->addr.family != q->family)
		return false;
	for (size_t i = 0; i < q->n; i++)
		if (!memcmp(&q->addrs[i], &l->addr, sizeof(l->addr)))
			return false;
	if (q->n == 0) {
		memcpy(q->canon, l->name, l->name_len);
		q->canon[l->name_len] = '\0';
	}
	q->addrs[q->n++] = l->addr;
	return q->n == q->max;
}

int hosts_find_name(const char *dir, const char *name, int family, struct hosts_addr *ret,
		    size_t max, char ret_canon[static HOSTS_NAME_MAX])
{
	struct by_name q = {
		.name = name, .family = family, .addrs = ret, .max = max, .canon = ret_canon};
	int r;

	if (!hosts_name_is_ours(name) || max == 0)
		return 0;
	q.name_len = bare_len(name, strlen(name));
	r = scan(dir, visit_name, &q);
	return r < 0 ? r : (int)q.n;
}

struct by_addr {
	struct hosts_addr addr;
	char *name;
	bool found;
};

static bool visit_addr(const struct hosts_line *l, void *userdata)
{
	struct by_addr *q = userdata;

	if (memcmp(&l->addr, &q->addr, sizeof(q->addr)))
		return false;
	memcpy(q->name, l->name, l->name_len);
	q->name[l->name_len] = '\0';
	q->found = true;
	return true;
}

int hosts_find_addr(const char *dir, int family, const void *addr,
		    char ret_name[static HOSTS_NAME_MAX])
{
	struct by_addr q = {.addr = {.family = family}, .name = ret_name};
	int r;

	if (family == AF_INET)
		memcpy(q.addr.addr, addr, 4);
	else if (family == AF_INET6)
		memcpy(q.addr.addr, addr, 16);
	else
		return 0;
	r = scan(dir, visit_addr, &q);
	return r < 0 ? r : q.found;
}
