#!/usr/bin/env bash
# Proves: with 20 Debian guests running (snapshot clones, --net none), `list --json` reports
# each one's state and its systemd's system state and failed units from what the monitors
# know, not by asking each guest: the same figures as `info` (which asks systemd inside);
# a unit made to fail in one guest shows there, and only there, once the bound given with
# --max-age has passed; a guest stopped or frozen shows so at once; every answer is within
# the bound; a bad --max-age is refused; nothing is left on the host.
. "$(dirname "$0")/lib/common.sh"
setup_store
command -v python3 >/dev/null || skip_all "python3 is not installed (reads list --json)"

N=${LXMGR_SCALE_GUESTS:-20}
BOUND=2

# "NAME STATE SYSTEM FAILED AGE_MS" per guest of `list --json ARGS...`, sorted by name.
list_rows() {
    lx list --json "$@" | python3 -c '
import json, sys
for c in json.load(sys.stdin):
    if c["name"] == "sbase":
        continue
    print(c["name"], c["state"], c["system_state"], c["failed_units"],
          c.get("system_state_age_ms", "-"))' | sort -V
}

new_debian sbase --net none
names=()
for i in $(seq 1 "$N"); do
    T_NAMES+=("sg$i")
    lx clone --snapshot sbase "sg$i" >/dev/null || break
    names+=("sg$i")
done
check_eq "$N snapshot clones" "$N" "${#names[@]}"
check "start all $N in one command" lx start "${names[@]}"

# Each monitor learns READY=1 from its guest's systemd and then asks it for the failed units:
# list itself is polled, with the default bound, until every guest is up.
want_up=$(for n in "${names[@]}"; do echo "$n running running 0"; done)
for _ in $(seq 1 240); do
    rows=$(list_rows | cut -d' ' -f1-4)
    [ "$rows" = "$want_up" ] && break
    sleep 0.5
done
check_eq "list --json: every guest running, its systemd running with 0 failed units" \
    "$want_up" "$rows"

# info asks systemd inside now: list's figures are the same.
exact=$(for n in "${names[@]}"; do
    lx info "$n" --json | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["name"], c["state"], c["system_state"], c["failed_units"])'
done)
check_eq "list agrees with info (systemd asked inside)" "$exact" \
    "$(list_rows | cut -d' ' -f1-4)"

# A unit that fails, in one guest only.
lx exec sg7 -- sh -c 'printf "[Service]\nType=oneshot\nExecStart=/bin/false\n" \
    >/run/systemd/system/scale-fails.service && systemctl daemon-reload' >/dev/null 2>&1
check_fails "a unit made to fail in sg7" lx exec sg7 -- systemctl start scale-fails.service
check_eq "systemd inside sg7 counts it" "degraded 1" \
    "$(lx info sg7 --json | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(c["system_state"], c["failed_units"])')"
check "stop sg3" lx stop sg3
check "freeze sg4" lx freeze sg4

sleep "$BOUND.2"
rows=$(list_rows --max-age "$BOUND")
want=$(for n in "${names[@]}"; do
    case $n in
    sg3) echo "$n stopped None None" ;;
    sg4) echo "$n frozen running 0" ;;
    sg7) echo "$n running degraded 1" ;;
    *) echo "$n running running 0" ;;
    esac
done)
check_eq "after the bound: sg7 degraded with 1 failed unit, sg3 stopped, sg4 frozen" \
    "$want" "$(cut -d' ' -f1-4 <<<"$rows")"
check_eq "every running guest's answer is at most $BOUND s old" "" \
    "$(awk -v b="$BOUND" '$2 == "running" && $5 > b * 1000 { print $1 ": " $5 " ms" }' <<<"$rows")"
check_match "the table shows sg7 degraded and the bound in its header" \
    "SYSTEM \(<= ${BOUND}s old\).*sg7 +running .*degraded \(1 failed\)" \
    "$(lx list --max-age "$BOUND" | tr '\n' ' ')"

# The failed unit reset: list follows once the bound has passed again.
check "reset the failed unit" lx exec sg7 -- systemctl reset-failed
check "unfreeze sg4" lx unfreeze sg4
sleep "$BOUND.2"
check_eq "after reset-failed and the bound: sg7 running with 0 failed units" \
    "sg7 running running 0" "$(list_rows --max-age "$BOUND" | cut -d' ' -f1-4 | grep '^sg7 ')"
check_eq "--max-age 0: every monitor asks its guest now" \
    "$(grep -v '^sg3 ' <<<"$want_up")" "$(list_rows --max-age 0 | cut -d' ' -f1-4 | grep -v '^sg3 ')"

for bad in -1 x 86401 ''; do
    out=$(lx list --max-age "$bad" 2>&1)
    check_eq "list --max-age '$bad' exits 2" "2" "$?"
    check_match "and says what it expects" "max-age: expected seconds" "$out"
done

check "stop --all" lx stop --all
for n in "${names[@]}"; do
    check_host_clean "$n" "$(uid_base_of "$n")"
done
done_testing
