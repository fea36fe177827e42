#!/usr/bin/env bash
# Proves: guests made like vendor and cloud images (CentOS 7 with systemd 219, Debian 12 with
# systemd 252) given what such images carry (an fstab with a UUID= root, auditd, kdump, rngd,
# plymouth and rpc_pipefs units that fail in a container, ifcfg scripts naming an eth0 that
# net.mode none has not got, cloud-init with `datasource_list: [ Ec2, None ]` that would wait
# for a metadata service) boot to `running` with 0 failed units thanks to lxmgr's owned
# fix-ups, which info lists; `start --wait` returns only once the guest is up, also on systemd
# 219; `config set guest.fixups no` removes them (the units then fail, --wait says so in one
# line and doctor names each failed unit and its fix-up); a NoCloud seed takes effect; exec
# passes a LANG the guest has; lxmgr's SSH key unit leaves a guest's own sshd-keygen alone and
# makes no DSA key.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
guest_tarball centos-7.tar.xz

FAKE_UNITS="auditd.service kdump.service rngd.service rngd-wake-threshold.service plymouth-start.service"

# unit DIR NAME TARGET TEXT: a unit file in the image's /usr/lib/systemd/system, enabled.
unit() {
    local dir=$1 name=$2 target=$3
    printf '%s\n' "$4" >"$dir/usr/lib/systemd/system/$name"
    mkdir -p "$dir/etc/systemd/system/$target.wants"
    ln -sf "/usr/lib/systemd/system/$name" "$dir/etc/systemd/system/$target.wants/$name"
}

# make_cloudy DIR: adds to the image at DIR what a cloud image has and a container cannot run.
make_cloudy() {
    local d=$1 u
    mkdir -p "$d/usr/local/sbin" "$d/etc/sysconfig/network-scripts" "$d/etc/rc.d/init.d" \
        "$d/etc/cloud" "$d/var/lib/nfs/rpc_pipefs"
    printf '#!/bin/sh\n! systemd-detect-virt -cq || { echo "$1: cannot work in a container" >&2; exit 1; }\n' \
        >"$d/usr/local/sbin/fails-in-container"
    chmod 755 "$d/usr/local/sbin/fails-in-container"
    for u in $FAKE_UNITS; do
        unit "$d" "$u" multi-user.target "[Unit]
Description=$u as a cloud image has it
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/fails-in-container $u
[Install]
WantedBy=multi-user.target"
    done
    unit "$d" var-lib-nfs-rpc_pipefs.mount multi-user.target "[Unit]
Description=RPC Pipe File System
[Mount]
What=sunrpc
Where=/var/lib/nfs/rpc_pipefs
Type=rpc_pipefs
[Install]
WantedBy=multi-user.target"
    printf 'UUID=6cd50e51-cfc6-40b9-9ec5-f32fa2e4ff02 /     xfs defaults 0 0\nUUID=3b2a1c8e-2d8d-4e9f-a0c1-5b7f0e2d9a11 /boot xfs defaults 0 0\n' \
        >"$d/etc/fstab"
    printf 'DEVICE="eth0"\nBOOTPROTO="dhcp"\nONBOOT="yes"\n' >"$d/etc/sysconfig/network-scripts/ifcfg-eth0"
    printf 'DEVICE=lo\nIPADDR=127.0.0.1\nONBOOT=yes\n' >"$d/etc/sysconfig/network-scripts/ifcfg-lo"
    # initscripts' network: ifup of each ifcfg device, which fails for a device not there.
    cat >"$d/etc/rc.d/init.d/network" <<'EOF'
#!/bin/sh
# chkconfig: 2345 10 90
# description: ifup of every ifcfg device, as initscripts does
[ "$1" = start ] || exit 0
for f in /etc/sysconfig/network-scripts/ifcfg-*; do
    DEVICE=; . "$f"
    [ "$DEVICE" = lo ] || [ -e "/sys/class/net/$DEVICE" ] ||
        { echo "Bringing up interface $DEVICE: ERROR: Device $DEVICE does not seem to be present"; exit 1; }
done
EOF
    chmod 755 "$d/etc/rc.d/init.d/network"
    # cloud-init: the first datasource of the last datasource_list read wins; Ec2 waits.
    echo 'datasource_list: [ Ec2, None ]' >"$d/etc/cloud/cloud.cfg"
    cat >"$d/usr/bin/cloud-init" <<'EOF'
#!/bin/sh
first=$(cat /etc/cloud/cloud.cfg $(ls /etc/cloud/cloud.cfg.d/*.cfg 2>/dev/null | sort) |
    sed -n 's/^datasource_list: *\[ *\([A-Za-z0-9]*\).*/\1/p' | tail -n 1)
case $first in
Ec2) echo "waiting for the EC2 metadata service at 169.254.169.254" >&2; sleep 25; exit 1 ;;
NoCloud) if [ -s /var/lib/cloud/seed/nocloud/user-data ]; then
        mkdir -p /var/lib/cloud/instance
        cp /var/lib/cloud/seed/nocloud/user-data /var/lib/cloud/instance/user-data.txt
        echo NoCloud >/run/cloud-init-datasource; exit 0
    fi ;;
esac
echo None >/run/cloud-init-datasource
EOF
    chmod 755 "$d/usr/bin/cloud-init"
    unit "$d" cloud-init.service multi-user.target "[Unit]
Description=Initial cloud-init job
After=local-fs.target
[Service]
Type=oneshot
ExecStart=/usr/bin/cloud-init init
TimeoutSec=0
[Install]
WantedBy=multi-user.target"
}

