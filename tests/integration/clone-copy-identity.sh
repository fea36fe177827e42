#!/usr/bin/env bash
# Proves: clone copies a stopped container into one with a new uuid, id range, address, MAC,
# hostname and machine-id and without the source's SSH host keys, DHCP leases and dbus
# machine-id; both boot side by side and ping each other; the source is untouched; a
# running source and bad input are refused in one line; a clone interrupted by SIGINT or
# SIGTERM leaves nothing.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store

new_debian cporig
add_busybox cporig
r=$T_ROOT/lib/cporig/rootfs
# What a machine that ran for a while holds: keys, a lease, a dbus id, a random seed.
mkdir -p "$r/etc/ssh" "$r/var/lib/dhcp" "$r/var/lib/dbus"
echo key >"$r/etc/ssh/ssh_host_ed25519_key"
echo key >"$r/etc/ssh/ssh_host_ed25519_key.pub"
echo 'Port 22' >"$r/etc/ssh/sshd_config"
echo lease >"$r/var/lib/dhcp/dhclient.eth0.leases"
rm -f "$r/var/lib/dbus/machine-id"
echo 0123456789abcdef0123456789abcdef >"$r/var/lib/dbus/machine-id"
# An sshd (a stand-in: no ssh-keygen in this guest) so that the keygen unit is installed.
install -D -m 0755 /bin/true "$r/usr/sbin/sshd"

T_NAMES+=(cpcopy)
check "clone cporig cpcopy --hostname" lx clone cporig cpcopy --hostname copyhost
c=$T_ROOT/lib/cpcopy/rootfs
check_eq "/etc/hostname is the new hostname" "copyhost" "$(cat "$c/etc/hostname")"
check_match "/etc/hosts names it" "127.0.1.1[[:space:]]+copyhost" "$(cat "$c/etc/hosts")"
check_eq "/etc/machine-id is empty" "0" "$(stat -c %s "$c/etc/machine-id")"
check_fails "the SSH host keys are gone" test -e "$c/etc/ssh/ssh_host_ed25519_key"
check "sshd_config stays" test -f "$c/etc/ssh/sshd_config"
check_fails "the DHCP lease is gone" test -e "$c/var/lib/dhcp/dhclient.eth0.leases"
check_fails "the dbus machine-id is gone" test -e "$c/var/lib/dbus/machine-id"
check "the keygen unit is enabled" \
    test -L "$c/etc/systemd/system/multi-user.target.wants/lxmgr-ssh-keygen.service"
check "the source keeps its keys" test -f "$r/etc/ssh/ssh_host_ed25519_key"
check_eq "the source's config is the clone's base" "bridge" "$(lx config cpcopy get net.mode)"
check_eq "the clone is no snapshot" "" "$(lx config cpcopy get rootfs.snapshot_of)"
check_eq "the clone records its source" "clone of cporig" "$(lx config cpcopy get rootfs.source)"
for key in container.uuid idmap.uid_base idmap.gid_base net.ip; do
    a=$(lx config cporig get $key)
    b=$(lx config cpcopy get $key)
    [ -n "$b" ] && [ "$a" != "$b" ] && ok "$key differs ($a, $b)" ||
        not_ok "$key differs" "cporig: $a" "cpcopy: $b"
done
check_eq "files keep the distribution's owners" "0 0" "$(stat -c '%u %g' "$c/etc/sudo.conf")"

check "start the original" lx start cporig
check "start the clone beside it" lx start cpcopy
check_eq "the original reaches running" "running" "$(wait_running cporig)"
check_eq "the clone reaches running" "running" "$(wait_running cpcopy)"
check_eq "no unit failed in the clone (keygen skipped: no ssh-keygen)" "" \
    "$(lx exec cpcopy -- systemctl --failed --no-legend --plain)"
check_eq "hostname inside" "copyhost" "$(lx exec cpcopy -- hostname)"
m1=$(lx exec cporig -- cat /etc/machine-id)
m2=$(lx exec cpcopy -- cat /etc/machine-id)
[ -n "$m2" ] && [ "$m1" != "$m2" ] && ok "machine-ids differ ($m1, $m2)" ||
    not_ok "machine-ids differ" "cporig: $m1" "cpcopy: $m2"
a1=$(lx exec cporig -- cat /sys/class/net/eth0/address)
a2=$(lx exec cpcopy -- cat /sys/class/net/eth0/address)
[ -n "$a2" ] && [ "$a1" != "$a2" ] && ok "MACs differ ($a1, $a2)" ||
    not_ok "MACs differ" "cporig: $a1" "cpcopy: $a2"
ip1=$(lx config cporig get net.ip)
ip2=$(lx config cpcopy get net.ip)
check "the original pings the clone" lx exec cporig -- busybox ping -c1 -W3 "$ip2"
check "the clone pings the original" lx exec cpcopy -- busybox ping -c1 -W3 "$ip1"
out=$(lx clone cporig other 2>&1)
check_match "a running source is refused" "^lxmgr: clone cporig: clone: cporig is running: stop it first$" "$out"
b1=$(uid_base_of cporig)
b2=$(uid_base_of cpcopy)
check "stop the original" lx stop cporig
check "stop the clone" lx stop cpcopy
check_host_clean cporig "$b1"
check_host_clean cpcopy "$b2"

# Refused before anything is made.
out=$(lx clone cporig cpcopy 2>&1)
check_match "an existing name is refused" "a container named 'cpcopy' exists already" "$out"
check_match "a missing source is refused" "nosuch" "$(lx clone nosuch x 2>&1)"
refused 1 "^lxmgr: clone bad/name: create: invalid container name 'bad/name': " \
    "an invalid name is refused" lx clone cporig 'bad/name'
refused 1 "^lxmgr: clone c3: .*192\.168\.250\.7 is outside the pool" "an address outside the pool is refused" \
    lx clone cporig c3 --ip 192.168.250.7
refused 2 "^lxmgr: clone: " "a missing DST is a usage error" lx clone cporig

for sig in INT TERM; do
    # lxmgr itself, not a subshell, and with SIGINT not ignored as bash does for a job.
    env --default-signal=INT "$LXMGR" --root "$T_ROOT" clone cporig "cut$sig" >/dev/null 2>&1 &
    pid=$!
    # Into the cpcopy of ~170 MB (the progress file shows it started), then the signal.
    for _ in $(seq 1 100); do
        compgen -G "$T_ROOT/lib/.cut$sig.create-*/rootfs" >/dev/null && break
        sleep 0.05
    done
    sleep 0.1
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" != 0 ] && ok "SIG$sig ends the clone with a failure ($rc)" ||
        not_ok "SIG$sig ends the clone with a failure" "it finished first (rc 0)"
    check_eq "SIG$sig: nothing is left of it" "" \
        "$(find "$T_ROOT/lib" -mindepth 1 -maxdepth 1 -name "*cut$sig*" -printf '%f\n')"
done
check_eq "the store holds only the two" "cpcopy cporig" "$(ls "$T_ROOT/lib" | tr '\n' ' ' | sed 's/ $//')"
done_testing
