#!/usr/bin/env bash
# Proves: root inside a booted container gets nothing of the host through lxmgr itself: no
# host terminal to type into (TIOCSTI) from plain exec, exec -T or exec -t; no descriptor of
# the caller of exec or start (not in the command, not in init, not kept by the monitor); not
# the caller's session keyring; and the seccomp filter refuses TIOCSTI (also with the
# request's high bits set), the keyring calls and the kernel interfaces a dev machine does
# not need. Each attack is run for real from root inside (tests/escape/boundary.c).
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tmux.sh"
setup_store
tmux_setup

probe=${LXMGR_BOUNDARY:-$(dirname "$LXMGR")/../tests/escape/boundary}
[ -x "$probe" ] || skip_all "the boundary probe is not built ($probe)"
new_debian bnd1 --net none
base=$(uid_base_of bnd1)
hostdir=$(mktemp -d /tmp/lxmgr-boundary.XXXXXX)
chmod 0777 "$hostdir"
# start with descriptors of the host open: a directory and a file.
check "start with host descriptors open" sh -c "exec 7<\"$hostdir\" 8>\"$hostdir/held\"; \
    \"$LXMGR\" --root \"$T_ROOT\" start bnd1"
check_eq "running" "running" "$(wait_running bnd1)"
check "copy the probe in" sh -c "\"$LXMGR\" --root \"$T_ROOT\" exec bnd1 -- sh -c \
    'cat >/usr/local/bin/boundary && chmod 0755 /usr/local/bin/boundary' <\"$probe\""

# ---- descriptors ----
monitor=$(sed -n 's/^monitor_pid=//p' "$T_ROOT/run/bnd1/state")
init=$(sed -n 's/^init_pid=//p' "$T_ROOT/run/bnd1/state")
leaks=0
for fd in "/proc/$monitor/fd/"* "/proc/$init/fd/"*; do
    case $(readlink "$fd") in "$hostdir"*) leaks=$((leaks + 1)) ;; esac
done
check_eq "the monitor and init hold none of start's caller's descriptors" "0" "$leaks"
out=$(sh -c "exec 7<\"$hostdir\" 8</etc; \"$LXMGR\" --root \"$T_ROOT\" exec bnd1 -- boundary fds" 2>&1)
check_eq "exec: no descriptor of the caller above 2 reaches the command" \
    "no descriptor above 2" "$out"
check_eq "nothing was written through a leaked descriptor" "no" \
    "$([ -e "$hostdir/lxmgr-boundary-fd-escape" ] || [ -e /etc/lxmgr-boundary-fd-escape ] && echo yes || echo no)"

# ---- keyring ----
out=$("$probe" host-keyring lxmgr-test-secret s3cret-$$ \
    "$LXMGR" --root "$T_ROOT" exec bnd1 -- boundary keyring lxmgr-test-secret pwned 2>&1)
check_match "exec: the caller's session key is out of reach inside" \
    "keyring: lxmgr-test-secret not found" "$out"
check_match "the host's key keeps its value" "host key lxmgr-test-secret now: s3cret-$$" "$out"

# ---- terminals ----
marker=$hostdir/typed-by-the-container
tmux_open term 100 30
tmux_type term "$LXMGR --root $T_ROOT exec bnd1 -- boundary tiocsti 'touch $marker'; echo EXEC1-DONE"
tmux_wait term '^EXEC1-DONE' 20
sleep 0.5
check_eq "plain exec from a terminal: nothing the container types runs on the host" "no" \
    "$([ -e "$marker" ] && echo yes || echo no)"
check "plain exec from a terminal: the command gets a pty of the container" \
    grep -q 'fd 0: TIOCSTI refused\|fd 0: TIOCSTI INJECTED' <<<"$(tmux_screen term)"
tmux_type term "$LXMGR --root $T_ROOT exec -T bnd1 -- boundary tiocsti 'touch $marker.T'; echo EXEC2-DONE"
tmux_wait term '^EXEC2-DONE' 20
sleep 0.5
check_eq "exec -T from a terminal: nothing typed runs on the host" "no" \
    "$([ -e "$marker.T" ] && echo yes || echo no)"
check_match "exec -T: pipes in place of the terminal" "fd 0: not a terminal" "$(tmux_screen term)"
tmux_type term "$LXMGR --root $T_ROOT exec -T bnd1 -- boundary ctty | tail -4; echo EXEC3-DONE"
tmux_wait term '^EXEC3-DONE' 20
screen=$(tmux_screen term)
check_match "exec -T: no controlling terminal inside" "controlling terminal: No such device" "$screen"
check_match "exec -T: stdin is a pipe" "fd 0: pipe:" "$screen"
tmux_type term "$LXMGR --root $T_ROOT exec -t bnd1 -- boundary tiocsti-own; echo EXEC4-DONE"
tmux_wait term '^EXEC4-DONE' 20
screen=$(tmux_screen term)
check_match "seccomp: TIOCSTI into its own pty is refused" "own terminal: Operation not permitted" "$screen"
check_match "seccomp: TIOCSTI with high bits set is refused" \
    "own terminal, high bits: Operation not permitted" "$screen"
# Typed input after exec is the host shell's again: the relay did not eat it.
tmux_type term "echo AFTER-\$((6*7))"
check "the host shell reads its terminal again after exec" tmux_wait term '^AFTER-42' 10
out=$(lx exec bnd1 -- boundary ctty </dev/null)
check_match "exec without a terminal: no controlling terminal" \
    "controlling terminal: No such device" "$out"
check_eq "exec > file from a terminal keeps the bytes (no CR-LF)" "$(printf 'a\nb\n' | md5sum)" \
    "$(lx exec bnd1 -- printf 'a\nb\n' | md5sum)"
printf 'line1\nline2\n' >"$hostdir/in"
check_eq "exec passes a file on stdin as it is" "2" \
    "$(lx exec bnd1 -- wc -l <"$hostdir/in" | tr -d ' ')"

# ---- the filter's other refusals ----
out=$(lx exec bnd1 -- boundary denied)
for call in keyctl add_key request_key; do
    check_match "seccomp: $call is refused (ENOSYS, as nesting expects)" \
        "$call: Function not implemented" "$out"
done
for call in bpf perf_event_open userfaultfd fanotify_init quotactl syslog kexec_load open_by_handle_at; do
    check_match "seccomp: $call is refused" "$call: Operation not permitted" "$out"
done
check_eq "sudo still works for a user inside" "0" \
    "$(lx exec bnd1 -- sh -c 'useradd -m -G sudo dev && echo dev:pw | chpasswd && su dev -c "echo pw | sudo -S id -u" 2>/dev/null' | tail -1)"

check "stop" lx stop bnd1
check_host_clean bnd1 "$base"
rm -rf "$hostdir"
done_testing
