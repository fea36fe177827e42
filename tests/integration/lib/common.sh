#!/usr/bin/env bash
# Shared harness of the integration tests: TAP output, a throwaway store per test, the
# cached Debian rootfs, and the checks that the host is left as it was found.
set -uo pipefail

: "${LXMGR:?run through make check, or set LXMGR to the built binary}"
TESTS_DIR=${LXMGR_TESTS:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
T_NUM=0
T_FAILED=0
T_ROOT=
T_NAMES=()

skip_all() {
    if [ "${LXMGR_TEST_MUST_RUN:-0}" = 1 ]; then
        echo "Bail out! cannot run: $1 (LXMGR_TEST_MUST_RUN=1)"
        exit 1
    fi
    echo "1..0 # SKIP $1"
    exit 0
}

# skip_kernel REASON: the running kernel lacks what the test proves (a config option, not a
# package an install step could add): a skip even where LXMGR_TEST_MUST_RUN=1, saying so.
skip_kernel() {
    echo "1..0 # SKIP the kernel lacks it: $1"
    exit 0
}

ok() {
    T_NUM=$((T_NUM + 1))
    echo "ok $T_NUM - $1"
}

not_ok() {
    T_NUM=$((T_NUM + 1))
    T_FAILED=$((T_FAILED + 1))
    echo "not ok $T_NUM - $1"
    shift
    local line
    for line in "$@"; do
        printf '#   %s\n' "$line"
    done
}

# check DESCRIPTION CMD...: passes when CMD succeeds.
check() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$desc"
    else
        not_ok "$desc" "command: $*" "output: ${out:0:600}"
    fi
}

# refused EXIT_STATUS PATTERN DESCRIPTION CMD...: the refusal of bad input: CMD exits with
# EXIT_STATUS (1: refused, 2: a usage error; a bash regex such as '1|2' for either) and says
# why in exactly one line (stdout and stderr together) matching PATTERN (a bash regex).
refused() {
    local want=$1 pattern=$2 desc=$3 out rc lines
    shift 3
    out=$("$@" 2>&1)
    rc=$?
    lines=$(printf '%s\n' "$out" | wc -l)
    if [[ $rc =~ ^($want)$ ]] && [ "$rc" != 0 ] && [ "$lines" = 1 ] && [[ $out =~ $pattern ]]; then
        ok "$desc"
    else
        not_ok "$desc" "command: $*" "exit $rc (want $want), $lines line(s) (want 1), want: $pattern" \
            "output: ${out:0:600}"
    fi
}

# check_fails DESCRIPTION CMD...: passes when CMD fails: for what must fail but is no refusal
# of bad input by lxmgr (a write inside a read-only share, a name that must not resolve, a
# file that must be gone); refusals go through refused.
check_fails() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        not_ok "$desc" "command succeeded but must fail: $*" "output: ${out:0:600}"
    else
        ok "$desc"
    fi
}

# check_eq DESCRIPTION EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1" "expected: $2" "actual:   $3"
    fi
}

# check_match DESCRIPTION REGEX ACTUAL
check_match() {
    if [[ $3 =~ $2 ]]; then
        ok "$1"
    else
        not_ok "$1" "expected to match: $2" "actual: ${3:0:600}"
    fi
}

# Leaves out the progress lines of long work ("lxmgr: VERB NAME: STEP: TEXT (N s)", shown
# when stderr is no terminal), for exact checks of the rest.
no_progress() {
    grep -v '^lxmgr: .* ([0-9]* s)$' || true
}

lx() {
    "$LXMGR" --root "$T_ROOT" "$@"
}

# Waits until systemd inside reports a settled state and prints it.
wait_running() {
    local name=$1 state i
    for i in $(seq 1 300); do
        state=$(lx exec "$name" -- systemctl is-system-running --wait 2>/dev/null) && break
        case $state in running | degraded | maintenance | stopping) break ;; esac
        sleep 0.05
    done
    echo "${state:-unknown}"
}

