/* sockowner.h: which process holds a local port (/proc/net/{tcp,udp}, /proc/PID/fd). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The first process holding a socket bound to addr (host order; 0.0.0.0 counts as every
 * address) and port, a TCP socket only if listening. proc is the procfs root ("/proc").
 * Returns the pid and its comm in ret_comm, 0 if no such socket or no process was found,
 * or -errno. */
int net_sockowner_find(const char *proc, bool udp, uint32_t addr, uint16_t port, char *ret_comm,
		       size_t size);
