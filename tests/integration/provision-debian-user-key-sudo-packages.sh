#!/usr/bin/env bash
# Proves: `create --user --ssh-key --sudo --packages --timezone --run --password-file` on
# Debian 12 provisions the guest with its own tools and records it under [provision] (root's
# password as the hash create wrote): after a boot the user can `sudo -n true` (no password),
# the key is in ~/.ssh/authorized_keys owned by the user's uid inside with modes 700/600,
# `less` (from Debian's archive, not in minbase) is installed, the zone is set, the first-boot
# script ran once; `lxmgr provision` on the running container then changes nothing and says
# so, repairs what drifted (group, mode, root's password) and applies a new hostname; bad
# values are refused before anything is made; a failing step fails the create naming the step
# and leaves no container; `info` points at the log.
# Packages: apt inside the guest installs from a file:// repository of .debs that the host's
# apt-get downloaded from deb.debian.org (bind-mounted in with mount.*), so no DNS query is
# made from the container.
. "$(dirname "$0")/lib/common.sh"
setup_store
# leftovers lib|log NAME: what of NAME is in that part of the store (half-built ones too).
leftovers() {
    compgen -G "$T_ROOT/$1/*$2*" ; compgen -G "$T_ROOT/$1/.*$2*"
}
rootfs=$(debian_rootfs)

# The repository: less from Debian's archive, fetched by the host's apt (cached).
repo=/var/cache/lxmgr-test/provision-repo
if [ ! -s "$repo/Packages" ]; then
    mkdir -p "$repo.tmp" && (cd "$repo.tmp" && apt-get download -q less >/dev/null 2>&1 &&
        dpkg-scanpackages . /dev/null 2>/dev/null >Packages) && rm -rf "$repo" &&
        mv "$repo.tmp" "$repo" || { rm -rf "$repo.tmp"; skip_all "apt-get download less failed"; }
fi
chmod -R a+rX "$repo"
echo 'deb [trusted=yes] file:/srv/lxmgr-repo ./' >"$T_ROOT/sources.list"
chmod 644 "$T_ROOT/sources.list"
# Loopback only: provisioning needs no network here, and none is queried.
cat >"$T_ROOT/etc/lxmgr.conf" <<CONF
[net]
mode = none
dns = local
[mount]
repo = $repo:/srv/lxmgr-repo:ro
aptsrc = $T_ROOT/sources.list:/etc/apt/sources.list:ro
CONF
ssh-keygen -q -t ed25519 -N '' -C alice@lxmgr-test -f "$T_ROOT/key" >/dev/null
key=$(cat "$T_ROOT/key.pub")
printf '#!/bin/sh\necho ran >>/root/first-boot.count\n' >"$T_ROOT/first-boot.sh"
echo 'root-secret-1' >"$T_ROOT/pw.txt"

# ---- refused before anything is made ----
refused 2 "^lxmgr: create: --sudo and --ssh-key need --user" "--sudo without --user is a usage error (2)" \
    lx create bad --rootfs "$rootfs" --sudo
for bad in "--user Alice!" "--user root --ssh-key $T_ROOT/first-boot.sh" \
    "--packages -rf" "--packages git;vim" "--timezone ../../etc/shadow" \
    "--run $T_ROOT/no-such-file" "--cloud-init $T_ROOT/none"; do
    # shellcheck disable=SC2086 # $bad is an option and its value
    refused 1 "^lxmgr: create bad: provision: " "create $bad: refused in one line" \
        lx create bad --rootfs "$rootfs" $bad
done
check_eq "nothing was made" "" "$(ls -A "$T_ROOT/lib" 2>/dev/null)"

# ---- create with provisioning ----
T_NAMES+=(dev1)
out=$(lx create dev1 --rootfs "$rootfs" --user alice --ssh-key "$T_ROOT/key.pub" --sudo \
    --packages less --timezone Europe/Berlin --run "$T_ROOT/first-boot.sh" \
    --password-file "$T_ROOT/pw.txt" 2>/dev/null)
check_eq "create provisions and names what it changed" \
    "dev1: provisioned: changed packages timezone user sudo ssh-key run" "$out"
check_eq "it was stopped again" "stopped" "$(lx list | awk '$1 == "dev1" { print $2 }')"
check_eq "recorded: provision.user" "alice" "$(lx config dev1 get provision.user)"
# (Of an existing container: for one that does not exist the store refuses first.)
refused 1 "^lxmgr: config dev1: config: .*provision.user: invalid user name 'a b'" \
    "config set refuses a bad provision.user" lx config dev1 set provision.user 'a b'
