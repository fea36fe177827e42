#!/usr/bin/env bash
# Proves: hooks run on the host in the documented order (the store's HOOK.d, the
# container's own hooks/HOOK.d, then the config key) with LXMGR_NAME, LXMGR_ROOTFS,
# LXMGR_CONFIG, LXMGR_HOOK and, for start-host, LXMGR_PID = the container's init in its own
# namespaces; post-create runs before the container appears, post-stop after it stopped,
# pre-destroy before anything is removed; a failing pre-start aborts the start with the
# hook's stderr and leaves nothing; a hung hook is killed with its children at
# hooks.timeout; hook files writable by others or inside the store are refused; a snapshot
# clone's hooks see its merged tree.
. "$(dirname "$0")/lib/common.sh"
setup_store

log=$T_ROOT/hooks.log
bin=$T_ROOT/bin
mkdir -p "$bin"
# hook_script FILE TAG: appends one line per run to $log.
hook_script() {
    cat >"$1" <<EOS
#!/bin/sh
init=no; [ -x "\$LXMGR_ROOTFS/sbin/init" ] && init=yes
ns=; [ -n "\${LXMGR_PID:-}" ] && ns=\$(readlink /proc/\$LXMGR_PID/ns/user)
echo "\$LXMGR_HOOK $2 name=\$LXMGR_NAME args=\$* init=\$init config=\$LXMGR_CONFIG pid=\${LXMGR_PID:-} ns=\$ns rootfs=\$LXMGR_ROOTFS" >>"$log"
EOS
    chmod 0755 "$1"
}
for k in pre-start start-host post-stop post-create pre-destroy; do
    mkdir -p "$T_ROOT/etc/hooks/$k.d"
    hook_script "$T_ROOT/etc/hooks/$k.d/10-global" global
done
hook_script "$bin/key-hook" key
printf '[hooks]\npost_create = %s\n' "$bin/key-hook" >>"$T_ROOT/etc/lxmgr.conf"

new_debian hookc1 --net none
check_match "post-create ran before the container appeared, on the built tree" \
    "^post-create global name=hookc1 args=hookc1 post-create init=yes config=$T_ROOT/lib/\.hookc1\.create-[^/]+/config pid= ns= rootfs=$T_ROOT/lib/\.hookc1\.create-[^/]+/rootfs$" \
    "$(sed -n 1p "$log")"
