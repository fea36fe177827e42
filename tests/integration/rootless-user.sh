#!/usr/bin/env bash
# Proves: an ordinary user with an /etc/subuid range boots the Debian 12 rootfs with no root at
# all, on this host (hybrid cgroups, no systemd, no user manager), playing the login manager as
# pam_cgfs does: its store under its XDG directories, the rootfs unpacked shifted inside a user
# namespace of its range, running with 0 failed units; exec and sudo inside; stop; no process
# of it is root on the host (the monitor is the user's, init its range's); destroy removes the
# shifted tree. The bad inputs get one line and change nothing. Nothing is left afterwards:
# the user, its subordinate range, its cgroups, its store. Figures: root against the user.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/rootless-session.sh"
setup_store

for h in newuidmap newgidmap; do
    [ -u "/usr/bin/$h" ] || skip_all "/usr/bin/$h is not setuid root (Debian package uidmap)"
done
[ "$(cat /proc/sys/user/max_user_namespaces)" != 0 ] || skip_all "user namespaces are disabled"

RL_USER=lxrl$$
RL_DIR=$(mktemp -d /tmp/lxmgr-rootless.XXXXXX)
chmod 755 "$RL_DIR"
# Far from root's range and from any other user's: two containers' worth.
RL_BASE=1879048192
RL_END=$((RL_BASE + 131071))

