#!/usr/bin/env bash
# Proves: Debian 13 trixie (systemd 257, which refuses cgroup v1) gets the unified layout,
# is refused at start in one line when set to hybrid, boots to is-system-running=running
# with no failed unit (systemd-modules-load skipped, not failed), a user made inside can
# sudo, apt installs a local .deb from a file:// repository, and stop is clean.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
command -v dpkg-scanpackages >/dev/null || skip_all "dpkg-scanpackages (dpkg-dev) is not installed"
rootfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" trixie) || skip_all "debootstrap trixie failed"

guest_create tx rootfs "$rootfs"
check_eq "detected: systemd 257" "257" "$(lx config tx get container.systemd_version)"
check_eq "cgroup2 only" "unified" "$(lx config tx get container.cgroup_layout)"

guest_layout_refused tx hybrid unified \
    "^lxmgr: start tx: fixup: systemd 257 refuses cgroup v1 .*set container.cgroup_layout to unified$"

guest_boot tx systemd
check_eq "no failed unit" "" "$(lx exec tx -- systemctl --failed --no-legend --plain)"
check_eq "systemd-modules-load was skipped, not failed" "ActiveState=inactive" \
    "$(lx exec tx -- systemctl show -p ActiveState systemd-modules-load.service)"
check_match "PID 1 is systemd" "systemd$" "$(lx exec tx -- readlink /proc/1/exe)"
check_eq "cgroup2 at /sys/fs/cgroup" "cgroup2fs" "$(lx exec tx -- stat -f -c %T /sys/fs/cgroup)"
check "the console shows a login prompt" wait_console tx "tx login:" 10

guest_sudo_user tx
guest_apt_install tx

guest_stop tx debian-13-trixie
done_testing
