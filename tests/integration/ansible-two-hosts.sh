#!/usr/bin/env bash
# Proves: the lxmgr.lxmgr Ansible collection (ansible/) drives two real hosts -- this machine
# (ansible_connection=local, the test's store) and a second host made here as a --nesting
# container running sshd and the freshly built lxmgr, reached by ansible-playbook over real
# SSH -- with the collection's own example playbook: it creates a machine on each host
# (container module), provisions each inside through the lxmgr connection plugin (a .deb put in
# with put_file and installed, a file templated, a systemd service started; over SSH for the
# second host), prints where each landed; the inventory plugin lists both machines with their
# groups and vars and runs a task in each; a second run changes nothing; check mode changes
# nothing; bad input (an unknown config key, a name taken by another source, a host without
# lxmgr) fails with lxmgr's own line and leaves the host unchanged; removal leaves nothing on
# either host.
. "$(dirname "$0")/lib/common.sh"
setup_store

builddir=$(cd "$(dirname "$LXMGR")/.." && pwd)
collection=$(cd "$TESTS_DIR/../ansible" 2>/dev/null && pwd)
[ -f "$builddir/Makefile" ] || skip_all "needs the build tree of \$LXMGR for make install"
[ -f "$collection/galaxy.yml" ] || skip_all "needs the collection's tree (ansible/)"
command -v ansible-playbook >/dev/null || skip_all "needs ansible-playbook (Debian's ansible-core)"
command -v ssh-keygen >/dev/null || skip_all "needs the ssh client"
command -v dpkg-deb >/dev/null || skip_all "needs dpkg-deb"
command -v debootstrap >/dev/null || skip_all "needs debootstrap for the host rootfs"
hostfs=$(bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm ansible-host) ||
    skip_all "cannot build the ansible-host rootfs"
# The machines of both hosts and the second host itself come from this tarball (gzip: the
# host has no zstd); the second host sees it through a read-only share.
tarball=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/debian-bookworm-ansible-host.tar.gz
if [ ! -s "$tarball" ]; then
    tar --numeric-owner --xattrs --xattrs-include='*' --acls -C "$hostfs" \
        -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
fi
t0=$(date +%s)

work=$T_ROOT/ansible
mkdir -p "$work/collections/ansible_collections/lxmgr" "$work/tmp" "$work/cp" "$work/deb/DEBIAN" \
    "$work/deb/lib/systemd/system"
ln -s "$collection" "$work/collections/ansible_collections/lxmgr/lxmgr"
ssh-keygen -q -t ed25519 -N '' -C lxmgr-test -f "$work/key"
ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=error
    -o ControlMaster=auto -o "ControlPath=$work/cp/%C" -o ControlPersist=30)

# ---- the second host: a nesting container with sshd, lxmgr installed, bridge network ----
T_NAMES+=(host2)
check "create host2 (--ids 196608 --nesting, bridge network)" \
    lx create host2 --tarball "$tarball" --ids 196608 --nesting
base=$(uid_base_of host2)
rootfs=$T_ROOT/lib/host2/rootfs
check "make install DESTDIR=host2's rootfs" make -s -C "$builddir" install DESTDIR="$rootfs"
install -d -m 0700 "$rootfs/root/.ssh"
install -m 0600 "$work/key.pub" "$rootfs/root/.ssh/authorized_keys"
check "host2 sees the guest tarball read-only" \
    lx config host2 set mount.guest "$tarball:/srv/guest.tar.gz:ro"
# start --wait exits 0 only once systemd inside is running (not degraded).
check "start host2 --wait: its systemd running" lx start host2 --wait
ip=$(lx info host2 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["net_address"].split("/")[0])')
check_match "host2 has a bridge address" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$' "$ip"
h2() { ssh "${ssh_opts[@]}" -o BatchMode=yes -i "$work/key" "root@$ip" "$@"; }
for _ in $(seq 100); do h2 true 2>/dev/null && break; sleep 0.1; done
check_eq "ssh root@host2 reaches its lxmgr" "lxmgr $(lx --version | awk '{print $2}')" \
    "$(h2 lxmgr --version 2>&1)"

