/* access.c: how a user gets into a container: the ssh command line (by name when the host's
 * NSS module resolves NAME.lxmgr, else by address) or lxmgr shell. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cleanup.h"
#include "base/lxmgr.h"
#include "base/util.h"
#include "guest/access.h"
#include "store/config.h"
#include "store/store.h"

bool access_nss_enabled(FILE *f)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	while (getline(&line, &size, f) > 0) {
		char *save = NULL, *word;

		line[strcspn(line, "#")] = '\0';
		word = strtok_r(line, " \t\n", &save);
		if (!word || strcmp(word, "hosts:"))
			continue;
		while ((word = strtok_r(NULL, " \t\n", &save)))
			if (!strcmp(word, "lxmgr"))
				return true;
		return false;
	}
	return false;
}

/* NAME.lxmgr resolves only for the default store: the module reads its run directory. */
static bool resolves_by_name(const struct lxmgr_ctx *ctx)
{
	_cleanup_fclose_ FILE *f = NULL;

	if (ctx->custom_root)
		return false;
	f = fopen("/etc/nsswitch.conf", "re");
	return f && access_nss_enabled(f);
}

/* Whether the guest has an SSH server to log in to (provisioning installs it where it can). */
static bool has_sshd(const struct container *c)
{
	_cleanup_close_ int rootfd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int fd = -EBADF;

	if (rootfd < 0)
		return false;
	fd = open_in_root(rootfd, "/usr/sbin/sshd", O_PATH, 0);
	return fd >= 0;
}

void access_print_hint(const struct lxmgr_ctx *ctx, const struct container *c, bool shell_too)
{
	const struct container_config *cfg = &c->cfg;
	bool has_net = cfg->net_mode == NET_MODE_BRIDGE || cfg->net_mode == NET_MODE_ROUTED;

	if (cfg->provision_user[0] && cfg->provision_ssh_key[0] && has_sshd(c)) {
		if (has_net && resolves_by_name(ctx))
			printf("%s: connect with: ssh %s@%s.lxmgr\n", c->name, cfg->provision_user,
			       c->name);
		else if (has_net && cfg->net_ip[0])
			printf("%s: connect with: ssh %s@%s%s\n", c->name, cfg->provision_user,
			       cfg->net_ip,
			       ctx->custom_root ? ""
						: " (by name, ssh USER@NAME.lxmgr, once /etc/"
						  "nsswitch.conf's hosts: line names lxmgr)");
		else if (shell_too)
			printf("%s: no network (net.mode = %s): ssh cannot reach it\n", c->name,
			       net_mode_to_string(cfg->net_mode));
	}
	if (shell_too)
		printf("%s: a shell inside: lxmgr shell %s%s%s\n", c->name, c->name,
		       cfg->provision_user[0] ? " --user " : "", cfg->provision_user);
}
