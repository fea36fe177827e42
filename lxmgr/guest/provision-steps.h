/* provision-steps.h: the provisioning steps, each a POSIX shell script run inside the guest
 * with the guest's own tools (useradd or busybox adduser, apt/dnf/yum/apk, visudo). */
#pragma once

/* In the order they run. PREFLIGHT changes nothing: it refuses what cannot be done (sudo on a
 * guest that lacks it and cannot install it) before any other step. */
enum provision_step {
	PROVISION_STEP_PREFLIGHT,
	PROVISION_STEP_HOSTNAME,
	PROVISION_STEP_PACKAGES,
	PROVISION_STEP_TIMEZONE,
	PROVISION_STEP_USER,
	PROVISION_STEP_SUDO,
	PROVISION_STEP_SSH_KEY,
	PROVISION_STEP_SSH_SERVER,
	_PROVISION_STEP_MAX,
};

/* A step's exit status when it changed something; 0 means it found everything in place. */
#define PROVISION_CHANGED 42

/* PREFLIGHT's exit statuses for what it refuses. */
enum {
	PROVISION_NO_PACKAGE_MANAGER = 10,
	PROVISION_NO_SUDO = 11,
	PROVISION_NO_TZDATA = 12,
	PROVISION_NO_USERADD = 13,
	PROVISION_NO_PACKAGES = 14,
};
/* SSH_SERVER's exit status when the guest has no sshd (nor could the packages step install
 * openssh-server): a warning, not a failure. */
#define PROVISION_NO_SSHD 43

const char *provision_step_to_string(enum provision_step s);
/* The script of a step. Every script gets the same arguments: $1 hostname, $2 user, $3 sudo
 * (1 or 0), $4 timezone, $5 SSH public key, $6 packages (space separated); "" when unset. */
const char *provision_step_script(enum provision_step s);
