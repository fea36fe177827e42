#!/usr/bin/env bash
# Proves: a container created from a rootfs that holds SSH host keys, and a snapshot clone of
# it, each boot with sshd listening on keys of their own: create and clone remove the keys,
# and lxmgr-ssh-keygen.service makes new ones (ssh-keygen -A) before ssh.service starts; the
# source's keys stay as they were. Uses a Debian 12 rootfs with openssh-server.
. "$(dirname "$0")/lib/common.sh"
setup_store

fp() { lx exec "$1" -- ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub | awk '{ print $2 }'; }

rootfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm ssh) ||
    skip_all "cannot build the Debian rootfs with openssh-server"
cache_fp=$(ssh-keygen -l -f "$rootfs/etc/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')
check_match "the image holds host keys (made by openssh-server's postinst)" '^SHA256:' "$cache_fp"

T_NAMES+=(k1)
check "create" lx create k1 --rootfs "$rootfs" --net none
check_eq "create removed the image's host keys" "" \
    "$(ls "$T_ROOT/lib/k1/rootfs/etc/ssh" | grep '^ssh_host_' || true)"
check "and enabled the keygen unit" \
    test -L "$T_ROOT/lib/k1/rootfs/etc/systemd/system/multi-user.target.wants/lxmgr-ssh-keygen.service"
check "start" lx start k1
check_eq "k1 reaches running" "running" "$(wait_running k1)"
check_eq "the keygen unit ran and ssh is active" "inactive active" \
    "$(lx exec k1 -- systemctl is-active lxmgr-ssh-keygen ssh | paste -sd' ')"
check_match "it made the keys at boot" "generating new host keys" \
    "$(lx exec k1 -- journalctl -u lxmgr-ssh-keygen --no-pager)"
check_match "sshd listens on port 22" "LISTEN .*:22 " "$(lx exec k1 -- ss -Hltn)"
fp1=$(fp k1)
check_match "k1 has an ed25519 host key" '^SHA256:' "$fp1"
[ "$fp1" != "$cache_fp" ] && ok "k1's key is not the image's" || not_ok "k1's key is not the image's" "$fp1"
base1=$(uid_base_of k1)
check "stop k1" lx stop k1
check_host_clean k1 "$base1"

T_NAMES+=(k2)
check "clone --snapshot" lx clone k1 k2 --snapshot
check "start the snapshot" lx start k2
check_eq "k2 reaches running" "running" "$(wait_running k2)"
check_eq "ssh is active in the snapshot" "active" "$(lx exec k2 -- systemctl is-active ssh)"
fp2=$(fp k2)
check_match "k2 has an ed25519 host key" '^SHA256:' "$fp2"
[ "$fp2" != "$fp1" ] && ok "k2's key is not k1's ($fp2)" || not_ok "k2's key is not k1's" "$fp2"
check_eq "k1's key on disk is unchanged" "$fp1" \
    "$(ssh-keygen -l -f "$T_ROOT/lib/k1/rootfs/etc/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')"
base2=$(uid_base_of k2)
check "stop k2" lx stop k2
check_host_clean k2 "$base2"
done_testing
