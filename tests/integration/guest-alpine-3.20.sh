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
guest_create al tarball alpine-3.20.tar.gz
check_eq "detected: busybox init" "busybox" "$(lx config al get container.init_kind)"
check_eq "stop signal: SIGUSR2 (busybox: poweroff)" "SIGUSR2" "$(lx config al get container.stop_signal)"

guest_boot al console 10
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
guest_stop al alpine-3.20 "busybox init powered off" "Requesting system poweroff"
cp "$T_ROOT/new-inittab" "$rootfs/etc/inittab"
check "start after an upgrade replaced /etc/inittab" lx start al
check_eq "the upgraded file is the one kept" "$(cat "$T_ROOT/new-inittab")" "$(cat "$rootfs/etc/inittab.lxmgr-orig")"
check_match "and its tty line is fixed too" "#lxmgr \(no such terminal in a container\): tty1" "$(cat "$rootfs/etc/inittab")"
check "stop again" lx stop al
done_testing