rootfs_of() {
    lx info "$1" | sed -n 's/^Rootfs: *\([^ ]*\) .*/\1/p'
}

# boot_up NAME: start --wait, timed; the state right after it returns, and no failed unit.
boot_up() {
    local n=$1 t0
    t0=$(now_ms)
    check "$n: start --wait" lx start "$n" --wait
    BOOT_MS=$(($(now_ms) - t0))
    check_eq "$n: running as soon as start --wait returns" "running" \
        "$(lx exec "$n" -- systemctl is-system-running 2>/dev/null)"
    check_eq "$n: no failed unit" "" "$(lx exec "$n" -- systemctl --failed --no-legend)"
}

# --- CentOS 7, systemd 219: its own sshd-keygen, no C.UTF-8 in glibc 2.17 ---
c7src=$T_ROOT/src-c7
mkdir -p "$c7src"
tar -xJf "$GUEST_TARBALL" -C "$c7src" || not_ok "unpack the CentOS 7 tarball"
make_cloudy "$c7src"
mkdir -p "$c7src/etc/rc.d/rc3.d"
ln -sf ../init.d/network "$c7src/etc/rc.d/rc3.d/S10network"
printf '#!/bin/sh\nexit 0\n' >"$c7src/usr/sbin/sshd" && chmod 755 "$c7src/usr/sbin/sshd"
printf '[Unit]\nDescription=OpenSSH Server Key Generation\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
    >"$c7src/usr/lib/systemd/system/sshd-keygen.service"
guest_create c7 rootfs "$c7src"
rm -rf --one-file-system "$c7src"
check_fails "c7: no lxmgr-ssh-keygen where the guest has sshd-keygen.service" \
    test -e "$(rootfs_of c7)/etc/systemd/system/lxmgr-ssh-keygen.service"
boot_up c7
check_match "c7: info lists the fix-ups" \
    "^Fix-ups: *auditd.service \(off\), kdump.service \(off\), rngd.service \(off\), rngd-wake-threshold.service \(off\), plymouth-start.service \(off\), var-lib-nfs-rpc_pipefs.mount \(off\), network.service \(only with its ifcfg devices\), fstab \(2 disk lines commented out\), cloud-init \(NoCloud first\)$" \
    "$(lx info c7 | grep '^Fix-ups:')"
check_eq "c7: cloud-init waited for no metadata service" "None" \
    "$(lx exec c7 -- cat /run/cloud-init-datasource)"
check_eq "c7: network.service was skipped, not failed (no eth0)" "inactive" \
    "$(lx exec c7 -- systemctl is-active network.service)"
check_match "c7: doctor finds no failed unit" "^ok +c7: no failed unit$" "$(lx doctor c7 2>&1 | grep 'c7: .*unit')"
check_eq "c7: exec passes no LANG glibc 2.17 lacks" "[]" \
    "$(env -u LANG "$LXMGR" --root "$T_ROOT" exec c7 -- sh -c 'echo "[$LANG]"')"
check_eq "c7: nor a caller's C.UTF-8" "" \
    "$(LANG=C.UTF-8 "$LXMGR" --root "$T_ROOT" exec c7 -- locale 2>&1 >/dev/null)"
c7_boot=$BOOT_MS
guest_stop c7 centos-7-cloud
BOOT_MS=$c7_boot

