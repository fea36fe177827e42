/* doctor-limits.h: the host limits that bound how many guests run at once. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* One limit: what a guest uses of it, and how much room is left. */
struct host_limit {
	const char *setting; /* the sysctl (or "memory") */
	uint64_t limit;      /* its value */
	uint64_t used;       /* in use now, by everything on the host */
	uint64_t per_guest;  /* what an idle Debian 12 guest takes (measured, rounded up) */
	const char *lift;    /* the command that raises it */
};

/* Fills ret with the known limits (at most n); returns how many were read. */
int doctor_limits_read(struct host_limit *ret, int n);
/* How many more guests fit under l. */
uint64_t doctor_limit_room(const struct host_limit *l);
/* Whether the cgroup2 hierarchy at mount has the favordynmods option. */
bool doctor_cgroup2_favors_dynmods(const char *mount);
