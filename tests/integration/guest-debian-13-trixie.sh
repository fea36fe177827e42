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

T_NAMES+=(tx)
check "create" lx create tx --rootfs "$rootfs"
check_eq "detected: systemd 257" "257" "$(lx config tx get container.systemd_version)"
check_eq "cgroup2 only" "unified" "$(lx config tx get container.cgroup_layout)"
check "a stop timeout the clean stop must beat" lx config tx set container.stop_timeout "$STOP_TIMEOUT"
check "loopback only: this test is about the guest, not the network" lx config tx set net.mode none

check "force a v1 layout" lx config tx set container.cgroup_layout hybrid
out=$(lx start tx 2>&1)
check_match "start refuses it, saying why and what to set" \
    "^lxmgr: start tx: fixup: systemd 257 refuses cgroup v1 .*set container.cgroup_layout to unified$" "$out"
check_eq "nothing was made on the host" "" "$(host_cgroups_of tx)"
check "back to unified" lx config tx set container.cgroup_layout unified

t0=$(now_ms)
check "start" lx start tx
check_eq "is-system-running" "running" "$(wait_running tx)"
boot_ms=$(($(now_ms) - t0))
check_eq "no failed unit" "" "$(lx exec tx -- systemctl --failed --no-legend --plain)"
check_eq "systemd-modules-load was skipped, not failed" "ActiveState=inactive" \
    "$(lx exec tx -- systemctl show -p ActiveState systemd-modules-load.service)"
check_match "PID 1 is systemd" "systemd$" "$(lx exec tx -- readlink /proc/1/exe)"
check_eq "cgroup2 at /sys/fs/cgroup" "cgroup2fs" "$(lx exec tx -- stat -f -c %T /sys/fs/cgroup)"
check "the console shows a login prompt" wait_console tx "tx login:" 10

check "useradd inside" lx exec tx -- useradd -m -s /bin/bash -G sudo alice
check "sudoers drop-in" lx exec tx -- sh -c 'echo "alice ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/alice'
check_eq "alice can sudo" "0" "$(lx exec tx --user alice -- sudo id -u)"
guest_apt_install tx

mem=$(memory_mib tx)
base=$(uid_base_of tx)
t0=$(now_ms)
check "stop" lx stop tx
stop_ms=$(($(now_ms) - t0))
check_clean_stop tx "$stop_ms"
check_host_clean tx "$base"
report_figures debian-13-trixie "$boot_ms" "$stop_ms" "$mem"
done_testing