# ---- the team's tools package: a unit that reads the templated file ----
cat >"$work/deb/DEBIAN/control" <<'EOF'
Package: lxmgr-test-tools
Version: 1.0
Architecture: all
Maintainer: lxmgr tests <root@localhost>
Description: the tools of the ansible-two-hosts test
EOF
cat >"$work/deb/lib/systemd/system/lxmgr-test-tools.service" <<'EOF'
[Unit]
Description=lxmgr test tools
[Service]
RuntimeDirectory=lxmgr-test-tools
ExecStart=/bin/sh -c 'cp /etc/placement.conf /run/lxmgr-test-tools/seen; exec sleep infinity'
[Install]
WantedBy=multi-user.target
EOF
check "build the tools .deb" dpkg-deb --root-owner-group -b "$work/deb" "$work/tools.deb"

cat >"$work/hosts.yml" <<EOF
lxmgr_hosts:
  hosts:
    here:
      ansible_connection: local
      lxmgr_binary: $LXMGR
      lxmgr_root: $T_ROOT
      guest_source: {tarball: $tarball}
    host2:
      ansible_host: $ip
      ansible_user: root
      guest_source: {tarball: /srv/guest.tar.gz}
  vars:
    ansible_python_interpreter: /usr/bin/python3
    ansible_ssh_private_key_file: $work/key
    lxmgr_ssh_args: [-i, $work/key, $(printf '%s, ' "${ssh_opts[@]}" | sed 's/, $//')]
    guest_net: none
    guest_python: /usr/bin/python3
    guest_config: {container.stop_timeout: 12}
EOF
cat >"$work/ansible.cfg" <<EOF
[defaults]
collections_path = $work/collections
local_tmp = $work/tmp
host_key_checking = false
nocolor = true
forks = 4
interpreter_python = /usr/bin/python3
[ssh_connection]
pipelining = true
control_path_dir = $work/cp
ssh_args = -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=error -o ControlMaster=auto -o ControlPersist=30s
EOF
export ANSIBLE_CONFIG=$work/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0
playbook() {
    ansible-playbook -i "${inv_file:-$work/hosts.yml}" -e "tools_deb=$work/tools.deb" \
        -e tools_service=lxmgr-test-tools "$@"
}
example=$collection/examples/place-dev-machines.yml
# The PLAY RECAP's counter for HOST: recap HOST changed OUTPUT.
recap() { sed -n "s/^$1 *: .*$2=\([0-9]*\).*/\1/p" <<<"$3"; }

# ---- first run: a machine on each host, provisioned inside ----
out=$(playbook "$example" 2>&1)
check_eq "the example playbook succeeds" "0" "$?"
grep -E '^(fatal|failed|ERROR)' <<<"$out" | head -20 | sed 's/^/# /'
check_eq "it prints where each landed: dev0 on here, dev1 on host2" \
    "dev0 runs on here|dev1 runs on host2" \
    "$(sed -n 's/^ *"msg": "\(dev[01] runs on .*\)"$/\1/p' <<<"$out" | sort | paste -sd '|')"
check_eq "dev0 is in this host's store, running" "running" \
    "$(lx info dev0 --json 2>&1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
check_eq "dev1 is in host2's store, running" "running" \
    "$(h2 lxmgr info dev1 --json 2>&1 | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
check_eq "config from the module: container.stop_timeout on both" "12 12" \
    "$(lx config dev0 get container.stop_timeout) $(h2 lxmgr config dev1 get container.stop_timeout)"
check_eq "the package is installed in each (dpkg)" "install ok installed|install ok installed" \
    "$(lx exec dev0 -- dpkg-query -W -f='${Status}' lxmgr-test-tools)|$(h2 lxmgr exec dev1 -- dpkg-query -W -f='\${Status}' lxmgr-test-tools)"
check_eq "the service runs in each" "active active" \
    "$(lx exec dev0 -- systemctl is-active lxmgr-test-tools) $(h2 lxmgr exec dev1 -- systemctl is-active lxmgr-test-tools)"
check_eq "... and read the templated file (dev1: host=host2)" "machine=dev1 host=host2" \
    "$(h2 lxmgr exec dev1 -- grep -v '^#' /run/lxmgr-test-tools/seen | xargs)"
check_eq "dev0's says host=here" "machine=dev0 host=here" \
    "$(lx exec dev0 -- grep -v '^#' /run/lxmgr-test-tools/seen | xargs)"

# ---- second run: nothing changes ----
out=$(playbook "$example" 2>&1)
check_eq "the second run succeeds" "0" "$?"
check_eq "... with changed=0 on every host and machine" "0 0 0 0" \
    "$(for h in here host2 dev0 dev1; do recap $h changed "$out"; done | xargs)"
