/* lazy.h: the libraries that only some verbs use (libnftables, libnl, libiniparser, libuuid,
 * libcrypt), opened with dlopen(3) at their first call instead of linked. Linked, the 12
 * objects they bring were loaded and relocated at every start of lxmgr: about 0.9 ms of
 * each command, more than what `exec` costs over `nsenter -a`. A file that calls them
 * includes "base/lazy-libs.h" after the libraries' own headers: that turns every call into
 * one through LAZY_CALL, with the prototype the library's header declares.
 *
 * The first call opens the library from the filesystem the process sees: make it (or call
 * lazy_load()) before the process enters a container's mount namespace. */
#pragma once

enum lazy_lib {
	LAZY_NFTABLES,
	LAZY_NL,
	LAZY_NL_ROUTE,
	LAZY_INIPARSER,
	LAZY_UUID,
	LAZY_CRYPT,
	_LAZY_MAX,
};

/* Opens lib once per process (later calls return at once). A library that cannot be loaded
 * is a broken installation, as a missing DT_NEEDED was: the process says so and aborts. */
void *lazy_load(enum lazy_lib lib);
/* The address of the function name of lib, loading lib first if need be (aborts as above). */
void *lazy_sym(enum lazy_lib lib, const char *name);

/* The function fn of lib, typed as its header declares it, resolved at the first call made
 * from this place in the code and kept. */
#define LAZY_CALL(lib, fn)                                                                         \
	(*({                                                                                       \
		static __typeof__(&fn) lazy_p_;                                                    \
		__typeof__(&fn) lazy_f_ = __atomic_load_n(&lazy_p_, __ATOMIC_RELAXED);             \
		if (!lazy_f_) {                                                                    \
			lazy_f_ = (__typeof__(&fn))lazy_sym(lib, #fn);                             \
			__atomic_store_n(&lazy_p_, lazy_f_, __ATOMIC_RELAXED);                     \
		}                                                                                  \
		lazy_f_;                                                                           \
	}))