check_match "then the post_create key of lxmgr.conf" "^post-create key name=hookc1" "$(sed -n 2p "$log")"
: >"$log"
mkdir -p "$T_ROOT/lib/hookc1/hooks/pre-start.d"
hook_script "$T_ROOT/lib/hookc1/hooks/pre-start.d/20-own" own
check "config set hooks.pre_start" lx config hookc1 set hooks.pre_start "$bin/key-hook"
check "start" lx start hookc1
pid=$(lx info hookc1 --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
check_eq "pre-start: the store's, the container's own, the key's, then start-host" \
    "pre-start global|pre-start own|pre-start key|start-host global" \
    "$(cut -d' ' -f1,2 "$log" | paste -sd'|')"
check_match "the environment of pre-start" \
    "^pre-start global name=hookc1 args=hookc1 pre-start init=yes config=$T_ROOT/lib/hookc1/config pid= ns= rootfs=$T_ROOT/lib/hookc1/rootfs$" \
    "$(sed -n 1p "$log")"
sh_line=$(grep '^start-host' "$log")
check_match "start-host gets LXMGR_PID = init's pid" "pid=$pid " "$sh_line"
check_match "whose user namespace is not the host's" "ns=user:\[[0-9]+\]" "$sh_line"
[[ $sh_line != *"ns=$(readlink /proc/self/ns/user) "* ]] && ok "start-host's pid is in the container's namespaces" ||
    not_ok "start-host's pid is in the container's namespaces" "$sh_line"
check_eq "the container runs" "running" "$(wait_running hookc1)"
: >"$log"
base=$(uid_base_of hookc1)
check "stop" lx stop hookc1
check_match "post-stop ran after the stop" "^post-stop global name=hookc1 " "$(cat "$log")"

# A failing pre-start: the start fails with the hook's stderr, later hooks do not run.
printf '#!/bin/sh\necho "no disk for you" >&2\nexit 3\n' >"$T_ROOT/lib/hookc1/hooks/pre-start.d/25-fail"
chmod 0755 "$T_ROOT/lib/hookc1/hooks/pre-start.d/25-fail"
: >"$log"
out=$(lx start hookc1 2>&1)
check_eq "start fails with one line naming the hook and its stderr" \
    "lxmgr: start hookc1: hooks: pre-start hook $T_ROOT/lib/hookc1/hooks/pre-start.d/25-fail failed (exit status 3): no disk for you" \
    "$out"
check_eq "the hooks after it did not run" "pre-start global|pre-start own" \
    "$(cut -d' ' -f1,2 "$log" | paste -sd'|')"
check_match "the container is stopped" "hookc1 +stopped" "$(lx list)"
check_host_clean hookc1 "$base"

# A hung hook (and what it started) is killed at hooks.timeout.
printf '#!/bin/sh\nsleep 4242 &\nsleep 4242\n' >"$T_ROOT/lib/hookc1/hooks/pre-start.d/25-fail"
check "config set hooks.timeout 2" lx config hookc1 set hooks.timeout 2
t0=$(date +%s)
out=$(lx start hookc1 2>&1)
took=$(( $(date +%s) - t0 ))
check_match "a hung pre-start is killed at the limit" \
    "pre-start hook $T_ROOT/lib/hookc1/hooks/pre-start.d/25-fail killed after 2 s \(hooks.timeout\)" "$out"
[ "$took" -ge 2 ] && [ "$took" -le 6 ] && ok "after about 2 s (${took} s)" || not_ok "after about 2 s" "took ${took} s"
sleep 0.2
check_eq "nothing it started is left" "" "$(pgrep -a -x -f 'sleep 4242')"
check_host_clean hookc1 "$base"
rm "$T_ROOT/lib/hookc1/hooks/pre-start.d/25-fail"

# Unsafe hook files are refused before they run.
chmod 0777 "$T_ROOT/lib/hookc1/hooks/pre-start.d/20-own"
out=$(lx start hookc1 2>&1)
check_match "a hook writable by others is refused" \
    "20-own is not owned by root or is writable by others than root: refused" "$out"
chmod 0755 "$T_ROOT/lib/hookc1/hooks/pre-start.d/20-own"
check "config set hooks.pre_start to a program inside the rootfs" \
    lx config hookc1 set hooks.pre_start "$T_ROOT/lib/hookc1/rootfs/bin/true"
out=$(lx start hookc1 2>&1)
check_match "a hook inside the store is refused" "bin/true lies in the store" "$out"
check_match "still stopped" "hookc1 +stopped" "$(lx list)"
check "config unset hooks.pre_start" lx config hookc1 unset hooks.pre_start

# A snapshot clone: its own hooks come along, and post-create sees its merged tree.
: >"$log"
T_NAMES+=(hooksnap)
check "clone --snapshot" lx clone hookc1 hooksnap --snapshot
check_match "post-create of a snapshot sees its tree as fd 3" \
    "^post-create global name=hooksnap args=hooksnap post-create init=yes .* rootfs=/proc/self/fd/3$" \
    "$(sed -n 1p "$log")"
check "the clone has the container's own hooks" test -x "$T_ROOT/lib/hooksnap/hooks/pre-start.d/20-own"
: >"$log"
check "start the snapshot" lx start hooksnap
check_match "its pre-start sees the merged tree too" \
    "^pre-start global name=hooksnap .* init=yes .* rootfs=/proc/self/fd/3$" "$(sed -n 1p "$log")"
check "stop the snapshot" lx stop hooksnap
check "destroy the snapshot" lx destroy hooksnap

# pre-destroy: a failure keeps the container, success lets destroy go on.
printf '#!/bin/sh\necho "backup first" >&2\nexit 1\n' >"$bin/no-destroy"
chmod 0755 "$bin/no-destroy"
check "config set hooks.pre_destroy" lx config hookc1 set hooks.pre_destroy "$bin/no-destroy"
out=$(lx destroy hookc1 2>&1)
check_match "a failing pre-destroy keeps the container" "pre-destroy hook .*no-destroy failed \(exit status 1\): backup first" "$out"
check "hookc1 is still there" test -f "$T_ROOT/lib/hookc1/config"
check "config unset hooks.pre_destroy" lx config hookc1 unset hooks.pre_destroy
: >"$log"
check "destroy" lx destroy hookc1
check_match "pre-destroy ran with the container's paths" \
    "^pre-destroy global name=hookc1 args=hookc1 pre-destroy init=yes config=$T_ROOT/lib/hookc1/config " "$(cat "$log")"
check_fails "and the container is gone" test -e "$T_ROOT/lib/hookc1"
done_testing
