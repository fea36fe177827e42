#!/usr/bin/env bash
# Proves: on a pure cgroup2 host where an ordinary user's systemd user manager runs
# (user@UID.service, lingering), rootless lxmgr asks that manager over the user bus for one
# transient scope per container (Delegate=yes) and makes the container's cgroups below it,
# with no pam_cgfs and no systemd-run typed by anyone: a Debian 12 systemd host booted by
# lxmgr (--nesting, cgroup2 only, with dbus-user-session and uidmap) holds the user, who
# boots the Debian 12 rootfs to running with 0 failed units; info and doctor name the source;
# the scope exists with Delegate=yes while the container runs, and is gone after stop and
# after kill -9 of the monitor; exec works; a limits.* key whose controller the scope lacks
# is refused in one line naming it. Nothing is left afterwards.
. "$(dirname "$0")/lib/common.sh"
setup_store

builddir=$(cd "$(dirname "$LXMGR")/.." && pwd)
[ -f "$builddir/Makefile" ] || skip_all "needs the build tree of \$LXMGR for make install"
hostfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm usermgr-host) ||
    skip_all "cannot build the user manager host rootfs"

in_host() { lx exec um -- "$@"; }
# Polls (200 ms) until CMD's output matches REGEX, at most S seconds; prints the last output.
poll() {
    local end=$((SECONDS + $1)) re=$2 out
    shift 2
    while :; do
        out=$("$@" 2>/dev/null)
        [[ $out =~ $re ]] && break
        [ "$SECONDS" -lt "$end" ] || break
        sleep 0.2
    done
    echo "$out"
}
skip() { ok "$1 # SKIP $2"; }

T_NAMES+=(um)
check "create the systemd host (--ids 196608 --nesting, no network)" \
    lx create um --rootfs "$hostfs" --ids 196608 --nesting --net none
rootfs=$T_ROOT/lib/um/rootfs
check "make install DESTDIR=its rootfs" make -s -C "$builddir" install DESTDIR="$rootfs"
# The guest's tree, for the user's create --tarball (/var/tmp outlives the host's boot).
tar -C "$(debian_rootfs)" --numeric-owner --xattrs --warning=no-file-changed \
    -cf "$rootfs/var/tmp/debian.tar" . || [ $? = 1 ]
chmod 644 "$rootfs/var/tmp/debian.tar"
check "start it" lx start um
check_eq "its systemd is running" "running" "$(wait_running um)"
check_eq "it is a pure cgroup2 host" "cgroup2fs" "$(in_host stat -f -c %T /sys/fs/cgroup)"

# The user: one container's worth of subordinate ids inside the host's 196608.
U=lxum
check "useradd with a subuid range" in_host sh -c "useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 \
    -m -s /bin/bash $U && usermod --add-subuids 65536-131071 --add-subgids 65536-131071 $U"
UID_U=$(in_host id -u "$U")
check "loginctl enable-linger starts its user manager" in_host loginctl enable-linger "$U"
check_eq "user@$UID_U.service is active" "active" \
    "$(poll 60 '^active$' in_host systemctl is-active "user@$UID_U.service")"
check_match "its user bus is there" "socket" \
    "$(poll 30 socket in_host stat -c %F "/run/user/$UID_U/bus")"

# as_user ARGS: a command as the user, with its runtime directory and bus.
as_user() {
    in_host runuser -u "$U" -- env XDG_RUNTIME_DIR="/run/user/$UID_U" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$UID_U/bus" "$@"
}
scopes() { as_user systemctl --user list-units --all --no-legend --plain 'lxmgr-*'; }

check_match "doctor: the user manager gives each container a scope" \
    "ok +cgroups: the systemd user manager gives each container a scope \(Delegate=yes\)" \
    "$(as_user lxmgr doctor 2>&1)"
check "user: create --tarball" as_user lxmgr create dev --tarball /var/tmp/debian.tar --net none
rm -f "$rootfs/var/tmp/debian.tar"
check "user: start --wait" as_user lxmgr start dev --wait
json=$(as_user lxmgr info dev --json)
check_match "user: running with 0 failed units" \
    '"system_state": "running", "failed_units": 0' "$json"
check_match "user: info --json names the user manager as the cgroup source" \
    '"cgroup_source": "user-manager", "cgroup_unit": "lxmgr-[0-9a-f]{8}-dev.scope"' "$json"
