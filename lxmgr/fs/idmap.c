/* idmap.c: subordinate id ranges (/etc/subuid, /etc/subgid), allocation, uid_map/gid_map. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/util.h"
#include "fs/idmap.h"

/* Start of the range added for root: the lowest multiple of IDMAP_DEFAULT_SIZE that is at
 * least 1000000, where useradd(8) starts its own SUB_UID_MIN allocations by default. */
#define ROOT_RANGE_MIN 1048576U
#define SUBID_FILE_MAX (4U * 1024 * 1024)
#define PROC_MAP_MAX (64U * 1024)

struct subid_line {
	const char *name;
	size_t name_len;
	struct idmap_range range;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses one decimal field of [s, s + len) as a uint32_t, strictly. */
static int parse_field_u32(const char *s, size_t len, uint32_t *ret)
{
	char buf[16];

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return parse_u32(buf, ret) < 0 ? -EINVAL : 0;
}

/* One line of a subid file, without its newline. Returns 1 for a line to skip (blank or
 * comment), 0 with *ret filled, or -EINVAL. ret->name points into the line. */
static int parse_subid_line(const char *s, size_t len, struct subid_line *ret)
{
	const char *c1, *c2, *end = s + len;
	uint32_t start, count;

	while (s < end && is_blank(*s))
		s++;
	while (end > s && is_blank(end[-1]))
		end--;
	if (s == end || *s == '#')
		return 1;
	c1 = memchr(s, ':', (size_t)(end - s));
	if (!c1 || c1 == s)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', (size_t)(end - c1 - 1));
	if (!c2)
		return -EINVAL;
	if (parse_field_u32(c1 + 1, (size_t)(c2 - c1 - 1), &start) < 0 ||
	    parse_field_u32(c2 + 1, (size_t)(end - c2 - 1), &count) < 0)
		return -EINVAL;
	/* The range must end at or below 2^32; an empty range means nothing and is a typo. */
	if (count == 0 || (uint64_t)start + count > (uint64_t)UINT32_MAX + 1)
		return -EINVAL;
	*ret = (struct subid_line){
		.name = s,
		.name_len = (size_t)(c1 - s),
		.range = {.start = start, .count = count},
	};
	return 0;
}

static bool name_is(const struct subid_line *l, const char *name)
{
	return name && strlen(name) == l->name_len && !memcmp(l->name, name, l->name_len);
}

int idmap_parse_subid(FILE *f, const char *user, uid_t uid, struct idmap_range *ret, size_t max)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, found = 0;
	char uidstr[16] = "";
	ssize_t n;

	if (uid != (uid_t)-1)
		(void)snprintf(uidstr, sizeof(uidstr), "%u", (unsigned)uid);
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct subid_line l;
		int r = parse_subid_line(line, (size_t)n, &l);

		if (r < 0)
			return r;
		if (r > 0)
			continue;
		if (!name_is(&l, user) && !(uidstr[0] && name_is(&l, uidstr)))
			continue;
		if (found < max)
			ret[found] = l.range;
		found++;
	}
	if (ferror(f))
		return -EIO;
	return found > INT32_MAX ? -E2BIG : (int)found;
}

static uint64_t round_up(uint64_t v, uint32_t align)
{
	return (v + align - 1) / align * align;
}

/* End of the used range overlapping [base, base + size) that ends last, or 0 if none does. */
static uint64_t overlap_end(const struct idmap_range *used, size_t n_used, uint64_t base,
			    uint32_t size)
{
	uint64_t end = 0;

	for (size_t i = 0; i < n_used; i++) {
		uint64_t ustart = used[i].start, uend = ustart + used[i].count;

		if (used[i].count == 0 || ustart >= base + size || uend <= base)
			continue;
		if (uend > end)
			end = uend;
	}
	return end;
}

/* Lowest free aligned base inside one owned range, or UINT64_MAX. Aligned to size from 0, or
 * from the range's own start (a user's range rarely starts on a multiple of 65536). */
