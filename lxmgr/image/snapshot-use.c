/* snapshot-use.c: what other verbs know of snapshots: destroy's refusal, info's lines and
 * list --json's array (snapshot.h). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "image/snapshot.h"
#include "store/store.h"
#include "base/util.h"
#include "fs/storage.h"

#define LOG_STEP "snapshot"

struct clones {
	const char *name; /* "NAME@SNAP": that snapshot's; "NAME": any snapshot's of NAME */
	char names[256];
	size_t len;
	int n;
};

/* Snapshot clones of one of name's snapshots: rootfs.snapshot_of = "name@SNAP". */
static int collect(void *userdata, const char *name, const struct container_config *cfg)
{
	struct clones *s = userdata;
	size_t k = strlen(s->name);
	int n;

	if (strchr(s->name, '@') ? strcmp(cfg->snapshot_of, s->name) != 0
				 : (strncmp(cfg->snapshot_of, s->name, k) ||
				    cfg->snapshot_of[k] != '@' || !cfg->snapshot_of[k + 1]))
		return 0;
	s->n++;
	n = snprintf(s->names + s->len, sizeof(s->names) - s->len, "%s%s", s->len ? " " : "", name);
	if (n > 0 && (size_t)n < sizeof(s->names) - s->len)
		s->len += (size_t)n;
	return 0;
}

/* Only a config whose rootfs.snapshot_of names the container (or cannot be read at a
 * glance) can stand on its layers. */
static bool names_it(void *userdata, const char *text)
{
	const struct clones *s = userdata;
	char of[sizeof(((struct container_config *)NULL)->snapshot_of)];
	int r = config_peek(text, "rootfs", "snapshot_of", of, sizeof(of));

	return r < 0 || (r > 0 && strstr(of, s->name) == of);
}

int snapshot_clones_of(const struct lxmgr_ctx *ctx, const char *ref, char *buf, size_t size)
{
	struct clones s = {.name = ref};
	int r = store_foreach_config_where(ctx, names_it, collect, &s);

	if (r < 0)
		return r;
	(void)snprintf(buf, size, "%s", s.names);
	return s.n;
}

int snapshot_refuse_destroy(const struct lxmgr_ctx *ctx, const struct container *c, bool force)
{
	_cleanup_free_ struct snapshot_info *v = NULL;
	struct clones s = {.name = c->name};
	int n, r;

	r = store_foreach_config_where(ctx, names_it, collect, &s);
	if (r < 0)
		return lx_fail(ctx, r, "list the snapshot clones of %s", c->name);
	if (s.n > 0)
		return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
			       "%s's snapshots are the lower layers of %d snapshot clone%s (%s): "
			       "destroy %s first",
			       c->name, s.n, s.n == 1 ? "" : "s", s.names,
			       s.n == 1 ? "it" : "them");
	n = snapshot_list(c, &v);
	if (n < 0)
		return lx_fail(ctx, n, "list the snapshots of %s", c->name);
	if (n > 0 && !force)
		return lx_fail(ctx, LX_SYNTHETIC(-EBUSY),
			       "%s has %d snapshot%s: destroy --force removes %s too", c->name, n,
			       n == 1 ? "" : "s", n == 1 ? "it" : "them");
	return 0;
}

static int read_info(const struct container *c, const char *name, struct snapshot_info *ret)
{
	_cleanup_free_ char *p = NULL, *text = NULL;
	uint64_t created = 0;
	size_t len;
	int r;

	if (xasprintf(&p, SNAPSHOT_DIR "/%s/stack", name) < 0)
		return -ENOMEM;
	r = read_file_at(c->dirfd, p, 1 << 16, &text, &len);
	/* A btrfs pool's snapshot: a subvolume, no layers (storage.h). */
	if (r == -ENOENT && storage_snapshot_is_pool(c->dirfd, name))
		r = 0, len = 0;
	if (r < 0)
		return r;
	ret->layers = 0;
	for (size_t i = 0; i < len; i++)
		ret->layers += text[i] == '\n';
	free(p);
	free(text);
	text = NULL;
	if (xasprintf(&p, SNAPSHOT_DIR "/%s/created", name) < 0)
		return -ENOMEM;
	if (read_file_at(c->dirfd, p, 64, &text, &len) >= 0) {
		text[strcspn(text, "\n")] = '\0';
		(void)parse_u64(text, &created);
	}
	ret->created = created;
	if (strlen(name) >= sizeof(ret->name))
		return -ENAMETOOLONG;
	memcpy(ret->name, name, strlen(name) + 1);
	return 0;
}

static int by_time(const void *a, const void *b)
{
	const struct snapshot_info *x = a, *y = b;

	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->name, y->name);
}

int snapshot_list(const struct container *c, struct snapshot_info **ret)
{
	_cleanup_closedir_ DIR *d = NULL;
	_cleanup_free_ struct snapshot_info *v = NULL;
	struct dirent *de;
	size_t n = 0;
	int fd;

	*ret = NULL;
	fd = openat(c->dirfd, SNAPSHOT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(fd);
	if (!d)
		return (void)close(fd), -ENOMEM;
	while ((de = readdir(d))) {
		struct snapshot_info *grown;

		if (de->d_name[0] == '.' || !name_is_valid(de->d_name))
			continue;
		grown = realloc(v, (n + 1) * sizeof(*v));
		if (!grown)
			return -ENOMEM;
		v = grown;
		if (read_info(c, de->d_name, &v[n]) >= 0)
			n++;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_time);
	*ret = TAKE_PTR(v);
	return (int)n;
}

static void format_time(uint64_t secs, char *buf, size_t size)
{
	time_t t = (time_t)secs;
	struct tm tm;

	if (!secs || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		(void)snprintf(buf, size, "-");
}

void snapshot_print_json(FILE *f, const struct container *c)
{
	_cleanup_free_ struct snapshot_info *v = NULL;
	int n = snapshot_list(c, &v);

	fprintf(f, ", \"snapshots\": [");
	for (int i = 0; i < n; i++) {
		char when[32];

		format_time(v[i].created, when, sizeof(when));
		/* Snapshot names are store names: no character needs escaping. */
		fprintf(f, "%s{\"name\": \"%s\", \"created\": \"%s\", \"layers\": %d}",
			i ? ", " : "", v[i].name, when, v[i].layers);
	}
	fprintf(f, "]");
}

void snapshot_print_info(const struct container *c)
{
	_cleanup_free_ struct snapshot_info *v = NULL;
	int n = snapshot_list(c, &v);

	if (n <= 0)
		return;
	printf("Snapshots:  ");
	for (int i = 0; i < n; i++) {
		char when[32];

		format_time(v[i].created, when, sizeof(when));
		printf("%s%s (%s)", i ? ", " : "", v[i].name, when);
	}
	printf("\n");
}
