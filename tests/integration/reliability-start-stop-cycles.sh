#!/usr/bin/env bash
# Proves: starting and stopping one container many times (LXMGR_CYCLES, 200 by default), and
# rebooting it many times under one monitor (LXMGR_REBOOTS, 50), leaves no growth on the
# host: mounts, cgroups, veths, nftables rules, processes of its id range, lxmgr's runtime
# files, and the monitor's open fds and memory are the same before and after. The guest is
# the Alpine 3.20 minirootfs with a static PID 1 (tests/reliability/tinyinit) that stops at
# once, so the cycles measure lxmgr, not an init's shutdown.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store
guest_tarball alpine-3.20.tar.gz
tinyinit=${LXMGR_TINYINIT:-$(dirname "$LXMGR")/../tests/reliability/tinyinit}
[ -x "$tinyinit" ] || skip_all "the static init is not built ($tinyinit)"
cycles=${LXMGR_CYCLES:-200}
reboots=${LXMGR_REBOOTS:-50}
[ "$reboots" -ge 5 ] || reboots=5

T_NAMES+=(cyc)
check "create from the Alpine tarball" lx create cyc --tarball "$GUEST_TARBALL"
install -m 0755 "$tinyinit" "$T_ROOT/lib/cyc/rootfs/sbin/lxmgr-tinyinit"
check "init: the static tinyinit" lx config cyc set container.init /sbin/lxmgr-tinyinit
check "stop signal: SIGTERM" lx config cyc set container.stop_signal SIGTERM
base=$(uid_base_of cyc)

# What a container leaves on the host while stopped, as name=count pairs. Host-wide totals
# (every mount, MemAvailable) move with whatever else runs here; they are reported, and
# what belongs to this store and container is checked.
snapshot() {
    printf 'store_mounts=%s ' "$(grep -c "$T_ROOT" /proc/self/mountinfo)"
    printf 'cgroups=%s ' "$(host_cgroups_of cyc | wc -l)"
    printf 'veths=%s ' "$(ip -o link show | grep -c ' lx-cyc-')"
    printf 'nft_rules=%s ' "$(nft -a list ruleset 2>/dev/null | grep -c 'lx-cyc-')"
    printf 'procs=%s ' "$(host_procs_in_range "$base" cyc | wc -l)"
    printf 'run_files=%s ' "$(find "$T_ROOT/run" "$T_ROOT/lib/cyc" -maxdepth 1 | wc -l)"
    printf 'dnsmasq=%s\n' "$(pgrep -c -f -- "^dnsmasq.*--interface=$bridge ")"
}
host_totals() {
    printf 'host mounts %s, MemAvailable %s kB, Slab %s kB' "$(wc -l </proc/self/mountinfo)" \
        "$(awk '/^MemAvailable/ { print $2 }' /proc/meminfo)" "$(awk '/^Slab/ { print $2 }' /proc/meminfo)"
}
# The monitor of the running container, once in its event loop: `start` returns when init
# runs, a moment before the monitor has closed its status pipe and moved its stderr to
# monitor.log (its last steps).
monitor_of() {
    local m _
    m=$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/cyc/state")
    for _ in $(seq 1 200); do
        case $(readlink "/proc/$m/fd/2") in */monitor.log) break ;; esac
        sleep 0.01
    done
    sleep 0.05
    echo "$m"
}
monitor_fds() {
    ls "/proc/$1/fd" | wc -l
}
monitor_rss() {
    awk '/^VmRSS/ { print $2 }' "/proc/$1/status"
}

# A first cycle makes what stays between cycles (the bridge and its dnsmasq).
check "first start" lx start cyc
bridge=$(sed -n 's/^net_bridge=//p' "$T_ROOT/run/cyc/state")
check "first stop" lx stop cyc
before=$(snapshot)
totals_before=$(host_totals)
failed=0
t0=$(now_ms)
for i in $(seq 1 "$cycles"); do
    lx start cyc >/dev/null 2>"$T_ROOT/err" || { failed=$((failed + 1)); cat "$T_ROOT/err"; }
    if [ "$i" = 1 ]; then
        m=$(monitor_of)
        fds_first=$(monitor_fds "$m")
        rss_first=$(monitor_rss "$m")
    fi
    if [ "$i" = "$cycles" ]; then
        m=$(monitor_of)
        fds_last=$(monitor_fds "$m")
        rss_last=$(monitor_rss "$m")
    fi
    lx stop cyc >/dev/null 2>"$T_ROOT/err" || { failed=$((failed + 1)); cat "$T_ROOT/err"; }
done
ms=$(($(now_ms) - t0))
after=$(snapshot)
echo "# $cycles cycles in $ms ms ($((ms / cycles)) ms each)"
echo "# before: $before; $totals_before"
echo "# after:  $after; $(host_totals)"
echo "# monitor: fds $fds_first -> $fds_last, VmRSS $rss_first -> $rss_last kB"
check_eq "every start and stop succeeded" "0" "$failed"
check_eq "nothing of the container grew on the host" "$before" "$after"
check_eq "no host mount, cgroup, veth or process left" \
    "store_mounts=0 cgroups=0 veths=0 nft_rules=0 procs=0" "$(echo "$after" | cut -d' ' -f1-5)"
check_eq "the monitor of the last cycle holds as many fds as the first" "$fds_first" "$fds_last"

# Reboots in place: one monitor lives through all of them.
# Measured from the 5th reboot on: the first ones grow the heap to its working size.
check "start for the reboots" lx start cyc
m=$(monitor_of)
rebooted=0
for i in $(seq 1 "$reboots"); do
    if [ "$i" = 5 ]; then
        fds0=$(monitor_fds "$m")
        rss0=$(monitor_rss "$m")
    fi
    lx kill cyc SIGUSR1 >/dev/null 2>&1
    for _ in $(seq 1 3000); do # a wait, not a timing: up to 30 s on a loaded host
        n=$(sed -n 's/^reboots=//p' "$T_ROOT/run/cyc/state" 2>/dev/null)
        st=$(sed -n 's/^state=//p' "$T_ROOT/run/cyc/state" 2>/dev/null)
        [ "${n:-0}" -ge "$i" ] && [ "$st" = running ] && break
        sleep 0.01
    done
    [ "${n:-0}" -ge "$i" ] && rebooted=$((rebooted + 1))
done
fds1=$(monitor_fds "$m")
rss1=$(monitor_rss "$m")
echo "# $reboots reboots under monitor $m: from the 5th to the last, fds $fds0 -> $fds1, VmRSS $rss0 -> $rss1 kB"
check_eq "every reboot restarted the container in the same monitor" "$reboots $m" "$rebooted $(monitor_of)"
check_eq "the monitor's open fds did not grow over the reboots" "$fds0" "$fds1"
[ $((rss1 - rss0)) -le 256 ] && ok "the monitor's memory did not grow over the reboots ($rss0 -> $rss1 kB)" ||
    not_ok "the monitor's memory did not grow over the reboots" "VmRSS $rss0 -> $rss1 kB"
check "stop" lx stop cyc
check_eq "after the reboots too, nothing of the container grew on the host" "$before" "$(snapshot)"
check_host_clean cyc "$base"
done_testing