static uint64_t alloc_in_range(const struct idmap_range *owned, const struct idmap_range *used,
			       size_t n_used, uint32_t size, bool from_start)
{
	uint64_t end = (uint64_t)owned->start + owned->count;
	uint64_t origin = from_start ? owned->start : 0;
	uint64_t base = origin + round_up(owned->start - origin, size);

	while (base + size <= end) {
		uint64_t busy = overlap_end(used, n_used, base, size);

		if (busy == 0)
			return base;
		/* Jump past everything that overlaps: busy > base, so this always advances. */
		base = origin + round_up(busy - origin, size);
	}
	return UINT64_MAX;
}

static int alloc_range(const struct idmap_range *owned, size_t n_owned,
		       const struct idmap_range *used, size_t n_used, uint32_t size,
		       bool from_start, uint32_t *ret_base)
{
	uint64_t best = UINT64_MAX;

	if (size == 0)
		return -EINVAL;
	for (size_t i = 0; i < n_owned; i++) {
		uint64_t base = alloc_in_range(&owned[i], used, n_used, size, from_start);

		if (base < best)
			best = base;
	}
	if (best == UINT64_MAX)
		return -ENOSPC;
	*ret_base = (uint32_t)best;
	return 0;
}

int idmap_alloc_range(const struct idmap_range *owned, size_t n_owned,
		      const struct idmap_range *used, size_t n_used, uint32_t size,
		      uint32_t *ret_base)
{
	return alloc_range(owned, n_owned, used, n_used, size, false, ret_base);
}

int idmap_alloc_block(const struct idmap_range *owned, size_t n_owned,
		      const struct idmap_range *used, size_t n_used, uint32_t size,
		      uint32_t *ret_base)
{
	return alloc_range(owned, n_owned, used, n_used, size, true, ret_base);
}

/* Walks the file text: whether root ("root" or "0") has a line, and where the last range ends. */
static int scan_subid_text(const char *text, size_t len, bool *ret_has_root, uint64_t *ret_end)
{
	const char *p = text, *end = text + len;

	*ret_has_root = false;
	*ret_end = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct subid_line l;
		int r = parse_subid_line(p, n, &l);

		if (r < 0)
			return r;
		if (r == 0) {
			uint64_t e = (uint64_t)l.range.start + l.range.count;

			if (name_is(&l, "root") || name_is(&l, "0"))
				*ret_has_root = true;
			if (e > *ret_end)
				*ret_end = e;
		}
		p += n + 1;
	}
	return 0;
}

static int read_subid_file(const char *path, char **ret, size_t *ret_len, mode_t *ret_mode)
{
	struct stat st;
	int r;

	r = read_file_at(AT_FDCWD, path, SUBID_FILE_MAX, ret, ret_len);
	if (r == -ENOENT) {
		*ret = strdup("");
		*ret_len = 0;
		*ret_mode = 0644;
		return *ret ? 0 : -ENOMEM;
	}
	if (r < 0)
		return r;
	if (stat(path, &st) < 0) {
		r = -errno;
		free(*ret);
		*ret = NULL;
		return r;
	}
	*ret_mode = st.st_mode & 07777;
	return 0;
}

int idmap_ensure_root_entry(const char *path, uint32_t blocks)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	uint64_t end, start, count = (uint64_t)blocks * IDMAP_DEFAULT_SIZE;
	bool has_root;
	size_t len;
	mode_t mode = 0644;
	int r;

	if (blocks == 0)
		return -EINVAL;
	r = read_subid_file(path, &text, &len, &mode);
	if (r < 0)
		return r;
	r = scan_subid_text(text, len, &has_root, &end);
	if (r < 0)
		return r;
	if (has_root)
		return 0;
	start = round_up(end, IDMAP_DEFAULT_SIZE);
	if (start < ROOT_RANGE_MIN)
		start = ROOT_RANGE_MIN;
	if (start + count > (uint64_t)UINT32_MAX + 1)
		return -ERANGE;
	/* Every existing byte stays as it was; only a missing final newline is supplied. */
	r = xasprintf(&out, "%s%sroot:%llu:%llu\n", text,
		      len > 0 && text[len - 1] != '\n' ? "\n" : "", (unsigned long long)start,
		      (unsigned long long)count);
	if (r < 0)
		return r;
	r = write_file_atomic_at(AT_FDCWD, path, out, strlen(out), mode);
	return r < 0 ? r : 1;
}

