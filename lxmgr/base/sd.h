/* sd.h: libsystemd, opened with dlopen(3) where it is used (the unit, machined, the journal)
 * instead of linked: linked, its dependencies (libgcrypt, liblzma, liblz4, libzstd, libcap)
 * cost every monitor about 0.3 MiB of relocated data on hosts that never call it. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <systemd/sd-bus.h>

struct sd_lib {
	void *handle;
	int (*pid_get_unit)(pid_t pid, char **unit);
	int (*notify)(int unset_environment, const char *state);
	int (*journal_stream_fd)(const char *identifier, int priority, int level_prefix);
	int (*journal_sendv)(const struct iovec *iov, int n);
	int (*bus_open_system)(sd_bus **ret);
	sd_bus *(*bus_flush_close_unref)(sd_bus *bus);
	int (*bus_call)(sd_bus *bus, sd_bus_message *m, uint64_t usec, sd_bus_error *e,
			sd_bus_message **reply);
	int (*bus_call_methodv)(sd_bus *bus, const char *dest, const char *path, const char *iface,
				const char *member, sd_bus_error *e, sd_bus_message **reply,
				const char *types, va_list ap);
	void (*bus_error_free)(sd_bus_error *e);
	int (*bus_error_has_name)(const sd_bus_error *e, const char *name);
	int (*bus_message_new_method_call)(sd_bus *bus, sd_bus_message **m, const char *dest,
					   const char *path, const char *iface, const char *member);
	int (*bus_message_appendv)(sd_bus_message *m, const char *types, va_list ap);
	int (*bus_message_append_array)(sd_bus_message *m, char type, const void *ptr, size_t size);
	sd_bus_message *(*bus_message_unref)(sd_bus_message *m);
	/* The user manager's scopes (cgroup/usermgr.c). */
	int (*bus_open_user)(sd_bus **ret);
	int (*bus_match_signal)(sd_bus *bus, sd_bus_slot **slot, const char *sender,
				const char *path, const char *iface, const char *member,
				sd_bus_message_handler_t callback, void *userdata);
	int (*bus_process)(sd_bus *bus, sd_bus_message **ret);
	int (*bus_wait)(sd_bus *bus, uint64_t timeout_usec);
	int (*bus_message_readv)(sd_bus_message *m, const char *types, va_list ap);
};

/* Opens libsystemd.so.0 and resolves every function above: 0, or -ENOENT when the library
 * (or a function of it) is missing. Each open is paired with sd_lib_close. */
int sd_lib_open(struct sd_lib *ret);
void sd_lib_close(struct sd_lib *lib);

/* sd_booted(3): whether systemd is PID 1 (the test it documents; no library needed). */
bool sd_is_booted(void);
