/* readiness.h: whether a running guest's init is up, and how many of its units failed
 * (DESIGN §12), asked of the guest's own systemd. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct lxmgr_ctx;
struct container;
struct runtime_state;

struct readiness {
	char state[16]; /* systemd's SystemState ("running", "degraded", "starting"...),
			 * "" when unknown (not systemd, stopped, no answer) */
	uint32_t failed_units;
};

/* Asks systemd inside the running container (`systemctl show -p SystemState,NFailedUnits`
 * through exec's attach, its output captured). Leaves ret->state "" when the guest does not
 * run systemd or does not answer; never reports an error. */
void readiness_query(const struct lxmgr_ctx *ctx, const struct container *c,
		     const struct runtime_state *rs, struct readiness *ret);
/* "running", "degraded (2 failed)", or "-": for tables. */
void readiness_format(const struct readiness *r, char *buf, size_t size);
