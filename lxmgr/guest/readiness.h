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
/* Polls readiness_query until systemd inside has settled (running, degraded, maintenance,
 * stopping) or timeout_ms passed (-ETIMEDOUT, ret->state the last answer, "" for none) or
 * init is gone (-ETIMEDOUT too). Prints nothing. */
int readiness_wait(const struct lxmgr_ctx *ctx, const struct container *c,
		   const struct runtime_state *rs, unsigned timeout_ms, struct readiness *ret);
/* The guest's failed units, one "UNIT RESULT\n" line each (RESULT as systemd's Result
 * property: exit-code, timeout...) into buf; returns how many, or -errno when systemctl inside
 * could not be asked. */
int readiness_failed_units(const struct lxmgr_ctx *ctx, const struct container *c,
			   const struct runtime_state *rs, char *buf, size_t size);
/* "running", "degraded (2 failed)", or "-": for tables. */
void readiness_format(const struct readiness *r, char *buf, size_t size);
