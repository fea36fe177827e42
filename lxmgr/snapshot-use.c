/* snapshot-use.c: what other verbs know of snapshots: destroy's refusal, info's lines and
 * list --json's array (snapshot.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cleanup.h"
#include "log.h"
#include "snapshot.h"
#include "store.h"
#include "util.h"

#define LOG_STEP "snapshot"

struct clones {
	const char *name;
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

	if (strncmp(cfg->snapshot_of, s->name, k) || cfg->snapshot_of[k] != '@' ||
	    !cfg->snapshot_of[k + 1])
		return 0;
	s->n++;
	n = snprintf(s->names + s->len, sizeof(s->names) - s->len, "%s%s", s->len ? " " : "", name);
	if (n > 0 && (size_t)n < sizeof(s->names) - s->len)
		s->len += (size_t)n;
	return 0;
}

int snapshot_refuse_destroy(const struct lxmgr_ctx *ctx, const struct container *c, bool force)
{
	_cleanup_free_ struct snapshot_info *v = NULL;
	struct clones s = {.name = c->name};
	int n, r;

	r = store_foreach_config(ctx, collect, &s);
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
