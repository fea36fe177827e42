/* lazy.c: libraries opened with dlopen(3) at their first call (lazy.h). */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#include "base/lazy.h"

/* The sonames the linker would record, found by configure. */
static const char *const sonames[_LAZY_MAX] = {
	[LAZY_NFTABLES] = SONAME_NFTABLES, [LAZY_NL] = SONAME_NL,
	[LAZY_NL_ROUTE] = SONAME_NL_ROUTE, [LAZY_INIPARSER] = SONAME_INIPARSER,
	[LAZY_UUID] = SONAME_UUID,         [LAZY_CRYPT] = SONAME_CRYPT,
};

static _Noreturn void lazy_fail(const char *what)
{
	const char *e = dlerror();

	/* As the dynamic loader does for a missing library: no command can go on without it. */
	(void)fprintf(stderr, "lxmgr: cannot load %s: %s\n", what, e ? e : "unknown error");
	abort();
}

void *lazy_load(enum lazy_lib lib)
{
	static void *handles[_LAZY_MAX];
	void *h = __atomic_load_n(&handles[lib], __ATOMIC_ACQUIRE);

	if (h)
		return h;
	/* Two threads may both get here: dlopen counts, and both get the same handle. */
	h = dlopen(sonames[lib], RTLD_NOW | RTLD_LOCAL);
	if (!h)
		lazy_fail(sonames[lib]);
	__atomic_store_n(&handles[lib], h, __ATOMIC_RELEASE);
	return h;
}

void *lazy_sym(enum lazy_lib lib, const char *name)
{
	void *f = dlsym(lazy_load(lib), name);

	if (!f)
		lazy_fail(name);
	return f;
}
