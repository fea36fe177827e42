/* boundary.h: what a host process must shed before it becomes, or starts, a process of a
 * container: the descriptors it inherited and the session keyring of its caller. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Closes every descriptor above 2 except those in keep[0..n_keep) (values of 2 and below, and
 * -EBADF, are ignored), so that nothing its caller had open (a directory of the host, a
 * socket) stays with a monitor or reaches a container. With cloexec, marks them
 * close-on-exec instead, for a process that still needs them until its execve. Returns 0 or
 * -errno. */
int boundary_close_fds(const int *keep, size_t n_keep, bool cloexec);

/* Leaves the caller's session keyring for a new anonymous one, owned by the current
 * credentials: keys are not namespaced, and a keyring inherited from whoever ran lxmgr could
 * be read and rewritten from inside. -ENOSYS (a kernel without keys, or lxmgr running in a
 * container whose filter denies keyctl) is success: there is then nothing to inherit either.
 * Returns 0 or -errno. */
int boundary_new_session_keyring(void);
