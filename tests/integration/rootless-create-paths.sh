#!/usr/bin/env bash
# Proves: an ordinary user's create paths besides --tarball, and pasta's DNS and lifetime:
# create --rootfs DIR copies a tree the user can read into the container's range (numeric owners
# kept, the user's own files becoming root's, setuid bits and sudo working), an unreadable file
# refuses it in one line leaving nothing; the guest boots under pasta and resolves a name the
# test's own resolver (dnsmasq on the host) answers, through pasta's DNS forwarder; when its
# monitor is SIGKILLed, pasta ends with it and gc removes what is left; a full clone is shifted
# into a range of its own, a snapshot clone stands on the source's rootfs in the source's block
# and boots; what is not done yet (other templates) is refused in one line; launch creates from the cached template and boots. Nothing of the user is left.
# Figure: create --tarball as root and as the user.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rootless-session.sh"
setup_store

for h in newuidmap newgidmap; do
    [ -u "/usr/bin/$h" ] || skip_all "/usr/bin/$h is not setuid root (Debian package uidmap)"
done
[ "$(cat /proc/sys/user/max_user_namespaces)" != 0 ] || skip_all "user namespaces are disabled"
command -v pasta >/dev/null || skip_all "pasta is not installed (Debian package passt)"
command -v dnsmasq >/dev/null || skip_all "dnsmasq is not installed"

RL_USER=lxrc$$
RL_DIR=$(mktemp -d /tmp/lxmgr-rootless-paths.XXXXXX)
chmod 755 "$RL_DIR"
# Far from root's range, from rootless-user.sh's and from any other user's: five blocks.
RL_BASE=1946157056
RL_END=$((RL_BASE + 5 * 65536 - 1))

