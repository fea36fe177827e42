#!/usr/bin/env bash
# Proves: `start --console` shows the boot and a login prompt on /dev/console; root logs in
# with the password of `create --password-file` (a wrong one is refused); two consoles see
# the same output and only the first types; Ctrl-a q detaches, leaving the container
# running and the terminal settings as they were; a stopped container is refused in one
# line; `console --log` prints the boot; stop leaves nothing on the host.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tmux.sh"
setup_store
tmux_setup

echo 'S3cret-pw' >"$T_ROOT/pw"
: >"$T_ROOT/empty"
refused 1 "^lxmgr: create bad1: login: $T_ROOT/empty: no password on its first line\$" \
    "create refuses an empty password file" lx create bad1 --rootfs "$(debian_rootfs)" --password-file "$T_ROOT/empty"
refused 1 "^lxmgr: create bad2: login: $T_ROOT/nonexistent: cannot read the password file: " \
    "create refuses a missing password file" lx create bad2 --rootfs "$(debian_rootfs)" --password-file "$T_ROOT/nonexistent"
check_eq "a refused create leaves no container" "" "$(ls "$T_ROOT/lib" 2>/dev/null)"
new_debian con1 --password-file "$T_ROOT/pw"
check "root's hash in the rootfs's /etc/shadow is SHA-512 crypt, which every guest reads" \
    grep -qE '^root:\$6\$[^:]+:[0-9]+:' "$T_ROOT/lib/con1/rootfs/etc/shadow"
check_eq "/etc/shadow keeps its owner and mode" "root shadow 640" \
    "$(stat -c '%U %G %a' "$T_ROOT/lib/con1/rootfs/etc/shadow")"
check_fails "the password is in no file of the container's config" \
    grep -rq S3cret-pw "$T_ROOT/lib/con1/config"

tmux_open one 100 30
tmux_type one "stty -g >$T_ROOT/stty.before; $LXMGR --root $T_ROOT start con1 --console; stty -g >$T_ROOT/stty.after; echo END-OF-CONSOLE"
if tmux_wait one 'con1 login: *$' 90; then ok "a login prompt appears on the console"; else
    not_ok "a login prompt appears on the console" "screen: $(tmux_screen one | tail -5)"
fi
check_match "boot messages appear on the console" "Reached target.*Multi-User System" \
    "$(tmux_screen one)"

tmux_type one root
tmux_wait one 'Password: *$' 10
tmux_type one wrong-password
if tmux_wait one 'Login incorrect' 20; then ok "a wrong password is refused"; else
    not_ok "a wrong password is refused" "screen: $(tmux_screen one | tail -5)"
fi
tmux_wait one 'con1 login: *$' 20
tmux_type one root
tmux_wait one 'Password: *$' 10
tmux_type one S3cret-pw
if tmux_wait one 'root@con1:~# *$' 20; then ok "root logs in with the password set at create"; else
    not_ok "root logs in with the password set at create" "screen: $(tmux_screen one | tail -5)"
fi
tmux_type one 'echo answer-$((6*7)) on $(tty)'
check "a command typed on the console runs inside" tmux_wait one 'answer-42 on /dev/console' 10

tmux_open two 80 24
tmux_type two "$LXMGR --root $T_ROOT console con1; echo END-OF-CONSOLE"
check "a second console attaches as a watcher" tmux_wait two 'attached, watching only' 10
check "the second console replays what the console showed" tmux_wait two 'answer-42 on' 10
tmux_type one 'echo shared-$((5*5))'
check "the first console sees the new output" tmux_wait one '^shared-25' 10
check "the second console sees the same output" tmux_wait two '^shared-25' 10
tmux_type two 'echo typed-by-$((2+2))-the-watcher'
sleep 1
check_fails "what the watcher types does not reach the container" \
    tmux_wait one '^typed-by-4-the-watcher' 1

tx send-keys -t one C-a q
check "Ctrl-a q detaches" tmux_wait one 'detached; the container keeps running' 10
check "the shell after detach runs again" tmux_wait one '^END-OF-CONSOLE' 10
check_eq "the terminal settings are restored after detach" \
    "$(cat "$T_ROOT/stty.before" 2>/dev/null)" "$(cat "$T_ROOT/stty.after" 2>/dev/null)"
check_match "stty -g was recorded" '^[0-9a-f:]+$' "$(cat "$T_ROOT/stty.before" 2>/dev/null)"
check_eq "the container keeps running after detach" "running" \
    "$(lx list --json | grep -o '"state": *"[a-z]*"' | head -1 | grep -o '[a-z]*"$' | tr -d '"')"
tmux_type two 'echo now-typing-$((3+4))'
check "the watcher types once the first console left" tmux_wait two '^now-typing-7' 10

check "stop succeeds with a console attached" lx stop con1
check "the attached console says the container stopped" \
    tmux_wait two 'console con1: the container stopped' 10
out=$(lx console con1 2>&1)
rc=$?
check_eq "console of a stopped container fails" 1 "$rc"
check_match "the refusal is one line saying it is not running" \
    '^lxmgr: console con1: console: container is not running[^'$'\n'']*$' "$out"
log=$(lx console con1 --log 2>&1)
check_match "console --log holds the boot messages" "Reached target.*Multi-User System" "$log"
check_match "console --log holds the login" "answer-42 on /dev/console" "$log"
refused 1 "^lxmgr: console nosuch: store: no container named 'nosuch'" \
    "console --log of an unknown container fails" lx console nosuch --log

check_host_clean con1 "$(uid_base_of con1)"
done_testing
