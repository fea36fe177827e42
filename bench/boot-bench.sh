#!/usr/bin/env bash
# Prints figures, asserts nothing: lxmgr, LXC 5 and systemd-nspawn booting copies of the
# same Debian 12 rootfs (the one tests/integration/lib/debian-rootfs.sh caches), side by
# side. Every figure is the median of N runs; the tools take turns within each run.
# Usage: bench/boot-bench.sh [-n RUNS] [-e EXECS]      (as root; see bench/README.md)
# Environment: LXMGR (binary, default ./lxmgr/lxmgr of this checkout),
#              LXC_IDMAP_BASE (host uid/gid the LXC container's root maps to, default 3000000).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

runs=5
execs=200
runs_execs_opts "$@"
need_root

boot_timeout=90
name=lxbench-$$
tools=(lxmgr lxc nspawn)

# ---------------------------------------------------------------- setup (idempotent)

need_pkgs=()
command -v lxc-start >/dev/null || need_pkgs+=(lxc)
command -v systemd-nspawn >/dev/null || need_pkgs+=(systemd-container)
command -v newuidmap >/dev/null || need_pkgs+=(uidmap)
command -v hyperfine >/dev/null || need_pkgs+=(hyperfine)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "apt-get install -y ${need_pkgs[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need_pkgs[@]}" >&2 \
        || log "apt-get failed; the tools still missing are reported as failed"
fi

bench_rootfs
lxc_subids 1
# Nothing running may use that range already (lxmgr skips ranges in use; LXC does not look).
for m in /proc/[0-9]*/uid_map; do
    awk -v b="$idmap_base" '$2 != 0 && $2 < b + 65536 && b < $2 + $3 { exit 1 }' "$m" 2>/dev/null \
        || { log "warning: ${m%/uid_map} already maps host uids near $idmap_base (set LXC_IDMAP_BASE)"; break; }
done

# ---------------------------------------------------------------- state and cleanup

bench_workdir

