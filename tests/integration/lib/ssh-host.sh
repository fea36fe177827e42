#!/usr/bin/env bash
# Proves nothing: a second host for the tests that need one over real ssh (copy-move-ssh; the
# same recipe as ansible-two-hosts): a --nesting container of the ansible-host rootfs (sshd,
# systemd) with the freshly built lxmgr installed (make install DESTDIR=its rootfs), a key of
# the test's own in root's authorized_keys, bridge network. Source after common.sh and
# setup_store.
#
# ssh_host_up NAME IDS: creates and starts it. Sets SH_IP (its address), SH_KEY (the private
# key), SH_ROOTFS, SH_OPTS (ssh options: no host key checks, quiet), SH_BASE (its id base),
# and defines sh2 CMD... (runs CMD there as root, with a shared connection).
ssh_host_up() {
    local name=$1 ids=$2 builddir hostfs tarball
    builddir=$(cd "$(dirname "$LXMGR")/.." && pwd)
    [ -f "$builddir/Makefile" ] || skip_all "needs the build tree of \$LXMGR for make install"
    command -v ssh-keygen >/dev/null || skip_all "needs the ssh client"
    command -v debootstrap >/dev/null || skip_all "needs debootstrap for the host rootfs"
    hostfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm ansible-host) ||
        skip_all "cannot build the ansible-host rootfs"
    tarball=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/debian-bookworm-ansible-host.tar.gz
    if [ ! -s "$tarball" ]; then
        tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$hostfs" \
            -czf "$tarball.tmp.$$" . && mv "$tarball.tmp.$$" "$tarball"
    fi
    SH_WORK=$T_ROOT/ssh-host
    mkdir -p "$SH_WORK/cp"
    SH_KEY=$SH_WORK/key
    ssh-keygen -q -t ed25519 -N '' -C lxmgr-test -f "$SH_KEY"
    # A timeout: an address whose sshd is gone may answer TCP and never its banner (another
    # store's container on the same bridge subnet), and ssh would wait for ever.
    SH_OPTS=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=error
        -o BatchMode=yes -o ConnectTimeout=10)
    T_NAMES+=("$name")
    check "create $name (--ids $ids --nesting, bridge network)" \
        lx create "$name" --tarball "$tarball" --ids "$ids" --nesting
    # shellcheck disable=SC2034 # for the sourcing test's check_host_clean
    SH_BASE=$(uid_base_of "$name")
    SH_ROOTFS=$T_ROOT/lib/$name/rootfs
    check "make install DESTDIR=$name's rootfs" make -s -C "$builddir" install DESTDIR="$SH_ROOTFS"
    install -d -m 0700 "$SH_ROOTFS/root/.ssh"
    install -m 0600 "$SH_KEY.pub" "$SH_ROOTFS/root/.ssh/authorized_keys"
    # One retry: the host-wide id claim can time out while other stores start guests.
    check "start $name --wait: its systemd running" \
        bash -c "'$LXMGR' --root '$T_ROOT' start '$name' --wait ||
            { '$LXMGR' --root '$T_ROOT' stop '$name' --kill; '$LXMGR' --root '$T_ROOT' start '$name' --wait; }"
    if [ "$(lx info "$name" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])' 2>&1)" != running ]; then
        echo "Bail out! $name does not run: nothing to test against"
        exit 1
    fi
    SH_IP=$(lx info "$name" --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["net_address"].split("/")[0])')
    check_match "$name has a bridge address" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$SH_IP"
    for _ in $(seq 100); do sh2 true 2>/dev/null && break; sleep 0.1; done
    check_eq "ssh root@$name reaches its lxmgr" "lxmgr $(lx --version | awk '{print $2}')" \
        "$(sh2 lxmgr --version 2>&1)"
}

sh2() {
    ssh "${SH_OPTS[@]}" -o ControlMaster=auto -o "ControlPath=$SH_WORK/cp/%C" \
        -o ControlPersist=30 -i "$SH_KEY" "root@$SH_IP" "$@"
}
