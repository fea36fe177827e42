/* tinyinit.c: the smallest init a container can run as PID 1, for the start/stop cycle test
 * (tests/integration/reliability-start-stop-cycles.sh). Static, so it needs nothing of the
 * guest. It reaps children, exits on any usual stop signal (SIGTERM, SIGINT, SIGUSR2, SIGPWR,
 * SIGRTMIN+3), and on SIGUSR1 calls reboot(2): in a pid namespace that ends init with SIGHUP,
 * and lxmgr starts the container again in the same monitor. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static void nothing(int sig)
{
	(void)sig;
}

int main(void)
{
	int sigs[] = {SIGCHLD, SIGUSR1, SIGTERM, SIGINT, SIGUSR2, SIGPWR, SIGRTMIN + 3};
	struct sigaction sa = {.sa_handler = nothing};
	sigset_t set;

	/* Handlers, so that the kernel delivers these to a namespace's init (and lxmgr sees
	 * them caught); blocked, so that they are taken one at a time below. */
	sigemptyset(&set);
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&set, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);

		if (sig == SIGCHLD)
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
		else if (sig == SIGUSR1)
			reboot(RB_AUTOBOOT);
		else if (sig > 0)
			return 0;
	}
}
