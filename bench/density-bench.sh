#!/usr/bin/env bash
# Prints figures, asserts nothing: N idle Debian 12 guests (default 100) booted one after
# another with lxmgr, then with LXC 5 (default up to 20: at default host settings LXC stops
# at about 17, where root's 128 inotify instances run out, since root owns every user
# namespace LXC makes, whatever id range each guest maps), side by side: start and boot time
# of the 1st vs the Nth, memory per guest, monitor RSS, idle CPU, host resources with all of
# them up, and the time to stop them all. Where a host limit stops either tool, it prints
# the limit and the guest that met it.
# Usage: bench/density-bench.sh [-n GUESTS] [-l LXC_GUESTS] [-i IDLE_SECONDS]  (as root)
# Environment: LXMGR (binary, default ./lxmgr/lxmgr of this checkout),
#              LXC_IDMAP_BASE (host uid/gid the first LXC guest's root maps to, default
#              3000000; guest I's is 65536 * (I-1) above it).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

n=100
lxc_n=20
idle=60
usage() {
    echo "usage: $0 [-n GUESTS] [-l LXC_GUESTS (0: skip LXC)] [-i IDLE_SECONDS]" >&2
    exit 2
}
while getopts "n:l:i:h" opt; do
    case $opt in
        n) n=$OPTARG ;;
        l) lxc_n=$OPTARG ;;
        i) idle=$OPTARG ;;
        *) usage ;;
    esac
done
[[ $n =~ ^[1-9][0-9]*$ && $lxc_n =~ ^[0-9]+$ && $idle =~ ^[1-9][0-9]*$ ]] || usage
need_root

boot_timeout=60
settle_every=0.02
tag=dens$$