int idmap_parse_own_map(FILE *f, struct idmap_range *ret, size_t max)
{
	unsigned long inside, outside, count;
	size_t n = 0;
	int k;

	while ((k = fscanf(f, "%lu %lu %lu", &inside, &outside, &count)) == 3) {
		if (inside > UINT32_MAX || count > UINT32_MAX || inside + count > (1UL << 32))
			return -EIO;
		if (n < max)
			ret[n] = (struct idmap_range){(uint32_t)inside, (uint32_t)count};
		n++;
	}
	if (k != EOF || ferror(f))
		return -EIO;
	return (int)(n < max ? n : max);
}

bool idmap_map_is_initial(const struct idmap_range *map, size_t n_map)
{
	return n_map == 1 && map[0].start == 0 && map[0].count == UINT32_MAX;
}

bool idmap_in_initial_userns(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	struct idmap_range map[2];
	int n = f ? idmap_parse_own_map(f, map, ELEMENTSOF(map)) : -EIO;

	return n > 0 && idmap_map_is_initial(map, (size_t)n);
}

size_t idmap_clip_ranges(const struct idmap_range *owned, size_t n_owned,
			 const struct idmap_range *map, size_t n_map, struct idmap_range *ret,
			 size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < n_owned; i++)
		for (size_t j = 0; j < n_map && n < max; j++) {
			uint64_t lo = MAX((uint64_t)owned[i].start, (uint64_t)map[j].start);
			uint64_t hi = MIN((uint64_t)owned[i].start + owned[i].count,
					  (uint64_t)map[j].start + map[j].count);

			if (hi > lo)
				ret[n++] = (struct idmap_range){(uint32_t)lo, (uint32_t)(hi - lo)};
		}
	return n;
}

bool idmap_ranges_overlap(uint32_t a, uint32_t a_count, uint32_t b, uint32_t b_count)
{
	/* In 64 bits: a range may end at 2^32. */
	return (uint64_t)a < (uint64_t)b + b_count && (uint64_t)b < (uint64_t)a + a_count;
}

bool idmap_range_is_covered(const struct idmap_range *ranges, size_t n, uint32_t base,
			    uint32_t count)
{
	uint64_t pos = base, end = (uint64_t)base + count;
	bool moved = true;

	if (count == 0)
		return false;
	/* Adjacent or overlapping entries join: each pass moves pos past one range holding it,
	 * so at most n passes; a pass that moves nothing leaves pos uncovered. */
	while (pos < end && moved) {
		moved = false;
		for (size_t i = 0; i < n; i++) {
			uint64_t lo = ranges[i].start, hi = lo + ranges[i].count;

			if (lo <= pos && pos < hi) {
				pos = hi;
				moved = true;
			}
		}
	}
	return pos >= end;
}

int idmap_find_account(FILE *f, uint32_t base, uint32_t count, char *ret_name, size_t size,
		       uint32_t *ret_id)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;

	while (getline(&line, &cap, f) > 0) {
		char *name = line, *id, *end;
		unsigned long v;

		/* name:password:ID:... ; comments, blank and NIS "+"/"-" lines name no id. */
		if (line[0] == '#' || line[0] == '+' || line[0] == '-')
			continue;
		id = strchr(line, ':');
		id = id ? strchr(id + 1, ':') : NULL;
		if (!id || !isdigit((unsigned char)id[1]))
			continue;
		errno = 0;
		v = strtoul(id + 1, &end, 10);
		if (errno || *end != ':' || v > UINT32_MAX || v < base ||
		    v - base >= (unsigned long)count)
			continue;
		*strchr(name, ':') = '\0';
		(void)snprintf(ret_name, size, "%s", name);
		*ret_id = (uint32_t)v;
		return 1;
	}
	return ferror(f) ? -EIO : 0;
}

