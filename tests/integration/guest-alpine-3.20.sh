#!/usr/bin/env bash
# Proves: the Alpine 3.20 minirootfs (busybox init only; its inittab names an absent
# /sbin/openrc and gettys on tty1-6) boots with busybox init as PID 1, lxmgr's inittab
# drop-in gives one getty on the console and no respawning failures, the guest's own inittab
# is kept, apk installs a local package built here with tar and gzip (and refuses a corrupt
# one), and SIGUSR2 powers it off cleanly, leaving nothing on the host.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
. "$(dirname "$0")/lib/apk.sh"
setup_store
guest_tarball alpine-3.20.tar.gz
tarball=$GUEST_TARBALL

T_NAMES+=(al)
check "create from the tarball" lx create al --tarball "$tarball"
check_eq "detected: busybox init" "busybox" "$(lx config al get container.init_kind)"
check_eq "stop signal: SIGUSR2 (busybox: poweroff)" "SIGUSR2" "$(lx config al get container.stop_signal)"
check "a stop timeout the clean stop must beat" lx config al set container.stop_timeout "$STOP_TIMEOUT"
check "loopback only: this test is about the guest, not the network" lx config al set net.mode none

t0=$(now_ms)
check "start" lx start al
check "the console shows a login prompt" wait_console al "al login:" 10
boot_ms=$(($(now_ms) - t0))
check_eq "PID 1 is busybox init" "/bin/busybox" "$(lx exec al -- readlink /proc/1/exe)"
check_match "a getty runs on the console" "getty .*console" "$(lx exec al -- ps -o args)"
sleep 1
check_eq "no getty respawns on absent ttys" "" \
    "$(grep -a "can't open /dev/tty" "$T_ROOT/log/al/console.log")"
rootfs=$T_ROOT/lib/al/rootfs
check_match "the guest's inittab is kept" "tty1::respawn" "$(cat "$rootfs/etc/inittab.lxmgr-orig")"
check_match "the live inittab is lxmgr's" "^# lxmgr: generated" "$(head -n1 "$rootfs/etc/inittab")"
check_match "the absent /sbin/openrc is not run" "#lxmgr \(the program is not installed\): ::sysinit:/sbin/openrc" \
    "$(cat "$rootfs/etc/inittab")"
skip_one "a user can sudo" "the minirootfs has no sudo"
check_apk_install al

# A package upgrade that replaces /etc/inittab: the next start keeps the new file instead.
printf '::sysinit:/bin/true\ntty1::respawn:/sbin/getty 38400 tty1\n' >"$T_ROOT/new-inittab"
mem=$(memory_mib al)
base=$(uid_base_of al)
t0=$(now_ms)
check "stop" lx stop al
stop_ms=$(($(now_ms) - t0))
check_clean_stop al "$stop_ms"
check_match "busybox init powered off" "Requesting system poweroff" "$(tail -c 400 "$T_ROOT/log/al/console.log")"
check_host_clean al "$base"
cp "$T_ROOT/new-inittab" "$rootfs/etc/inittab"
check "start after an upgrade replaced /etc/inittab" lx start al
check_eq "the upgraded file is the one kept" "$(cat "$T_ROOT/new-inittab")" "$(cat "$rootfs/etc/inittab.lxmgr-orig")"
check_match "and its tty line is fixed too" "#lxmgr \(no such terminal in a container\): tty1" "$(cat "$rootfs/etc/inittab")"
check "stop again" lx stop al
report_figures alpine-3.20 "$boot_ms" "$stop_ms" "$mem"
done_testing