sum() { awk '{ s += $1 } END { print s + 0 }'; }
# "FIRST / LAST (median ALL)": medians of the first 10 and the last 10 of the values.
ends() {
    local v=("$@") k=10
    [ ${#v[@]} -ge $k ] || k=${#v[@]}
    echo "$(median "${v[*]:0:k}") / $(median "${v[*]: -k}") (median $(median "${v[*]}"))"
}
# CPU seconds the host spent busy (all cores) since boot, from /proc/stat.
busy_s() { awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat; }

# ---------------------------------------------------------------- setup (idempotent)

if [ "$lxc_n" -gt 0 ] && ! command -v lxc-start >/dev/null; then
    log "apt-get install -y lxc"
    DEBIAN_FRONTEND=noninteractive apt-get install -y lxc >&2 || log "apt-get failed: LXC is skipped"
fi
bench_rootfs
if [ "$lxc_n" -gt 0 ] && command -v lxc-start >/dev/null; then
    lxc_subids "$lxc_n"
fi

bench_workdir
mkdir -m 0755 "$lxroot/etc"
printf '[net]\ndns = local\n' >"$lxroot/etc/lxmgr.conf"
lxc_names=()

# ---------------------------------------------------------------- cleanup

cleanup() {
    local rc=$? left=() name d
    trap - EXIT INT TERM
    set +e
    log "cleaning up"
    if [ -d "$lxroot/lib" ]; then
        timeout 120 "$lxmgr_bin" --root "$lxroot" -q stop --all --timeout 20 >/dev/null 2>&1
        timeout 60 "$lxmgr_bin" --root "$lxroot" -q stop --all --kill >/dev/null 2>&1
        for d in "$lxroot"/lib/*/; do
            [ -d "$d" ] && timeout 60 "$lxmgr_bin" --root "$lxroot" -q destroy "$(basename "$d")" --force >/dev/null 2>&1
        done
    fi
    for name in "${lxc_names[@]}"; do
        timeout 30 lxc-stop -n "$name" -k >/dev/null 2>&1
    done
    for name in "${lxc_names[@]}"; do
        timeout 60 lxc-destroy -n "$name" >/dev/null 2>&1
        [ -e "/var/lib/lxc/$name" ] && rm -rf --one-file-system "/var/lib/lxc/$name"
        for d in /sys/fs/cgroup/*/lxc.payload."$name" /sys/fs/cgroup/*/lxc.monitor."$name"; do
            [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
        done
    done
    rm -rf --one-file-system "$tmp"
    for d in "$tmp" /sys/fs/cgroup/*/lxmgr.slice/lxmgr-*-"$tag"-*.scope \
        /var/lib/lxc/"$tag"-* /sys/fs/cgroup/*/lxc.payload."$tag"-* /sys/fs/cgroup/*/lxc.monitor."$tag"-*; do
        [ -e "$d" ] && left+=("$d")
    done
    for d in /proc/[0-9]*; do
        name=$(tr '\0' ' ' 2>/dev/null <"$d/cmdline") || continue
        [[ $name == "[lxc monitor]"*"$tag-"* ]] && left+=("${d#/proc/}")
    done
    cleanup_report "$rc" "guests, copies, cgroups, monitors" "${left[@]}"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- host figures

used_bytes() { free -b | awk '/^Mem:/ { print $3 }'; }
open_files() { awk '{ print $1 - $2 }' /proc/sys/fs/file-nr; }
inotify_instances() {
    { find /proc/[0-9]*/fd -lname 'anon_inode:inotify' 2>/dev/null || true; } | wc -l
}
keys_total() { awk '{ split($4, k, "/"); s += k[1] } END { print s + 0 }' /proc/key-users; }
keys_of_root() { awk '$1 == "0:" { split($4, k, "/"); print k[1] }' /proc/key-users; }
pids_total() { local t=(/proc/[0-9]*/task/[0-9]*); echo "${#t[@]}"; }
# Mounts in the host's namespace and in every other mount namespace (one process each).
mounts_total() {
    local ns seen=" " p total=0 m
    for p in /proc/[0-9]*; do
        ns=$(readlink "$p/ns/mnt" 2>/dev/null) || continue
        [[ $seen == *" $ns "* ]] && continue
        seen+="$ns "
        m=$(wc -l <"$p/mountinfo" 2>/dev/null) || continue
        total=$((total + m))
    done
    echo "$total"
}
declare -A H # "WHEN figure" -> host value; WHEN is 0 (no guest up) or 1 (all up)
host_snapshot() { # host_snapshot WHEN
    H["$1 used"]=$(used_bytes)
    H["$1 files"]=$(open_files)
    H["$1 inotify"]=$(inotify_instances)
    H["$1 keys"]=$(keys_total)
    H["$1 rootkeys"]=$(keys_of_root)
    H["$1 pids"]=$(pids_total)
    H["$1 mounts"]=$(mounts_total)
}
# The growth of a host figure from no guest to all up, and the total.
grown() {
    local before=${H["0 $1"]} after=${H["1 $1"]}
    echo "$((after - before)) (host $after)"
}

# ns of CPU time a process (and its threads) has used: /proc/PID/schedstat, first field.
proc_cpu_ns() { awk '{ print $1 }' "/proc/$1/schedstat" 2>/dev/null || echo 0; }
cg_cpu_us() { awk '$1 == "usage_usec" { print $2 }' "$1/cpu.stat" 2>/dev/null || echo 0; }

declare -A R # "tool figure" -> text

# Idle CPU over $idle seconds: sets R[tool cpu_guest] and R[tool cpu_mon] (ms per guest).
idle_cpu() { # idle_cpu TOOL "CGDIR MONPID"...
    local tool=$1 c m g0=() m0=() g=0 mo=0 i=0 cnt
    shift
    for x in "$@"; do
        read -r c m <<<"$x"
        g0+=("$(cg_cpu_us "$c")")
        m0+=("$(proc_cpu_ns "$m")")
    done
    sleep "$idle"
    for x in "$@"; do
        read -r c m <<<"$x"
        g=$((g + $(cg_cpu_us "$c") - g0[i]))
        mo=$((mo + $(proc_cpu_ns "$m") - m0[i]))
        i=$((i + 1))
    done
    cnt=$#
    R["$tool cpu_guest"]=$(awk -v u="$g" -v n="$cnt" 'BEGIN { printf "%.1f", u / 1000 / n }')
    R["$tool cpu_mon"]=$(awk -v u="$mo" -v n="$cnt" 'BEGIN { printf "%.2f", u / 1e6 / n }')
}

failed_units() { # failed_units CMD... (a command that runs systemctl inside)
    "$@" systemctl list-units --failed --plain --no-legend 2>/dev/null | wc -l
}

# Everything measured with all guests up; $1 = tool, then "NAME CGDIR MEMCG MONPID" lines.
measure_up() {
    local tool=$1 list=$2 name c mc m mem='' anon='' rss='' pss='' ranon='' pairs=()
    while read -r name c mc m; do
        [ -n "$name" ] || continue
        mem+="$(cat "$mc/memory.usage_in_bytes") "
        anon+="$(awk '$1 == "total_rss" { print $2 }' "$mc/memory.stat") "
        rss+="$(awk '/^VmRSS:/ { print $2 }' "/proc/$m/status") "
        ranon+="$(awk '/^RssAnon:/ { print $2 }' "/proc/$m/status") "
        pss+="$(awk '/^Pss:/ { print $2 }' "/proc/$m/smaps_rollup") "
        pairs+=("$c $m")
    done <<<"$list"
    R["$tool mem"]="$(mib "$(median "$mem")") (total $(mib "$(tr ' ' '\n' <<<"$mem" | sum)"))"
    R["$tool anon"]=$(mib "$(median "$anon")")
    R["$tool rss"]="$(awk -v k="$(median "$rss")" 'BEGIN { printf "%.2f", k / 1024 }') (max $(awk -v k="$(tr ' ' '\n' <<<"$rss" | sort -n | tail -n1)" 'BEGIN { printf "%.2f", k / 1024 }'))"
    R["$tool rss_anon"]=$(awk -v k="$(median "$ranon")" 'BEGIN { printf "%.2f", k / 1024 }')
    R["$tool pss"]=$(awk -v k="$(median "$pss")" 'BEGIN { printf "%.2f", k / 1024 }')
    log "$tool: idle CPU over ${idle} s"
    idle_cpu "$tool" "${pairs[@]}"
    host_snapshot 1
    local up=${R["$tool up"]} u0=${H["0 used"]} u1=${H["1 used"]} delta
    delta=$((u1 - u0))
    [ "$up" -gt 0 ] || up=1
    R["$tool used"]="$(mib $((delta / up))) (total $(mib "$delta"))"
    R["$tool files"]=$(grown files)
    R["$tool inotify"]=$(grown inotify)
    R["$tool keys"]="$(grown keys); root's ${H[0 rootkeys]} -> ${H[1 rootkeys]}"
    R["$tool pids"]=$(grown pids)
    R["$tool mounts"]=$(grown mounts)
}

# ---------------------------------------------------------------- lxmgr

# median_ms CMD...: the median wall time of 5 runs of CMD, in ms.
median_ms() {
    local k t0 list=''
    for k in 1 2 3 4 5; do
        t0=$(now_us)
        "$@" >/dev/null 2>&1 || true
        list+="$(($(now_us) - t0)) "
    done
    awk -v us="$(median "$list")" 'BEGIN { printf "%.1f", us / 1000 }'
}

# list and list --json with what runs now: "TABLE_MS JSON_MS".
list_times() {
    echo "$(median_ms lx list) $(median_ms lx list --json)"
}

# The host limit doctor names first (the density check of lxmgr doctor), without its verdict.
doctor_limit() {
    "$lxmgr_bin" --root "$lxroot" doctor 2>/dev/null | sed -n 's/^[a-zA-Z]* *host limits: //p'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "-" }'; }

lxmgr_run() {
    local i name t0 b0 t_start=() t_boot=() states='' list='' st failed=0 how out l1='' ln s1
    how="clone --snapshot of one guest"
    lx create "$tag-base" --rootfs "$rootfs" --net none 2>/dev/null
    log "lxmgr: making $n guests ($how)"
    t0=$(now_us)
    for ((i = 1; i <= n; i++)); do
        lx clone --snapshot "$tag-base" "$tag-$i" >/dev/null
    done
    R[lxmgr how]=$how
    R[lxmgr prep]=$(secs $(($(now_us) - t0)))
    sync
    host_snapshot 0
    log "lxmgr: booting $n guests one after another"
    for ((i = 1; i <= n; i++)); do
        name=$tag-$i
        t0=$(now_us)
        # A host limit fails every start after it: the count stops at the first failure,
        # with the limit doctor names now.
        out=$(lx start "$name" 2>&1) || {
            log "lxmgr: start $name: $(last_line "$out")"
            R[lxmgr limit]="guest $i of $n did not start: $(last_line "$out"); doctor: $(doctor_limit)"
            failed=$((failed + 1))
            break
        }
        t_start+=("$(secs $(($(now_us) - t0)))")
        if wait_settled "$t0" "$lxmgr_bin" --root "$lxroot" -q exec "$name" -- systemctl is-system-running --wait; then
            t_boot+=("$(secs "$settled_us")")
        else
            t_boot+=("-")
        fi
        states+="$settled "
        [ "$i" = 1 ] && l1=$(list_times)
    done
    ln=$(list_times)
    if [ -n "$l1" ]; then
        R[lxmgr list]="$(cut -d' ' -f1 <<<"$l1") / $(cut -d' ' -f1 <<<"$ln") ($(ratio "$(cut -d' ' -f1 <<<"$ln")" "$(cut -d' ' -f1 <<<"$l1")"))"
        R[lxmgr list_json]="$(cut -d' ' -f2 <<<"$l1") / $(cut -d' ' -f2 <<<"$ln") ($(ratio "$(cut -d' ' -f2 <<<"$ln")" "$(cut -d' ' -f2 <<<"$l1")"))"
    fi
    R[lxmgr up]=$(tr ' ' '\n' <<<"$states" | grep -cE '^(running|degraded)$' || true)
    R[lxmgr states]=$(tr ' ' '\n' <<<"$states" | grep -v '^$' | sort | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')
    R[lxmgr start]=$(ends "${t_start[@]}")
    R[lxmgr boot]=$(ends "${t_boot[@]//-/}")
    st=0
    for ((i = 1; i <= n; i++)); do
        st=$((st + $(failed_units "$lxmgr_bin" --root "$lxroot" -q exec "$tag-$i" --)))
    done
    R[lxmgr failed]=$st
    for ((i = 1; i <= n; i++)); do
        f=$lxroot/run/$tag-$i/state
        [ -r "$f" ] || continue
        list+="$tag-$i $(sed -n 's/^cgroup=//p' "$f") $(sed -n 's/^cgroup_memory=//p' "$f") $(sed -n 's/^monitor_pid=//p' "$f")"$'\n'
    done
    measure_up lxmgr "$list"
    log "lxmgr: stop of one guest, then stop --all of the others"
    t0=$(now_us)
    out=$(lx stop "$tag-1" 2>&1) || log "lxmgr: stop $tag-1: $(last_line "$out")"
    s1=$(secs $(($(now_us) - t0)))
    R[lxmgr stop1]=$s1
    t0=$(now_us)
    b0=$(busy_s)
    out=$(lx stop --all 2>&1) || log "lxmgr: stop --all: $(last_line "$out")"
    t0=$(secs $(($(now_us) - t0)))
    R[lxmgr stop]="$t0 (stop --all, $(ratio "$t0" "$s1") one stop)"
    R[lxmgr stop_cpu]=$(awk -v a="$b0" -v b="$(busy_s)" -v n="$(nproc)" 'BEGIN { printf "%.1f of %d cores", b - a, n }')
    R[lxmgr after]="$(lx list | awk 'NR > 1 && $2 != "stopped"' | wc -l) not stopped, $(find /sys/fs/cgroup/*/lxmgr.slice -maxdepth 1 -name "lxmgr-*-$tag-*" 2>/dev/null | wc -l) cgroups left"
}

# ---------------------------------------------------------------- LXC

# lxc_make NAME I: guest I's root is host uid/gid idmap_base + (I-1)*65536, its own range as
# every lxmgr guest has. Its rootfs is a copy of all but /usr, which is hard-linked: the
# guests share /usr's files and page cache as lxmgr's snapshot clones share their lower
# layer (LXC's idmapped rootfs takes only the "dir" driver, not overlay).
lxc_make() {
    local d=/var/lib/lxc/$1 e
    mkdir -p "$d/rootfs"
    chmod 0755 "$d"
    lxc_names+=("$1")
    for e in "$rootfs"/* "$rootfs"/.[!.]*; do
        [ -e "$e" ] || [ -L "$e" ] || continue
        if [ "$e" = "$rootfs/usr" ]; then
            cp -al "$e" "$d/rootfs/"
        else
            cp -a "$e" "$d/rootfs/"
        fi
    done
    chmod --reference="$rootfs" "$d/rootfs"
    lxc_config "$1" "$d" $((idmap_base + ($2 - 1) * 65536))
}

# Inotify instances charged to each host uid, the top 3 as "UID:COUNT": an instance counts
# against fs.inotify.max_user_instances of the uid that owns the outermost user namespace
# below the host's (or of the process's own uid on the host).
inotify_by_uid() {
    python3 - <<'PY' 2>/dev/null || echo "?"
import array, collections, fcntl, os
NS_GET_PARENT, NS_GET_OWNER_UID = 0xB702, 0xB704
host = os.stat("/proc/self/ns/user").st_ino
count, owner = collections.Counter(), {}
for p in filter(str.isdigit, os.listdir("/proc")):
    try:
        n = sum(os.readlink(f"/proc/{p}/fd/{f}") == "anon_inode:inotify" for f in os.listdir(f"/proc/{p}/fd"))
        ns = os.stat(f"/proc/{p}/ns/user").st_ino
        if not n:
            continue
        if ns not in owner and ns != host:
            fd = os.open(f"/proc/{p}/ns/user", os.O_RDONLY)
            while True:
                try:
                    parent = fcntl.ioctl(fd, NS_GET_PARENT)
                except OSError:
                    break
                top = os.fstat(parent).st_ino == host
                os.close(parent if top else fd)
                if top:
                    break
                fd = parent
            uid = array.array("I", [0])
            fcntl.ioctl(fd, NS_GET_OWNER_UID, uid)
            os.close(fd)
            owner[ns] = uid[0]
        if ns == host:
            with open(f"/proc/{p}/status") as f:
                owner[ns] = int(f.read().split("Uid:")[1].split()[0])
        count[owner[ns]] += n
    except OSError:
        pass
top = [u for u, c in count.most_common(3)]
print(" ".join(f"{u}:{count[u]}" for u in ([0] if 0 not in top else []) + top) or "none")
PY
}

# "LIMIT REACHED: ..." for each limit host_limits UID would show at its maximum (or within
# 2 of it), naming the setting; nothing when none is. INOTIFY is inotify_by_uid's output,
# KEYS the uid's "used/max" keys.
reached_limit() { # reached_limit UID INOTIFY KEYS
    local uc u c max
    max=$(cat /proc/sys/fs/inotify/max_user_instances)
    for uc in $2; do
        u=${uc%%:*} c=${uc#*:}
        [[ $c =~ ^[0-9]+$ ]] && [ "$c" -ge $((max - 2)) ] &&
            echo -n "LIMIT REACHED: fs.inotify.max_user_instances ($c of $max instances charged to uid $u$([ "$u" = 0 ] && echo ", which owns every user namespace LXC makes as root")); "
    done
    [ "${3%%/*}" -ge $((${3#*/} - 2)) ] && echo -n "LIMIT REACHED: kernel.keys.maxkeys ($3 keys of uid $1); "
    [ "$(pids_total)" -ge $(($(cat /proc/sys/kernel/threads-max) - 2)) ] && echo -n "LIMIT REACHED: kernel.threads-max; "
    [ "$(cat /proc/sys/kernel/pty/nr)" -ge $(($(cat /proc/sys/kernel/pty/max) - 2)) ] && echo -n "LIMIT REACHED: kernel.pty.max; "
    [ "$(open_files)" -ge $(($(cat /proc/sys/fs/file-max) - 2)) ] && echo -n "LIMIT REACHED: fs.file-max; "
    [ "$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)" -lt 262144 ] && echo -n "LIMIT REACHED: memory (under 256 MiB available); "
    return 0
}

