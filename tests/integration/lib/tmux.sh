#!/usr/bin/env bash
# Real terminals for the console tests: a private tmux server per test (its own socket, so
# nothing of the user's tmux is touched), keys sent, the screen read back.
TMUX_SOCK=

tmux_setup() {
    command -v tmux >/dev/null || skip_all "needs tmux (scripts/install-deps.sh installs it)"
    TMUX_SOCK="lxmgr-test-$$"
    trap 'tmux -L "$TMUX_SOCK" kill-server >/dev/null 2>&1; teardown_store' EXIT
}

tx() {
    tmux -L "$TMUX_SOCK" "$@"
}

# tmux_open NAME COLS ROWS: a window running a plain bash with a fixed prompt.
tmux_open() {
    tx new-session -d -s "$1" -x "$2" -y "$3" \
        "env -i PATH=$PATH TERM=xterm-256color HOME=/root PS1='host\$ ' bash --norc --noprofile"
    tx set-option -t "$1" history-limit 20000 >/dev/null
}

# What the window shows, with its scrollback.
tmux_screen() {
    tx capture-pane -p -J -S -20000 -t "$1"
}

# tmux_wait NAME REGEX [SECONDS]: waits until the window shows REGEX; fails after SECONDS.
tmux_wait() {
    local _
    for _ in $(seq 1 $((${3:-30} * 10))); do
        tmux_screen "$1" | grep -qE -- "$2" && return 0
        sleep 0.1
    done
    return 1
}

# tmux_type NAME TEXT: types TEXT and Enter.
tmux_type() {
    tx send-keys -t "$1" -l -- "$2"
    tx send-keys -t "$1" Enter
}
