/* state-query.h: asks many monitors for their guest's state at once (list). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "guest/readiness.h"

struct state_answer {
	int run_state;      /* enum run_state; -1: no answer (not running, or no monitor) */
	struct readiness r; /* r.state "" when the monitor does not know it */
	uint64_t age_ms;    /* how old the monitor's answer was */
};

/* Connects to the control socket of each of the n runtime directories and sends each a
 * CTRL_STATE request accepting answers max_age seconds old, all before reading any reply;
 * then collects the replies as they come, for at most timeout_ms in all. ret[i] answers
 * rundirs[i]. Returns the number of answers, or -errno when nothing could be asked. */
int state_query_all(char *const *rundirs, size_t n, uint32_t max_age, int timeout_ms,
		    struct state_answer *ret);