lxc_dir=/var/lib/lxc/$name
ns_copy=$tmp/nspawn-rootfs
ns_pid=
ns_leader=
ns_cgroups=()
lx_cgroups=()
started_pids=()   # "PID STARTTIME" of every monitor, init and nspawn process we made
# Directories that LXC and nspawn leave behind: removed at the end if they are new and empty.
pre_existing=()
for d in /sys/fs/cgroup/*/lxc.pivot /run/systemd/nspawn /run/systemd/nspawn/propagate \
    /run/systemd/nspawn/locks /run/systemd/nspawn-uid; do
    [ -e "$d" ] && pre_existing+=("$d")
done

starttime() { awk '{ sub(/^.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }
remember_pid() {
    local st
    st=$(starttime "$1") && [ -n "$st" ] && started_pids+=("$1 $st")
    return 0
}
# Whether PID is still the (non-zombie) process remember_pid saw.
pid_alive() {
    local st state
    st=$(starttime "$1") || return 1
    [ "$st" = "$2" ] || return 1
    state=$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 1
    [ "$state" != Z ]
}
remove_cgroup_tree() { [ -d "$1" ] && find "$1" -depth -type d -exec rmdir {} + 2>/dev/null; return 0; }

cleanup() {
    local rc=$? left=() p st d pre
    trap - EXIT INT TERM
    set +e
    log "cleaning up"
    # lxmgr
    if [ -d "$lxroot/lib/$name" ]; then
        timeout 60 "$lxmgr_bin" --root "$lxroot" -q stop "$name" --timeout 20 >/dev/null 2>&1
        timeout 30 "$lxmgr_bin" --root "$lxroot" -q stop "$name" --kill >/dev/null 2>&1
        timeout 60 "$lxmgr_bin" --root "$lxroot" -q destroy "$name" --force >/dev/null 2>&1
    fi
    # LXC
    if [ -e "$lxc_dir" ]; then
        if lxc-info -n "$name" -s 2>/dev/null | grep -qv STOPPED; then
            timeout 60 lxc-stop -n "$name" -t 20 >/dev/null 2>&1
            timeout 30 lxc-stop -n "$name" -k >/dev/null 2>&1
        fi
        timeout 60 lxc-destroy -n "$name" >/dev/null 2>&1
        [ -e "$lxc_dir" ] && rm -rf --one-file-system "$lxc_dir"
    fi
    # nspawn
    if [ -n "$ns_pid" ] && kill -0 "$ns_pid" 2>/dev/null; then
        kill -TERM "$ns_pid" 2>/dev/null
        for _ in $(seq 200); do kill -0 "$ns_pid" 2>/dev/null || break; sleep 0.1; done
    fi
    # Whatever we started and still lives: by PID, checked against its start time.
    for p in "${started_pids[@]}"; do
        read -r p st <<<"$p"
        pid_alive "$p" "$st" && kill -KILL "$p" 2>/dev/null
    done
    [ -n "$ns_pid" ] && wait "$ns_pid" 2>/dev/null
    sleep 0.2
    for d in "${ns_cgroups[@]}"; do remove_cgroup_tree "$d"; done
    rm -rf --one-file-system /run/systemd/nspawn/propagate/"$name"
    for d in /sys/fs/cgroup/*/lxc.pivot /run/systemd/nspawn/propagate /run/systemd/nspawn/locks \
        /run/systemd/nspawn /run/systemd/nspawn-uid; do
        [ -d "$d" ] || continue
        for pre in "${pre_existing[@]}"; do [ "$pre" = "$d" ] && continue 2; done
        rmdir "$d" 2>/dev/null
    done
    rm -rf --one-file-system "$tmp"

    # Nothing may be left.
    for p in "${started_pids[@]}"; do
        read -r p st <<<"$p"
        pid_alive "$p" "$st" && left+=("process $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))")
    done
    for d in "$tmp" "$lxc_dir" "${ns_cgroups[@]}" "${lx_cgroups[@]}" \
        /sys/fs/cgroup/*/lxmgr.slice/lxmgr-*-"$name".scope \
        /sys/fs/cgroup/*/lxc.payload."$name" /sys/fs/cgroup/*/lxc.monitor."$name" \
        /run/systemd/nspawn/propagate/"$name"; do
        [ -e "$d" ] && left+=("$d")
    done
    cleanup_report "$rc" "processes, /var/lib/lxc/$name, copies, cgroups" "${left[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- results

declare -A fail       # tool -> reason (the tool is skipped from then on)
declare -A samples    # "tool figure" -> space-separated values
declare -A states     # tool -> states systemd settled in, one per run
add() { samples["$1 $2"]+="$3 "; }
failed() {
    [ -n "${fail[$1]:-}" ] && return 0
    fail[$1]=$2
    log "$1 failed: $2"
}
ok() { [ -z "${fail[$1]:-}" ]; }

# Median wall time (ms) of each command line, as one number per line.
time_execs() {
    local json=$tmp/hyperfine.json cmd i t0 t list argv=()
    if command -v hyperfine >/dev/null; then
        hyperfine -N --warmup 3 --runs "$execs" --export-json "$json" "$@" >"$tmp/hyperfine.log" 2>&1 \
            || { last_line "$(cat "$tmp/hyperfine.log")" >&2; return 1; }
        python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.3f" % (r["median"] * 1000))' "$json"
    else
        for cmd in "$@"; do
            list=
            read -ra argv <<<"$cmd"
            for ((i = 0; i < execs; i++)); do
                t0=$(now_us)
                "${argv[@]}" >/dev/null 2>&1 || { echo "$cmd failed" >&2; return 1; }
                t=$(($(now_us) - t0))
                list+="$t "
            done
            awk -v us="$(median "$list")" 'BEGIN { printf "%.3f\n", us / 1000 }'
        done
    fi
}

vmrss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
# The v1 memory cgroup's usage, and the anonymous memory below it (total_rss).
memcg_figures() {
    local tool=$1 dir=$2
    [ -r "$dir/memory.usage_in_bytes" ] || { log "$tool: no memory cgroup at $dir"; return 0; }
    add "$tool" mem "$(mib "$(cat "$dir/memory.usage_in_bytes")")"
    add "$tool" anon "$(mib "$(awk '$1 == "total_rss" { print $2 }' "$dir/memory.stat")")"
}
# The v1 memory cgroup directory of PID.
memcg_of() { echo "/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' "/proc/$1/cgroup")"; }

# ---------------------------------------------------------------- lxmgr

state_get() { sed -n "s/^$1=//p" "$lxroot/run/$name/state" 2>/dev/null; }

lxmgr_prepare() {
    local t0 out
    t0=$(now_us)
    out=$(lx create "$name" --rootfs "$rootfs" --net none 2>&1) || { failed lxmgr "create: $(last_line "$out")"; return; }
    add lxmgr prep "$(secs $(($(now_us) - t0)))"
}

# Each line of stdin with the time it arrived (as now_us gives it) in front, without a fork
# per line: a subshell would delay the stamp of the line after it by a millisecond or more.
stamp_lines() {
    local l t
    while IFS= read -r l; do
        t=${EPOCHREALTIME/./}
        echo "$((10#$t)) $l"
    done
}

lxmgr_run() {
    local t0 out init mon cg json medians exec_us
    t0=$(now_us)
    # -v: the monitor says "started, init is pid N" as soon as the child is about to exec
    # init (SYNC_EXEC), before start returns: lxmgr's own share of the start.
    out=$("$lxmgr_bin" --root "$lxroot" -v start "$name" 2>&1 | stamp_lines) \
        || { failed lxmgr "start: $(last_line "$out")"; return; }
    exec_us=$(awk '/started, init is pid/ { print $1; exit }' <<<"$out")
    mon=$(state_get monitor_pid)
    init=$(state_get init_pid)
    [ -n "$mon" ] && remember_pid "$mon"
    [ -n "$init" ] && remember_pid "$init"
    cg=$(state_get cgroup)
    [ -n "$cg" ] && lx_cgroups+=("$cg")
    if ! wait_settled "$t0" "$lxmgr_bin" --root "$lxroot" -q exec "$name" -- systemctl is-system-running --wait; then
        failed lxmgr "boot: $settled_why"
        return
    fi
    add lxmgr boot "$(secs "$settled_us")"
    if [ -n "$exec_us" ]; then
        add lxmgr to_exec "$(awk -v us=$((exec_us - t0)) 'BEGIN { printf "%.1f", us / 1000 }')"
        add lxmgr exec_to_ready "$(secs $((settled_us - (exec_us - t0))))"
    fi
    states[lxmgr]+="$settled "
    [ -n "$mon" ] && add lxmgr rss "$(vmrss_mib "$mon")"
    cg=$(state_get cgroup_memory)
    if [ -n "$cg" ]; then
        memcg_figures lxmgr "$cg"
    elif [ -n "$(state_get cgroup)" ] && [ -r "$(state_get cgroup)/memory.current" ]; then
        add lxmgr mem "$(mib "$(cat "$(state_get cgroup)/memory.current")")"
    fi
    if medians=$(time_execs "$lxmgr_bin --root $lxroot -q exec $name -- true" "nsenter -a -t $init true" 2>"$tmp/err"); then
        add lxmgr exec "$(sed -n 1p <<<"$medians")"
        add lxmgr nsenter "$(sed -n 2p <<<"$medians")"
        add lxmgr exec_ratio "$(awk -v a="$(sed -n 1p <<<"$medians")" -v b="$(sed -n 2p <<<"$medians")" \
            'BEGIN { printf "%.2f", a / b }')"
    else
        failed lxmgr "exec: $(last_line "$(cat "$tmp/err")")"
    fi
    t0=$(now_us)
    out=$(timeout 120 "$lxmgr_bin" --root "$lxroot" -q stop "$name" 2>&1) || { failed lxmgr "stop: $(last_line "$out")"; return; }
    add lxmgr stop "$(secs $(($(now_us) - t0)))"
    json=$(lx list --json 2>/dev/null || true)
    grep -q "\"name\": \"$name\", \"state\": \"stopped\"" <<<"$json" \
        || failed lxmgr "stop returned but list --json says: $(last_line "$json")"
    if [ -n "$mon" ] && kill -0 "$mon" 2>/dev/null && [ "$(awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$mon/stat")" != Z ]; then
        log "lxmgr: monitor $mon still runs after stop returned"
    fi
    return 0
}

# ---------------------------------------------------------------- LXC

lxc_prepare() {
    local t0
    command -v lxc-start >/dev/null || { failed lxc "lxc is not installed"; return; }
    mkdir -p "$lxc_dir"
    chmod 0755 "$lxc_dir"
    t0=$(now_us)
    cp -a "$rootfs" "$lxc_dir/rootfs"
    add lxc prep "$(secs $(($(now_us) - t0)))"
    lxc_config "$name" "$lxc_dir"
}

lxc_run() {
    local t0 out init mon medians
    t0=$(now_us)
    out=$(lxc-start -n "$name" 2>&1) \
        || { failed lxc "lxc-start: $(last_line "$out$(tail -n1 "$lxc_dir/lxc.log" 2>/dev/null)")"; return; }
    init=$(lxc-info -n "$name" -pH 2>/dev/null || true)
    [ -n "$init" ] || { failed lxc "no init pid: $(last_line "$(tail -n1 "$lxc_dir/lxc.log" 2>/dev/null)")"; return; }
    mon=$(awk '/^PPid:/ { print $2 }' "/proc/$init/status" 2>/dev/null || true)
    remember_pid "$init"
    [ -n "$mon" ] && remember_pid "$mon"
    if ! wait_settled "$t0" lxc-attach -n "$name" -- systemctl is-system-running --wait; then
        failed lxc "boot: $settled_why"
        return
    fi
    add lxc boot "$(secs "$settled_us")"
    states[lxc]+="$settled "
    if [ -n "$mon" ] && tr '\0' ' ' <"/proc/$mon/cmdline" | grep -q '^\[lxc monitor\]'; then
        add lxc rss "$(vmrss_mib "$mon")"
    else
        log "lxc: the parent of init $init is no [lxc monitor]"
    fi
    memcg_figures lxc "/sys/fs/cgroup/memory/lxc.payload.$name"
    if medians=$(time_execs "lxc-attach -n $name -- true" 2>"$tmp/err"); then
        add lxc exec "$medians"
    else
        failed lxc "exec: $(last_line "$(cat "$tmp/err")")"
    fi
    t0=$(now_us)
    out=$(timeout 120 lxc-stop -n "$name" 2>&1) || { failed lxc "lxc-stop: $(last_line "$out")"; return; }
    add lxc stop "$(secs $(($(now_us) - t0)))"
}

# ---------------------------------------------------------------- systemd-nspawn

ns_prepare() {
    local t0
    command -v systemd-nspawn >/dev/null || { failed nspawn "systemd-container is not installed"; return; }
    t0=$(now_us)
    cp -a "$rootfs" "$ns_copy"
    add nspawn prep "$(secs $(($(now_us) - t0)))"
}

# nspawn does not make a cgroup of its own here (--keep-unit, no systemd on the host):
# each run gets fresh ones below ours, so that its memory figure is the container's alone
# (plus nspawn's own process).
ns_cgroup_setup() {
    local run=$1 h rel dir
    ns_run_cgroups=()
    for h in memory systemd unified; do
        [ -d "/sys/fs/cgroup/$h" ] || continue
        if [ "$h" = unified ]; then
            rel=$(awk -F: '$1 == 0 { print $3 }' /proc/self/cgroup)
        else
            rel=$(awk -F: -v c="$h" '$2 == c || $2 == "name=" c { print $3 }' /proc/self/cgroup)
        fi
        dir=/sys/fs/cgroup/$h${rel%/}/boot-bench-nspawn-$$-$run
        mkdir "$dir" || return 1
        ns_cgroups+=("$dir")
        ns_run_cgroups+=("$dir")
    done
}

ns_run() {
    local run=$1 t0 c medians rc
    ns_cgroup_setup "$run" || { failed nspawn "cannot make its cgroups"; return; }
    t0=$(now_us)
    (
        for c in "${ns_run_cgroups[@]}"; do echo "$BASHPID" >"$c/cgroup.procs"; done
        exec systemd-nspawn -D "$ns_copy" -b --keep-unit --register=no --private-users=pick \
            --private-users-ownership=auto --private-network -M "$name" --console=passive
    ) </dev/null >"$tmp/nspawn-$run.log" 2>&1 &
    ns_pid=$!
    remember_pid "$ns_pid"
    # The leader: the child of nspawn that is PID 1 of its own PID namespace.
    ns_leader=
    while [ -z "$ns_leader" ]; do
        kill -0 "$ns_pid" 2>/dev/null || break
        [ $(($(now_us) - t0)) -lt $((boot_timeout * 1000000)) ] || break
        for c in $(cat /proc/"$ns_pid"/task/*/children 2>/dev/null || true); do
            if grep -qE '^NSpid:.*[[:space:]]1$' "/proc/$c/status" 2>/dev/null; then ns_leader=$c; fi
        done
        [ -n "$ns_leader" ] || sleep 0.005
    done
    if [ -z "$ns_leader" ]; then
        failed nspawn "no container leader: $(last_line "$(cat "$tmp/nspawn-$run.log")")"
        return
    fi
    remember_pid "$ns_leader"
    if ! wait_settled "$t0" nsenter -a -t "$ns_leader" systemctl is-system-running --wait; then
        failed nspawn "boot: $settled_why; log: $(last_line "$(cat "$tmp/nspawn-$run.log")")"
        return
    fi
    add nspawn boot "$(secs "$settled_us")"
    states[nspawn]+="$settled "
    add nspawn rss "$(vmrss_mib "$ns_pid")"
    memcg_figures nspawn "$(memcg_of "$ns_leader")"
    if medians=$(time_execs "nsenter -a -t $ns_leader true" 2>"$tmp/err"); then
        add nspawn exec "$medians"
    else
        failed nspawn "exec: $(last_line "$(cat "$tmp/err")")"
    fi
    # nspawn turns SIGTERM into SIGRTMIN+3 for the booted init, then exits with it.
    t0=$(now_us)
    kill -TERM "$ns_pid"
    rc=0
    wait "$ns_pid" || rc=$?
    add nspawn stop "$(secs $(($(now_us) - t0)))"
    ns_pid=
    [ "$rc" = 0 ] || log "nspawn exited with status $rc: $(last_line "$(cat "$tmp/nspawn-$run.log")")"
    sleep 0.1
    for c in "${ns_run_cgroups[@]}"; do remove_cgroup_tree "$c"; done
}

