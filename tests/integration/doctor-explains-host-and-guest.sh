#!/usr/bin/env bash
# Proves: `lxmgr doctor` reads the host and a guest and names, one line each, what would stop
# them from working: a store on a nosuid mount, lxmgr run with no_new_privs, a missing init,
# a systemd that refuses the configured cgroup layout, a sudo that lost its setuid bit and
# two containers sharing ids. A sound host and guest pass with exit 0; doctor changes nothing.
source "$(dirname "$0")/lib/common.sh"
setup_store

new_debian dr1 --net none
new_debian dr2 --net none

out=$(lx doctor 2>&1)
check_eq "doctor passes on this host" 0 $?
check_match "doctor names the host limit that many guests meet first, and what lifts it" \
    "host limits: room for about [0-9]+ more idle guests; the first limit met is [^ ]+.* lifts it" "$out"
check_match "it reports the cgroup mode" "ok +cgroups: cgroup2 at " "$out"
check_match "it reports root's subordinate ids" "ok +/etc/subuid: root owns [0-9]+ ids" "$out"
out=$(lx doctor dr1 2>&1)
check_eq "a sound guest passes" 0 $?
check_match "it names the guest's init" "ok +dr1: init /sbin/init \(systemd\)" "$out"
check_match "it checks sudo's setuid bit" "ok +dr1: sudo is setuid" "$out"

# A store on a nosuid mount: sudo inside could not work.
mkdir -p "$T_ROOT/nosuid"
mount -t tmpfs -o nosuid,size=16m lxmgr-test "$T_ROOT/nosuid"
out=$("$LXMGR" --root "$T_ROOT/nosuid" doctor 2>&1)
check_eq "doctor fails for a store on a nosuid mount" 1 $?
check_match "it names the nosuid mount" "FAIL +store .*nosuid.* is on a nosuid mount" "$out"
umount "$T_ROOT/nosuid"

out=$(setpriv --no-new-privs "$LXMGR" --root "$T_ROOT" doctor 2>&1)
check_eq "doctor fails when lxmgr runs with no_new_privs" 1 $?
check_match "it names no_new_privs" "FAIL +lxmgr runs with no_new_privs set" "$out"

config_before=$(cat "$T_ROOT/lib/dr1/config")
lx config dr1 set container.init /sbin/missing-init
lx config dr1 set container.systemd_version 257
lx config dr1 set container.cgroup_layout hybrid
chmod u-s "$T_ROOT/lib/dr1/rootfs/usr/bin/sudo"
# config set refuses another container's range: only a hand edit makes two share one.
sed -i "s/^uid_base = .*/uid_base = $(uid_base_of dr1)/" "$T_ROOT/lib/dr2/config"
out=$(lx doctor dr1 2>&1)
check_eq "doctor fails for a broken guest" 1 $?
check_match "it names the missing init" "FAIL +dr1: container.init /sbin/missing-init: No such file" "$out"
check_match "it names the cgroup layout the guest's systemd refuses" \
    "FAIL +dr1: systemd 257 refuses cgroup v1 .*set container.cgroup_layout to unified" "$out"
check_match "it names the lost setuid bit" "FAIL +dr1: /usr/bin/sudo has lost its setuid bit" "$out"
check_match "it names the container sharing its ids" "FAIL +dr1: its uid range overlaps container dr2's" "$out"
check_match "it counts the problems on stderr" "lxmgr: doctor dr1: 4 problems found" "$out"
out=$(lx doctor nosuch 2>&1)
check_eq "doctor of a missing container fails" 1 $?
check_match "it says the container does not exist" "no container named 'nosuch'" "$out"
refused 2 "^lxmgr: doctor: unexpected argument 'dr2'" "doctor refuses two names" \
    lx doctor dr1 dr2

chmod u+s "$T_ROOT/lib/dr1/rootfs/usr/bin/sudo"
lx config dr1 set container.init /sbin/init
lx config dr1 set container.systemd_version 252
lx config dr1 set container.cgroup_layout unified
check_eq "the config reads as before once the keys are set back" "$config_before" "$(cat "$T_ROOT/lib/dr1/config")"
T_NAMES+=(drs)
lx clone dr1 drs --snapshot >/dev/null 2>&1
out=$(lx doctor drs 2>&1)
check_eq "a snapshot clone passes" 0 $?
check_match "its init is found in the merged tree" "ok +drs: init /sbin/init \(systemd\)" "$out"
check_eq "no mount left under the store"  0 "$(grep -c "$T_ROOT" /proc/self/mountinfo)"

done_testing
