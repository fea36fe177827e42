#!/usr/bin/env bash
# Proves: `lxmgr shell` is a login shell (-bash, HOME, PATH) on a new pty of the container's
# own devpts whose window size follows the terminal's; its exit status passes through;
# `exec -t` gives a command a pty owned by its user and passes its status on, `exec` without
# -t gives none; console.autologin logs root in on the console through a drop-in that goes
# away when the key is unset; stop leaves nothing on the host.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/tmux.sh"
setup_store
tmux_setup

new_debian sh1
check "console.autologin accepts a user name" lx config sh1 set console.autologin root
refused 1 "^lxmgr: config sh1: config: .*console.autologin: invalid user 'ro ot'" \
    "console.autologin refuses a bad user name" lx config sh1 set console.autologin 'ro ot'
check "start" lx start sh1
check_eq "systemd reaches running" "running" "$(wait_running sh1)"
dropin=$T_ROOT/lib/sh1/rootfs/etc/systemd/system/console-getty.service.d/lxmgr-autologin.conf
check_match "start installs the autologin drop-in" 'ExecStart=-/sbin/agetty --autologin root ' \
    "$(cat "$dropin" 2>/dev/null)"
for i in $(seq 1 100); do
    lx console sh1 --log 2>/dev/null | grep -q 'root@sh1:~#' && break
    sleep 0.1
done
check_match "root is logged in on the console without a password" 'root@sh1:~#' \
    "$(lx console sh1 --log 2>&1 | tail -3)"
check_fails "the console asked for no password" grep -q 'Password:' <(lx console sh1 --log)

tmux_open sh 100 30
tmux_type sh "$LXMGR --root $T_ROOT shell sh1; echo SHELL-EXIT=\$?"
if tmux_wait sh 'root@sh1:~# *$' 20; then ok "shell gives a prompt"; else
    not_ok "shell gives a prompt" "screen: $(tmux_screen sh | tail -5)"
fi
tmux_type sh 'echo "T=$(tty) Z=$0 H=$HOME P=$PATH"; test -c "$(tty)" && echo IS-A-CHAR-DEVICE'
tmux_wait sh '^T=' 10
line=$(tmux_screen sh | grep '^T=' | tail -1)
check_match "tty inside names a pty of the container's devpts" '^T=/dev/pts/[0-9]+ ' "$line"
check_match "the shell is a login shell with root's HOME and PATH" \
    'Z=-bash H=/root P=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin$' "$line"
check "the pty exists in the container's /dev/pts" tmux_wait sh '^IS-A-CHAR-DEVICE' 5
tmux_type sh 'echo "DEV=$(stat -c %d "$(tty)") $(stat -c %d /dev/pts/ptmx)"'
tmux_wait sh '^DEV=[0-9]+ [0-9]+' 10
read -r tty_dev pts_dev <<<"$(tmux_screen sh | grep '^DEV=' | tail -1 | sed 's/^DEV=//')"
check_eq "the shell's pty is on the container's devpts instance" "$pts_dev" "$tty_dev"
check_fails "that devpts is not the host's" [ "$tty_dev" = "$(stat -c %d /dev/pts/ptmx)" ]
tmux_type sh 'echo SIZE=$(stty size)'
check "stty size is the terminal's" tmux_wait sh '^SIZE=30 100' 10
tx resize-window -t sh -x 120 -y 40
sleep 0.5
tmux_type sh 'echo SIZE2=$(stty size)'
check "stty size follows a resize" tmux_wait sh '^SIZE2=40 120' 10
tmux_type sh 'exit 3'
check "the shell's exit status passes through" tmux_wait sh '^SHELL-EXIT=3' 10

out=$(lx exec -t sh1 -- sh -c 'tty; exit 9' </dev/null)
rc=$?
check_eq "exec -t passes the exit status" 9 "$rc"
check_match "exec -t runs the command on a pty" '^/dev/pts/[0-9]+' "$out"
out=$(lx exec sh1 -- tty </dev/null)
check_eq "exec without -t gives no pty" "not a tty" "$out"
check "useradd works inside" lx exec sh1 -- useradd -m -s /bin/bash alice
out=$(lx exec -t --user alice sh1 -- sh -c 'echo $HOME $(stat -c %U $(tty))' </dev/null | tr -d '\r')
check_eq "exec -t --user: the user's HOME and a pty the user owns" "/home/alice alice" "$out"
refused 1 "^lxmgr: shell sh1: .*nosuchuser" "shell of an unknown user fails" lx shell sh1 --user nosuchuser

check "stop" lx stop sh1
check "console.autologin can be unset" lx config sh1 unset console.autologin
check "start again" lx start sh1
check_fails "start removes the drop-in once the key is unset" test -e "$dropin"
check_fails "the drop-in directory goes with it" test -e "$(dirname "$dropin")"
check "stop" lx stop sh1
refused 1 "^lxmgr: shell sh1: control: container is not running\$" "shell of a stopped container fails" \
    lx shell sh1

check_host_clean sh1 "$(uid_base_of sh1)"
done_testing