unit=$(sed -n 's/.*"cgroup_unit": "\([^"]*\)".*/\1/p' <<<"$json")
check_match "user: info says the scope" \
    "Rootless: +$U's store and subordinate ids; cgroups: a scope of the systemd user manager \(Delegate=yes\), $unit" \
    "$(as_user lxmgr info dev)"
check_eq "the scope is active with Delegate=yes" "ActiveState=active Delegate=yes" \
    "$(as_user systemctl --user show -p ActiveState -p Delegate "$unit" | sort | tr '\n' ' ' | sed 's/ $//')"
cg=$(as_user systemctl --user show -p ControlGroup --value "$unit")
check_match "the scope's cgroup is under user@$UID_U.service" "^/user.slice/.*user@$UID_U.service/.*/$unit\$" "$cg"
init=$(sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p' <<<"$json")
check_match "init runs in the scope's payload cgroup" "^0::$cg/payload/init.scope\$" \
    "$(in_host grep '^0::' "/proc/$init/cgroup")"
check_eq "user: exec works" "12" "$(as_user lxmgr exec dev -- cut -d. -f1 /etc/debian_version)"
check "user: stop" as_user lxmgr stop dev
check_eq "the scope is gone after stop" "" "$(poll 20 '^$' scopes)"
check_eq "no cgroup of it left in the host" "" \
    "$(in_host find /sys/fs/cgroup -name "$unit")"

# kill -9 of the monitor: init dies with it, the scope empties and systemd removes it.
check "user: start again" as_user lxmgr start dev --wait
mon=$(as_user lxmgr info dev --json | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
check_match "the scope is back" "$unit" "$(scopes)"
check "kill -9 the monitor" in_host kill -9 "${mon:-none}"
check_eq "the scope is gone after kill -9 of the monitor" "" "$(poll 20 '^$' scopes)"
check "user: gc removes what the dead monitor left" as_user lxmgr gc
check_eq "no cgroup of it left in the host after gc" "" \
    "$(in_host find /sys/fs/cgroup -name "$unit")"
check_eq "user: stopped" "stopped" "$(as_user lxmgr info dev --json |
    sed -n 's/.*"state": "\([a-z]*\)".*/\1/p')"

# Limits: only where the scope has the controllers (here, the host's cgroup2 has none of
# them: this machine's cgroup2 is the hugetlb-only one of a v1+v2 hybrid).
check "user: config set limits.memory 256M" as_user lxmgr config dev set limits.memory 256M
ctl=$(in_host cat "/sys/fs/cgroup/user.slice/user-$UID_U.slice/user@$UID_U.service/app.slice/cgroup.controllers")
if [[ " $ctl " != *" memory "* ]]; then
    refused 1 "limits.memory: the user manager's scope has no memory controller" \
        "limits.memory is refused in one line naming the missing controller" \
        as_user lxmgr start dev
    check_eq "the refused start left no scope" "" "$(poll 20 '^$' scopes)"
    skip "limits.memory OOM-kills inside" "the scope has no memory controller (controllers: ${ctl:-none})"
    skip "limits.pids holds" "the scope has no pids controller (controllers: ${ctl:-none})"
else
    check "user: config set limits.pids 64" as_user lxmgr config dev set limits.pids 64
    check "user: start with limits" as_user lxmgr start dev --wait
    check_eq "memory.max of the payload" "268435456" \
        "$(in_host cat "/sys/fs/cgroup$cg/payload/memory.max")"
    check_eq "pids.max of the payload" "64" "$(in_host cat "/sys/fs/cgroup$cg/payload/pids.max")"
    check_fails "a 512M allocation is OOM-killed inside" \
        as_user lxmgr exec dev -- sh -c 'head -c 512M /dev/zero | tail >/dev/null'
    check_fails "pids.max holds (100 sleeps)" as_user lxmgr exec dev -- \
        sh -c 'for i in $(seq 100); do sleep 5 & done; wait'
    check "user: stop" as_user lxmgr stop dev
fi
check "user: destroy" as_user lxmgr destroy dev
check_eq "nothing of the user's left: no scope" "" "$(scopes)"
check_eq "no lxmgr cgroup in the host" "" "$(in_host find /sys/fs/cgroup -name 'lxmgr-*')"
check_eq "no process of the user's range" "" \
    "$(in_host ps -eo uid=,pid= | awk '$1 >= 65536 && $1 < 131072 { print $2 }')"
check "userdel" in_host sh -c "loginctl disable-linger $U; loginctl terminate-user $U; userdel -r $U 2>/dev/null; true"
check "stop the systemd host" lx stop um
check_host_clean um "$(uid_base_of um)"
done_testing
