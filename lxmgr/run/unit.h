/* unit.h: a container's systemd unit lxmgr@NAME.service, enabled and started at boot. */
#pragma once

#include <stdbool.h>

struct lxmgr_ctx;

/* container.autostart on a host with systemd as PID 1: systemctl enable --now (lxmgr.target
 * too) or disable --now lxmgr@NAME.service. Refuses in one line where systemd is not PID 1 or
 * the store is not the default one. */
int unit_autostart_apply(const struct lxmgr_ctx *ctx, const char *name, bool on);