# --- Debian 12, systemd 252: lxmgr's SSH keys, a NoCloud seed, fix-ups off and on ---
dsrc=$T_ROOT/src-deb
cp -a "$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm ssh)" "$dsrc" ||
    not_ok "copy the Debian rootfs with sshd"
make_cloudy "$dsrc"
unit "$dsrc" network.service multi-user.target "[Unit]
Description=LSB: Bring up/down networking
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/etc/rc.d/init.d/network start
[Install]
WantedBy=multi-user.target"
echo 'ssh_keys:x:990:' >>"$dsrc/etc/group"
printf '#cloud-config\nruncmd: [ touch /run/from-user-data ]\n' >"$T_ROOT/user-data"
T_NAMES+=(cl)
out=$(lx create cl --rootfs "$dsrc" --cloud-init "$T_ROOT/user-data" 2>&1)
check_match "cl: create seeds cloud-init" "cloud-init" "$out"
rm -rf --one-file-system "$dsrc"
check "cl: a stop timeout" lx config cl set container.stop_timeout "$STOP_TIMEOUT"
check "cl: loopback only" lx config cl set net.mode none
droot=$(rootfs_of cl)
check_match "cl: the seed comes with NoCloud first" "^datasource_list: \[ NoCloud, None \]$" \
    "$(grep datasource_list "$droot/etc/cloud/cloud.cfg.d/99_lxmgr-datasource.cfg")"
out=$(lx provision cl 2>&1)
check_fails "cl: provision again reports no cloud-init change" grep -q "changed.*cloud-init" <<<"$out"
boot_up cl
check_eq "cl: the NoCloud seed took effect" "NoCloud" "$(lx exec cl -- cat /run/cloud-init-datasource)"
check_eq "cl: RSA, ECDSA and Ed25519 host keys, no DSA" \
    "ssh_host_ecdsa_key ssh_host_ed25519_key ssh_host_rsa_key" \
    "$(lx exec cl -- sh -c 'cd /etc/ssh && echo ssh_host_*_key')"
check_eq "cl: group ssh_keys 0640 where that group exists" "640 ssh_keys" \
    "$(lx exec cl -- stat -c '%a %G' /etc/ssh/ssh_host_ed25519_key)"
check_eq "cl: exec passes C.UTF-8, which the guest has" "C.UTF-8" \
    "$(env -u LANG "$LXMGR" --root "$T_ROOT" exec cl -- sh -c 'echo $LANG')"
d_boot=$BOOT_MS
check "cl: stop" lx stop cl

# Off: every fix-up goes at once, and the guest degrades as a cloud image does.
check "cl: guest.fixups no" lx config cl set guest.fixups no
check_eq "cl: info lists only the cloud-init file the seed needs" \
    "Fix-ups:    cloud-init (NoCloud first) (guest.fixups no)" "$(lx info cl | grep '^Fix-ups:')"
check_eq "cl: the fstab lines are back" "2" "$(grep -c '^UUID=' "$droot/etc/fstab")"
check_eq "cl: no drop-in left" "" "$(ls -d "$droot"/etc/systemd/system/*.d/lxmgr-container.conf 2>/dev/null)"
out=$(lx start cl --wait 2>&1)
check_match "cl: start --wait says in one line that the guest is degraded" \
    "^lxmgr: start cl: .*degraded \([0-9]+ failed units\): lxmgr doctor cl names them$" "$out"
check_eq "cl: one line" "1" "$(echo "$out" | wc -l)"
# The state can read degraded from the first failure on; wait (at most 15 s) until the unit
# doctor is asked about has run and failed too.
for _ in $(seq 1 150); do
    lx exec cl -- systemctl is-failed -q auditd.service && break
    sleep 0.1
done
echo "# failed without the fix-ups: $(lx exec cl -- systemctl --failed --no-legend --plain | awk '{ printf "%s ", $1 }')"
out=$(lx doctor cl 2>&1 | grep 'cl: unit')
check_match "cl: doctor names auditd.service, its cause and its fix-up" \
    "FAIL +cl: unit auditd.service failed \(exit-code\): the kernel's audit .*; lxmgr has a fix-up: off, set guest.fixups yes" "$out"
check_match "cl: and network.service" "FAIL +cl: unit network.service failed .*ifcfg" "$out"
check "cl: stop" lx stop cl
check "cl: guest.fixups yes" lx config cl set guest.fixups yes
boot_up cl
BOOT_MS=$d_boot
guest_stop cl debian-12-cloud

done_testing
