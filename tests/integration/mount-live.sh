#!/usr/bin/env bash
# Proves: `lxmgr mount` attaches a host directory to a running container live (idmapped: the
# host's uid 1000 is 1000 inside, a file written inside belongs to that uid on the host) and
# `lxmgr umount` detaches it again; --ro is locked (writes fail, and so does `mount -o
# remount,rw` by root inside); --owner maps the host owner onto a guest user; a target through
# a symlink (to / or to /proc) or on a kernel file system is refused; umount of what lxmgr did
# not mount is refused; bad input gets one line and changes nothing; the config is not
# touched (live mounts are not persistent); stop leaves no mount on the host.
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian lm1 --net none
cfg=$T_ROOT/lib/lm1/config
share=$T_ROOT/share
mkdir -p "$share"
echo hello >"$share/hello"
chown -R 1000:1000 "$share"

check_fails "mount into a stopped container is refused" lx mount lm1 "$share" /srv/share
check "start" lx start lm1
check_eq "it boots" "running" "$(wait_running lm1)"
config_before=$(cat "$cfg")

# Live, read-write, idmapped.
check_fails "/srv/share is not there before" lx exec lm1 -- mountpoint -q /srv/share
check "mount a share live" lx mount lm1 "$share" /srv/share
check "it is a mount point inside now" lx exec lm1 -- mountpoint -q /srv/share
check_eq "the host's file is there, owned by uid 1000 inside" "1000 1000 hello" \
    "$(lx exec lm1 -- sh -c 'stat -c "%u %g" /srv/share/hello; cat /srv/share/hello' | tr '\n' ' ' | sed 's/ $//')"
check "uid 1000 inside writes into it" \
    lx exec lm1 -- setpriv --reuid=1000 --regid=1000 --clear-groups touch /srv/share/from-inside
check_eq "the file is uid 1000's on the host" "1000 1000" "$(stat -c '%u %g' "$share/from-inside")"
check_fails "root inside cannot create files there (its uid is not mapped)" \
    lx exec lm1 -- touch /srv/share/by-root
check_fails "mounting on the same target twice is refused" lx mount lm1 "$share" /srv/share
check_eq "the config is not touched (not persistent)" "$config_before" "$(cat "$cfg")"
check_match "info lists it" "Live mount: $share:/srv/share" "$(lx info lm1)"
check_match "info --json lists it" "\"live_mounts\": \\[\"$share:/srv/share\"\\]" "$(lx info lm1 --json)"
check "umount it" lx umount lm1 /srv/share
check_fails "it is gone inside" lx exec lm1 -- mountpoint -q /srv/share
check_fails "the host's file is not visible any more" lx exec lm1 -- test -e /srv/share/hello
check_match "info --json lists none" "\"live_mounts\": \\[\\]" "$(lx info lm1 --json)"

# Read-only, locked.
check "mount read-only" lx mount lm1 "$share" /srv/ro --ro
check_match "info shows it read-only" "Live mount: $share:/srv/ro:ro" "$(lx info lm1)"
check_eq "readable" "hello" "$(lx exec lm1 -- cat /srv/ro/hello)"
check_fails "a write fails" lx exec lm1 -- setpriv --reuid=1000 --regid=1000 --clear-groups \
    touch /srv/ro/x
out=$(lx exec lm1 -- mount -o remount,rw /srv/ro 2>&1)
check_fails "remount,rw by root inside fails (the mount is locked)" test $? = 0
check_match "with EPERM" "permission denied" "$out"
# The per-mount flag is what an unlocked mount would let go (checked by breaking the lock).
out=$(lx exec lm1 -- mount -o remount,bind,rw /srv/ro 2>&1)
check_fails "remount,bind,rw by root inside fails too" test $? = 0
check_match "with EPERM" "permission denied" "$out"
check_fails "and a write still fails after it" \
    lx exec lm1 -- setpriv --reuid=1000 --regid=1000 --clear-groups touch /srv/ro/x
check_match "findmnt shows it ro" "^ro," "$(lx exec lm1 -- findmnt -no OPTIONS /srv/ro)"
check "umount the read-only one" lx umount lm1 /srv/ro

