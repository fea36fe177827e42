/* cmd-templates.c: lxmgr templates: the templates, their options, and what the cache holds. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/log.h"
#include "base/util.h"
#include "cmd/cmd.h"
#include "cmd/parse.h"
#include "image/publish.h"
#include "image/template-cache.h"
#include "image/template.h"

#define LOG_STEP "templates"

static void print_template(const char *dir, const char *name)
{
	struct template_info t = {0};

	if (template_describe(dir, name, &t) < 0) {
		printf("%-14s %-10s %-6s %s\n", name, "?", "?", "(--describe failed)");
		return;
	}
	printf("%-14s %-10s %-6s %s\n", name, t.release, t.cache ? "yes" : "no", t.summary);
	STRV_FOREACH(o, t.options) {
		printf("%-14s %s\n", "", *o);
	}
	template_info_done(&t);
}

/* "built=EPOCH" of an entry's stamp, as a date; the heading before the first. Returns
 * whether it was an entry. */
static bool print_entry(int dirfd, const char *cache, bool first, const char *tmpl,
			const char *release, const char *arch)
{
	_cleanup_free_ char *path = NULL, *text = NULL;
	char when[32] = "?";
	const char *b;

	if (xasprintf(&path, "%s/%s/%s/built", tmpl, release, arch) < 0)
		return false;
	/* Only what a template build made: its stamp is written before the rename. */
	if (read_file_at(dirfd, path, 4096, &text, NULL) < 0)
		return false;
	if ((b = strstr(text, "built="))) {
		time_t t = (time_t)strtoll(b + 6, NULL, 10);
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	}
	if (first)
		printf("\nCached in %s:\n", cache);
	printf("  %s %s %s  (built %s)\n", tmpl, release, arch, when);
	return true;
}

/* Entries CACHE/TEMPLATE/RELEASE/ARCH, each level's dot-names (builds) left out. */
static void print_cache(const char *cache)
{
	_cleanup_closedir_ DIR *top = opendir(cache);
	struct dirent *t;
	size_t n = 0;

	while (top && (t = readdir(top))) {
		_cleanup_closedir_ DIR *rels = NULL;
		_cleanup_free_ char *p = NULL;
		struct dirent *r;

		if (t->d_name[0] == '.' || xasprintf(&p, "%s/%s", cache, t->d_name) < 0 ||
		    !(rels = opendir(p)))
			continue;
		while ((r = readdir(rels))) {
			_cleanup_closedir_ DIR *arches = NULL;
			_cleanup_free_ char *q = NULL;
			struct dirent *a;

			if (r->d_name[0] == '.' || xasprintf(&q, "%s/%s", p, r->d_name) < 0 ||
			    !(arches = opendir(q)))
				continue;
			while ((a = readdir(arches)))
				if (a->d_name[0] != '.' &&
				    print_entry(dirfd(top), cache, n == 0, t->d_name, r->d_name,
						a->d_name))
					n++;
		}
	}
	if (!n)
		printf("\nNo root filesystem is cached yet (in %s).\n", cache);
}

static void print_image(const struct image_info *i, void *userdata)
{
	char when[32] = "?";
	time_t t = (time_t)i->published;
	struct tm tm;

	if (i->published && gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	if (!*(bool *)userdata)
		printf("\nImages (lxmgr publish; create -t image -r ALIAS):\n");
	*(bool *)userdata = true;
	printf("  %s %s  (from %s, published %s)\n", i->alias, i->arch,
	       i->source[0] ? i->source : "?", when);
}

int cmd_templates(struct lxmgr_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *dir = NULL, *cache = NULL;
	_cleanup_strv_ char **names = NULL;
	struct verb_args a = {.max_args = 0};
	int r;

	r = cmd_parse(ctx, argc, argv, &a);
	if (r != 0)
		return r;
	if (template_dir(&dir) < 0 || template_cache_dir(ctx, &cache) < 0)
		return lx_fail(ctx, -ENOMEM, "out of memory"), EXIT_FAILED;
	r = template_list(dir, &names);
	if (r < 0)
		return lx_fail(ctx, r, "list %s", dir), EXIT_FAILED;
	printf("%-14s %-10s %-6s %s\n", "TEMPLATE", "RELEASE", "CACHE", "SUMMARY (options below)");
	STRV_FOREACH(n, names) {
		print_template(dir, *n);
	}
	printf("\nTemplates from %s. Every template also takes -r RELEASE where it has "
	       "releases;\nlxmgr create NAME -t TEMPLATE [options]. ",
	       dir);
	print_cache(cache);
	(void)image_foreach(ctx, print_image, &(bool){false});
	return 0;
}