# Every per-uid and host-wide limit a guest may run into, as "figure used/limit" (per-uid
# figures for root and for the uid UID that guest's root maps to).
host_limits() { # host_limits UID
    local k ino
    k=$(awk -v u="$1:" '$1 == u { print $4 }' /proc/key-users)
    ino=$(inotify_by_uid)
    reached_limit "$1" "$ino" "${k:-0/$(cat /proc/sys/kernel/keys/maxkeys)}"
    echo "inotify instances by uid $ino (max_user_instances $(cat /proc/sys/fs/inotify/max_user_instances));" \
        "keys/maxkeys of uid $1 ${k:-0/$(cat /proc/sys/kernel/keys/maxkeys)}, of root $(awk '$1 == "0:" { print $4 }' /proc/key-users);" \
        "threads $(pids_total)/$(cat /proc/sys/kernel/threads-max) (pid_max $(cat /proc/sys/kernel/pid_max));" \
        "ptys $(cat /proc/sys/kernel/pty/nr)/$(cat /proc/sys/kernel/pty/max);" \
        "files $(open_files)/$(cat /proc/sys/fs/file-max);" \
        "MemAvailable $(awk '/^MemAvailable:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
}

# The first line of guest NAME's journal (errors and warnings) naming a limit, if any.
lxc_limit_hint() {
    timeout 20 lxc-attach -n "$1" -- journalctl -b -p warning --no-pager -q -o cat 2>/dev/null |
        grep -iE -m1 'inotify|too many|quota|cannot allocate|resource temporarily|no space' || echo "none in its journal"
}