# --owner: the host owner of the directory is the named guest user.
check "mount with --owner daemon" lx mount lm1 "$share" /srv/own --owner daemon
check_eq "the host's 1000 is daemon inside" "daemon" \
    "$(lx exec lm1 -- stat -c '%U' /srv/own/hello)"
check "umount it" lx umount lm1 /srv/own

# Targets that lead out of the rootfs or onto kernel file systems.
# (--rbind: /proc's masks are locked, and a bind without them is refused.)
lx exec lm1 -- sh -c 'ln -s / /rootlink; ln -s /proc /proclink; mkdir -p /mnt/p; mount --rbind /proc /mnt/p'
out=$(lx mount lm1 "$share" /rootlink/srv 2>&1)
check_fails "a target through a symlink to / is refused" test $? = 0
check_match "naming it" "^lxmgr: mount lm1: mounts: target /rootlink/srv holds a symlink, refused\$" "$out"
check_fails "a target that is a symlink to /proc is refused" lx mount lm1 "$share" /proclink
check_fails "nothing was mounted on /proc" lx exec lm1 -- test -e /proc/hello
out=$(lx mount lm1 "$share" /mnt/p 2>&1)
check_fails "a target on a bind of /proc is refused" test $? = 0
check_match "naming it" "kernel file system, refused\$" "$out"

# umount of what lxmgr did not mount, and of a share unmounted inside.
out=$(lx umount lm1 /mnt/p 2>&1)
check_fails "umount of a mount lxmgr did not make is refused" test $? = 0
check_match "in one line" "^lxmgr: umount lm1: mounts: /mnt/p is not a live mount made by lxmgr mount" "$out"
check "/mnt/p is still mounted" lx exec lm1 -- mountpoint -q /mnt/p
check "mount again" lx mount lm1 "$share" /srv/gone
check "root inside unmounts it itself" lx exec lm1 -- umount /srv/gone
check_fails "then lxmgr umount says so" lx umount lm1 /srv/gone
check "and the record is gone: mounting there works again" lx mount lm1 "$share" /srv/gone

# Bad input: one line each, exit 1 (2 for usage), nothing changed.
record_before=$(cat "$T_ROOT/run/lm1/mounts")
bad() {
    local what=$1 want=$2 out rc
    shift 2
    out=$(lx "$@" 2>&1)
    rc=$?
    check_eq "$what: exit $want" "$want" "$rc"
    check_eq "$what: one line" "1" "$(printf '%s\n' "$out" | wc -l)"
}
bad "a relative HOSTDIR" 1 mount lm1 share /x
bad "a missing HOSTDIR" 1 mount lm1 "$T_ROOT/nonexistent" /x
bad "a relative GUESTDIR" 1 mount lm1 "$share" x
bad "a GUESTDIR in /proc" 1 mount lm1 "$share" /proc/x
bad "a GUESTDIR in /dev" 1 mount lm1 "$share" /dev/x
bad "GUESTDIR /" 1 mount lm1 "$share" /
bad "GUESTDIR with .." 1 mount lm1 "$share" /srv/../etc
bad "an unknown guest user" 1 mount lm1 "$share" /x --owner nosuchuser
bad "a bad user name" 1 mount lm1 "$share" /x --owner 'a:b'
mkdir -p "$T_ROOT/rootown"
bad "--owner on a HOSTDIR of the host's root" 1 mount lm1 "$T_ROOT/rootown" /x --owner daemon
bad "a missing GUESTDIR" 2 mount lm1 "$share"
bad "an unknown option" 2 mount lm1 "$share" /x --rw
bad "a missing container" 1 mount nosuch "$share" /x
bad "umount of a bad GUESTDIR" 1 umount lm1 /proc
bad "umount without GUESTDIR" 2 umount lm1
check_eq "the record is unchanged" "$record_before" "$(cat "$T_ROOT/run/lm1/mounts")"
check_fails "/x was not created" lx exec lm1 -- test -e /x
check_eq "the config is unchanged" "$config_before" "$(cat "$cfg")"

base=$(uid_base_of lm1)
check "stop with a live mount in place" lx stop lm1
check_host_clean lm1 "$base"
check_eq "the host directory is untouched" "1000 1000" "$(stat -c '%u %g' "$share")"
check_fails "umount on a stopped container is refused" lx umount lm1 /srv/gone
done_testing
