#!/usr/bin/env bash
# Proves: Alpine 3.13 with OpenRC boots with busybox init as PID 1 through sysinit, boot and
# default with no crashed or stopped service that should run (lxmgr's rc_sys="lxc" drop-in
# skips the hardware ones; rc.conf is not touched), a getty on the console instead of
# respawning ones on tty1-6, a user made inside can sudo, apk installs a local package built
# here with tar and gzip (and refuses a corrupt one), and SIGUSR2 powers it off cleanly.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
. "$(dirname "$0")/lib/apk.sh"
setup_store
guest_create ao tarball alpine-3.13-openrc.tar.xz
check_eq "detected: OpenRC" "openrc" "$(lx config ao get container.init_kind)"
check_eq "stop signal: SIGUSR2" "SIGUSR2" "$(lx config ao get container.stop_signal)"
rootfs=$T_ROOT/lib/ao/rootfs
rcconf_before=$(sha256sum <"$rootfs/etc/rc.conf")

# Generous: at the first boot sshd makes new host keys (create removed the image's), which
# took 34-37 s instead of 1-2 s on this 2-core host at a load of 14-21.
guest_boot ao console 90
check_eq "PID 1 is busybox init" "/bin/busybox" "$(lx exec ao -- readlink /proc/1/exe)"
check_eq "runlevel default reached" "default" "$(lx exec ao -- rc-status --runlevel)"
status=$(lx exec ao -- rc-status --all)
check_eq "no crashed, stopped or failed service (but shutdown's)" "" \
    "$(echo "$status" | sed '/^Runlevel: shutdown/,/^Runlevel/{/^ /d}' | grep -E 'crashed|stopped|failed|starting')"
check_match "crond and sshd run" "crond +\[ +started.*|sshd" "$status"
check_eq "OpenRC sees an LXC-type container" "LXC" "$(lx exec ao -- openrc --sys)"
check_eq "rc.conf is untouched" "$rcconf_before" "$(sha256sum <"$rootfs/etc/rc.conf")"
check_match "the drop-in says rc_sys=lxc" 'rc_sys="lxc"' "$(cat "$rootfs/etc/rc.conf.d/lxmgr.conf")"
check_eq "no getty respawns on absent ttys" "" \
    "$(grep -a "can't open /dev/tty" "$T_ROOT/log/ao/console.log")"

guest_sudo_user ao adduser
check_fails "without a sudoers entry she cannot" \
    lx exec ao -- sh -c 'rm /etc/sudoers.d/alice && su -s /bin/sh -c "sudo -n true" alice'
check_apk_install ao

guest_stop ao alpine-3.13-openrc "OpenRC ran its shutdown, busybox powered off" "Requesting system poweroff"
done_testing
