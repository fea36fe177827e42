#!/usr/bin/env bash
# Proves (issue 15, hole 4): a share's host source is opened without following any symlink
# and attached from that descriptor only. Root inside a booted container swaps its share's
# source (a host directory it writes through another share) for a symlink to /etc: a live
# `lxmgr mount` of it and the next start with it as mount.NAME are both refused in one line
# naming the share, and the host's /etc/shadow never shows inside (on the old binary it did,
# readable through group 42). A source inside the container store (the container's own
# rootfs) is refused in one line, statically and live, also when the store is named through
# a symlink (compared by device and inode, not by string).
. "$(dirname "$0")/lib/common.sh"
setup_store

new_debian sl1 --net none
base=$(uid_base_of sl1)
host=$T_ROOT/host
mkdir -p "$host/sub" "$T_ROOT/lib/sl1/rootfs/srv/data"
echo benign >"$host/sub/benign"
chown -R 1000:1000 "$host"


# no_host_shadow DESC DIR: root inside, with group 42 (shadow), cannot read the host's
# /etc/shadow as DIR/shadow. Only its first field and the listing are printed.
no_host_shadow() {
    local desc=$1 dir=$2 seen
    if [ "$(lx exec sl1 -- setpriv --regid=42 --clear-groups cat "$dir/shadow" 2>/dev/null |
        md5sum)" != "$(md5sum </etc/shadow)" ]; then
        ok "$desc"
        return
    fi
    seen=$(lx exec sl1 -- setpriv --regid=42 --clear-groups \
        sh -c "ls -ln $dir/shadow; cut -d: -f1 $dir/shadow | head -3 | tr '\n' ' '" 2>&1)
    not_ok "$desc" "root inside read the host's /etc/shadow (md5 equal) at $dir/shadow:" \
        "${seen//$'\n'/ | }"
}

check "mount.top: the host directory, rw" lx config sl1 set mount.top "$host:/mnt/top"
check "mount.sub: a directory below it" lx config sl1 set mount.sub "$host/sub:/mnt/sub"
check "start" lx start sl1
check_eq "it boots" "running" "$(wait_running sl1)"
check_eq "the share shows the host's directory" "benign" "$(lx exec sl1 -- cat /mnt/sub/benign)"

# The attack, by root inside: through mount.top, as the uid that owns it on the host, the
# source of mount.sub becomes a symlink to /etc.
check "root inside swaps the source for a symlink to /etc" \
    lx exec sl1 -- setpriv --reuid=1000 --regid=1000 --clear-groups \
    sh -c 'mv /mnt/top/sub /mnt/top/sub.old && ln -s /etc /mnt/top/sub'
check_eq "the host sees the symlink" "/etc" "$(readlink "$host/sub")"

# Live: lxmgr mount of that source.
refused 1 "^lxmgr: mount sl1: mounts: source $host/sub: $host/sub is a symlink, refused" \
    "lxmgr mount of the swapped source is refused in one line" \
    lx mount sl1 "$host/sub" /mnt/live
no_host_shadow "live: the host's /etc/shadow is not readable inside" /mnt/live
check_fails "live: nothing is mounted at the target" lx exec sl1 -- mountpoint -q /mnt/live

# A component above the source swapped, not the source itself.
check "root inside makes a symlink of a parent instead" \
    lx exec sl1 -- setpriv --reuid=1000 --regid=1000 --clear-groups \
    sh -c 'ln -s / /mnt/top/up'
refused 1 "^lxmgr: mount sl1: mounts: source $host/up/etc: $host/up is a symlink, refused" \
    "lxmgr mount through a symlinked parent is refused in one line" \
    lx mount sl1 "$host/up/etc" /mnt/live2
no_host_shadow "the host's /etc/shadow is not readable there either" /mnt/live2

# Static: the next start with mount.sub (set while it was a directory).
check "stop" lx stop sl1
refused 1 "^lxmgr: start sl1: mounts: mount.sub: source $host/sub: $host/sub is a symlink, refused" \
    "start with the swapped mount.sub is refused in one line naming the share" \
    lx start sl1
check_host_clean sl1 "$base"
# Where the start went through anyway (the old binary), what does /mnt/sub show?
if [ "$(lx info sl1 --json | grep -o '"state": "[a-z]*"')" = '"state": "running"' ]; then
    no_host_shadow "static: the host's /etc/shadow is not readable inside" /mnt/sub
    lx stop sl1 >/dev/null 2>&1
fi
check "unset mount.sub" lx config sl1 unset mount.sub

# A source inside the container store: the container's own rootfs.
refused 1 "^lxmgr: config sl1: config: mount.inroot: source $T_ROOT/lib/sl1/rootfs/srv/data lies inside the container store\$" \
    "config set of a source in the store is refused in one line" \
    lx config sl1 set mount.inroot "$T_ROOT/lib/sl1/rootfs/srv/data:/mnt/inroot"
check_fails "the refused share is not in the config" grep -q inroot "$T_ROOT/lib/sl1/config"
# The same share written into the file by hand: start refuses it.
printf '\n[mount]\ninroot = %s\n' "$T_ROOT/lib/sl1/rootfs/srv/data:/mnt/inroot" >>"$T_ROOT/lib/sl1/config"
check "a hand-edited config holds it" lx config sl1 get mount.inroot
refused 1 "^lxmgr: start sl1: mounts: mount.inroot: source $T_ROOT/lib/sl1/rootfs/srv/data lies inside the container store\$" \
    "start with a source in the store is refused in one line naming the share" \
    lx start sl1
check_host_clean sl1 "$base"
lx stop sl1 >/dev/null 2>&1
check "unset mount.inroot" lx config sl1 unset mount.inroot
check "start without it" lx start sl1
check_eq "it boots" "running" "$(wait_running sl1)"
refused 1 "^lxmgr: mount sl1: mounts: source $T_ROOT/lib/sl1/rootfs/srv/data lies inside the container store\$" \
    "lxmgr mount of a source in the store is refused in one line" \
    lx mount sl1 "$T_ROOT/lib/sl1/rootfs/srv/data" /mnt/inroot
# The store named through a symlink: a string prefix would not match, the inode does.
ln -s "$T_ROOT" "$T_ROOT.link"
refused 1 "lies inside the container store\$" \
    "the same, with the store given through a symlink (--root $T_ROOT.link)" \
    "$LXMGR" --root "$T_ROOT.link" mount sl1 "$T_ROOT/lib/sl1/rootfs/srv" /mnt/inroot2
rm -f "$T_ROOT.link"
check_fails "nothing is mounted at either target" \
    lx exec sl1 -- sh -c 'mountpoint -q /mnt/inroot || mountpoint -q /mnt/inroot2'

# Still allowed: a plain host directory, live (no symlink on its way).
check "a plain host directory is still mounted live" lx mount sl1 "$host/sub.old" /mnt/plain
check_eq "with its content" "benign" "$(lx exec sl1 -- cat /mnt/plain/benign)"
check "stop" lx stop sl1
check_host_clean sl1 "$base"
check_eq "host /etc is not touched" "root shadow" "$(stat -c '%U %G' /etc/shadow)"
done_testing
