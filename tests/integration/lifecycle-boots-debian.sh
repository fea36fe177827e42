#!/usr/bin/env bash
# Proves: a Debian 12 rootfs boots with systemd as PID 1 to `running` with no failed unit,
# root inside is an unprivileged range outside, files read as owned by root inside, and
# stop leaves nothing on the host.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
setup_store

new_debian boot1
check "start returns once init runs" lx start boot1
check_eq "systemd reaches running" "running" "$(wait_running boot1)"
check_eq "systemctl --failed is empty" "" "$(lx exec boot1 -- systemctl --failed --no-legend --plain)"
check_eq "PID 1 inside is systemd" "systemd" "$(lx exec boot1 -- cat /proc/1/comm)"
base=$(uid_base_of boot1)
check_match "uid_map maps 0 to the container's range" "^ *0 +$base +65536\$" \
    "$(lx exec boot1 -- cat /proc/self/uid_map)"
check_eq "/etc/sudo.conf reads as 0 0 inside" "0 0" "$(lx exec boot1 -- stat -c '%u %g' /etc/sudo.conf)"
# /proc and /sys are the kernel's own roots, owned by the host's root: the kernel shows
# them as nobody in any user namespace. Every file of the rootfs must read as its owner.
check_eq "no rootfs file reads as nobody" "" \
    "$(lx exec boot1 -- find / -xdev -uid 65534 ! -path /proc ! -path /sys)"
check_eq "hostname is the container's name" "boot1" "$(lx exec boot1 -- hostname)"
check_match "systemd-detect-virt says container" "^container" \
    "$(lx exec boot1 -- systemd-detect-virt --container)"
check_match "sudo resolves its own host name (no warning)" "^root$" \
    "$(lx exec boot1 -- sudo -u root whoami 2>&1)"
init_pid=$(lx info boot1 --json | sed -n 's/.*"init_pid": \([0-9]*\).*/\1/p')
check_eq "init runs as the container's root uid on the host" "$base" \
    "$(awk '/^Uid:/ {print $2}' "/proc/$init_pid/status")"
cg=$(sed -n 's/^cgroup=//p' "$T_ROOT/run/boot1/state")
low=$(find "$cg" -name cgroup.procs -exec cat {} + | while read -r p; do
    awk '/^Uid:/ {print $2}' "/proc/$p/status" 2>/dev/null; done | awk '$1 < 65536' | wc -l)
check_eq "no process of the container runs as a host uid below 65536" "0" "$low"
check_match "list shows it running" "boot1 +running" "$(lx list)"
check_match "list --json is machine-readable" '"name": "boot1", "state": "running"' "$(lx list --json)"
check_match "info shows the uid range" "UIDs: +$base-" "$(lx info boot1)"
check_match "list shows systemd inside is up" "boot1 +running .* running$" "$(lx list)"
check_match "info --json has the system state and no failed unit" \
    '"system_state": "running", "failed_units": 0' "$(lx info boot1 --json)"
lx exec boot1 -- sh -c 'printf "[Service]\nExecStart=/bin/false\n" >/run/systemd/system/lxfail.service &&
    systemctl daemon-reload && systemctl start lxfail.service' >/dev/null 2>&1
check_match "a failed unit shows in list --max-age 0 (every monitor asks its guest now)" \
    "boot1 +running .* degraded \(1 failed\)$" "$(lx list --max-age 0)"
check_match "and in info" "System: +degraded \(1 failed\)" "$(lx info boot1)"
lx exec boot1 -- sh -c 'systemctl reset-failed; rm /run/systemd/system/lxfail.service; systemctl daemon-reload'
check_match "reset-failed brings it back to running" "System: +running" "$(lx info boot1)"
check "stop shuts systemd down cleanly" lx stop boot1
check_match "list shows it stopped" "boot1 +stopped" "$(lx list)"
check_host_clean boot1 "$base"
t0=$(now_ms)
check "start again after stop" lx start boot1
check_eq "and it reaches running again" "running" "$(wait_running boot1)"
boot_ms=$(($(now_ms) - t0))
mem=$(memory_mib boot1)
t0=$(now_ms)
check "stop again" lx stop boot1
report_figures debian-12 "$boot_ms" $(($(now_ms) - t0)) "$mem"
done_testing