check_eq "recorded: provision.ssh_key" "$key" "$(lx config dev1 get provision.ssh_key)"
check_eq "recorded: provision.sudo" "yes" "$(lx config dev1 get provision.sudo)"
check_eq "recorded: provision.packages" "less" "$(lx config dev1 get provision.packages)"
check_eq "recorded: provision.timezone" "Europe/Berlin" "$(lx config dev1 get provision.timezone)"
hash=$(lx config dev1 get provision.root_password)
check_eq "recorded: provision.root_password is the hash in /etc/shadow" "$hash" \
    "$(awk -F: '$1 == "root" { print $2 }' "$T_ROOT/lib/dev1/rootfs/etc/shadow")"
check_eq "the recorded hash is the password's" "$hash" "$(perl -e 'print crypt($ARGV[0], $ARGV[1])' root-secret-1 "$hash")"
check_eq "the config does not hold the password" "" "$(grep -r root-secret-1 "$T_ROOT/lib/dev1/config")"
check_match "info points at the provisioning log" "Provision: .*log $T_ROOT/log/dev1/provision.log" \
    "$(lx info dev1)"
check_match "the log shows apt installing less" "Setting up less" \
    "$(cat "$T_ROOT/log/dev1/provision.log")"
check_match "info --json names the log" "\"provision_log\": \"$T_ROOT/log/dev1/provision.log\"" \
    "$(lx info dev1 --json)"

check "start" lx start dev1
check_eq "running" "running" "$(wait_running dev1)"
check_eq "alice exists with bash" "alice:/home/alice:/bin/bash" \
    "$(lx exec dev1 -- getent passwd alice | cut -d: -f1,6,7)"
check "alice can sudo without a password" lx exec dev1 --user alice -- sudo -n true
check_eq "as root" "0" "$(lx exec dev1 --user alice -- sudo -n id -u)"
check_match "alice is in the sudo group" "(^| )sudo( |$)" "$(lx exec dev1 -- id -nG alice)"
check "the sudoers drop-in is valid" lx exec dev1 -- visudo -c
uid=$(lx exec dev1 -- id -u alice)
check_eq ".ssh: alice's uid inside, 700" "$uid:$uid:700" \
    "$(lx exec dev1 -- stat -c %u:%g:%a /home/alice/.ssh)"
check_eq "authorized_keys: alice's uid inside, 600" "$uid:$uid:600" \
    "$(lx exec dev1 -- stat -c %u:%g:%a /home/alice/.ssh/authorized_keys)"
check_eq "the key is in authorized_keys" "$key" "$(lx exec dev1 -- cat /home/alice/.ssh/authorized_keys)"
check_eq "less is installed" "install ok installed" \
    "$(lx exec dev1 -- dpkg-query -W -f='${Status}' less)"
check "less runs" lx exec dev1 -- less --version
check_eq "the zone is Europe/Berlin" "/usr/share/zoneinfo/Europe/Berlin Europe/Berlin" \
    "$(lx exec dev1 -- sh -c 'echo $(readlink /etc/localtime) $(cat /etc/timezone)')"
check_eq "the first-boot script ran once" "ran" "$(lx exec dev1 -- cat /root/first-boot.count)"

# ---- converges ----
t0=$(date +%s%N)
out=$(lx provision dev1 2>&1 | no_progress)
ms=$((($(date +%s%N) - t0) / 1000000))
check_eq "provision again changes nothing and says so" \
    "dev1: provisioned: no change (everything was in place)" "$out"
echo "# figures: provision of a running, provisioned container: ${ms} ms"
check_eq "the first-boot script did not run again" "ran" "$(lx exec dev1 -- cat /root/first-boot.count)"
# The log is kept small: over 1 MiB it is rotated once.
head -c 1100000 /dev/zero | tr '\0' x >>"$T_ROOT/log/dev1/provision.log"
check "provision with a full log" lx provision dev1
check "the full log became provision.log.1" test -s "$T_ROOT/log/dev1/provision.log.1"
check_eq "the new log holds this run only" "1" \
    "$(grep -c '^==== lxmgr provision dev1' "$T_ROOT/log/dev1/provision.log")"
check_eq "still running" "running" "$(lx list | awk '$1 == "dev1" { print $2 }')"
# Something drifted: provision puts back exactly that.
check "remove alice from sudo inside" lx exec dev1 -- gpasswd -d alice sudo
check "break the key file's mode" lx exec dev1 -- chmod 644 /home/alice/.ssh/authorized_keys
check_eq "provision repairs what drifted" "dev1: provisioned: changed sudo ssh-key" \
    "$(lx provision dev1 2>&1 | no_progress)"
