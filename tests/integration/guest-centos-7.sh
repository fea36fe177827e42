#!/usr/bin/env bash
# Proves: CentOS 7 (systemd 219, which cannot run on cgroup2 alone) gets the hybrid layout at
# create, boots to is-system-running=running with no failed unit on a v1 name=systemd
# hierarchy rooted at its own cgroup, is refused at start in one line when forced onto
# cgroup2 alone, yum installs a local RPM from a file:// repository, and stop is clean.
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/guest.sh"
. "$(dirname "$0")/lib/rpm.sh"
setup_store
for tool in rpmbuild createrepo_c; do
    command -v $tool >/dev/null || skip_all "$tool is not installed (scripts/install-deps.sh)"
done
guest_create c7 tarball centos-7.tar.xz
check_eq "detected: systemd 219" "219" "$(lx config c7 get container.systemd_version)"
check_eq "systemd 219 gets the hybrid layout" "hybrid" "$(lx config c7 get container.cgroup_layout)"

# Refused: systemd 219 on cgroup2 alone would freeze at boot; start says why in one line.
guest_layout_refused c7 unified hybrid \
    "^lxmgr: start c7: fixup: systemd 219 cannot run on cgroup2 alone .*set container.cgroup_layout to hybrid$"

guest_boot c7 systemd-poll 60
check_eq "no failed unit" "" "$(lx exec c7 -- systemctl --failed --no-legend)"
check_eq "PID 1 is systemd" "/usr/lib/systemd/systemd" "$(lx exec c7 -- readlink /proc/1/exe)"
check_eq "a v1 hierarchy at /sys/fs/cgroup/systemd" "cgroupfs" \
    "$(lx exec c7 -- stat -f -c %T /sys/fs/cgroup/systemd)"
check_eq "cgroup2 beside it at /sys/fs/cgroup/unified" "cgroup2fs" \
    "$(lx exec c7 -- stat -f -c %T /sys/fs/cgroup/unified)"
check_eq "init sits at the root of its own name=systemd tree" "1:name=systemd:/" \
    "$(lx exec c7 -- grep -o '[0-9]*:name=systemd:.*' /proc/1/cgroup | sed 's/^[0-9]*/1/')"
check_match "the units' cgroups are inside the container's host cgroup" "system.slice" \
    "$(ls /sys/fs/cgroup/systemd/lxmgr.slice/lxmgr-*-c7.scope/)"
check "the console shows a login prompt" wait_console c7 "c7 login:" 10
check "useradd inside" lx exec c7 -- useradd -m alice
check_eq "alice runs as alice" "alice" "$(lx exec c7 --user alice -- id -un)"
skip_one "a user can sudo" "the CentOS 7 base image has no sudo, and yum cannot fetch it offline"

# yum from a file:// repository: a dependency-free noarch RPM built here.
top=$T_ROOT/rpm
check "rpmbuild and createrepo_c make a local repository" make_rpm_repo "$top"
check "make the repository inside" lx exec c7 -- mkdir -p /srv/repo/repodata
for f in "$top/repo/lxtest-1.0-1.noarch.rpm" "$top"/repo/repodata/*; do
    rel=${f#"$top/repo/"}
    copy_in c7 "$f" "/srv/repo/$rel" || not_ok "copy $rel in"
done
check "add the file:// repository" lx exec c7 -- sh -c \
    'printf "[lxtest]\nname=lxtest\nbaseurl=file:///srv/repo\ngpgcheck=0\nenabled=1\n" >/etc/yum.repos.d/lxtest.repo'
check "yum install lxtest" lx exec c7 -- yum -y -q install lxtest
check_eq "the package's file is there" "from the host" "$(lx exec c7 -- cat /usr/share/lxtest/hello)"
check_eq "rpm knows it" "lxtest-1.0-1.noarch" "$(lx exec c7 -- rpm -q lxtest)"

guest_stop c7 centos-7 "systemd shut down by itself" "Halting system|Powering off"
done_testing
