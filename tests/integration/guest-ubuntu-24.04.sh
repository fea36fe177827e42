#!/usr/bin/env bash
# Proves: Ubuntu 24.04 (systemd 255) boots to is-system-running=running with no failed unit,
# PID 1 is its systemd, the console shows a login prompt, a user made inside can sudo, apt
# installs a local .deb from a file:// repository, and stop is clean and leaves nothing.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
command -v dpkg-scanpackages >/dev/null || skip_all "dpkg-scanpackages (dpkg-dev) is not installed"
guest_create ub tarball ubuntu-24.04.tar.xz
check_eq "detected: systemd" "systemd" "$(lx config ub get container.init_kind)"
check_eq "detected: systemd 255" "255" "$(lx config ub get container.systemd_version)"
check_eq "systemd 255 gets cgroup2 only" "unified" "$(lx config ub get container.cgroup_layout)"
check_match "info shows the init" "systemd 255" "$(lx info ub)"

guest_boot ub systemd
check_eq "no failed unit" "" "$(lx exec ub -- systemctl --failed --no-legend --plain)"
check_match "PID 1 is systemd" "systemd" "$(lx exec ub -- readlink /proc/1/exe)"
check_eq "cgroup2 at /sys/fs/cgroup" "cgroup2fs" "$(lx exec ub -- stat -f -c %T /sys/fs/cgroup)"
check_eq "a getty on the console" "active" "$(lx exec ub -- systemctl is-active console-getty.service)"
check "the console shows a login prompt" wait_console ub "ub login:" 10

guest_sudo_user ub
check_fails "a user without a sudoers entry cannot" \
    lx exec ub -- su -s /bin/sh -c 'sudo -n true' nobody

# The tarball lacks its python3.12 binary (ubuntu-24.04.INFO.txt): command-not-found's apt
# hook, a python script, cannot run. Not lxmgr's to fix; the test takes the hook out.
check "disable the guest's broken python hook" lx exec ub -- rm -f /etc/apt/apt.conf.d/50command-not-found
guest_apt_install ub
check_eq "dpkg knows it" "install ok installed" "$(lx exec ub -- dpkg-query -W -f '${Status}' lxtest)"

guest_stop ub ubuntu-24.04
done_testing
