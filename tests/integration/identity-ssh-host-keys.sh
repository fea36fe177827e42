#!/usr/bin/env bash
# Proves: a container created from a rootfs that holds SSH host keys, and a snapshot clone of
# it, each boot with sshd listening on keys of their own: create and clone remove the keys,
# and lxmgr-ssh-keygen.service makes new ones (RSA, ECDSA, Ed25519) before ssh.service starts; the
# source's keys stay as they were. Uses a Debian 12 rootfs with openssh-server.
. "$(dirname "$0")/lib/common.sh"
setup_store

fp() { lx exec "$1" -- ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub | awk '{ print $2 }'; }

rootfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm ssh) ||
    skip_all "cannot build the Debian rootfs with openssh-server"
cache_fp=$(ssh-keygen -l -f "$rootfs/etc/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')
check_match "the image holds host keys (made by openssh-server's postinst)" '^SHA256:' "$cache_fp"

T_NAMES+=(sshkeys1)
check "create" lx create sshkeys1 --rootfs "$rootfs" --net none
check_eq "create removed the image's host keys" "" \
    "$(ls "$T_ROOT/lib/sshkeys1/rootfs/etc/ssh" | grep '^ssh_host_' || true)"
check "and enabled the keygen unit" \
    test -L "$T_ROOT/lib/sshkeys1/rootfs/etc/systemd/system/multi-user.target.wants/lxmgr-ssh-keygen.service"
check "start" lx start sshkeys1
check_eq "sshkeys1 reaches running" "running" "$(wait_running sshkeys1)"
check_eq "the keygen unit ran and ssh is active" "inactive active" \
    "$(lx exec sshkeys1 -- systemctl is-active lxmgr-ssh-keygen ssh | paste -sd' ')"
check_match "it made the keys at boot" "made /etc/ssh/ssh_host_ed25519_key" \
    "$(lx exec sshkeys1 -- journalctl -u lxmgr-ssh-keygen --no-pager)"
check_match "sshd listens on port 22" "LISTEN .*:22 " "$(lx exec sshkeys1 -- ss -Hltn)"
fp1=$(fp sshkeys1)
check_match "sshkeys1 has an ed25519 host key" '^SHA256:' "$fp1"
[ "$fp1" != "$cache_fp" ] && ok "sshkeys1's key is not the image's" || not_ok "sshkeys1's key is not the image's" "$fp1"
base1=$(uid_base_of sshkeys1)
check "stop sshkeys1" lx stop sshkeys1
check_host_clean sshkeys1 "$base1"

T_NAMES+=(sshkeys2)
check "clone --snapshot" lx clone sshkeys1 sshkeys2 --snapshot
check "start the snapshot" lx start sshkeys2
check_eq "sshkeys2 reaches running" "running" "$(wait_running sshkeys2)"
check_eq "ssh is active in the snapshot" "active" "$(lx exec sshkeys2 -- systemctl is-active ssh)"
fp2=$(fp sshkeys2)
check_match "sshkeys2 has an ed25519 host key" '^SHA256:' "$fp2"
[ "$fp2" != "$fp1" ] && ok "sshkeys2's key is not sshkeys1's ($fp2)" || not_ok "sshkeys2's key is not sshkeys1's" "$fp2"
check_eq "sshkeys1's key on disk is unchanged" "$fp1" \
    "$(ssh-keygen -l -f "$T_ROOT/lib/sshkeys1/rootfs/etc/ssh/ssh_host_ed25519_key.pub" | awk '{ print $2 }')"
base2=$(uid_base_of sshkeys2)
check "stop sshkeys2" lx stop sshkeys2
check_host_clean sshkeys2 "$base2"
done_testing