check_eq "... and ok on all four" "4" "$(grep -cE '^(here|host2|dev0|dev1) +: ok=[1-9]' <<<"$out")"

# ---- the inventory plugin ----
cat >"$work/fleet.lxmgr.yml" <<EOF
plugin: lxmgr.lxmgr.lxmgr
hosts:
  - name: here
    binary: $LXMGR
    root: $T_ROOT
  - name: host2
    address: $ip
    user: root
    ssh_args: [-i, $work/key, -o, StrictHostKeyChecking=no, -o, UserKnownHostsFile=/dev/null, -o, LogLevel=error]
compose:
  ansible_python_interpreter: "'/usr/bin/python3'"
keyed_groups:
  - key: lxmgr_net_mode
    prefix: net
EOF
inv=$(ansible-inventory -i "$work/fleet.lxmgr.yml" --list 2>&1)
check_eq "ansible-inventory lists the machines by host" "dev0 host2 | dev1" "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
print(" ".join(sorted(d["lxmgr_host_here"]["hosts"])), "|", " ".join(d["lxmgr_host_host2"]["hosts"]))' "$inv" 2>&1)"
check_eq "... by state, init and keyed groups (net_none), with address and id range vars" \
    "['dev0', 'dev1', 'host2'] ['dev0', 'dev1', 'host2'] ['dev0', 'dev1'] 65536 running" \
    "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
hv = d["_meta"]["hostvars"]["dev1"]
print(sorted(d["lxmgr_state_running"]["hosts"]), sorted(d["lxmgr_init_systemd"]["hosts"]),
      sorted(d["net_none"]["hosts"]), hv["lxmgr_id_count"], hv["lxmgr_state"])' "$inv" 2>&1)"
check_match "host2's bridge address is a host var" "\"lxmgr_address\": \"$ip/" "$inv"
out=$(ansible -i "$work/fleet.lxmgr.yml" 'lxmgr:!host2' -m ansible.builtin.command \
    -a 'cat /run/lxmgr-test-tools/seen' 2>&1)
check_match "a command in each machine through the inventory's connection vars" \
    "dev0 \| CHANGED.*host=here.*dev1 \| CHANGED.*host=host2|dev1 \| CHANGED.*host=host2.*dev0 \| CHANGED.*host=here" \
    "$(tr '\n' ' ' <<<"$out")"
check_match "raw works too (no Python needed)" "dev1 \| CHANGED \| rc=0 >> inside-dev1" \
    "$(ansible -i "$work/fleet.lxmgr.yml" dev1 -m raw -a 'echo inside-$(hostname)' 2>&1 | tr -d '\r' | tr '\n' ' ')"

printf '#!/bin/sh\necho "script in $(hostname), args $*"\n' >"$work/probe.sh"
check_match "script works too (put in, run inside)" "script in dev1, args a b" \
    "$(ansible -i "$work/fleet.lxmgr.yml" dev1 -m script -a "$work/probe.sh a b" 2>&1)"
check_match "become inside (sudo to nobody) on host2's machine" "dev1 \| CHANGED \| rc=0 >> nobody" \
    "$(ansible -i "$work/fleet.lxmgr.yml" dev1 -b --become-user nobody -m command -a 'id -un' 2>&1 | tr '\n' ' ')"

# ---- bad input: lxmgr's line, nothing changed ----
cat >"$work/bad.yml" <<'EOF'
- hosts: "{{ target }}"
  gather_facts: false
  tasks:
    - lxmgr.lxmgr.container: "{{ args | combine({'binary': lxmgr_binary | default(omit), 'root': lxmgr_root | default(omit)}) }}"
EOF
# bad TARGET ARGS-JSON: the failed task's message.
bad() {
    local out
    out=$(playbook "$work/bad.yml" -e "target=$1" -e "{\"args\": $2}" 2>&1) && echo "SUCCEEDED"
    sed -n 's/.*"msg": "\([^"]*\)".*/\1/p' <<<"$out" | head -1
}
cfg=$(h2 lxmgr config dev1)
check_eq "an unknown key in config fails with lxmgr's line (over SSH)" \
    "lxmgr: config dev1: config: /var/lib/lxmgr/dev1/config: foo.bar: unknown key" \
    "$(bad host2 '{"name": "dev1", "config": {"container.stop_timeout": 99, "foo.bar": 1}}')"
