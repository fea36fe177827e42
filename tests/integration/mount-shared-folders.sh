#!/usr/bin/env bash
# Proves: mount.NAME shares a host directory idmapped (a host uid reads as the same uid
# inside, a file written inside as that uid is owned by it on the host, nothing is chowned,
# root inside cannot create files owned by the host's root), owner=USER maps the host
# owner of the source onto a guest user,
# :ro refuses writes even after a remount inside, a target through a symlink is refused at
# start, bad values get one line and leave the config untouched, info lists the shares, and
# stop leaves no mount on the host.
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian sh1
cfg=$T_ROOT/lib/sh1/config
share=$T_ROOT/share
ro=$T_ROOT/ro
mkdir -p "$share" "$ro"
echo hello >"$share/hello"
echo data >"$ro/data"
chown -R 1000:1000 "$share"

# Bad input: one line, the file unchanged.
before=$(cat "$cfg")
bad() {
    local what=$1 key=$2 value=$3 out
    out=$(lx config sh1 set "$key" "$value" 2>&1)
    check_fails "$what is refused" test $? = 0
    check_eq "$what: one line" "1" "$(printf '%s\n' "$out" | wc -l)"
    check_eq "$what: config untouched" "$before" "$(cat "$cfg")"
}
bad "a relative source" mount.bad "rel/dir:/x"
bad "a missing source" mount.bad "$T_ROOT/nonexistent:/x"
bad "a target in /proc" mount.bad "$share:/proc/x"
bad "a target in /sys" mount.bad "$share:/sys"
bad "a relative target" mount.bad "$share:x"
bad "an unknown option" mount.bad "$share:/x:rw"
bad "a leaf with upper case" mount.Bad "$share:/x"
check_match "a missing source is named" "source $T_ROOT/nonexistent: No such file" \
    "$(lx config sh1 set mount.bad "$T_ROOT/nonexistent:/x" 2>&1)"

check "set mount.src" lx config sh1 set mount.src "$share:/home/alice/src"
check "set mount.data read-only" lx config sh1 set mount.data "$ro:/data:ro"
own=$T_ROOT/own
mkdir -p "$own"
echo mine >"$own/mine"
chown -R 1000:1000 "$own"
echo other >"$own/other"
chown 1001:1001 "$own/other"
check "set mount.own with owner=daemon" lx config sh1 set mount.own "$own:/srv/own:owner=daemon"
check_eq "get mount.src" "$share:/home/alice/src" "$(lx config sh1 get mount.src)"
check_match "info lists the shares" "Mount: +src: $share:/home/alice/src" "$(lx info sh1)"
check_match "info --json lists them" "\"mounts\": \\{\"src\": \"$share:/home/alice/src\", \"data\"" \
    "$(lx info sh1 --json)"

check "start with two shares" lx start sh1
check_eq "it boots" "running" "$(wait_running sh1)"
check_eq "the host's uid 1000 reads as 1000 inside" "1000 1000" \
    "$(lx exec sh1 -- stat -c '%u %g' /home/alice/src/hello)"
check_eq "the content is the host's" "hello" "$(lx exec sh1 -- cat /home/alice/src/hello)"
check "uid 1000 inside writes into the share" \
    lx exec sh1 -- setpriv --reuid=1000 --regid=1000 --clear-groups \
    sh -c 'echo inside >/home/alice/src/new'
check_eq "the new file is owned by 1000 on the host" "1000 1000" "$(stat -c '%u %g' "$share/new")"
check_eq "nothing on the host was chowned" "1000" "$(stat -c '%u' "$share/hello")"
echo root >"$share/rootfile"
check_eq "a file of the host's root reads as nobody inside" "65534" \
    "$(lx exec sh1 -- stat -c '%u' /home/alice/src/rootfile)"
check_fails "root inside cannot create a file there (it would be the host's root's)" \
    lx exec sh1 -- touch /home/alice/src/byroot
check_eq "so no file of the host's root appeared" "" "$(find "$share" -name byroot)"
check_eq "owner=daemon: the host owner 1000 reads as daemon inside" "daemon daemon" \
    "$(lx exec sh1 -- stat -c '%U %G' /srv/own/mine)"
