#!/usr/bin/env bash
# Sourced by bench/boot-bench.sh and bench/density-bench.sh, not run: what both need to boot
# copies of the cached Debian 12 rootfs with a snapshot of lxmgr and with LXC, and to time
# them. Sourcing sets bench (the script's name, for log lines), top (the checkout),
# lxmgr_src (LXMGR, default the checkout's binary) and idmap_base (LXC_IDMAP_BASE, the host
# uid/gid LXC guests' root maps to, default 3000000).

bench=$(basename "$0" .sh)
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
lxmgr_src=${LXMGR:-$top/lxmgr/lxmgr}
idmap_base=${LXC_IDMAP_BASE:-3000000}

log() { echo "$bench: $*" >&2; }
# runs_execs_opts ARGS...: -n RUNS and -e EXECS_PER_RUN into runs and execs (their defaults
# set before); a usage line and exit 2 for anything else.
# shellcheck disable=SC2034 # runs and execs go to the script that sources this
runs_execs_opts() {
    local opt OPTIND=1 bad=
    while getopts "n:e:h" opt; do
        case $opt in
            n) runs=$OPTARG ;;
            e) execs=$OPTARG ;;
            *) bad=1 ;;
        esac
    done
    if [ -n "$bad" ] || [ $OPTIND -le $# ] ||
        ! [[ $runs =~ ^[1-9][0-9]*$ && $execs =~ ^[1-9][0-9]*$ ]]; then
        echo "usage: $0 [-n RUNS] [-e EXECS_PER_RUN]" >&2
        exit 2
    fi
}
need_root() { [ "$(id -u)" = 0 ] || { log "run as root"; exit 1; }; }
# Microseconds since the epoch, without forking.
now_us() { local t=${EPOCHREALTIME/./}; echo "$((10#$t))"; }
# Seconds with two decimals from a microsecond difference.
secs() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1e6 }'; }
# MiB with one decimal from bytes.
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
# The median of space-separated values.
median() {
    # shellcheck disable=SC2086 # word splitting wanted: one value per word
    printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The last non-empty line of TEXT, cut to 120 characters: a failure's reason in one line.
last_line() { tr '\r' '\n' <<<"$1" | grep -v '^$' | tail -n1 | cut -c1-120; }

# Checks the lxmgr binary and sets rootfs to the cached Debian 12 tree (made if missing).
bench_rootfs() {
    [ -x "$lxmgr_src" ] || { log "no lxmgr binary at $lxmgr_src (make lxmgr/lxmgr)"; exit 1; }
    rootfs=$("$top/tests/integration/lib/debian-rootfs.sh")
    [ -x "$rootfs/sbin/init" ] || { log "debian-rootfs.sh gave $rootfs, which has no /sbin/init"; exit 1; }
}

# lxc_subids [RANGES]: LXC's guest roots are host uid/gid idmap_base and up, 65536 ids for
# each of RANGES guests (default 1): appends root:idmap_base:RANGES*65536 to /etc/subuid and
# /etc/subgid where no root line covers that (LXC maps through newuidmap, also as root).
lxc_subids() {
    local f n=$((${1:-1} * 65536))
    for f in /etc/subuid /etc/subgid; do
        awk -F: -v b="$idmap_base" -v n="$n" \
            '($1 == "root" || $1 == "0") && $2 <= b && b + n <= $2 + $3 { ok = 1 } END { exit !ok }' \
            "$f" 2>/dev/null && continue
        log "appending root:$idmap_base:$n to $f"
        echo "root:$idmap_base:$n" >>"$f"
    done
}

# Sets tmp (a new 0755 directory), lxroot (the lxmgr --root below it) and lxmgr_bin (a copy
# of lxmgr_src: others rebuild ./lxmgr/lxmgr while a bench runs, every run uses one snapshot).
bench_workdir() {
    tmp=$(mktemp -d "/tmp/$bench.XXXXXX")
    # Containers' roots (mapped, unprivileged) must be able to reach their rootfs below here:
    # lxmgr's start fails with EACCES on a 0700 --root.
    chmod 0755 "$tmp"
    lxroot=$tmp/lxmgr-root
    mkdir -m 0755 "$lxroot"
    lxmgr_bin=$tmp/lxmgr
    cp "$lxmgr_src" "$lxmgr_bin"
}
lx() { "$lxmgr_bin" --root "$lxroot" -q "$@"; }

# lxc_config NAME DIR [BASE]: the config of LXC guest NAME whose rootfs is DIR/rootfs:
# unprivileged (ids BASE..+65535, default idmap_base; idmapped rootfs), no network, /sbin/init,
# errors logged to DIR/lxc.log.
lxc_config() {
    local base=${3:-$idmap_base}
    cat >"$2/config" <<EOF
lxc.include = /usr/share/lxc/config/common.conf
lxc.include = /usr/share/lxc/config/userns.conf
lxc.uts.name = $1
lxc.rootfs.path = dir:$2/rootfs
lxc.rootfs.options = idmap=container
lxc.idmap = u 0 $base 65536
lxc.idmap = g 0 $base 65536
lxc.net.0.type = empty
lxc.apparmor.profile = unconfined
lxc.init.cmd = /sbin/init
lxc.log.file = $2/lxc.log
lxc.log.level = ERROR
EOF
}

# wait_settled T0 CMD...: runs CMD every settle_every seconds until it prints a settled
# state, at most boot_timeout seconds from T0 (now_us). Sets settled to the state and
# settled_us to the time since T0; on a timeout settled is "timeout" and settled_why says
# what CMD printed last.
settle_every=0.01
settled=
settled_us=
settled_why=
# shellcheck disable=SC2034,SC2154 # boot_timeout comes from, and settled* go to, the script that sources this
wait_settled() {
    local t0=$1 out='' rest
    shift
    settled=
    while :; do
        rest=$((boot_timeout - ($(now_us) - t0) / 1000000))
        if [ "$rest" -le 0 ]; then
            settled=timeout
            settled_why="timeout after ${boot_timeout}s; last: $(last_line "$out")"
            return 1
        fi
        out=$(timeout "$rest" "$@" 2>&1) || true
        case $out in
            running | degraded | maintenance)
                settled_us=$(($(now_us) - t0))
                settled=$out
                return 0
                ;;
        esac
        sleep "$settle_every"
    done
}

# cleanup_report RC WHAT [LEFT...]: the last words of a cleanup; exits with RC, or 1 if
# something was LEFT behind.
cleanup_report() {
    local rc=$1 what=$2
    shift 2
    if [ $# -gt 0 ]; then
        log "LEFT BEHIND: $*"
        [ "$rc" = 0 ] && rc=1
    else
        log "cleanup: nothing left ($what)"
    fi
    exit "$rc"
}