rl_cleanup() {
    local pid
    [ -n "${tun_mode:-}" ] && chmod "$tun_mode" /dev/net/tun
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

# -K: no range added by useradd itself; the test gives exactly its own.
useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -m -d "$RL_DIR/home" -s /bin/bash "$RL_USER" ||
    skip_all "useradd failed"
usermod --add-subuids "$RL_BASE-$RL_END" --add-subgids "$RL_BASE-$RL_END" "$RL_USER"
RL_UID=$(id -u "$RL_USER")
mkdir -m 700 "$RL_DIR/run" "$RL_DIR/tmp" && chown "$RL_USER:" "$RL_DIR/run" "$RL_DIR/tmp"
cp "$LXMGR" "$RL_DIR/lxmgr" && chmod 755 "$RL_DIR/lxmgr"
session_cgroups_make "$RL_USER"

# as_user [--no-session] [VAR=VALUE...] -- lxmgr ARGS: the user's lxmgr in its login session.
as_user() {
    local session=1 env=(HOME="$RL_DIR/home" PATH=/usr/sbin:/usr/bin:/sbin:/bin
        XDG_RUNTIME_DIR="$RL_DIR/run" TMPDIR="$RL_DIR/tmp")
    [ "$1" = --no-session ] && session=0 && shift
    while [ "$1" != -- ]; do
        env+=("$1")
        shift
    done
    shift
    (
        [ "$session" = 1 ] && session_cgroups_enter "$RL_USER"
        exec setpriv --reuid="$RL_UID" --regid="$RL_UID" --init-groups \
            env -i "${env[@]}" "$RL_DIR/lxmgr" "$@"
    )
}


now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# A tarball of the cached rootfs (a root-owned tree the user cannot read wholly: /root).
tar -C "$(debian_rootfs)" --numeric-owner --xattrs -cf "$RL_DIR/rootfs.tar" . &&
    chmod 644 "$RL_DIR/rootfs.tar"

# --- bad inputs: one line each, nothing made ---
store="$RL_DIR/home/.local/share/lxmgr"
printf '' >"$RL_DIR/subuid-none"
refused 1 "/subuid-none has no range for $RL_USER: an administrator adds one with 'usermod --add-subuids" \
    "no /etc/subuid entry names the file and the usermod line" \
    as_user LXMGR_SUBUID="$RL_DIR/subuid-none" -- create c0 --tarball "$RL_DIR/rootfs.tar" --net none
printf '%s:%s:1000\n' "$RL_USER" "$RL_BASE" >"$RL_DIR/subuid-small"
refused 1 "gives $RL_USER only 1000 ids in one range: one container needs 65536" \
    "a range smaller than one container" \
    as_user LXMGR_SUBUID="$RL_DIR/subuid-small" -- create c0 --tarball "$RL_DIR/rootfs.tar" --net none
mkdir -p "$RL_DIR/helpers" "$RL_DIR/nohelpers" "$RL_DIR/sys/user"
cp /usr/bin/newuidmap /usr/bin/newgidmap "$RL_DIR/helpers/"
refused 1 "newuidmap is not setuid root: an administrator installs the Debian package uidmap" \
    "newuidmap without its setuid bit names the package" \
    as_user LXMGR_UIDMAP_DIR="$RL_DIR/helpers" -- create c0 --tarball "$RL_DIR/rootfs.tar" --net none
refused 1 "newuidmap is missing: an administrator installs the Debian package uidmap" \
    "newuidmap missing names the package" \
    as_user LXMGR_UIDMAP_DIR="$RL_DIR/nohelpers" -- create c0 --tarball "$RL_DIR/rootfs.tar" --net none
echo 0 >"$RL_DIR/sys/user/max_user_namespaces"
refused 1 "user namespaces are disabled: an administrator sets the sysctl user.max_user_namespaces" \
    "user namespaces disabled by sysctl names it" \
    as_user LXMGR_SYSCTL_DIR="$RL_DIR/sys" -- create c0 --tarball "$RL_DIR/rootfs.tar" --net none
check_eq "the refused creates left nothing in the user's store" "" "$(ls -A "$store" 2>/dev/null)"
out=$(setpriv --reuid="$RL_UID" --regid="$RL_UID" --init-groups env -i HOME="$RL_DIR/home" \
    PATH=/usr/bin:/bin TMPDIR="$RL_DIR/tmp" "$RL_DIR/lxmgr" list 2>&1 >/dev/null)
check_match "XDG_RUNTIME_DIR unset: falls back as podman does and says where" \
    "^lxmgr: XDG_RUNTIME_DIR is unset and /run/user/$RL_UID is not yours: runtime files go to $RL_DIR/tmp/lxmgr-run-$RL_UID/lxmgr\$" "$out"

out=$(as_user -- doctor 2>&1)
check_match "doctor: the user's ranges and its session cgroup are found" \
    "ok +/etc/subuid: $RL_USER has 1 range.*ok +cgroups: the login session's cgroup is the user's own" "$out"
out=$(as_user --no-session -- doctor 2>&1)
check_match "doctor: outside a session cgroup of its own, names both fixes" \
    "FAIL cgroups: the login session's cgroup is not the user's own: pam_cgfs" "$out"

# --- root's figures, same tarball ---
t0=$(now)
check "root: create --tarball" lx create rootc --tarball "$RL_DIR/rootfs.tar" --net none
T_NAMES+=(rootc)
t1=$(now)
check "root: start --wait" lx start rootc --wait
t2=$(now)
check "root: exec" lx exec rootc -- true
t3=$(now)
root_create=$(secs "$t0" "$t1") root_start=$(secs "$t1" "$t2") root_exec=$(secs "$t2" "$t3")
root_base=$(uid_base_of rootc)
check "root: stop" lx stop rootc
check_host_clean rootc "$root_base"
check "root: destroy" lx destroy rootc

# --- the user ---
t0=$(now)
check "user: create --tarball, unpacked in a user namespace of its range" \
    as_user -- create dev --tarball "$RL_DIR/rootfs.tar" --net none
t1=$(now)
user_create=$(secs "$t0" "$t1")
check_match "the store is the user's XDG_DATA_HOME/lxmgr" "config" "$(ls "$store/dev" 2>&1)"
check_eq "the rootfs is stored shifted" "yes" "$(as_user -- config dev get rootfs.shifted)"
base=$(as_user -- config dev get idmap.uid_base)
check_eq "its ids are the first block of the user's range" "$RL_BASE" "$base"
check_eq "rootfs/root belongs to the range's root" "$RL_BASE $RL_BASE" "$(stat -c '%u %g' "$store/dev/rootfs/root")"
refused 1 "read $(debian_rootfs): tar: .*: Cannot open: Permission denied" \
    "rootless --rootfs DIR of a tree the user cannot wholly read: one line naming a file" \
    as_user -- create c1 --rootfs "$(debian_rootfs)" --net none
refused 1 "pam_cgfs \(Debian package libpam-cgfs\).*systemd user manager \(Delegate=yes\)" \
    "start outside a session cgroup of the user's own: one line naming both fixes" \
    as_user --no-session -- start dev

check "user: limits.memory set" as_user -- config dev set limits.memory 512M
check "user: limits.pids set" as_user -- config dev set limits.pids 300
t1=$(now)
check "user: start --wait" as_user -- start dev --wait
t2=$(now)
check "user: exec" as_user -- exec dev -- true
t3=$(now)
user_start=$(secs "$t1" "$t2") user_exec=$(secs "$t2" "$t3")
check_eq "user: running" "running" "$(as_user -- exec dev -- systemctl is-system-running)"
check_eq "user: 0 failed units" "0" "$(as_user -- exec dev -- systemctl --failed --no-legend | wc -l)"
check_eq "user: sudo inside" "root" "$(as_user -- exec dev -- sudo -n whoami 2>&1)"
check_match "user: info shows the container running" "State: +running" "$(as_user -- info dev)"

# Hybrid host: through the v1 hierarchies the session owns, below the session's cgroups.
scope_file() {
    local f
    for f in /sys/fs/cgroup/"$1"/lxmgr-test-user/"$RL_USER"/0/lxmgr-*-dev.scope/"$2"; do
        cat "$f" 2>&1
    done
}
check_eq "user: the memory limit applies in the session's v1 memory cgroup" "536870912" \
    "$(scope_file memory memory.limit_in_bytes)"
check_eq "user: the pids limit applies in the session's v1 pids cgroup" "300" \
    "$(scope_file pids pids.max)"
check_match "user: info says rootless and where the cgroups are" \
    "Rootless: +$RL_USER's store and subordinate ids; cgroups: below the login session's own" \
    "$(as_user -- info dev)"
procs=$(session_procs "$RL_USER")
root_procs=""
for pid in $procs; do
    u=$(stat -c %u "/proc/$pid" 2>/dev/null) || continue
    [ "$u" = 0 ] && root_procs+="$pid($(cat "/proc/$pid/comm")) "
done
check_eq "no process of the user's session is root on the host" "" "$root_procs"
monitor=$(awk -F= '$1 == "monitor_pid" { print $2 }' "$RL_DIR/run/lxmgr/dev/state")
init=$(awk -F= '$1 == "init_pid" { print $2 }' "$RL_DIR/run/lxmgr/dev/state")
check_eq "the monitor is the user's" "$RL_UID" "$(stat -c %u "/proc/$monitor")"
check_eq "init is the range's root" "$RL_BASE" "$(stat -c %u "/proc/$init")"

check "user: stop" as_user -- stop dev
check_eq "user: stopped" "" "$(session_procs "$RL_USER" | while read -r p; do
    [ "$(stat -c %u "/proc/$p" 2>/dev/null)" = "$RL_BASE" ] && echo "$p"
done)"
left=$(find /sys/fs/cgroup -path '*lxmgr-test-user*' -name 'lxmgr-*.scope' 2>/dev/null)
check_eq "user: no container cgroup left after stop" "" "$left"
check "user: destroy removes the shifted tree" as_user -- destroy dev
check_eq "user: the store is empty" "" "$(ls -A "$store")"

