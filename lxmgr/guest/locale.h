/* guest-locale.h: whether a running guest's C library has a locale, for exec's LANG. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

/* True when the guest whose init is pid can use locale name (LANG's value): "C" and "POSIX"
 * always; a C.UTF-8 spelling only where /usr/lib/locale has its directory (glibc before 2.35
 * and non-Debian builds have none, and setlocale then fails); any other name where the guest
 * has its directory or a locale-archive (whose index is not read). */
bool guest_has_locale(pid_t pid, const char *name);
