#!/usr/bin/env bash
# Proves: provisioning (user, SSH key, sudo rights, hostname) works on the Ubuntu 24.04,
# CentOS 7 and Alpine guests with each guest's own tools: useradd (Ubuntu, CentOS) or busybox
# adduser (Alpine), the sudo group (Ubuntu) or wheel (Alpine 3.13); asking for sudo on a guest
# that lacks it and cannot install it (CentOS 7, Alpine 3.20: no sudo, no reachable
# repository) is refused before anything is changed, and a create leaves no container (also
# when a package cannot be had, or when it is interrupted in the middle of a step); the
# key's owner is the user's uid inside; a second `provision` changes nothing; a cloud-init
# NoCloud seed is written where the image has cloud-init and refused where it has not; yum
# installs a package asked for later (from a local file:// repository).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
. "$(dirname "$0")/lib/rpm.sh"
setup_store
# leftovers lib|log NAME: what of NAME is in that part of the store (half-built ones too).
leftovers() {
    compgen -G "$T_ROOT/$1/*$2*" ; compgen -G "$T_ROOT/$1/.*$2*"
}
guest_tarball ubuntu-24.04.tar.xz
ubuntu=$GUEST_TARBALL
guest_tarball centos-7.tar.xz
centos=$GUEST_TARBALL
guest_tarball alpine-3.20.tar.gz
alpine=$GUEST_TARBALL
guest_tarball alpine-3.13-openrc.tar.xz
alpine13=$GUEST_TARBALL
# Loopback only: no package source is reachable, and nothing is queried.
printf '[net]\nmode = none\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"
ssh-keygen -q -t ed25519 -N '' -C bob@lxmgr-test -f "$T_ROOT/key" >/dev/null
key=$(cat "$T_ROOT/key.pub")

# check_key_on_disk NAME: authorized_keys in the stopped rootfs, owned by bob's uid inside
# (plus the id base when the rootfs is shifted), modes 700/600, holding the key.
check_key_on_disk() {
    local n=$1 root=$T_ROOT/lib/$1/rootfs uid gid home shift=0
    uid=$(awk -F: '$1 == "bob" { print $3 }' "$root/etc/passwd")
    gid=$(awk -F: '$1 == "bob" { print $4 }' "$root/etc/passwd")
    home=$(awk -F: '$1 == "bob" { print $6 }' "$root/etc/passwd")
    [ "$(lx config "$n" get rootfs.shifted)" = yes ] && shift=$(uid_base_of "$n")
    check_eq "$n: ~bob/.ssh owned by bob inside, 700" "$((uid + shift)):$((gid + shift)):700" \
        "$(stat -c %u:%g:%a "$root$home/.ssh")"
    check_eq "$n: authorized_keys owned by bob inside, 600" \
        "$((uid + shift)):$((gid + shift)):600" "$(stat -c %u:%g:%a "$root$home/.ssh/authorized_keys")"
    check_eq "$n: the key is in it" "$key" "$(cat "$root$home/.ssh/authorized_keys")"
}

# ---- Ubuntu 24.04: useradd, the sudo group ----
T_NAMES+=(u1)
t0=$(now_ms)
out=$(lx create u1 --tarball "$ubuntu" --user bob --ssh-key "$T_ROOT/key.pub" --sudo \
    --hostname ubu-box 2>/dev/null)
echo "# figures: ubuntu-24.04 create+provision_ms=$(($(now_ms) - t0))"
check_eq "ubuntu: create provisions" "u1: provisioned: changed user sudo ssh-key" "$out"
log=$(cat "$T_ROOT/log/u1/provision.log")
check_match "ubuntu: the user made with useradd" "made user bob with useradd" "$log"
check_match "ubuntu: sudo rights through the sudo group" "added bob to group sudo with usermod" "$log"
check_key_on_disk u1
check "ubuntu: start" lx start u1
check_eq "ubuntu: booted" "running" "$(wait_running u1)"
check "ubuntu: bob can sudo without a password" lx exec u1 --user bob -- sudo -n true
check_eq "ubuntu: the hostname" "ubu-box" "$(lx exec u1 -- hostname)"
check_match "ubuntu: /etc/hosts names it" $'127.0.1.1\tubu-box' "$(lx exec u1 -- cat /etc/hosts)"
check_eq "ubuntu: provision again: no change" "u1: provisioned: no change (everything was in place)" \
    "$(lx provision u1 2>&1 | no_progress)"