debian_rootfs() {
    bash "$TESTS_DIR/integration/lib/debian-rootfs.sh" bookworm
}

# The cgroup tag of the test's store, as lxmgr derives it from --root (store.c): containers of
# other stores (other tests running at the same time) may share names and, while this one
# is stopped, id ranges; their cgroups carry another tag. STORE defaults to the test's own.
store_tag() {
    local s=${1:-$T_ROOT} h=5381 i c
    for ((i = 0; i < ${#s}; i++)); do
        printf -v c '%d' "'${s:i:1}"
        h=$(((h * 33 + c) & 0xffffffff))
    done
    printf '%08x' "$h"
}

# Host objects of a container: its cgroup directories in every hierarchy.
host_cgroups_of() {
    find /sys/fs/cgroup -maxdepth 3 -type d -name "lxmgr-$(store_tag "$T_ROOT")-$1.scope" 2>/dev/null
}

# Processes whose uid lies in [base, base+65535], except those inside a container of another
# store (its scope names another tag): ranges are unique only among running containers.
# Zombies do not count: they hold nothing but a pid, and a killed monitor's init is reaped
# by the host's PID 1 whenever that gets to it (slowly on hosts whose PID 1 is no init).
host_procs_in_range() {
    local base=$1 tag pid
    tag=$(store_tag "$T_ROOT")
    for pid in $(ps -eo uid=,pid=,stat= |
        awk -v b="$base" '$1 >= b && $1 < b + 65536 && $3 !~ /^Z/ { print $2 }'); do
        if grep -q '/lxmgr-[0-9a-f]\{8\}-[^/]*\.scope' "/proc/$pid/cgroup" 2>/dev/null &&
            ! grep -q "/lxmgr-$tag-" "/proc/$pid/cgroup" 2>/dev/null; then
            continue
        fi
        [ -d "/proc/$pid" ] && echo "$pid"
    done
}

uid_base_of() {
    lx config "$1" get idmap.uid_base 2>/dev/null
}

# After a container stopped: nothing of it remains on the host.
check_host_clean() {
    local name=$1 base=$2 left
    left=$(host_cgroups_of "$name")
    check_eq "$name: no cgroup left on the host" "" "$left"
    left=$(host_procs_in_range "$base" | tr '\n' ' ')
    check_eq "$name: no process of its id range left" "" "$left"
    left=$(ls -A "$T_ROOT/run/$name" 2>/dev/null)
    check_eq "$name: no runtime files left" "" "$left"
    left=$(grep -c "$T_ROOT" /proc/self/mountinfo)
    check_eq "$name: no host mount under the store" "0" "$left"
}

setup_store() {
    [ "$(id -u)" = 0 ] || skip_all "needs root"
    T_ROOT=$(mktemp -d /tmp/lxmgr-test.XXXXXX)
    trap teardown_store EXIT
    # No test may query a DNS server outside this machine: lxmgr's dnsmasq answers only
    # NAME.lxmgr and forwards nothing.
    mkdir -p "$T_ROOT/etc"
    printf '[net]\ndns = local\n' >"$T_ROOT/etc/lxmgr.conf"
}

# Creates a container from the cached Debian rootfs; remembered for teardown.
new_debian() {
    local name=$1
    shift
    T_NAMES+=("$name")
    lx create "$name" --rootfs "$(debian_rootfs)" "$@" >/dev/null
}

teardown_store() {
    local name
    for name in "${T_NAMES[@]}"; do
        lx stop "$name" --kill >/dev/null 2>&1
    done
    lx gc >/dev/null 2>&1
    if [ -n "$T_ROOT" ] && [ -d "$T_ROOT" ]; then
        rm -rf --one-file-system "$T_ROOT"
    fi
}

# Ends the test: the plan line and the exit status.
done_testing() {
    echo "1..$T_NUM"
    [ "$T_FAILED" = 0 ]
}
