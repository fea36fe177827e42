/* args.c: the global options before the verb, and the verb table's shape. */
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "base/util.h"

const char *args_bad_option(char *const *argv, int optind, int optopt, char buf[static 3])
{
	const char *prev = argv[optind - 1];

	/* A long option sets optopt to its value (or 0 when unknown) and is always passed. */
	if (!strncmp(prev, "--", 2) || optopt <= ' ' || optopt >= 127)
		return prev;
	buf[0] = '-';
	buf[1] = (char)optopt;
	buf[2] = '\0';
	return buf;
}

int args_parse_global(int argc, char **argv, struct global_opts *ret, const char **ret_bad)
{
	*ret = (struct global_opts){.root = getenv("LXMGR_ROOT"), .verb_index = argc};
	if (ret->root && !*ret->root)
		ret->root = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			ret->verb_index = i;
			break;
		}
		if (!strcmp(a, "--root") && i + 1 < argc && argv[i + 1][0])
			ret->root = argv[++i];
		else if (!strncmp(a, "--root=", 7) && a[7])
			ret->root = a + 7;
		else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
			ret->verbosity = -1;
		else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
			ret->verbosity++;
		else if (!strcmp(a, "-vv"))
			ret->verbosity += 2;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			ret->help = true;
		else if (!strcmp(a, "--version"))
			ret->version = true;
		else {
			*ret_bad = a;
			return -EINVAL;
		}
	}
	if (ret->root && ret->root[0] != '/') {
		*ret_bad = ret->root;
		return -EINVAL;
	}
	return 0;
}

const struct verb *args_find_verb(const struct verb *table, const char *name)
{
	for (const struct verb *v = table; v->name; v++)
		if (!strcmp(v->name, name))
			return v;
	return NULL;
}