check_eq "... and dev1's config is as it was (container.stop_timeout too)" "$cfg" "$(h2 lxmgr config dev1)"
check_eq "an unknown key on a new machine fails the same way" \
    "lxmgr: config dev9: config: $T_ROOT/lib/dev9/config: foo.bar: unknown key" \
    "$(bad here "{\"name\": \"dev9\", \"tarball\": \"$tarball\", \"net\": \"none\", \"config\": {\"foo.bar\": 1}}")"
check_eq "... and leaves no dev9 behind" "dev0 host2" \
    "$(lx list --json | python3 -c 'import json, sys; print(*sorted(c["name"] for c in json.load(sys.stdin)))')"
check_eq "a name taken (dev0, made from another source) fails with lxmgr's line" \
    "lxmgr: create dev0: create: a container named 'dev0' exists already" \
    "$(bad here "{\"name\": \"dev0\", \"rootfs\": \"$hostfs\"}")"
check_eq "... and dev0 is as it was" "tarball $tarball running" \
    "$(lx config dev0 get rootfs.source) $(lx info dev0 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
check_match "a host without lxmgr (the machine dev1 itself) fails, saying so" \
    "^lxmgr: not found on this host: on PATH" \
    "$(inv_file=$work/fleet.lxmgr.yml bad dev1 '{"name": "x", "rootfs": "/"}' 2>&1)"

printf 'ghost ansible_connection=lxmgr.lxmgr.lxmgr ansible_lxmgr_binary=%s ansible_lxmgr_root=%s\n' \
    "$LXMGR" "$T_ROOT" >"$work/ghost.ini"
check_match "a machine that does not exist is UNREACHABLE with lxmgr's line" \
    "ghost \| UNREACHABLE.*lxmgr: exec ghost: store: no container named 'ghost'" \
    "$(ansible -i "$work/ghost.ini" ghost -m raw -a true 2>&1 | tr '\n' ' ')"

# ---- check and diff mode ----
out=$(playbook "$work/bad.yml" -e target=host2 --check --diff \
    -e '{"args": {"name": "dev1", "state": "stopped", "config": {"container.stop_timeout": 30}}}' 2>&1)
check_match "--check --diff shows the key and the state before and after" \
    '-[^+]*"container.stop_timeout": "12".*\+[^-]*"container.stop_timeout": "30".*-    "state": "running",?.*\+    "state": "stopped"' \
    "$(tr '\n' ' ' <<<"$out")"
check_eq "... and changes nothing" "$cfg running" \
    "$(h2 lxmgr config dev1) $(h2 lxmgr info dev1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"

# ---- removal (check mode first) ----
out=$(playbook "$example" -e state=absent --check 2>&1)
check_eq "removal in check mode: changed on both hosts" "1 1" \
    "$(recap here changed "$out") $(recap host2 changed "$out")"
check_eq "... and both machines still run" "running running" \
    "$(lx info dev0 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])') $(h2 lxmgr info dev1 --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])')"
dev0_base=$(uid_base_of dev0)
out=$(playbook "$example" -e state=absent 2>&1)
check_eq "the example playbook with state=absent succeeds" "0" "$?"
check_eq "nothing is left in this host's store but host2" '[host2]' \
    "[$(lx list --json | python3 -c 'import json, sys; print(*sorted(c["name"] for c in json.load(sys.stdin)))')]"
check_eq "nothing is left in host2's store" "[]" "$(h2 lxmgr list --json)"
check_eq "... no container directory, cgroup or process of a container on host2" "||" \
    "$(h2 'ls -A /var/lib/lxmgr 2>/dev/null')|$(h2 'find /sys/fs/cgroup -name "lxmgr-*" 2>/dev/null')|$(h2 'ps -eo uid= | awk "\$1 >= 65536" | head -1')"
check_host_clean dev0 "$dev0_base"
out=$(playbook "$example" -e state=absent 2>&1)
check_eq "removal again: changed=0" "0 0" "$(recap here changed "$out") $(recap host2 changed "$out")"

check "stop host2" lx stop host2
check_host_clean host2 "$base"
echo "# figures: ansible-two-hosts took $(($(date +%s) - t0)) s (not counting the rootfs cache)"
done_testing