base=$(uid_base_of u1)
check "ubuntu: stop" lx stop u1
check_host_clean u1 "$base"

# ---- CentOS 7: useradd; no sudo, and yum has no repository to fetch it from ----
T_NAMES+=(c7)
t0=$(now_ms)
out=$(lx create c7 --tarball "$centos" --user bob --ssh-key "$T_ROOT/key.pub" \
    --hostname cent-box 2>/dev/null)
echo "# figures: centos-7 create+provision_ms=$(($(now_ms) - t0))"
check_eq "centos: create provisions" "c7: provisioned: changed user ssh-key" "$out"
check_match "centos: the user made with useradd" "made user bob with useradd" \
    "$(cat "$T_ROOT/log/c7/provision.log")"
check_key_on_disk c7
check_eq "centos: the hostname" "cent-box" "$(cat "$T_ROOT/lib/c7/rootfs/etc/hostname")"
check "centos: ask for sudo in the config" lx config c7 set provision.sudo yes
out=$(lx provision c7 2>&1 | no_progress)
check_eq "centos: sudo refused before anything is changed" \
    "lxmgr: provision c7: provision: preflight: sudo asked for, but the guest has no sudo and yum cannot install it; nothing was changed" \
    "$out"
check_eq "centos: bob is not in wheel" "" \
    "$(awk -F: '$1 == "wheel"' "$T_ROOT/lib/c7/rootfs/etc/group" | grep -w bob)"
check_eq "centos: no sudoers drop-in" "" "$(ls "$T_ROOT/lib/c7/rootfs/etc/sudoers.d" 2>/dev/null)"
check_eq "centos: left stopped" "stopped" "$(lx list | awk '$1 == "c7" { print $2 }')"
check "centos: sudo unset" lx config c7 set provision.sudo no
# yum: a package asked for later is installed by the next provision, from a file://
# repository of a dependency-free noarch RPM built here (the guest's own sources are off).
if command -v rpmbuild >/dev/null && command -v createrepo_c >/dev/null; then
    top=$T_ROOT/rpm
    mkdir -p "$T_ROOT/yum.repos.d"
    check "centos: rpmbuild and createrepo_c make a local repository" make_rpm_repo "$top"
    printf '[lxtest]\nname=lxtest\nbaseurl=file:///srv/lxmgr-repo\ngpgcheck=0\nenabled=1\n' \
        >"$T_ROOT/yum.repos.d/lxtest.repo"
    chmod -R a+rX "$top/repo" "$T_ROOT/yum.repos.d"
    check "centos: the repository shared in" lx config c7 set mount.repo "$top/repo:/srv/lxmgr-repo:ro"
    check "centos: only it as a yum source" \
        lx config c7 set mount.yumrepos "$T_ROOT/yum.repos.d:/etc/yum.repos.d:ro"
    check "centos: provision.packages set" lx config c7 set provision.packages lxtest
    check_eq "centos: provision installs it with yum" "c7: provisioned: changed packages" \
        "$(lx provision c7 2>&1 | no_progress)"
    check_match "centos: yum did it" "Installed:.*lxtest" "$(tr '\n' ' ' <"$T_ROOT/log/c7/provision.log")"
    check_eq "centos: the package's file is there" "from the host" \
        "$(cat "$T_ROOT/lib/c7/rootfs/usr/share/lxtest/hello")"
else
    skip_one "centos: provision installs a package with yum" "rpmbuild or createrepo_c missing"
fi
check_eq "centos: provision of the stopped container: no change" \
    "c7: provisioned: no change (everything was in place)" "$(lx provision c7 2>&1 | no_progress)"
check_host_clean c7 "$(uid_base_of c7)"

# ---- Alpine 3.20 minirootfs: busybox adduser; no sudo ----
out=$(lx create a0 --tarball "$alpine" --user bob --sudo 2>&1 | grep -v ': rootfs: ' | no_progress)
check_eq "alpine: create --sudo refused in one line" \
    "lxmgr: create a0: provision: preflight: sudo asked for, but the guest has no sudo and apk cannot install it; nothing was created" \
    "$out"
