#!/usr/bin/env bash
# Proves: Debian 12 with sysvinit-core as PID 1 boots to runlevel 2 with a
# login prompt on the console (lxmgr's inittab drop-in) and no getty on absent ttys, a user made
# inside can sudo, apt installs a local .deb from a file:// repository, and SIGPWR powers it
# off through runlevel 0, leaving nothing on the host.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
. "$(dirname "$0")/lib/debian-sysv.sh"
debian_sysv_test sysvinit