check "daemon writes there" lx exec sh1 -- setpriv --reuid=daemon --regid=daemon --clear-groups \
    sh -c 'echo x >/srv/own/bydaemon'
check_eq "owned by the host owner (1000) on the host" "1000 1000" "$(stat -c '%u %g' "$own/bydaemon")"
check_eq "another host uid's file reads as nobody there" "65534" \
    "$(lx exec sh1 -- stat -c %u /srv/own/other)"
check_fails "the share is nodev" lx exec sh1 -- sh -c 'findmnt -no OPTIONS /home/alice/src | grep -qv nodev'
check_fails "the ro share refuses a write" lx exec sh1 -- touch /data/x
check_fails "remount,rw inside is refused" lx exec sh1 -- mount -o remount,rw /data
check_fails "remount,bind,rw inside is refused (the flag is locked)" \
    lx exec sh1 -- mount -o remount,bind,rw /data
check_fails "and the share still refuses a write" lx exec sh1 -- touch /data/x
check_eq "the host's ro dir is unchanged" "data" "$(ls "$ro")"
check_eq "the shares are not visible on the host" "0" "$(grep -c "$T_ROOT/share\|$T_ROOT/ro" /proc/self/mountinfo)"
base=$(uid_base_of sh1)
check "stop" lx stop sh1
check_host_clean sh1 "$base"

# A target that leads out through a symlink (here to /proc) is refused at start.
ln -s /proc "$T_ROOT/lib/sh1/rootfs/escape"
check "a target below a symlink passes the syntax check" \
    lx config sh1 set mount.esc "$share:/escape/x"
out=$(lx start sh1 2>&1)
check_fails "start refuses it" test $? = 0
check_match "with one clear line" "mount.esc: target /escape/x holds a symlink, refused" "$out"
check_host_clean sh1 "$base"
check "unset it" lx config sh1 unset mount.esc
check_eq "unset removed the line" "" "$(grep '^esc' "$cfg")"
rm "$T_ROOT/lib/sh1/rootfs/escape"

# owner= names a user the container does not have: refused at start, with its name.
check "set an owner the guest lacks" lx config sh1 set mount.own "$own:/srv/own:owner=nosuchuser"
check_match "start names it" "mount.own: owner: no such user in the container's /etc/passwd" \
    "$(lx start sh1 2>&1)"
check_host_clean sh1 "$base"
check "unset it" lx config sh1 unset mount.own

# owner= on a source of the host's root: USER would make files of the host's root there (a
# set-uid root binary). Refused at config set, and at start when chowned after the set.
rootown=$T_ROOT/rootown
mkdir -p "$rootown"
out=$(lx config sh1 set mount.rootown "$rootown:/srv/r:owner=daemon" 2>&1)
check_fails "owner= on a directory of the host's root is refused by config set" test $? = 0
check_match "in one line saying why" \
    "^lxmgr: config sh1: .*owner=daemon: source $rootown belongs to the host's root \(uid or gid 0\): files made there would be root's on the host, refused\$" "$out"
chown 1000:1000 "$rootown"
check "set while uid 1000 owns it" lx config sh1 set mount.rootown "$rootown:/srv/r:owner=daemon"
chown 0:1000 "$rootown"
out=$(lx start sh1 2>&1)
check_fails "start refuses it once the host's root owns the source" test $? = 0
check_match "in one line naming the share" \
    "^lxmgr: start sh1: mounts: mount.rootown: owner=daemon: source $rootown belongs to the host's root" "$out"
check_host_clean sh1 "$base"
check "unset it" lx config sh1 unset mount.rootown

# A source removed after the config was written fails the start with its name.
mkdir "$T_ROOT/gone"
check "set a share whose source goes away" lx config sh1 set mount.gone "$T_ROOT/gone:/gone"
rmdir "$T_ROOT/gone"
check_match "start names the missing source" "mount.gone: .*No such file" "$(lx start sh1 2>&1)"
check_host_clean sh1 "$base"
done_testing