rl_cleanup() {
    local pid
    [ -n "${tun_mode:-}" ] && chmod "$tun_mode" /dev/net/tun
    [ -n "${dns_pid:-}" ] && kill "$dns_pid" 2>/dev/null
    for pid in $(session_procs "$RL_USER") $(pgrep -u "$RL_USER" 2>/dev/null); do
        [ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && kill -9 "$pid" 2>/dev/null
    done
    sleep 0.3
    session_cgroups_remove
    if id "$RL_USER" >/dev/null 2>&1; then
        usermod --del-subuids "$RL_BASE-$RL_END" --del-subgids "$RL_BASE-$RL_END" "$RL_USER" 2>/dev/null
        userdel -r "$RL_USER" >/dev/null 2>&1
    fi
    rm -rf --one-file-system "$RL_DIR"
    teardown_store
}
trap rl_cleanup EXIT

useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -m -d "$RL_DIR/home" -s /bin/bash "$RL_USER" ||
    skip_all "useradd failed"
usermod --add-subuids "$RL_BASE-$RL_END" --add-subgids "$RL_BASE-$RL_END" "$RL_USER"
RL_UID=$(id -u "$RL_USER")
mkdir -m 700 "$RL_DIR/run" "$RL_DIR/tmp" && chown "$RL_USER:" "$RL_DIR/run" "$RL_DIR/tmp"
cp "$LXMGR" "$RL_DIR/lxmgr" && chmod 755 "$RL_DIR/lxmgr"
session_cgroups_make "$RL_USER"
store="$RL_DIR/home/.local/share/lxmgr"

# as_user [--resolv FILE] [VAR=VALUE...] -- lxmgr ARGS: the user's lxmgr in its login session;
# --resolv: in a mount namespace where FILE is /etc/resolv.conf (the monitor and its pasta
# keep it), so that the host's own resolver configuration is never touched.
as_user() {
    local resolv="" env=(HOME="$RL_DIR/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin
        XDG_RUNTIME_DIR="$RL_DIR/run" TMPDIR="$RL_DIR/tmp")
    [ "$1" = --resolv ] && resolv=$2 && shift 2
    while [ "$1" != -- ]; do
        env+=("$1")
        shift
    done
    shift
    (
        session_cgroups_enter "$RL_USER"
        set -- setpriv --reuid="$RL_UID" --regid="$RL_UID" --init-groups \
            env -i "${env[@]}" "$RL_DIR/lxmgr" "$@"
        [ -z "$resolv" ] && exec "$@"
        exec unshare -m --propagation private sh -c \
            'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$resolv" "$@"
    )
}
user_procs() { pgrep -u "$RL_USER" "$@" 2>/dev/null | tr '\n' ' '; }
# The user's processes, with their names, for the checks that none is left. A zombie holds
# nothing (this host's PID 1 may be slow to reap a SIGKILLed monitor, whose parent it is).
user_procs_named() {
    ps -o pid=,stat=,comm= -u "$RL_USER" 2>/dev/null | awk '$2 !~ /^Z/ { printf "%s(%s) ", $1, $3 }'
}
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# --- --rootfs DIR: a tree the user can read ---
# A copy of the cached rootfs made readable (as a user's own unpacked tree would be), with
# a file of the user's and one of another numeric owner to follow.
cp -a "$(debian_rootfs)" "$RL_DIR/tree"
chmod -R a+rX "$RL_DIR/tree"
echo mine >"$RL_DIR/tree/srv/mine" && chown "$RL_USER:$RL_USER" "$RL_DIR/tree/srv/mine"
echo other >"$RL_DIR/tree/srv/other" && chown 1234:2345 "$RL_DIR/tree/srv/other"
# A bootable-looking tree with a file the user cannot read.
mkdir -p "$RL_DIR/small/sbin" "$RL_DIR/small/srv"
cp /bin/true "$RL_DIR/small/sbin/init"
echo secret >"$RL_DIR/small/srv/secret" && chmod 600 "$RL_DIR/small/srv/secret"
chmod -R a+rX "$RL_DIR/small" && chmod 600 "$RL_DIR/small/srv/secret"

refused 1 "create c0: create: read $RL_DIR/small: tar: \./srv/secret: Cannot open: Permission denied" \
    "--rootfs DIR with a file the user cannot read: one line naming it" \
    as_user -- create c0 --rootfs "$RL_DIR/small" --net none
check_eq "the refused create left nothing in the user's store" "" "$(ls -A "$store" 2>/dev/null)"
refused 1 "a rootless create takes the template debian \(through mmdebstrap\), or --tarball FILE: 'alpine' is not done yet" \
    "rootless -t alpine: not done yet, said in one line" \
    as_user -- create c0 -t alpine --net none
check_eq "the refused template create left nothing in the user's store" "" "$(ls -A "$store" 2>/dev/null)"

check "user: create --rootfs DIR" as_user -- create c1 --rootfs "$RL_DIR/tree"
check_eq "c1: the rootless default network" "pasta" "$(as_user -- config c1 get net.mode)"
base1=$(as_user -- config c1 get idmap.uid_base)
check_eq "c1: its ids are the first block of the user's range" "$RL_BASE" "$base1"
check_eq "c1: the tree's root files belong to the range's root" "$RL_BASE $RL_BASE" \
    "$(stat -c '%u %g' "$store/c1/rootfs/etc/passwd")"
check_eq "c1: the user's own file became the range's root's" "$RL_BASE $RL_BASE" \
    "$(stat -c '%u %g' "$store/c1/rootfs/srv/mine")"
check_eq "c1: another numeric owner is kept, in the range" "$((RL_BASE + 1234)) $((RL_BASE + 2345))" \
    "$(stat -c '%u %g' "$store/c1/rootfs/srv/other")"
check_eq "c1: sudo keeps its setuid bit" "4755" "$(stat -c '%a' "$store/c1/rootfs/usr/bin/sudo")"
check_eq "c1: the owner map file is not left in the container's directory" "" \
    "$(find "$store/c1" -maxdepth 1 -name owner-map)"

# --- pasta DNS: the test's resolver on the host's own address, named by the monitor's
# /etc/resolv.conf (a bind mount in its mount namespace only) ---
tun_mode=$(stat -c %a /dev/net/tun)
[ "$tun_mode" = 666 ] || chmod 666 /dev/net/tun
dev=$(ip -4 route show default | awk '{ print $5; exit }')
host_addr=$(ip -4 -o addr show dev "$dev" | awk '{ sub("/.*", "", $4); print $4; exit }')
name=probe-$$.lxmgr-test
printf '127.31.%d.%d %s\n' $(($$ % 250)) $(($$ / 250 % 250)) "$name" >"$RL_DIR/hosts"
want=$(awk '{ print $1 }' "$RL_DIR/hosts")
dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
    --addn-hosts="$RL_DIR/hosts" --listen-address="$host_addr" --bind-interfaces --port=53 \
    --pid-file= >"$RL_DIR/dnsmasq.log" 2>&1 &
dns_pid=$!
printf 'nameserver %s\n' "$host_addr" >"$RL_DIR/resolv.conf" && chmod 644 "$RL_DIR/resolv.conf"

check "user: start c1 --wait (pasta)" as_user --resolv "$RL_DIR/resolv.conf" -- start c1 --wait
check_eq "c1: running" "running" "$(as_user -- exec c1 -- systemctl is-system-running --wait)"
check_eq "c1: sudo inside" "root" "$(as_user -- exec c1 -- sudo -n whoami 2>&1)"
check_eq "c1: /srv/other keeps its owner inside" "1234 2345" "$(as_user -- exec c1 -- stat -c '%u %g' /srv/other)"
check_eq "c1: /srv/mine is root's inside" "0 0" "$(as_user -- exec c1 -- stat -c '%u %g' /srv/mine)"
check_match "c1: /etc/resolv.conf names pasta's DNS forwarder" "nameserver 169\.254\.1\.1" \
    "$(as_user -- exec c1 -- cat /etc/resolv.conf)"
got=$(as_user -- exec c1 -- getent hosts "$name" 2>&1 | awk '{ print $1 }')
check_eq "c1: resolves a name only the test's resolver knows, through pasta" "$want" "$got"
check_fails "c1: a name the resolver does not know fails" \
    as_user -- exec c1 -- getent hosts "no-such-$name"
kill "$dns_pid" 2>/dev/null
wait "$dns_pid" 2>/dev/null
dns_pid=""
check "c1: a directory only root reads, made inside" \
    as_user -- exec c1 -- sh -c 'mkdir -m 700 /root/private && echo kept >/root/private/f'

# --- pasta dies with a SIGKILLed monitor; gc cleans the rest ---
monitor=$(awk -F= '$1 == "monitor_pid" { print $2 }' "$RL_DIR/run/lxmgr/c1/state")
# Debian's pasta re-executes itself as passt.avx2 where the CPU has AVX2.
pasta=$(awk '{ print $1 }' "$RL_DIR/run/lxmgr/c1/pasta.pid")
check_match "c1: pasta runs, the user's" "^ *$RL_UID +(pasta|passt)" "$(ps -o uid=,comm= -p "$pasta" 2>&1)"
watcher=$(ps -o ppid= -p "$pasta" | tr -d ' ')
check_eq "pasta's watcher is the monitor's child" "$monitor" "$(ps -o ppid= -p "$watcher" 2>&1 | tr -d ' ')"
kill -9 "$monitor"
for _ in $(seq 1 100); do
    [ -z "$(user_procs '^(pasta|passt)')" ] && break
    sleep 0.1
done
check_eq "no pasta of the user is left after its monitor was SIGKILLed" "" "$(user_procs '^(pasta|passt)')"
check "user: gc after the killed monitor" as_user -- gc
check_eq "gc: c1's runtime directory is gone" "" "$(ls -A "$RL_DIR/run/lxmgr/c1" 2>/dev/null)"
check_eq "no process of the user is left" "" "$(user_procs_named)"
check_eq "no process of c1's range is left" "" "$(host_procs_in_range "$RL_BASE" | tr '\n' ' ')"

# --- clone: a full copy into a range of its own; a snapshot clone in the source's ---
check "user: clone c1 c2" as_user -- clone c1 c2
base2=$(as_user -- config c2 get idmap.uid_base)
check_eq "c2: the next block of the user's range" "$((RL_BASE + 65536))" "$base2"
check_eq "c2: its root's files belong to its own range" "$base2 $base2" \
    "$(stat -c '%u %g' "$store/c2/rootfs/etc/passwd")"
check_eq "c2: other numeric owners follow, in its range" "$((base2 + 1234)) $((base2 + 2345))" \
    "$(stat -c '%u %g' "$store/c2/rootfs/srv/other")"
check_eq "c2: /root/private, which the user cannot read outside, was copied" "700 $base2" \
    "$(stat -c '%a %u' "$store/c2/rootfs/root/private")"
check "user: c2 starts" as_user -- start c2 --wait
check_eq "c2: running" "running" "$(as_user -- exec c2 -- systemctl is-system-running --wait)"
check_eq "c2: its own machine-id, not c1's" "$(as_user -- config c2 get container.uuid | tr -d -)" \
    "$(as_user -- exec c2 -- cat /etc/machine-id)"
check_eq "c2: /root/private/f inside" "kept" "$(as_user -- exec c2 -- cat /root/private/f)"
check "user: c2 stops" as_user -- stop c2
# A snapshot clone: an overlay over c1's rootfs, in c1's own block (the user cannot idmap it).
check "user: clone c1 c3 --snapshot" as_user -- clone c1 c3 --snapshot
check_eq "c3: c1's block" "$RL_BASE" "$(as_user -- config c3 get idmap.uid_base)"
check_match "c3: info names the block's owner" "UIDs: +$RL_BASE-[0-9]+ \(c1's block" \
    "$(as_user -- info c3)"
check "user: c3 starts" as_user -- start c3 --wait
check_eq "c3: running" "running" "$(as_user -- exec c3 -- systemctl is-system-running --wait)"
check_eq "c3: its own hostname" "c3" "$(as_user -- exec c3 -- hostname)"
refused 1 "c1 is the read-only lower layer of 1 snapshot clone \(c3\)" \
    "c1 cannot start while c3 stands on its rootfs" as_user -- start c1
check "user: destroy c3 (running: --force)" as_user -- destroy c3 --force

# --- -t debian: mmdebstrap --mode=unshare from Debian's archive, cached in XDG_CACHE_HOME ---
cache="$RL_DIR/home/.cache/lxmgr/debian/bookworm/$(uname -m)"
t0=$(now)
out=$(as_user -- create deb -t debian -r bookworm --net none 2>&1)
rc=$?
echo "# figures: rootless create -t debian (mmdebstrap): $(secs "$t0" "$(now)")s"
check_eq "user: create -t debian -r bookworm (mmdebstrap --mode=unshare)" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "$out" | tail -5
check_match "it said it ran mmdebstrap" "template: mmdebstrap --mode=unshare bookworm" "$out"
check_eq "the template cache is the user's XDG_CACHE_HOME/lxmgr, the user's" "$RL_UID" \
    "$(stat -c %u "$cache/rootfs.tar" 2>&1)"
check_eq "deb: the template is recorded" "template debian bookworm $(uname -m)" \
    "$(as_user -- config deb get rootfs.source)"
check_eq "deb: its root files belong to its range" "$((RL_BASE + 2 * 65536))" \
    "$(stat -c %u "$store/deb/rootfs/etc/passwd" 2>&1)"
check "user: deb starts" as_user -- start deb --wait
check_eq "deb: running" "running" "$(as_user -- exec deb -- systemctl is-system-running --wait)"
check_eq "deb: sudo inside" "root" "$(as_user -- exec deb -- sudo -n whoami 2>&1)"
check_match "deb: sources.list has the release, -updates and -security" \
    "bookworm main.*bookworm-updates main.*bookworm-security main" \
    "$(as_user -- exec deb -- cat /etc/apt/sources.list | tr '\n' ' ')"
check "user: deb stops" as_user -- stop deb
out=$(as_user -- create deb2 -t debian -r bookworm --net none 2>&1)
check_match "a second create comes from the cache" "debian bookworm $(uname -m) from the cache" "$out"
check "user: destroy deb2" as_user -- destroy deb2
# launch: create from the cached template, start (inside the user's namespace) and wait.
out=$(as_user -- launch deb3 -t debian -r bookworm --net none 2>&1)
check_match "user: launch deb3 boots and says how to get in" "deb3: a shell inside: lxmgr shell deb3" "$out"
check_eq "deb3: running" "running" "$(as_user -- exec deb3 -- systemctl is-system-running 2>&1)"
check "user: destroy deb3 (running: --force)" as_user -- destroy deb3 --force

# --- figure: create --tarball as root and as the user ---
tar -C "$RL_DIR/tree" --numeric-owner --xattrs -cf "$RL_DIR/rootfs.tar" . && chmod 644 "$RL_DIR/rootfs.tar"
t0=$(now)
check "root: create --tarball" lx create rootc --tarball "$RL_DIR/rootfs.tar" --net none
t1=$(now)
T_NAMES+=(rootc)
check "user: create --tarball" as_user -- create tarc --tarball "$RL_DIR/rootfs.tar" --net none
t2=$(now)
echo "# figures: create --tarball (172 MB rootfs): root $(secs "$t0" "$t1")s, user $(secs "$t1" "$t2")s"
check "root: destroy" lx destroy rootc

for c in c1 c2 tarc deb; do
    check "user: destroy $c" as_user -- destroy "$c"
done
check_eq "the user's store is empty" "" "$(ls -A "$store")"
check_eq "no process of the user is left" "" "$(user_procs_named)"

rl_cleanup
trap - EXIT
check_eq "the test user is gone" "" "$(getent passwd "$RL_USER")"
check_eq "its subordinate range is gone" "" "$(grep "^$RL_USER:" /etc/subuid /etc/subgid)"
check_eq "no process of its range is left" "" "$(host_procs_in_range "$RL_BASE" | tr '\n' ' ')"
check_eq "its directory is gone" "" "$(ls -d "$RL_DIR" 2>/dev/null)"
done_testing
