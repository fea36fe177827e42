# shellcheck shell=bash
# Plays the login manager as pam_cgfs does on a host without systemd: user-owned cgroups
# (lxmgr-test-user/NAME/0) in the cgroup2 hierarchy and in every v1 one, and moves a shell
# into them before it drops to the user.

session_hierarchies() {
    local type dir
    while read -r _ dir type _; do
        case $type in cgroup | cgroup2) echo "$dir" ;; esac
    done </proc/mounts
}

# session_cgroups_make USER: the user's own cgroups in every hierarchy.
session_cgroups_make() {
    local user=$1 h d f
    for h in $(session_hierarchies); do
        d=$h/lxmgr-test-user/$user/0
        mkdir -p "$d" || return 1
        if [ -e "$h/cpuset.cpus" ]; then
            for f in cpuset.cpus cpuset.mems; do
                cat "$h/$f" >"$h/lxmgr-test-user/$f"
                cat "$h/$f" >"$h/lxmgr-test-user/$user/$f"
                cat "$h/$f" >"$d/$f"
            done
        fi
        # The directories and their own files only, as pam_cgfs does: never what lies
        # below (a running container's cgroups belong to its range).
        chown "$user:" "$h/lxmgr-test-user/$user" "$d" || return 1
        find "$h/lxmgr-test-user/$user" "$d" -maxdepth 1 -type f -exec chown "$user:" {} + || return 1
    done
}

# session_cgroups_enter USER: moves the calling shell ($BASHPID) into them.
session_cgroups_enter() {
    local h
    for h in $(session_hierarchies); do
        echo "$BASHPID" >"$h/lxmgr-test-user/$1/0/cgroup.procs" || return 1
    done
}

# session_cgroups_remove: moves the calling shell back to the roots, removes every tree.
session_cgroups_remove() {
    local h
    for h in $(session_hierarchies); do
        echo "$BASHPID" >"$h/cgroup.procs" 2>/dev/null
        [ -d "$h/lxmgr-test-user" ] || continue
        find "$h/lxmgr-test-user" -depth -type d -exec rmdir {} + 2>/dev/null
        [ ! -d "$h/lxmgr-test-user" ] || return 1
    done
}

# The processes in the user's session cgroups (every hierarchy, every level).
session_procs() {
    local h
    for h in $(session_hierarchies); do
        [ -d "$h/lxmgr-test-user/$1" ] &&
            find "$h/lxmgr-test-user/$1" -name cgroup.procs -exec cat {} +
    done | sort -un
}