# --- no cgroup of the user's own (no user manager, no session cgroup): systemd is refused
# (above); a guest whose init is not systemd boots in none, without limits or freezer ---
alpine="$(cd "$TESTS_DIR/../.." && pwd)/shared/guests/alpine-3.20.tar.gz"
if [ -r "$alpine" ]; then
    cp "$alpine" "$RL_DIR/alpine.tar.gz" && chmod 644 "$RL_DIR/alpine.tar.gz"
    check "user: create al from the Alpine minirootfs (busybox init)" \
        as_user -- create al --tarball "$RL_DIR/alpine.tar.gz" --net none
    check_match "user: al starts in no cgroup of its own, and says so" \
        "no cgroup of the user's own: this busybox guest runs in none, without limits" \
        "$(as_user --no-session -- -v start al 2>&1)"
    check_eq "al: PID 1 is busybox init" "/bin/busybox" \
        "$(as_user --no-session -- exec al -- readlink /proc/1/exe 2>&1)"
    al_init=$(awk -F= '$1 == "init_pid" { print $2 }' "$RL_DIR/run/lxmgr/al/state")
    check_eq "al: init is in the memory cgroup the user started it from" \
        "$(awk -F: '$2 == "memory" { print $3 }' /proc/$$/cgroup)" \
        "$(awk -F: '$2 == "memory" { print $3 }' "/proc/${al_init:-0}/cgroup" 2>&1)"
    check_eq "al: no cgroup made for it on the host" "" \
        "$(find /sys/fs/cgroup -maxdepth 6 -type d -name 'lxmgr-*-al.scope' 2>/dev/null)"
    refused 1 "freeze al: it runs in no cgroup of its own, so has no freezer; stop it to take a snapshot" \
        "snapshot of the running al (no freezer): one line" \
        as_user --no-session -- snapshot create al s1
    refused 1 "^lxmgr: freeze al: [a-z]*: it runs in no cgroup of its own, so has no freezer$" \
        "freeze of the running al (no freezer): one line" as_user --no-session -- freeze al
    check "user: al stops" as_user --no-session -- stop al
    check_eq "al: no process of its range is left" "" \
        "$(host_procs_in_range "$RL_BASE" | tr '\n' ' ')"
    check "user: config set limits.memory 256M on al" as_user -- config al set limits.memory 256M
    refused 1 "limits.memory: no cgroup of the user's own to apply it in" \
        "al with a limit and no cgroup of the user's own: refused in one line" \
        as_user --no-session -- start al
    check "user: destroy al" as_user -- destroy al
    check_eq "user: the store is empty again" "" "$(ls -A "$store")"