check_eq "alpine: no container left" "" "$(leftovers lib a0)"
check_eq "alpine: no log left" "" "$(leftovers log a0)"
out=$(lx create a0 --tarball "$alpine" --packages no-such-package 2>&1 | no_progress | grep '^lxmgr: .*preflight')
check_eq "alpine: a package apk cannot install is refused" \
    "lxmgr: create a0: provision: preflight: apk cannot install: no-such-package; nothing was created" \
    "$out"
check_eq "alpine: no container left" "" "$(leftovers lib a0)"
# Interrupted (SIGTERM) in the middle of a step: the step ends, the container is removed.
printf '#!/bin/sh\ntouch /started; sleep 30\n' >"$T_ROOT/slow.sh"
"$LXMGR" --root "$T_ROOT" create a0 --tarball "$alpine" --user bob --run "$T_ROOT/slow.sh" \
    >/dev/null 2>"$T_ROOT/err" &
pid=$!
for _ in $(seq 1 300); do
    [ -e "$T_ROOT/lib/a0/rootfs/started" ] && break
    sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
check_eq "alpine: create ends with 1 when interrupted" "1" "$?"
check_eq "alpine: it names the step and says the container was removed" \
    "lxmgr: create a0: provision: step run failed (exit status 143): the container was removed" \
    "$(tail -n 1 "$T_ROOT/err")"
check_eq "alpine: no container left" "" "$(leftovers lib a0)"
check_eq "alpine: no log left" "" "$(leftovers log a0)"
check_eq "alpine: no cgroup left" "" "$(host_cgroups_of a0)"
echo "cloud-config" >"$T_ROOT/user-data"
out=$(lx create a0 --tarball "$alpine" --cloud-init "$T_ROOT/user-data" 2>&1 | grep -v ': rootfs: ' | no_progress)
check_match "alpine: --cloud-init refused, the image has no cloud-init" \
    "^lxmgr: create a0: provision: cloud-init: the image has no cloud-init" "$out"
check_eq "alpine: no container left" "" "$(leftovers lib a0)"

# provision's own refusals, and a container without [provision] keys.
refused 2 "^lxmgr: provision: expected NAME" "provision without NAME is a usage error (2)" lx provision
refused 1 "^lxmgr: provision ghost: store: no container named 'ghost'" \
    "provision of a missing container: one line" lx provision ghost
T_NAMES+=(plain)
check "alpine: a container made without provisioning" lx create plain --tarball "$alpine"
check_eq "alpine: provision has nothing to do there (and boots nothing)" \
    "plain: nothing to provision (no [provision] keys are set)" "$(lx provision plain 2>&1 | no_progress)"
check_eq "alpine: it was not started (no console log)" "" "$(ls "$T_ROOT/log/plain/console.log" 2>/dev/null)"
check "alpine: removed" lx destroy plain

T_NAMES+=(a3)
out=$(lx create a3 --tarball "$alpine" --user bob --ssh-key "$T_ROOT/key.pub" \
    --hostname alp-box 2>/dev/null)
check_eq "alpine: create provisions" "a3: provisioned: changed user ssh-key" "$out"
check_match "alpine: the user made with busybox adduser" "made user bob with adduser" \
    "$(cat "$T_ROOT/log/a3/provision.log")"
check_eq "alpine: bob's shell is /bin/sh, home /home/bob" "/home/bob:/bin/sh" \
    "$(awk -F: '$1 == "bob" { print $6 ":" $7 }' "$T_ROOT/lib/a3/rootfs/etc/passwd")"
check_key_on_disk a3
check_match "alpine: /etc/hosts names alp-box" $'127.0.1.1\talp-box' \
    "$(cat "$T_ROOT/lib/a3/rootfs/etc/hosts")"
