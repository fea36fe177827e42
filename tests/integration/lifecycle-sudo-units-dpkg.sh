#!/usr/bin/env bash
# Proves: inside a booted Debian, a user created there can sudo, systemctl starts and stops
# a unit, dpkg installs a local package whose postinst adds a system user and chowns a file
# to it, and pipes, files and exit statuses pass through exec.
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian dev1
check "start" lx start dev1
check_eq "running" "running" "$(wait_running dev1)"

# exec: stdin, stdout, exit status, signals, environment.
check_eq "stdin is piped through exec" "hi" "$(echo hi | lx exec dev1 -- cat)"
lx exec dev1 -- sh -c 'exit 7'
check_eq "exit status passes through" "7" "$?"
lx exec dev1 -- sh -c 'kill -9 $$'
check_eq "death by signal N gives 128+N" "137" "$?"
lx exec dev1 -- no-such-command 2>/dev/null
check_eq "a missing command gives 127" "127" "$?"
check_eq "--env adds to a clean environment" "bar" "$(lx exec dev1 --env FOO=bar -- printenv FOO)"
check_eq "the caller's environment does not leak in" "" \
    "$(SECRET_OF_HOST=1 lx exec dev1 -- printenv SECRET_OF_HOST)"
printf 'a\nb\n' >"$T_ROOT/input"
check_eq "a file as stdin works" "2" "$(lx exec dev1 -- wc -l <"$T_ROOT/input")"

# sudo for a user made inside.
check "useradd inside" lx exec dev1 -- useradd -m -s /bin/bash -G sudo alice
check "sudoers drop-in" lx exec dev1 -- sh -c 'echo "alice ALL=(ALL) NOPASSWD:ALL" >/etc/sudoers.d/alice'
check_eq "alice runs as alice" "alice" "$(lx exec dev1 --user alice -- id -un)"
check_eq "alice's HOME is hers" "/home/alice" "$(lx exec dev1 --user alice -- sh -c 'echo $HOME')"
check_eq "sudo id -u as alice gives 0" "0" "$(lx exec dev1 --user alice -- sudo id -u)"
refused 1 "^lxmgr: exec dev1: .*nobody-such" "an unknown user is refused" \
    lx exec dev1 --user nobody-such -- true

# systemctl start/stop of a unit.
lx exec dev1 -- sh -c 'printf "[Service]\nExecStart=/bin/sleep infinity\n" >/etc/systemd/system/lxtest.service'
check "daemon-reload" lx exec dev1 -- systemctl daemon-reload
check "systemctl start a unit" lx exec dev1 -- systemctl start lxtest.service
check_eq "the unit is active" "active" "$(lx exec dev1 -- systemctl is-active lxtest.service)"
check "systemctl stop the unit" lx exec dev1 -- systemctl stop lxtest.service
check_eq "the unit is inactive" "inactive" "$(lx exec dev1 -- systemctl is-active lxtest.service)"

# dpkg -i of a local package whose postinst adds a system user and chowns a file to it.
pkg=$T_ROOT/pkg
mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/lxtest"
echo data >"$pkg/usr/share/lxtest/owned"
cat >"$pkg/DEBIAN/control" <<'CTL'
Package: lxtest
Version: 1.0
Architecture: all
Maintainer: lxmgr tests <tests@localhost>
Description: test package for lxmgr
CTL
cat >"$pkg/DEBIAN/postinst" <<'POST'
#!/bin/sh
set -e
id lxtestd >/dev/null 2>&1 || useradd --system --no-create-home lxtestd
chown lxtestd:lxtestd /usr/share/lxtest/owned
POST
chmod 0755 "$pkg/DEBIAN/postinst"
dpkg-deb --root-owner-group -b "$pkg" "$T_ROOT/lxtest.deb" >/dev/null
check "copy the .deb in through exec" sh -c "lx() { \"$LXMGR\" --root \"$T_ROOT\" \"\$@\"; }; lx exec dev1 -- sh -c 'cat >/tmp/lxtest.deb' <\"$T_ROOT/lxtest.deb\""
check "dpkg -i of the local package" lx exec dev1 -- dpkg -i /tmp/lxtest.deb
check_eq "the postinst chowned the file to its new user" "lxtestd" \
    "$(lx exec dev1 -- stat -c %U /usr/share/lxtest/owned)"
uid_in=$(lx exec dev1 -- id -u lxtestd)
base=$(uid_base_of dev1)
check_eq "idmapped rootfs: the file is stored on disk with its uid inside" \
    "$uid_in" "$(stat -c %u "$T_ROOT/lib/dev1/rootfs/usr/share/lxtest/owned")"
check "stop" lx stop dev1
check_host_clean dev1 "$base"
done_testing