else
    ok "a non-systemd guest in no cgroup # SKIP the Alpine tarball $alpine is missing"
fi

# --- pasta: the rootless default network ---
# pasta opens /dev/net/tun as the user: Debian's udev makes it 0666, a host without udev
# may leave the kernel's 0600. Without it, start refuses in one line.
tun_mode=$(stat -c %a /dev/net/tun)
if [ "$tun_mode" != 666 ]; then
    as_user -- create tunless --tarball "$RL_DIR/rootfs.tar" >/dev/null 2>&1
    refused 1 "/dev/net/tun is not open to users: an administrator sets it 0666" \
        "pasta without a usable /dev/net/tun: one line" as_user -- start tunless
    as_user -- destroy tunless >/dev/null 2>&1
    chmod 666 /dev/net/tun
fi
mkdir -p "$RL_DIR/www" && echo "hello-from-host-$$" >"$RL_DIR/www/hello.txt"
web_port=$((20000 + $$ % 10000)) fwd_port=$((30000 + $$ % 10000))
python3 -m http.server --bind 127.0.0.1 --directory "$RL_DIR/www" "$web_port" >/dev/null 2>&1 &
http_pid=$!
gw=$(ip -4 route show default | awk '{ print $3; exit }')
check "pasta: create with net.forward" \
    as_user -- create web --tarball "$RL_DIR/rootfs.tar" --forward "tcp:$fwd_port:8080"
check_eq "pasta: the rootless default net.mode" "pasta" "$(as_user -- config web get net.mode)"
check "pasta: start --wait" as_user -- start web --wait
check_match "pasta: info says the mode" "Network: +pasta" "$(as_user -- info web)"
got=""
for _ in $(seq 1 50); do
    got=$(as_user -- exec web -- bash -c "exec 3<>/dev/tcp/$gw/$web_port &&
        printf 'GET /hello.txt HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2>/dev/null | tail -1)
    [ -n "$got" ] && break
    sleep 0.1
done
check_eq "pasta: the container fetches from the host's loopback (through the gateway)" \
    "hello-from-host-$$" "$got"
check "pasta: a service listens inside" as_user -- exec web -- systemd-run --unit=echo8080 \
    systemd-socket-activate -l 8080 --inetd -a /bin/echo hello-from-container
got=""
for _ in $(seq 1 50); do
    got=$(bash -c "exec 3<>/dev/tcp/127.0.0.1/$fwd_port && cat <&3" 2>/dev/null)
    [ -n "$got" ] && break
    sleep 0.1
done
check_eq "pasta: the forwarded port answers from the host" "hello-from-container" "$got"
kill "$http_pid" 2>/dev/null
wait "$http_pid" 2>/dev/null
check "pasta: stop" as_user -- stop web
# Debian's pasta re-executes itself as passt.avx2; a zombie of it holds nothing (this host's
# PID 1 may be slow to reap what pasta's own children leave).
check_eq "pasta: pasta quit with the container" "" \
    "$(ps -o pid=,stat=,comm= -u "$RL_USER" | awk '$2 !~ /^Z/ && $3 ~ /^(pasta|passt)/')"
check "pasta: destroy" as_user -- destroy web
refused 1 "net.mode bridge needs root: a rootless container takes pasta or none" \
    "rootless --net bridge: refused in one line" \
    as_user -- create c2 --tarball "$RL_DIR/rootfs.tar" --net bridge

echo "# figures: create --tarball: root ${root_create}s, user ${user_create}s"
echo "# figures: start to running: root ${root_start}s, user ${user_start}s"
echo "# figures: exec true: root ${root_exec}s, user ${user_exec}s"

rl_cleanup
trap - EXIT
check_eq "the test user is gone" "" "$(getent passwd "$RL_USER")"
check_eq "its subordinate range is gone" "" "$(grep "^$RL_USER:" /etc/subuid /etc/subgid)"
check_eq "its cgroups are gone" "" "$(find /sys/fs/cgroup -maxdepth 1 -name lxmgr-test-user 2>/dev/null)"
check_eq "no process of its range is left" "" "$(host_procs_in_range "$RL_BASE" | tr '\n' ' ')"
check_eq "its directory is gone" "" "$(ls -d "$RL_DIR" 2>/dev/null)"
done_testing