# ---------------------------------------------------------------- the runs

cd /
log "rootfs $rootfs; $runs runs of each tool, $execs execs each run; container name $name"
lxmgr_prepare
lxc_prepare
ns_prepare
for ((run = 1; run <= runs; run++)); do
    log "run $run/$runs"
    if ok lxmgr; then lxmgr_run; fi
    if ok lxc; then lxc_run; fi
    if ok nspawn; then ns_run "$run"; fi
done

# ---------------------------------------------------------------- the table

cell() {
    local tool=$1 fig=$2 v st
    v=${samples["$tool $fig"]:-}
    if [ -z "$v" ]; then
        if ok "$tool"; then echo "-"; else echo "failed"; fi
        return
    fi
    v=$(median "$v")
    case $fig in
        boot)
            st=$(tr ' ' '\n' <<<"${states[$tool]}" | grep -v '^$' | sort | uniq -c | sort -rn |
                awk '{ s = s (s ? "/" : "") $2 } END { print s }')
            printf '%.2f (%s)\n' "$v" "$st"
            ;;
        stop | prep | exec_ratio | exec_to_ready) printf '%.2f\n' "$v" ;;
        *) printf '%.1f\n' "$v" ;;
    esac
}
row() {
    local label=$1 fig=$2 tool
    printf '%-30s' "$label"
    for tool in "${tools[@]}"; do printf ' %-18s' "$(cell "$tool" "$fig")"; done
    printf '\n'
}

