#!/usr/bin/env bash
# Run by tests/integration/rootless-vm-limits.sh (make check), or by hand: rootless lxmgr's
# limits through the systemd user manager's scope on a real pure cgroup2 systemd host, where
# the CI machine (a v1+v2 hybrid whose cgroup2 has hugetlb only) cannot show them. Builds a
# Debian 12 VM disk (debootstrap, with linux-image-amd64 and dbus-user-session; the tree is
# kept in WORKDIR for the next run), installs this build of lxmgr in it (make install
# DESTDIR), adds a lingering user with a subuid range and the Debian 12 test rootfs as a
# tarball; at boot a unit runs, as that user: create, limits.memory 256M and limits.pids 64,
# start --wait, the scope's Delegate and controllers, a 512M allocation (OOM-killed), 100
# background sleeps, stop, and the scope and cgroups gone; then powers off. Prints the
# result lines (RESULT ...), read from the VM's disk afterwards.
#   scripts/vm-rootless-limits.sh BUILDDIR [WORKDIR]    (as root; needs qemu-system-x86)
# qemu runs with TCG: on the CI machine, /dev/kvm is a nested KVM that refuses MSR 0x10a
# with -cpu host and hangs the guest kernel with the default CPU model.
set -euo pipefail

build=${1:?usage: $0 BUILDDIR [WORKDIR]}
work=${2:-/var/tmp/lxmgr-vm-rootless}
here=$(cd "$(dirname "$0")/.." && pwd)
root=$work/root
mirror=$(awk '/^(URIs:|deb )/ && !/security/ && !m { m = $2 } END { print m }' \
    /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null || true)
mkdir -p "$work"
if [ ! -x "$root/sbin/init" ]; then
    debootstrap --variant=minbase \
        --include=systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,uidmap,linux-image-amd64,initramfs-tools,libnl-route-3-200,libnftables1,libuuid1,libseccomp2,libiniparser1,libcrypt1,libsystemd0,sudo,iproute2,procps \
        bookworm "$root" "$mirror"
fi
make -s -C "$build" install DESTDIR="$root"
chroot "$root" sh -c 'id lxum >/dev/null 2>&1 || { useradd -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 -m -s /bin/bash lxum &&
    usermod --add-subuids 100000-165535 --add-subgids 100000-165535 lxum; }'
mkdir -p "$root/var/lib/systemd/linger" && touch "$root/var/lib/systemd/linger/lxum"
echo '/dev/vda / ext4 rw 0 1' >"$root/etc/fstab"
tar -C "$(bash "$here/tests/integration/lib/debian-rootfs.sh" bookworm)" --numeric-owner --xattrs \
    --warning=no-file-changed -cf "$root/var/tmp/debian.tar" . || [ $? = 1 ]
chmod 644 "$root/var/tmp/debian.tar"
cat >"$root/root/umtest.sh" <<'EOF'
#!/bin/bash
exec >/root/umtest.out 2>&1
U() { runuser -u lxum -- env XDG_RUNTIME_DIR=/run/user/1000 DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus "$@"; }
for _ in $(seq 90); do [ -S /run/user/1000/bus ] && break; sleep 1; done
echo "RESULT cgroup fs: $(stat -f -c %T /sys/fs/cgroup)"
U lxmgr doctor | sed -n 's/^/RESULT doctor: /; /cgroups/p'
U lxmgr create dev --tarball /var/tmp/debian.tar --net none 2>/dev/null
U lxmgr config dev set limits.memory 256M
U lxmgr config dev set limits.pids 64
U lxmgr start dev --wait; echo "RESULT start --wait: exit $?"
U lxmgr info dev | sed -n 's/^/RESULT info: /; /System:\|Rootless:/p'
unit=$(U lxmgr info dev --json | sed -n 's/.*"cgroup_unit": "\([^"]*\)".*/\1/p')
cg=/sys/fs/cgroup$(U systemctl --user show -p ControlGroup --value "$unit")
echo "RESULT scope: $(U systemctl --user show -p ActiveState -p Delegate "$unit" | tr '\n' ' ')controllers: $(cat "$cg/cgroup.controllers")"
echo "RESULT payload: memory.max=$(cat "$cg/payload/memory.max") pids.max=$(cat "$cg/payload/pids.max")"
U lxmgr exec dev -- sh -c 'head -c 512M /dev/zero | tail >/dev/null'
echo "RESULT 512M allocation: exit $? ($(grep oom_kill "$cg/payload/memory.events"))"
U lxmgr exec dev -- sh -c 'for i in $(seq 100); do sleep 20 & done 2>/dev/null; sleep 1; pgrep -c sleep'
echo "RESULT 100 sleeps: exit $?; init.scope pids.max=$(cat "$cg/payload/init.scope/pids.max") $(cat "$cg/payload/init.scope/pids.events")"
U lxmgr info dev | sed -n 's/^/RESULT info: /; /Last event:/p'
U lxmgr stop dev; echo "RESULT stop: exit $?"
sleep 2
echo "RESULT units after stop: [$(U systemctl --user list-units --all --no-legend 'lxmgr-*')]"
echo "RESULT cgroups after stop: [$(find /sys/fs/cgroup -name 'lxmgr-*')]"
U lxmgr destroy dev
systemctl poweroff
EOF
chmod 755 "$root/root/umtest.sh"
cat >"$root/etc/systemd/system/umtest.service" <<'EOF'
[Unit]
Description=rootless lxmgr: limits through the user manager's scope
After=user@1000.service systemd-user-sessions.service
Wants=user@1000.service
[Service]
Type=oneshot
ExecStart=/root/umtest.sh
[Install]
WantedBy=multi-user.target
EOF
chroot "$root" systemctl enable umtest.service
rm -f "$work/disk.img"
truncate -s 3G "$work/disk.img"
mkfs.ext4 -q -F -d "$root" "$work/disk.img"
kernel=$(ls "$root"/boot/vmlinuz-* | tail -n1)
timeout 900 qemu-system-x86_64 -accel tcg,thread=multi -cpu max -m 2048 -smp 2 \
    -kernel "$kernel" -initrd "${kernel/vmlinuz/initrd.img}" \
    -append "root=/dev/vda rw console=ttyS0,115200 quiet systemd.unified_cgroup_hierarchy=1" \
    -drive file="$work/disk.img",format=raw,if=virtio -nographic -no-reboot -nic none \
    >"$work/console.log" 2>&1
# The serial getty hangs up a tty writer: the results are read from the disk image.
debugfs -R 'cat /root/umtest.out' "$work/disk.img" 2>/dev/null | grep '^RESULT'
