#!/usr/bin/env bash
# Proves: the dev-machine workflow of issue 17 on one booted Debian 12 guest. `launch` creates,
# provisions, boots to running and says how to get in; --ssh-key on a guest without sshd
# installs openssh-server with the guest's apt and enables it, and `ssh` from the host with a
# throwaway key logs in at the address launch printed; `list` has IPV4 and IPV6 columns and
# fits 100 columns; provision.packages set with commas provisions; provisioning shows its
# steps with elapsed time and -q silences them; `info --json` names the monitor's pid; an
# unknown verb or key gets "did you mean"; two mounts with one target are refused at config
# set; `templates` prints no empty "Cached in" heading; the host is left clean.
# Packages: apt inside installs from a file:// repository of .debs (openssh-server and what
# it needs beyond the cached rootfs, less, psmisc) that the host's apt-get downloaded from
# deb.debian.org (cached), bind-mounted in with mount.*, so no DNS query leaves the machine.
. "$(dirname "$0")/lib/common.sh"
setup_store
command -v ssh >/dev/null || skip_all "needs the ssh client (openssh-client)"
command -v dpkg-scanpackages >/dev/null || skip_all "needs dpkg-scanpackages (dpkg-dev)"
rootfs=$(debian_rootfs)
[ ! -e "$rootfs/usr/sbin/sshd" ] || skip_all "the cached rootfs has sshd already"

repo=${LXMGR_TEST_CACHE:-/var/cache/lxmgr-test}/ssh-repo
if [ ! -s "$repo/Packages" ]; then
    # What apt would install into the cached rootfs (its own dpkg status, the host's lists).
    pkgs=$(apt-get -o Dir::State::status="$rootfs/var/lib/dpkg/status" install -s -q \
        --no-install-recommends openssh-server less psmisc 2>/dev/null | awk '/^Inst /{ print $2 }')
    # shellcheck disable=SC2086
    mkdir -p "$repo.tmp" && (cd "$repo.tmp" && apt-get download -q $pkgs >/dev/null 2>&1 &&
        dpkg-scanpackages . /dev/null 2>/dev/null >Packages) && rm -rf "$repo" &&
        mv "$repo.tmp" "$repo" || { rm -rf "$repo.tmp"; skip_all "apt-get download failed"; }
fi
chmod -R a+rX "$repo"
echo 'deb [trusted=yes] file:/srv/lxmgr-repo ./' >"$T_ROOT/sources.list"
chmod 644 "$T_ROOT/sources.list"
cat >"$T_ROOT/etc/lxmgr.conf" <<CONF
[net]
dns = local
[mount]
repo = $repo:/srv/lxmgr-repo:ro
aptsrc = $T_ROOT/sources.list:/etc/apt/sources.list:ro
CONF
ssh-keygen -q -t ed25519 -N '' -C me@lxmgr-test -f "$T_ROOT/key" >/dev/null
T_NAMES+=(wf1)

# ---- launch: create + provision (sshd installed) + start --wait + how to get in ----
out=$(lx launch wf1 --rootfs "$rootfs" --user me --ssh-key "$T_ROOT/key.pub" --sudo 2>&1)
rc=$?
check_eq "launch succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "${out:0:3000}"
# A failed install is explained by the guest's own output, which the store's removal loses.
[[ $out == *"connect with"* ]] || sed 's/^/#   log: /' "$T_ROOT/log/wf1/provision.log" | tail -40
ip=$(lx config wf1 get net.ip)
check_eq "it is running after launch, without a start" "running" \
    "$(lx list | awk '$1 == "wf1" { print $2 }')"
check_eq "systemd inside is up when launch returns" "running" \
    "$(lx exec wf1 -- systemctl is-system-running 2>&1)"
check_match "launch says how to ssh in (by address: --root store)" \
    "wf1: connect with: ssh me@$ip"$'\n' "$out"$'\n'
check_match "and how to get a shell" "wf1: a shell inside: lxmgr shell wf1 --user me" "$out"
check_match "provisioning installed openssh-server (steps with elapsed time)" \
    "lxmgr: launch wf1: provision: packages \([0-9]+ s\)" "$out"
check_eq "openssh-server is installed by the guest's apt" "install ok installed" \
    "$(lx exec wf1 -- dpkg-query -W -f='${Status}' openssh-server 2>&1)"
check_eq "ssh.service is enabled" "enabled" "$(lx exec wf1 -- systemctl is-enabled ssh 2>&1)"
check_eq "ssh.service is active" "active" "$(lx exec wf1 -- systemctl is-active ssh 2>&1)"
ssh_opts=(-i "$T_ROOT/key" -o BatchMode=yes -o StrictHostKeyChecking=no
    -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 -o LogLevel=ERROR)
check_eq "ssh from the host with the key logs in as me" "me" \
    "$(ssh "${ssh_opts[@]}" "me@$ip" id -un 2>&1)"
