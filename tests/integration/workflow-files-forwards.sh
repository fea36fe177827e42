#!/usr/bin/env bash
# Proves: lxmgr file push/pull copy into and out of a stopped container (on disk, a snapshot
# clone through its overlay; the lower layer of a snapshot refused) and a running one
# (through its mounts), owned by root or --uid/--gid inside, with -r both ways; a symlink
# planted inside (/tmp/evil -> /etc, absolute or relative) never leads to the host's files for
# push or pull; each thing it cannot do is refused in one line. Forwards: lxmgr forward add
# and remove, and config set net.forward, change a running container's nft rules at once (a
# forwarded port answers on the host's 127.0.0.1, then no longer), a port another container
# holds is refused and the config keeps what is live; info, info --json and net show list
# them; config set of a key that waits for the next start says so without -v; the monitors of
# one start show as "lxmgr-monitor NAME" in ps; doctor NAME names the nesting limit of a
# hybrid cgroup host.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/net.sh"
setup_store

# refused PATTERN DESCRIPTION CMD...: exit 1 with one line matching PATTERN.
refused() {
    local pattern=$1 desc=$2 out rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    if [ "$rc" = 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" = 1 ] && [[ $out =~ $pattern ]]; then
        ok "$desc"
    else
        not_ok "$desc" "exit $rc, output: $out"
    fi
}
# http_get PORT: the last line of GET /index.html from the host's 127.0.0.1:PORT.
http_get() {
    timeout 4 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && \
        printf 'GET /index.html HTTP/1.0\r\n\r\n' >&3 && cat <&3" 2>/dev/null | tail -n 1
}

W=$T_ROOT/work
mkdir -p "$W/tree/sub" "$W/out"
echo "pushed-$$" >"$W/a.txt"
echo "second-$$" >"$W/b.txt"
echo "deep-$$" >"$W/tree/sub/deep.txt"
ln -s deep.txt "$W/tree/sub/link"
passwd_sum=$(sha256sum /etc/passwd)
shadow_host=$(sha256sum </etc/shadow)

# ---- a stopped container: on disk ----
new_debian st --net none
rootfs=$T_ROOT/lib/st/rootfs
check "push a file into a stopped container" lx file push "$W/a.txt" st:/root/
check_eq "it is there, owned by root inside (0 on the idmapped rootfs)" "0 0 644 pushed-$$" \
    "$(stat -c '%u %g %a' "$rootfs/root/a.txt") $(cat "$rootfs/root/a.txt")"
check "push with --uid/--gid/--mode to a new name" \
    lx file push --uid 1000 --gid 1000 --mode 600 "$W/b.txt" st:/root/b-renamed
check_eq "owned by 1000:1000, mode 600" "1000 1000 600" \
    "$(stat -c '%u %g %a' "$rootfs/root/b-renamed")"
ln -s /etc "$rootfs/tmp/evil"
ln -s ../../../../../../../etc "$rootfs/tmp/evil2"
check "push through an absolute symlink inside" lx file push "$W/a.txt" st:/tmp/evil/lxmgr-probe-$$
check "and through a relative one" lx file push "$W/a.txt" st:/tmp/evil2/lxmgr-probe2-$$
check_fails "nothing reached the host's /etc" \
    sh -c "ls /etc/lxmgr-probe-$$ /etc/lxmgr-probe2-$$ 2>/dev/null | grep -q ."
check_eq "both landed in the container's own /etc" "pushed-$$ pushed-$$" \
    "$(cat "$rootfs/etc/lxmgr-probe-$$" "$rootfs/etc/lxmgr-probe2-$$" | tr '\n' ' ' | sed 's/ $//')"
check "pull the container's shadow through the symlink" \
    lx file pull st:/tmp/evil/shadow "$W/out/shadow-st"
check_eq "it is the container's shadow" "$(sha256sum <"$rootfs/etc/shadow")" \
    "$(sha256sum <"$W/out/shadow-st")"
check_fails "not the host's" test "$(sha256sum <"$W/out/shadow-st")" = "$shadow_host"
# A symlink as the target itself is replaced, not written through.
ln -s /etc/passwd "$rootfs/root/trap"
check "push over a symlink to /etc/passwd" lx file push "$W/a.txt" st:/root/trap
check_eq "the symlink was replaced by the file" "regular file" "$(stat -c %F "$rootfs/root/trap")"
check_eq "the container's /etc/passwd is untouched" "root" \
    "$(head -1 "$rootfs/etc/passwd" | cut -d: -f1)"
check "push -r a tree" lx file push -r "$W/tree" st:/srv/
check_eq "the tree is there with its symlink" "deep-$$ deep.txt" \
    "$(cat "$rootfs/srv/tree/sub/deep.txt") $(readlink "$rootfs/srv/tree/sub/link")"
check_eq "owned by root inside" "0 0" "$(stat -c '%u %g' "$rootfs/srv/tree/sub")"
check "pull -r it back" lx file pull -r st:/srv/tree "$W/out/"
check_eq "the pulled tree matches" "deep-$$ deep.txt" \
    "$(cat "$W/out/tree/sub/deep.txt") $(readlink "$W/out/tree/sub/link")"
check_eq "pull to stdout" "pushed-$$" "$(lx file pull st:/root/a.txt -)"

# Refusals, one line each.
refused "file st: file: $W/missing: No such file or directory" "a missing source" \
    lx file push "$W/missing" st:/root/
refused "file st: file: $W/tree is a directory \(use -r\)" "a directory without -r" \
    lx file push "$W/tree" st:/root/
refused "the target directory /nonexistent/ does not exist in the container" \
    "a target parent that does not exist" lx file push "$W/a.txt" st:/nonexistent/x
refused "/root/a.txt is not a directory in the container \(several sources\)" \
    "several sources to a file" lx file push "$W/a.txt" "$W/b.txt" st:/root/a.txt
refused "/nonexistent does not exist in the container" "pull of a missing file" \
    lx file pull st:/nonexistent "$W/out/"
refused "/etc is a directory in the container \(use -r\)" "pull of a directory without -r" \
    lx file pull st:/etc "$W/out/"
refused "the local directory $W/nope/ does not exist" "pull into a missing local directory" \
    lx file pull st:/root/a.txt "$W/nope/x"
refused "/dev/null is not a regular file or a directory in the container" \
    "pull of a device node" lx file pull st:/dev/null "$W/out/x"
refused "--uid and --gid must be below 65536" "an id outside the container" \
    lx file push --uid 70000 "$W/a.txt" st:/root/
check_fails "push without NAME:PATH is a usage error" lx file push "$W/a.txt"

# A snapshot clone: through its overlay; its source is read-only while the clone exists.
check "clone --snapshot st sn" lx clone st sn --snapshot
T_NAMES+=(sn)
check "push into the stopped snapshot clone" lx file push "$W/b.txt" sn:/root/only-in-clone
check_eq "it went to the clone's upper layer" "second-$$" \
    "$(cat "$T_ROOT/lib/sn/overlay/upper/root/only-in-clone")"
check_fails "not into the source" test -e "$rootfs/root/only-in-clone"
check_eq "pull from the clone sees the source's files too" "pushed-$$" \
    "$(lx file pull sn:/root/a.txt -)"
refused "read-only lower layer of the snapshot clones sn" "push into a snapshot's source" \
    lx file push "$W/a.txt" st:/root/
check "destroy the clone" lx destroy sn

# ---- a running container, bridged for the forwards ----
new_debian run1 --nesting
add_busybox run1
check "start run1" lx start run1
check_eq "run1 boots" running "$(wait_running run1)"
check "push into the running container" lx file push "$W/a.txt" run1:/root/
check_eq "seen inside, owned by root" "0 0 pushed-$$" \
    "$(lx exec run1 -- sh -c 'stat -c "%u %g" /root/a.txt; cat /root/a.txt' | tr '\n' ' ' | sed 's/ $//')"
check "push onto its /run, a tmpfs of its own" lx file push --uid 1000 "$W/b.txt" run1:/run/b.txt
check_eq "seen inside with uid 1000" "1000 second-$$" \
    "$(lx exec run1 -- sh -c 'stat -c %u /run/b.txt; cat /run/b.txt' | tr '\n' ' ' | sed 's/ $//')"
check_fails "not on disk: it is on the container's mount" test -e "$T_ROOT/lib/run1/rootfs/run/b.txt"
lx exec run1 -- sh -c 'ln -sfn /etc /tmp/evil; ln -sfn ../../../../etc /tmp/evil2'
check "root inside made /tmp/evil -> /etc; push x run1:/tmp/evil/passwd" \
    lx file push "$W/a.txt" run1:/tmp/evil/passwd
check_eq "the host's /etc/passwd is untouched" "$passwd_sum" "$(sha256sum /etc/passwd)"
check_eq "the container's own /etc/passwd got it" "pushed-$$" \
    "$(lx file pull run1:/etc/passwd -)"
# Put passwd back before anything runs inside (exec resolves users with it).
check "push the original passwd back" lx file push "$rootfs/etc/passwd" run1:/etc/passwd
check "pull run1:/tmp/evil2/shadow" lx file pull run1:/tmp/evil2/shadow "$W/out/shadow-run"
check_eq "it is the container's shadow" "$(lx exec run1 -- cat /etc/shadow | sha256sum)" \
    "$(sha256sum <"$W/out/shadow-run")"
check_fails "not the host's" test "$(sha256sum <"$W/out/shadow-run")" = "$shadow_host"
check_eq "root resolves again" "0" "$(lx exec run1 -- id -u root)"

# ---- forwards, live ----
port=$(( 20000 + $$ % 20000 ))
lx exec run1 -- sh -c "mkdir -p /srv/www && echo hello-$$ >/srv/www/index.html && \
    busybox httpd -p 80 -h /srv/www" >/dev/null 2>&1
check_eq "no forward at first" "" "$(lx forward run1)"
check "forward add on the running container" lx forward run1 add "tcp:$port:80"
got=""
for _ in $(seq 1 20); do
    got=$(http_get "$port")
    [ -n "$got" ] && break
    sleep 0.2
done
check_eq "the new forward answers on the host's 127.0.0.1 at once" "hello-$$" "$got"
table=$(awk -F= '$1 == "net_forward" { print $2 }' "$T_ROOT/run/run1/state")
check_match "the runtime record names its table" "^lxmgr-fwd-" "$table"
check_eq "recorded in net.forward" "tcp:$port:80" "$(lx config run1 get net.forward)"
check_match "info lists it" "Forward: +tcp host port $port -> [0-9.]+:80" "$(lx info run1)"
check_match "info --json has a forwards array" \
    "\"forwards\": \[\{\"protocol\": \"tcp\", \"host_port\": $port, \"port\": 80\}\]" \
    "$(lx info run1 --json)"
check_match "net show lists it as live" "tcp +$port +run1 +[0-9.]+:80 +live" "$(lx net show)"
refused "tcp port $port is already forwarded \(to 80\)" "the same port twice" \
    lx forward run1 add "tcp:$port:81"
refused "invalid forward 'tcp:x:80'" "a bad forward" lx forward run1 add tcp:x:80
check "config set net.forward on the running container" \
    lx config run1 set net.forward "tcp:$((port + 1)):80 udp:$((port + 2)):53"
check_match "its rules follow" "udp dport $((port + 2)) dnat" "$(nft list table ip "$table")"
check_eq "the old port no longer answers" "" "$(http_get "$port")"
check_eq "the new one does" "hello-$$" "$(http_get $((port + 1)))"
# Another container's live port: refused by the monitor, the config keeps what is live.
new_debian run2
check "start run2" lx start run2
refused "tcp port $((port + 1)) is already forwarded to another container" \
    "a port run1 holds, for run2" lx forward run2 add "tcp:$((port + 1)):80"
check_eq "run2's config is unchanged" "" "$(lx config run2 get net.forward)"
check "stop run2" lx stop run2
check "forward remove" lx forward run1 remove "tcp:$((port + 1)):80"
refused "no forward tcp:$((port + 1)):80" "removing it twice" \
    lx forward run1 remove "tcp:$((port + 1)):80"
check_eq "it no longer answers" "" "$(http_get $((port + 1)))"
check "remove the last one" lx forward run1 remove "udp:$((port + 2)):53"
check_fails "the forward table is gone with the last forward" nft list table ip "$table"
check_eq "and the record no longer names it" "" \
    "$(awk -F= '$1 == "net_forward" { print $2 }' "$T_ROOT/run/run1/state")"

# ---- what waits for the next start says so ----
out=$(lx config run1 set container.stop_timeout 20 2>&1)
check_match "a key for the next start says so without -v" \
    "^lxmgr: config run1: config: container.stop_timeout takes effect at the next start" "$out"
check_eq "a live limit says nothing" "" "$(lx config run1 set limits.pids 4000 2>&1)"
check_eq "-q silences the note" "" "$(lx -q config run1 set container.stop_timeout 25 2>&1)"

# ---- ps, doctor ----
check "stop run1" lx stop run1
check "one start of two containers" lx start run1 run2
for n in run1 run2; do
    pid=$(awk -F= '$1 == "monitor_pid" { print $2 }' "$T_ROOT/run/$n/state")
    check_eq "$n's monitor shows as lxmgr-monitor $n" "lxmgr-monitor lxmgr-monitor $n" \
        "$(ps -o comm=,args= -p "$pid" | tr -s ' ')"
done
if grep -q ' - cgroup ' /proc/self/mountinfo || [ -d /sys/fs/cgroup/unified ]; then
    check_match "doctor names the nesting limit of this hybrid host" \
        "run1: nesting on a hybrid cgroup host: containers inside get no pids" \
        "$(lx doctor run1)"
else
    check_match "doctor: nesting controllers delegated" "run1: nesting: the cgroup2 controllers" \
        "$(lx doctor run1)"
fi
check_match "doctor says how to enable the NSS module, or that it is" "names: " "$(lx doctor)"
base1=$(uid_base_of run1)
base2=$(uid_base_of run2)
check "stop both" lx stop run1 run2
check_host_clean run1 "$base1"
check_host_clean run2 "$base2"
check_eq "no forward table left" "" "$(nft list tables | grep "$table")"
done_testing