check_eq "mode 600 again" "600" "$(lx exec dev1 -- stat -c %a /home/alice/.ssh/authorized_keys)"
# root's password changed inside: provision puts the recorded hash back (from the host).
check "root's password changed inside" lx exec dev1 -- usermod -p '$6$other$0123456789abcdef' root
check_eq "provision restores root's password" "dev1: provisioned: changed root-password" \
    "$(lx provision dev1 2>&1 | no_progress)"
check_eq "root's hash is the recorded one again" "$hash" \
    "$(lx exec dev1 -- awk -F: '$1 == "root" { print $2 }' /etc/shadow)"
check_eq "/etc/shadow keeps its mode" "640" "$(lx exec dev1 -- stat -c %a /etc/shadow)"
# A new hostname in the config: provision applies it to the running guest at once.
check "set container.hostname" lx config dev1 set container.hostname dev-one
check_eq "provision changes the hostname" "dev1: provisioned: changed hostname" \
    "$(lx provision dev1 2>&1 | no_progress)"
check_eq "hostname inside" "dev-one" "$(lx exec dev1 -- hostname)"
check_eq "/etc/hostname" "dev-one" "$(lx exec dev1 -- cat /etc/hostname)"
check_eq "/etc/hosts names it once" $'127.0.1.1\tdev-one' "$(lx exec dev1 -- grep '^127.0.1.1' /etc/hosts)"
check "sudo still resolves the host" lx exec dev1 --user alice -- sudo -n true
base=$(uid_base_of dev1)
check "stop" lx stop dev1
check_host_clean dev1 "$base"

# ---- a clone carries what ran: provision converges on it without running the script again ----
T_NAMES+=(dev1c)
check "a clone of dev1" lx clone dev1 dev1c
check "start the clone" lx start dev1c
check_eq "provision of the clone changes nothing" \
    "dev1c: provisioned: no change (everything was in place)" "$(lx provision dev1c 2>&1 | no_progress)"
check_eq "the clone's first-boot script did not run again" "ran" \
    "$(lx exec dev1c -- cat /root/first-boot.count)"
check "stop the clone" lx stop dev1c
check "destroy the clone" lx destroy dev1c

# ---- a snapshot clone: provisioned on its overlay view while stopped, read-only while it runs ----
T_NAMES+=(dev1s)
check "a snapshot clone of dev1" lx clone dev1 dev1s --snapshot
check_eq "provision of the stopped snapshot changes nothing" \
    "dev1s: provisioned: no change (everything was in place)" "$(lx provision dev1s 2>&1 | no_progress)"
check "start the snapshot" lx start dev1s
check_eq "provision of the running snapshot changes nothing" \
    "dev1s: provisioned: no change (everything was in place)" "$(lx provision dev1s 2>&1 | no_progress)"
check "root's password changed inside the snapshot" \
    lx exec dev1s -- usermod -p '$6$other$0123456789abcdef' root
out=$(lx provision dev1s 2>&1 | no_progress)
check_eq "provision of the running snapshot refuses to write its upper layer: exit 1" 1 "$?"
check_eq "in one line" "lxmgr: provision dev1s: provision: root-password: dev1s is a running snapshot clone, whose upper layer cannot be written beside its overlay: stop it and provision again" "$out"
check "stop the snapshot" lx stop dev1s
check_eq "stopped, provision restores root's password on its view" \
    "dev1s: provisioned: changed root-password" "$(lx provision dev1s 2>&1 | no_progress)"
check "start the snapshot again" lx start dev1s
check_eq "root's hash is the recorded one inside" "$hash" \
    "$(lx exec dev1s -- awk -F: '$1 == "root" { print $2 }' /etc/shadow)"
check_eq "the first-boot script never ran in the snapshot" "ran" \
    "$(lx exec dev1s -- cat /root/first-boot.count)"
check "stop it" lx stop dev1s
check "destroy the snapshot" lx destroy dev1s
check_eq "dev1's own rootfs kept its hash" "$hash" \
    "$(awk -F: '$1 == "root" { print $2 }' "$T_ROOT/lib/dev1/rootfs/etc/shadow")"

# ---- a failing step: the create fails naming it and leaves no container ----
out=$(lx create dev2 --rootfs "$rootfs" --timezone Mars/Olympus_Mons 2>&1)
check_eq "create fails" "1" "$?"
check_match "the error names the step" \
    "lxmgr: create dev2: provision: step timezone failed \(exit status 1\): the container was removed$" \
    "$out"
check_eq "no container dev2" "" "$(leftovers lib dev2)"
check_eq "no log directory of dev2" "" "$(leftovers log dev2)"
check_eq "no cgroup of dev2" "" "$(host_cgroups_of dev2)"
check_eq "no runtime files of dev2" "" "$(ls -A "$T_ROOT/run/dev2" 2>/dev/null)"

done_testing
