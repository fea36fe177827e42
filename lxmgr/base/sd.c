/* sd.c: libsystemd through dlopen(3), resolved function by function. */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/sd.h"

struct symbol {
	const char *name;
	size_t offset; /* of the pointer in struct sd_lib */
};

#define SYM(field, name)                                                                           \
	{                                                                                          \
		name, offsetof(struct sd_lib, field)                                               \
	}
static const struct symbol symbols[] = {
	SYM(pid_get_unit, "sd_pid_get_unit"),
	SYM(notify, "sd_notify"),
	SYM(journal_stream_fd, "sd_journal_stream_fd"),
	SYM(journal_sendv, "sd_journal_sendv"),
	SYM(bus_open_system, "sd_bus_open_system"),
	SYM(bus_flush_close_unref, "sd_bus_flush_close_unref"),
	SYM(bus_call, "sd_bus_call"),
	SYM(bus_call_methodv, "sd_bus_call_methodv"),
	SYM(bus_error_free, "sd_bus_error_free"),
	SYM(bus_error_has_name, "sd_bus_error_has_name"),
	SYM(bus_message_new_method_call, "sd_bus_message_new_method_call"),
	SYM(bus_message_appendv, "sd_bus_message_appendv"),
	SYM(bus_message_append_array, "sd_bus_message_append_array"),
	SYM(bus_message_unref, "sd_bus_message_unref"),
	SYM(bus_open_user, "sd_bus_open_user"),
	SYM(bus_match_signal, "sd_bus_match_signal"),
	SYM(bus_process, "sd_bus_process"),
	SYM(bus_wait, "sd_bus_wait"),
	SYM(bus_message_readv, "sd_bus_message_readv"),
};
#undef SYM

int sd_lib_open(struct sd_lib *ret)
{
	*ret = (struct sd_lib){0};
	ret->handle = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!ret->handle)
		return -ENOENT;
	for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
		void *f = dlsym(ret->handle, symbols[i].name);

		if (!f) {
			sd_lib_close(ret);
			return -ENOENT;
		}
		/* POSIX: a function pointer and a void * convert both ways. */
		*(void **)((char *)ret + symbols[i].offset) = f;
	}
	return 0;
}

void sd_lib_close(struct sd_lib *lib)
{
	if (lib->handle)
		(void)dlclose(lib->handle);
	*lib = (struct sd_lib){0};
}

bool sd_is_booted(void)
{
	struct stat st;

	return lstat("/run/systemd/system/", &st) == 0 && S_ISDIR(st.st_mode);
}