check_eq "and me may sudo there" "root" "$(ssh "${ssh_opts[@]}" "me@$ip" sudo -n id -un 2>&1)"
ssh-keygen -q -t ed25519 -N '' -f "$T_ROOT/other" >/dev/null
check_fails "another key is refused" ssh -i "$T_ROOT/other" -o BatchMode=yes \
    -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=10 \
    "me@$ip" true
out=$(lx launch wf1 --rootfs "$rootfs" 2>&1)
check_match "launch of an existing name is refused" "^lxmgr: launch wf1: .*exists" "$out"

# ---- provision.packages with commas; progress lines; -q silences them ----
check "config set provision.packages less,psmisc" lx config wf1 set provision.packages less,psmisc
out=$(lx provision wf1 2>&1)
rc=$?
check_eq "provision with a comma list succeeds" 0 "$rc"
[ "$rc" = 0 ] || printf '#   %s\n' "${out:0:2000}"
check_eq "both packages are installed" "install ok installed install ok installed" \
    "$(lx exec wf1 -- dpkg-query -W -f='${Status} ' less psmisc 2>&1 | sed 's/ $//')"
check_match "each step is shown with its elapsed time" \
    "lxmgr: provision wf1: provision: ssh-server \([0-9]+ s\)" "$out"
out=$(lx -q provision wf1 2>&1 >/dev/null)
check_eq "-q: no progress lines" "" "$out"
check "spaces work too" lx config wf1 set provision.packages "less psmisc"
check_match "and provision finds nothing to do" "no change" "$(lx -q provision wf1 2>&1)"

# ---- list: IPV4 and IPV6, narrow ----
T_NAMES+=(wf6)
# The bridge's /64 is derived per store: the refusal of an address outside it names it.
pool6=$(lx create wf6 --rootfs "$rootfs" --ip6 fd42:17:17:17::5 2>&1 |
    sed -n 's|.*outside the pool \([0-9a-f:]*\)::/64 .*|\1|p')
check_match "an --ip6 outside the bridge's /64 is refused, naming it" "^fd[0-9a-f:]+$" "$pool6"
check "a stopped neighbour with an IPv6 address" lx create wf6 --rootfs "$rootfs" --ip6 "$pool6::5"
list=$(lx list)
printf '%s\n' "$list" | sed 's/^/# /'
check_match "list has IPV4 and IPV6 columns" "^NAME +STATE +IPV4 +IPV6 " "$list"
check_match "wf1's address is in its row" "wf1 +running +$ip " "$list"
check_match "wf6's IPv6 address is in its row" "wf6 +stopped +[0-9.]+ +$pool6::5 " "$list"
check_eq "no line is wider than 100 columns" "" "$(printf '%s\n' "$list" | awk 'length > 100')"

# ---- info --json: the monitor's pid ----
json=$(lx info wf1 --json)
mpid=$(printf '%s' "$json" | sed -n 's/.*"monitor_pid": \([0-9]*\).*/\1/p')
ipid=$(printf '%s' "$json" | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
check_match "info --json has monitor_pid" "^[1-9][0-9]*$" "$mpid"
check_eq "it is the parent of the container's init" "$mpid" "$(ps -o ppid= -p "$ipid" | tr -d ' ')"
check_match "a stopped container's monitor_pid is 0" '"monitor_pid": 0[,}]' "$(lx info wf6 --json)"

# ---- did you mean; mounts with one target ----
out=$(lx lsit 2>&1)
check_match "an unknown verb: did you mean list?" "did you mean 'list'\?" "$out"
out=$(lx config wf6 set limits.memroy 1G 2>&1)
check_match "an unknown key: did you mean limits.memory?" "did you mean 'limits.memory'\?" "$out"
mkdir -p "$T_ROOT/share1" "$T_ROOT/share2"
check "a mount to /srv/code" lx config wf6 set mount.code "$T_ROOT/share1:/srv/code"
out=$(lx config wf6 set mount.other "$T_ROOT/share2:/srv/code/" 2>&1)
check_match "a second mount to the same target is refused" \
    "mount.other: .*/srv/code.*mount.code" "$out"
check_eq "and not recorded" "" "$(lx config wf6 get mount.other 2>/dev/null)"
check "replacing the same key's own target is fine" \
    lx config wf6 set mount.code "$T_ROOT/share2:/srv/code"

# ---- templates in a store that has built nothing: no empty heading ----
out=$(lx templates)
check_eq "templates: no empty 'Cached in' heading" "" "$(grep 'Cached in' <<<"$out")"
check_match "templates says that nothing is cached" "No root filesystem is cached yet" "$out"

# ---- the host is left clean ----
base=$(uid_base_of wf1)
check "wf1 stops" lx stop wf1
check_host_clean wf1 "$base"
done_testing