echo
echo "Debian 12 rootfs $rootfs, median of $runs runs (exec: median of $execs per run)"
printf '%-30s' figure
for tool in "${tools[@]}"; do printf ' %-18s' "$tool"; done
printf '\n'
row "boot to running (s)" boot
row "exec -- true (ms)" exec
row "nsenter -a true (ms)" nsenter
row "exec / nsenter -a (ratio)" exec_ratio
row "start to init's exec (ms)" to_exec
row "init's exec to running (s)" exec_to_ready
row "stop (s)" stop
row "monitor RSS (MiB)" rss
row "container memory (MiB)" mem
row "  of which anon (MiB)" anon
row "rootfs copy (s)" prep
for tool in "${tools[@]}"; do
    ok "$tool" || echo "$tool failed: ${fail[$tool]}"
done

echo
echo "Versions:"
echo "  lxmgr:          $("$lxmgr_bin" --version 2>&1) ($lxmgr_src)"
echo "  LXC:            lxc-start $(lxc-start --version 2>&1 || echo missing)"
echo "  systemd-nspawn: $(systemd-nspawn --version 2>&1 | head -n1 || echo missing)"
echo "  hyperfine:      $(hyperfine --version 2>&1 || echo 'missing (bash loop used)')"
echo "  kernel:         $(uname -r)"
echo "Commands (NAME=$name):"
echo "  lxmgr:  lxmgr --root DIR create NAME --rootfs ROOTFS --net none; lxmgr start NAME;"
echo "          until lxmgr exec NAME -- systemctl is-system-running --wait; every 10 ms;"
echo "          lxmgr exec NAME -- true; nsenter -a -t INIT_PID true; lxmgr stop NAME"
echo "  lxc:    cp -a ROOTFS $lxc_dir/rootfs (idmap=container, ids $idmap_base+65536, net empty);"
echo "          lxc-start -n NAME; lxc-attach -n NAME -- systemctl is-system-running --wait;"
echo "          lxc-attach -n NAME -- true; lxc-stop -n NAME"
echo "  nspawn: systemd-nspawn -D COPY -b --keep-unit --register=no --private-users=pick"
echo "          --private-users-ownership=auto --private-network -M NAME --console=passive &"
echo "          nsenter -a -t LEADER systemctl is-system-running --wait; nsenter -a -t LEADER true;"
echo "          kill -TERM NSPAWN_PID, timed until it exits"
echo "  lxmgr's share: start -v, the time its monitor prints 'started, init is pid' (the child"
echo "          is about to exec init); the rest, to is-system-running settling, is the guest's."
echo "          exec / nsenter -a: the ratio of the two medians of each run, median over runs"
echo "  exec timings: hyperfine -N --warmup 3 --runs $execs (median); memory: v1 memory cgroup"
echo "          memory.usage_in_bytes (anon: memory.stat total_rss) right after boot settles"
