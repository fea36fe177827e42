/* machined.h: registering the container with systemd-machined (org.freedesktop.machine1). */
#pragma once

#include <sys/types.h>

struct lxmgr_ctx;

/* What machined is told about a running container. */
struct machined_info {
	const char *name;
	const char *uuid;   /* 36-char text; becomes the machine id */
	const char *rootfs; /* root directory on the host */
	pid_t leader;       /* init, as the host sees it */
	const char *ifname; /* host end of its veth, or NULL */
};

/* Registers the machine (RegisterMachineWithNetwork: class container, service lxmgr). machined
 * keeps it under the unit that holds the leader's cgroup, so this is for a monitor run by the
 * lxmgr@ unit. Where there is no system bus or no machined, one debug line and 0; a refusal
 * by machined is a warning, and 0 too: the container runs either way. */
int machined_register(const struct lxmgr_ctx *ctx, const struct machined_info *info);

/* UnregisterMachine; silent where machined or the machine is gone. */
void machined_unregister(const struct lxmgr_ctx *ctx, const char *name);
