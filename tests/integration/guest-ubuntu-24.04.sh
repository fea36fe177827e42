#!/usr/bin/env bash
# Proves: Ubuntu 24.04 (systemd 255) boots to is-system-running=running with no failed unit,
# PID 1 is its systemd, the console shows a login prompt, a user made inside can sudo, apt
# installs a local .deb from a file:// repository, and stop is clean and leaves nothing.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
guest_tarball ubuntu-24.04.tar.xz
tarball=$GUEST_TARBALL
command -v dpkg-scanpackages >/dev/null || skip_all "dpkg-scanpackages (dpkg-dev) is not installed"

T_NAMES+=(ub)
check "create from the tarball" lx create ub --tarball "$tarball"
check_eq "detected: systemd" "systemd" "$(lx config ub get container.init_kind)"
check_eq "detected: systemd 255" "255" "$(lx config ub get container.systemd_version)"
check_eq "systemd 255 gets cgroup2 only" "unified" "$(lx config ub get container.cgroup_layout)"
check_match "info shows the init" "systemd 255" "$(lx info ub)"

check "a stop timeout the clean stop must beat" lx config ub set container.stop_timeout "$STOP_TIMEOUT"
check "loopback only: this test is about the guest, not the network" lx config ub set net.mode none
t0=$(now_ms)
check "start" lx start ub
check_eq "is-system-running" "running" "$(wait_running ub)"
boot_ms=$(($(now_ms) - t0))
check_eq "no failed unit" "" "$(lx exec ub -- systemctl --failed --no-legend --plain)"
check_match "PID 1 is systemd" "systemd" "$(lx exec ub -- readlink /proc/1/exe)"
check_eq "cgroup2 at /sys/fs/cgroup" "cgroup2fs" "$(lx exec ub -- stat -f -c %T /sys/fs/cgroup)"
check_eq "a getty on the console" "active" "$(lx exec ub -- systemctl is-active console-getty.service)"
check "the console shows a login prompt" wait_console ub "ub login:" 10

check "useradd inside" lx exec ub -- useradd -m -s /bin/bash -G sudo alice
check "sudoers drop-in" lx exec ub -- sh -c 'echo "alice ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/alice'
check_eq "alice can sudo" "0" "$(lx exec ub --user alice -- sudo id -u)"
check_fails "a user without a sudoers entry cannot" \
    lx exec ub -- su -s /bin/sh -c 'sudo -n true' nobody

# apt from a file:// repository: a dependency-free .deb built here.
repo=$T_ROOT/repo
mkdir -p "$repo/pkg/DEBIAN" "$repo/pkg/usr/share/lxtest"
echo "from the host" >"$repo/pkg/usr/share/lxtest/hello"
printf 'Package: lxtest\nVersion: 1.0\nArchitecture: all\nMaintainer: lxmgr tests <t@localhost>\nDescription: lxmgr test package\n' \
    >"$repo/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -b "$repo/pkg" "$repo/lxtest_1.0_all.deb" >/dev/null
(cd "$repo" && dpkg-scanpackages --multiversion . /dev/null 2>/dev/null >Packages)
check "make the repository inside" lx exec ub -- mkdir -p /srv/repo
check "copy the .deb in" copy_in ub "$repo/lxtest_1.0_all.deb" /srv/repo/lxtest_1.0_all.deb
check "copy the index in" copy_in ub "$repo/Packages" /srv/repo/Packages
check "add the file:// source" lx exec ub -- sh -c \
    'echo "deb [trusted=yes] file:/srv/repo ./" >/etc/apt/sources.list.d/lxtest.list'
# The tarball lacks its python3.12 binary (ubuntu-24.04.INFO.txt): command-not-found's apt
# hook, a python script, cannot run. Not lxmgr's to fix; the test takes the hook out.
check "disable the guest's broken python hook" lx exec ub -- rm -f /etc/apt/apt.conf.d/50command-not-found
check "apt-get update" lx exec ub -- apt-get update -q
check "apt-get install lxtest" lx exec ub --env DEBIAN_FRONTEND=noninteractive -- apt-get install -y -q lxtest
check_eq "the package's file is there" "from the host" "$(lx exec ub -- cat /usr/share/lxtest/hello)"
check_eq "dpkg knows it" "install ok installed" "$(lx exec ub -- dpkg-query -W -f '${Status}' lxtest)"

mem=$(memory_mib ub)
base=$(uid_base_of ub)
t0=$(now_ms)
check "stop" lx stop ub
stop_ms=$(($(now_ms) - t0))
check_clean_stop ub "$stop_ms"
check_host_clean ub "$base"
report_figures ubuntu-24.04 "$boot_ms" "$stop_ms" "$mem"
done_testing
