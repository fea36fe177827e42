/* proctitle.h: the name a process shows in ps (its comm and its command line). */
#pragma once

/* Makes ps show this process as "NAME ARG" (comm: NAME, at most 15 bytes) instead of the argv
 * it was started with: a new command line in memory of its own, through PR_SET_MM (needs
 * CAP_SYS_RESOURCE; without it only comm changes). Returns 0 or -errno; nothing depends on it. */
int proctitle_set(const char *name, const char *arg);