void idmap_format_ranges(const struct idmap_range *v, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	if (n == 0)
		(void)snprintf(buf, size, "none");
	for (size_t i = 0; i < n && used < size; i++) {
		int w = snprintf(buf + used, size - used, "%s%" PRIu32 "-%" PRIu64, i ? ", " : "",
				 v[i].start, (uint64_t)v[i].start + v[i].count - 1);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

int idmap_ensure_root_entry_in(const char *path, const struct idmap_range *map, size_t n_map)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	uint64_t end, start = 0, stop = 0;
	bool has_root;
	size_t len;
	mode_t mode = 0644;
	int r;

	r = read_subid_file(path, &text, &len, &mode);
	if (r >= 0)
		r = scan_subid_text(text, len, &has_root, &end);
	if (r < 0)
		return r;
	if (has_root)
		return 0;
	for (size_t i = 0; i < n_map; i++) {
		uint64_t s = round_up(MAX((uint64_t)map[i].start, IDMAP_DEFAULT_SIZE),
				      IDMAP_DEFAULT_SIZE);
		uint64_t e = ((uint64_t)map[i].start + map[i].count) / IDMAP_DEFAULT_SIZE *
			     IDMAP_DEFAULT_SIZE;

		if (e > s && e - s > stop - start) {
			start = s;
			stop = e;
		}
	}
	if (stop == start)
		return -ENOSPC;
	r = xasprintf(&out, "%s%sroot:%llu:%llu\n", text,
		      len > 0 && text[len - 1] != '\n' ? "\n" : "", (unsigned long long)start,
		      (unsigned long long)(stop - start));
	if (r < 0)
		return r;
	r = write_file_atomic_at(AT_FDCWD, path, out, strlen(out), mode);
	return r < 0 ? r : 1;
}

static bool is_pid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static int range_add_unique(struct idmap_range **v, size_t *n, size_t *cap,
			    struct idmap_range range)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].start == range.start && (*v)[i].count == range.count)
			return 0;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct idmap_range *nv = reallocarray(*v, ncap, sizeof(**v));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = range;
	return 0;
}

/* Adds the outside ranges of one uid_map/gid_map text ("inside outside count" lines). */
/* Whether map text has the shape of rootless_reexec's namespace: "0 UID 1" first. */
static bool is_rootless_own_ns(const char *text)
{
	unsigned long inside, outside, count;

	return sscanf(text, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 &&
	       count == 1 && strchr(text, '\n') && strchr(strchr(text, '\n') + 1, '\n');
}

static int parse_proc_map(const char *text, struct idmap_range **v, size_t *n, size_t *cap)
{
	const char *p = text;
	bool own_ns = is_rootless_own_ns(text);

	for (;;) {
		unsigned long inside, outside, count;
		int consumed = 0, r;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			return 0;
		if (sscanf(p, "%lu %lu %lu%n", &inside, &outside, &count, &consumed) != 3 ||
		    inside > UINT32_MAX || outside > UINT32_MAX || count > UINT32_MAX)
			return -EIO;
		p += consumed;
		/* The initial namespace maps everything onto itself: that is no container. */
		if (inside == 0 && outside == 0 && count == UINT32_MAX)
			continue;
		/* A rootless start's own namespace maps one id (the user) to 0 and the user's
		 * ranges onto themselves (rootless.h): it holds its containers, whose maps
		 * count, but is none itself. */
		if (own_ns && inside == outside && inside != 0)
			continue;
		r = range_add_unique(v, n, cap,
				     (struct idmap_range){(uint32_t)outside, (uint32_t)count});
		if (r < 0)
			return r;
	}
}

static int read_pid_map(int procfd, const char *pid, bool gid, char **ret)
{
	char path[NAME_MAX + 16];
	int r;

	r = snprintf(path, sizeof(path), "%s/%s", pid, gid ? "gid_map" : "uid_map");
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	r = read_file_at(procfd, path, PROC_MAP_MAX, ret, NULL);
	/* A process that exits while we scan is no longer using its range. */
	if (r == -ENOENT || r == -ESRCH)
		return 0;
	return r < 0 ? r : 1;
}

/* The user namespaces already read (all processes of one show the same map), our own first:
 * inside a user namespace, its processes show our own map in the ids of the namespace above,
 * not a range anyone uses here. */
struct seen_userns {
	ino_t *ino;
	size_t n, cap;
};

static void seen_userns_done(struct seen_userns *s)
{
	free(s->ino);
}

/* Whether pid's user namespace was seen (or cannot be told: then it is read); records it. */
static bool userns_seen(int procfd, const char *pid, struct seen_userns *s)
{
	char path[NAME_MAX + 16];
	struct stat st;

	(void)snprintf(path, sizeof(path), "%s/ns/user", pid);
	if (fstatat(procfd, path, &st, 0) < 0)
		return false;
	for (size_t i = 0; i < s->n; i++)
		if (s->ino[i] == st.st_ino)
			return true;
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		ino_t *v = realloc(s->ino, cap * sizeof(*v));

		if (!v)
			return false;
		s->ino = v;
		s->cap = cap;
	}
	s->ino[s->n++] = st.st_ino;
	return false;
}