lxc_run() {
    local i name t0 b0 t_start=() t_boot=() states='' list='' st=0 up=() out init mon pids=() uid prep_us
    command -v lxc-start >/dev/null || { R[lxc states]="not installed"; return; }
    R[lxc how]="cp -a, /usr cp -al; own id range"
    # Each guest is made just before it boots: where a limit stops LXC early, the copies of
    # the guests it never reaches are not made. The host figures count them (9 MiB each).
    host_snapshot 0
    log "lxc: making and booting up to $lxc_n guests one after another (a copy each, /usr hard-linked; own id range each from $idmap_base)"
    prep_us=0
    for ((i = 1; i <= lxc_n; i++)); do
        name=$tag-lxc$i
        uid=$((idmap_base + (i - 1) * 65536))
        t0=$(now_us)
        lxc_make "$name" "$i"
        prep_us=$((prep_us + $(now_us) - t0))
        R[lxc prep]="$(secs "$prep_us") for $i"
        t0=$(now_us)
        # Where a host limit stops LXC, the count stops at that guest, with every limit's
        # figures at that moment and what the guest's journal says.
        out=$(lxc-start -n "$name" 2>&1) || {
            states+="start-failed "
            log "lxc-start $name: $(last_line "$out")"
            R[lxc limit]="guest $i did not start: $(last_line "$out"); $(host_limits "$uid")"
            break
        }
        t_start+=("$(secs $(($(now_us) - t0)))")
        if wait_settled "$t0" lxc-attach -n "$name" -- systemctl is-system-running --wait; then
            t_boot+=("$(secs "$settled_us")")
            up+=("$name")
        else
            t_boot+=("-")
            log "lxc: $name did not settle within ${boot_timeout}s; no more LXC guests"
            R[lxc limit]="guest $i never settled ($settled_why); journal: $(lxc_limit_hint "$name"); $(host_limits "$uid")"
            states+="$settled "
            break
        fi
        states+="$settled "
        if [ "$settled" != running ] && [ -z "${R[lxc degraded]:-}" ]; then
            R[lxc degraded]="guest $i: $(lxc-attach -n "$name" -- systemctl list-units --failed --plain --no-legend 2>/dev/null | awk '{ printf "%s%s", s, $1; s = " " }'); journal: $(lxc_limit_hint "$name"); $(host_limits "$uid")"
            log "lxc: first guest not running: ${R[lxc degraded]}"
        fi
        [ $((i % 50)) = 0 ] && log "lxc: $i up; $(host_limits "$uid")"
    done
    R[lxc up]=${#up[@]}
    R[lxc states]=$(tr ' ' '\n' <<<"$states" | grep -v '^$' | sort | uniq -c | awk '{ printf "%s%s %s", s, $1, $2; s = ", " }')
    R[lxc start]=$(ends "${t_start[@]}")
    R[lxc boot]=$(ends "${t_boot[@]//-/}")
    for name in "${up[@]}"; do
        st=$((st + $(failed_units lxc-attach -n "$name" --)))
        init=$(lxc-info -n "$name" -pH)
        mon=$(awk '/^PPid:/ { print $2 }' "/proc/$init/status")
        list+="$name /sys/fs/cgroup/unified/lxc.payload.$name /sys/fs/cgroup/memory/lxc.payload.$name $mon"$'\n'
    done
    R[lxc failed]=$st
    [ ${#up[@]} -gt 0 ] && measure_up lxc "$list"
    log "lxc: lxc-stop of every guest at once"
    t0=$(now_us)
    b0=$(busy_s)
    for name in "${lxc_names[@]}"; do
        lxc-info -n "$name" -s 2>/dev/null | grep -q RUNNING || continue
        timeout 120 lxc-stop -n "$name" >/dev/null 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || true; done
    R[lxc stop]="$(secs $(($(now_us) - t0))) (lxc-stop of each in parallel)"
    R[lxc stop_cpu]=$(awk -v a="$b0" -v b="$(busy_s)" -v n="$(nproc)" 'BEGIN { printf "%.1f of %d cores", b - a, n }')
}

# ---------------------------------------------------------------- the runs

cd /
log "rootfs $rootfs; $n lxmgr guests, up to $lxc_n LXC guests; idle CPU over ${idle} s"
log "host limit for many guests (lxmgr doctor): $(doctor_limit)"
log "host: inotify max_user_instances $(cat /proc/sys/fs/inotify/max_user_instances), keys maxkeys $(cat /proc/sys/kernel/keys/maxkeys)"
lxmgr_run
# The lxmgr guests are gone before LXC starts: each tool is measured on an empty host.
for ((i = 1; i <= n; i++)); do lx destroy "$tag-$i" >/dev/null 2>&1 || true; done
lx destroy "$tag-base" >/dev/null 2>&1 || true
[ "$lxc_n" -gt 0 ] && lxc_run

row() {
    printf '%-34s %-34s %s\n' "$1" "${R[lxmgr $2]:--}" "${R[lxc $2]:--}"
}
echo
echo "Idle Debian 12 guests (minbase + systemd, $rootfs), booted one after another, --net none / net empty"
printf '%-34s %-34s %s\n' figure "lxmgr ($n)" "LXC (up to $lxc_n)"
row "guests made as" how
row "making them (s)" prep
row "settled states" states
row "guests up" up
row "failed units, all guests" failed
row "start cmd, first/last 10 (s)" start
row "boot to running, first/last 10 (s)" boot
row "memory cgroup per guest (MiB)" mem
row "  of which anon (MiB)" anon
row "host used memory per guest (MiB)" used
row "monitor VmRSS (MiB)" rss
row "monitor RssAnon (MiB)" rss_anon
row "monitor Pss (MiB)" pss
row "idle CPU/60 s, guest (ms)" cpu_guest
row "idle CPU/60 s, monitor (ms)" cpu_mon
row "open files, all guests" files
row "inotify instances, all guests" inotify
row "keys, all guests" keys
row "threads, all guests" pids
row "mounts, all guests" mounts
row "list, 1 / all running (ms)" list
row "list --json, 1 / all running (ms)" list_json
row "stop one guest (s)" stop1
row "stop all (s)" stop
row "  host CPU busy meanwhile (s)" stop_cpu
row "after stop" after
row "first guest not running" degraded
row "limit met" limit
echo
echo "Versions: $("$lxmgr_bin" --version 2>&1); lxc-start $(lxc-start --version 2>/dev/null || echo missing); kernel $(uname -r)"
echo "Command: bench/density-bench.sh -n $n -l $lxc_n -i $idle"
echo "Host deltas are against the host with no guest up, taken after the guests were made;"
echo "the machine is shared, so host-wide figures include whatever else ran meanwhile."