# An image with cloud-init gets the NoCloud seed (cloud-init itself is not in these images:
# the test puts a stand-in at /usr/bin/cloud-init, since only its presence is checked).
printf '#!/bin/sh\n' >"$T_ROOT/lib/a3/rootfs/usr/bin/cloud-init"
check "alpine: provision.cloud_init set" lx config a3 set provision.cloud_init "$T_ROOT/user-data"
check_eq "alpine: provision seeds it" "a3: provisioned: changed cloud-init" "$(lx provision a3 2>&1 | no_progress)"
seed=$T_ROOT/lib/a3/rootfs/var/lib/cloud/seed/nocloud
check_eq "alpine: user-data is the file" "cloud-config" "$(cat "$seed/user-data")"
check_eq "alpine: meta-data has the uuid and hostname" \
    "instance-id: $(lx config a3 get container.uuid) local-hostname: alp-box" "$(tr '\n' ' ' <"$seed/meta-data" | sed 's/ $//')"
check_eq "alpine: seed mode 600" "600" "$(stat -c %a "$seed/user-data")"
check_eq "alpine: provision again: no change" "a3: provisioned: no change (everything was in place)" \
    "$(lx provision a3 2>&1 | no_progress)"
check_host_clean a3 "$(uid_base_of a3)"
# A snapshot clone's rootfs exists only as an overlay: stopped, it is seeded through its view
# (its upper layer), with its own instance-id; running, its seed is read, never written.
check "alpine: a snapshot clone" lx clone a3 a3s --snapshot
check_eq "alpine: the stopped snapshot gets a seed of its own" "a3s: provisioned: changed cloud-init" \
    "$(lx provision a3s 2>&1 | no_progress)"
upper=$T_ROOT/lib/a3s/overlay/upper/var/lib/cloud/seed/nocloud
check_match "alpine: in its upper layer, with its own uuid" \
    "^instance-id: $(lx config a3s get container.uuid)$" "$(head -1 "$upper/meta-data")"
check_match "alpine: a3's own seed unchanged" "^instance-id: $(lx config a3 get container.uuid)$" \
    "$(head -1 "$seed/meta-data")"
check_eq "alpine: nothing written into its rootfs directory" "" "$(ls -A "$T_ROOT/lib/a3s/rootfs")"
check "alpine: start the snapshot" lx start a3s
check_eq "alpine: provision of the running snapshot: no change" \
    "a3s: provisioned: no change (everything was in place)" "$(lx provision a3s 2>&1 | no_progress)"
printf 'other\n' >"$T_ROOT/user-data2"
check "alpine: another user-data" lx config a3s set provision.cloud_init "$T_ROOT/user-data2"
check_eq "alpine: a new seed for the running snapshot is refused in one line" \
    "lxmgr: provision a3s: provision: cloud-init: a3s is a running snapshot clone, whose upper layer cannot be written beside its overlay: stop it and provision again" \
    "$(lx provision a3s 2>&1 | no_progress)"
check "alpine: stop the snapshot" lx stop a3s
check "alpine: the snapshot removed" lx destroy a3s

# ---- Alpine 3.13 (has sudo): busybox addgroup into wheel ----
T_NAMES+=(a13)
out=$(lx create a13 --tarball "$alpine13" --user bob --ssh-key "$T_ROOT/key.pub" --sudo 2>/dev/null)
# Its openssh is installed but not enabled: --ssh-key enables and starts it (OpenRC).
check_eq "alpine 3.13: create provisions, the SSH server too" \
    "a13: provisioned: changed user sudo ssh-key ssh-server" "$out"
check_match "alpine 3.13: sudo rights through wheel" "added bob to group wheel with addgroup" \
    "$(cat "$T_ROOT/log/a13/provision.log")"
check_key_on_disk a13
check "alpine 3.13: start" lx start a13
check "alpine 3.13: bob can sudo without a password" wait_inside a13 10 su bob -c 'sudo -n true'
check_match "alpine 3.13: sshd is in the default runlevel" "sshd" \
    "$(lx exec a13 -- rc-update show default 2>&1)"
check "alpine 3.13: and running after the boot" wait_inside a13 10 rc-service sshd status
check_eq "alpine 3.13: as root" "0" "$(lx exec a13 --user bob -- sudo -n id -u)"
base=$(uid_base_of a13)
check "alpine 3.13: stop" lx stop a13
check_host_clean a13 "$base"

done_testing