struct live_maps {
	struct idmap_range *v[2]; /* uid_map, gid_map */
	size_t n[2], cap[2];
};

static void live_maps_done(struct live_maps *m)
{
	free(m->v[0]);
	free(m->v[1]);
}

/* One pass over /proc for both maps (want[0]: uid_map, want[1]: gid_map): a start needs
 * both, and the scan stats every process on the host. */
static int scan_live(int procfd, const bool want[2], struct live_maps *m)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_(seen_userns_done) struct seen_userns seen = {0};
	struct dirent *de;
	int fd;

	/* A fresh open, not a dup: readdir must not move the caller's fd offset. */
	fd = NEG_ERRNO(openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	if (!d) {
		int r = -errno;

		(void)close(fd);
		return r;
	}
	(void)userns_seen(procfd, "self", &seen);
	while ((errno = 0, de = readdir(d))) {
		if (!is_pid_name(de->d_name) || userns_seen(procfd, de->d_name, &seen))
			continue;
		for (int k = 0; k < 2; k++) {
			_cleanup_free_ char *text = NULL;
			int r = want[k] ? read_pid_map(procfd, de->d_name, k == 1, &text) : 0;

			if (r > 0)
				r = parse_proc_map(text, &m->v[k], &m->n[k], &m->cap[k]);
			if (r < 0)
				return r;
		}
	}
	return errno != 0 ? -errno : 0;
}

int idmap_live_ranges(int procfd, bool gid, struct idmap_range **ret, size_t *ret_n)
{
	const bool want[2] = {!gid, gid};
	_cleanup_(live_maps_done) struct live_maps m = {0};
	int r = scan_live(procfd, want, &m);

	if (r < 0)
		return r;
	*ret = TAKE_PTR(m.v[gid]);
	*ret_n = m.n[gid];
	return 0;
}

int idmap_live_ranges_both(int procfd, struct idmap_range **ret_uids, size_t *ret_n_uids,
			   struct idmap_range **ret_gids, size_t *ret_n_gids)
{
	const bool want[2] = {true, true};
	_cleanup_(live_maps_done) struct live_maps m = {0};
	int r = scan_live(procfd, want, &m);

	if (r < 0)
		return r;
	*ret_uids = TAKE_PTR(m.v[0]);
	*ret_n_uids = m.n[0];
	*ret_gids = TAKE_PTR(m.v[1]);
	*ret_n_gids = m.n[1];
	return 0;
}

static int write_map(pid_t pid, const char *file, uint32_t base, uint32_t count)
{
	char path[64], line[64];

	(void)snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	(void)snprintf(line, sizeof(line), "0 %u %u\n", base, count);
	/* The kernel takes a map in a single write(2); write_string_at issues exactly one for a
	 * line this short, and a short write would be an error from the kernel, not a retry. */
	return write_string_at(AT_FDCWD, path, line);
}

int idmap_write_maps(pid_t pid, uint32_t uid_base, uint32_t gid_base, uint32_t count)
{
	int r;

	if (pid <= 0 || count == 0)
		return -EINVAL;
	if ((uint64_t)uid_base + count > (uint64_t)UINT32_MAX + 1 ||
	    (uint64_t)gid_base + count > (uint64_t)UINT32_MAX + 1)
		return -ERANGE;
	r = write_map(pid, "uid_map", uid_base, count);
	if (r < 0)
		return r;
	return write_map(pid, "gid_map", gid_base, count);
}
