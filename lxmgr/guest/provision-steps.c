/* provision-steps.c: the provisioning steps as shell scripts run inside the guest. Each is
 * idempotent: it looks first, changes only what differs and exits PROVISION_CHANGED (42) if it
 * changed anything, 0 if not. They use only POSIX sh, awk, grep, id and stat, which Debian,
 * Ubuntu, CentOS and Alpine (busybox) all have. */
#include <stddef.h>

#include "guest/provision-steps.h"

/* Shared by every step: the arguments, the package manager, what must be installed. */
#define PRELUDE                                                                                    \
	"set -u\n"                                                                                 \
	"h=$1 u=$2 sudo=$3 tz=$4 key=$5 pkgs=$6 c=0\n"                                             \
	"have() { command -v \"$1\" >/dev/null 2>&1; }\n"                                          \
	"pm=\n"                                                                                    \
	"if have apt-get; then pm=apt; elif have dnf; then pm=dnf; elif have yum; then pm=yum;\n"  \
	"elif have apk; then pm=apk; fi\n"                                                         \
	"installed() {\n"                                                                          \
	"  case $pm in\n"                                                                          \
	"  apt) dpkg-query -W -f='${Status}' \"$1\" 2>/dev/null | grep -q 'ok installed' ;;\n"     \
	"  dnf|yum) rpm -q --whatprovides \"$1\" >/dev/null 2>&1 ;;\n"                             \
	"  apk) apk info -e \"$1\" >/dev/null 2>&1 ;;\n"                                           \
	"  *) return 1 ;;\n"                                                                       \
	"  esac\n"                                                                                 \
	"}\n"                                                                                      \
	"sshd_there() { [ -x /usr/sbin/sshd ] || have sshd; }\n"                                   \
	"missing() {\n"                                                                            \
	"  w=$pkgs\n"                                                                              \
	"  if [ \"$sudo\" = 1 ] && ! have sudo; then w=\"$w sudo\"; fi\n"                          \
	"  if [ -n \"$tz\" ] && [ ! -e \"/usr/share/zoneinfo/$tz\" ]; then w=\"$w tzdata\"; fi\n"  \
	"  m=\n"                                                                                   \
	"  for p in $w; do installed \"$p\" || m=\"$m $p\"; done\n"                                \
	"  echo $m\n"                                                                              \
	"}\n"                                                                                      \
	"done_step() { if [ $c = 1 ]; then exit 42; fi; exit 0; }\n"

/* Nothing is changed here (apt-get update refreshes only apt's own lists). */
static const char preflight[] = PRELUDE
	"if [ -n \"$u\" ] && ! have useradd && ! have adduser; then\n"
	"  echo 'the guest has neither useradd nor adduser' >&2; exit 13\n"
	"fi\n"
	"m=$(missing)\n"
	"[ -z \"$m\" ] && exit 0\n"
	"echo \"to install: $m\"\n"
	"[ -n \"$pm\" ] || { echo 'no apt-get, dnf, yum or apk in the guest' >&2; exit 10; }\n"
	"ok=1\n"
	"case $pm in\n"
	"apt) apt-get install -s -q $m >/dev/null 2>&1 ||\n"
	"     { apt-get update -q && apt-get install -s -q $m; } || ok=0 ;;\n"
	"dnf|yum) for p in $m; do $pm -q info \"$p\" || ok=0; done ;;\n"
	"apk) apk add --simulate $m || ok=0 ;;\n"
	"esac\n"
	"[ $ok = 1 ] && exit 0\n"
	"case \" $m \" in *' sudo '*) exit 11 ;; *' tzdata '*) exit 12 ;; esac\n"
	"exit 14\n";

static const char hostname_step[] = PRELUDE
	"[ -n \"$h\" ] || exit 0\n"
	"if [ \"$(cat /etc/hostname 2>/dev/null)\" != \"$h\" ]; then\n"
	"  printf '%s\\n' \"$h\" >/etc/hostname || exit 1; c=1\n"
	"fi\n"
	"if ! awk -v h=\"$h\" '$1 == \"127.0.1.1\" && $2 == h { f = 1 } END { exit !f }' "
	"/etc/hosts 2>/dev/null; then\n"
	"  { grep -v '^127\\.0\\.1\\.1[[:space:]]' /etc/hosts 2>/dev/null\n"
	"    printf '127.0.1.1\\t%s\\n' \"$h\"; } >/etc/hosts.lxmgr-new || exit 1\n"
	"  cat /etc/hosts.lxmgr-new >/etc/hosts && rm -f /etc/hosts.lxmgr-new || exit 1; c=1\n"
	"fi\n"
	"if [ \"$(cat /proc/sys/kernel/hostname)\" != \"$h\" ]; then\n"
	"  if have hostname; then hostname \"$h\" || exit 1; c=1\n"
	"  else echo 'no hostname command: the new name is used from the next start'; fi\n"
	"fi\n"
	"done_step\n";

/* With --ssh-key, openssh-server too when the guest has no sshd; its failure (no archive
 * reachable) is not the step's: the ssh-server step reports it. apt waits for the locks that
 * a just-booted guest's apt-daily.service may hold (an update refused for a lock is tried again).
 */
static const char packages_step[] = PRELUDE
	"install() {\n"
	"  case $pm in\n"
	"  apt) export DEBIAN_FRONTEND=noninteractive\n"
	"       n=0; until o=$(apt-get -o DPkg::Lock::Timeout=120 update -q 2>&1); do\n"
	"         echo \"$o\"; n=$((n + 1)); [ $n -lt 40 ] || return 1\n"
	"         case $o in *' lock '*) sleep 3 ;; *) return 1 ;; esac\n"
	"       done; echo \"$o\"\n"
	"       apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends \"$@\" "
	";;\n"
	"  dnf|yum) $pm -y install \"$@\" ;;\n"
	"  apk) apk add \"$@\" ;;\n"
	"  *) echo 'no package manager' >&2; return 1 ;;\n"
	"  esac\n"
	"}\n"
	"m=$(missing)\n"
	"if [ -n \"$m\" ]; then\n"
	"  echo \"installing: $m\"\n"
	"  install $m || exit 1\n"
	"  m=$(missing)\n"
	"  [ -z \"$m\" ] || { echo \"still not installed: $m\" >&2; exit 1; }\n"
	"  c=1\n"
	"fi\n"
	"if [ -n \"$u\" ] && [ -n \"$key\" ] && ! sshd_there; then\n"
	"  echo 'installing: openssh-server (for --ssh-key)'\n"
	"  if install openssh-server; then c=1; else echo 'openssh-server: not installed' >&2; fi\n"
	"fi\n"
	"done_step\n";

static const char timezone_step[] =
	PRELUDE "[ -n \"$tz\" ] || exit 0\n"
		"z=/usr/share/zoneinfo/$tz\n"
		"[ -f \"$z\" ] || { echo \"$z is not in the guest\" >&2; exit 1; }\n"
		"if [ \"$(readlink /etc/localtime 2>/dev/null)\" != \"$z\" ]; then\n"
		"  ln -sfn \"$z\" /etc/localtime || exit 1; c=1\n"
		"fi\n"
		"if [ -f /etc/timezone ] || [ \"$pm\" = apt ]; then\n"
		"  if [ \"$(cat /etc/timezone 2>/dev/null)\" != \"$tz\" ]; then\n"
		"    printf '%s\\n' \"$tz\" >/etc/timezone || exit 1; c=1\n"
		"  fi\n"
		"fi\n"
		"done_step\n";

static const char user_step[] =
	PRELUDE "[ -n \"$u\" ] || exit 0\n"
		"id \"$u\" >/dev/null 2>&1 && exit 0\n"
		"s=/bin/sh; [ -x /bin/bash ] && s=/bin/bash\n"
		"if have useradd; then t=useradd; useradd -m -s \"$s\" \"$u\" || exit 1\n"
		"else t=adduser; adduser -D -s \"$s\" \"$u\" || exit 1; fi\n"
		"echo \"made user $u with $t (shell $s)\"\n"
		"exit 42\n";

/* The sudo or wheel group where the guest has one, and a drop-in that sudo reads without a
 * password prompt (the user has none); visudo checks it before it is put in place. */
static const char sudo_step[] = PRELUDE
	"[ -n \"$u\" ] && [ \"$sudo\" = 1 ] || exit 0\n"
	"have sudo || { echo 'sudo is not installed' >&2; exit 1; }\n"
	"g=\n"
	"if grep -q '^sudo:' /etc/group; then g=sudo; elif grep -q '^wheel:' /etc/group; then "
	"g=wheel; fi\n"
	"if [ -n \"$g\" ] && ! id -nG \"$u\" | tr ' ' '\\n' | grep -qx \"$g\"; then\n"
	"  if have usermod; then t=usermod; usermod -a -G \"$g\" \"$u\" || exit 1\n"
	"  else t=addgroup; addgroup \"$u\" \"$g\" || exit 1; fi\n"
	"  echo \"added $u to group $g with $t\"; c=1\n"
	"fi\n"
	"grep -Eq '^[#@]includedir[[:space:]]+/etc/sudoers.d' /etc/sudoers ||\n"
	"  { echo '/etc/sudoers does not read /etc/sudoers.d' >&2; exit 1; }\n"
	"f=/etc/sudoers.d/lxmgr-$u line=\"$u ALL=(ALL) NOPASSWD: ALL\"\n"
	"if [ -L \"$f\" ] || [ \"$(cat \"$f\" 2>/dev/null)\" != \"$line\" ] ||\n"
	"   [ \"$(stat -c '%u:%a' \"$f\")\" != 0:440 ]; then\n"
	"  mkdir -p /etc/sudoers.d && rm -f \"$f.new\" || exit 1\n"
	"  printf '%s\\n' \"$line\" >\"$f.new\" && chmod 0440 \"$f.new\" || exit 1\n"
	"  if have visudo && ! visudo -cf \"$f.new\"; then rm -f \"$f.new\"; exit 1; fi\n"
	"  mv -f \"$f.new\" \"$f\" || exit 1\n"
	"  echo \"wrote $f\"; c=1\n"
	"fi\n"
	"done_step\n";

/* authorized_keys owned by the user (its uid inside), 700/600; a symlink is refused, since
 * root would otherwise chown what it points at. */
static const char ssh_key_step[] = PRELUDE
	"[ -n \"$u\" ] && [ -n \"$key\" ] || exit 0\n"
	"home=$(awk -F: -v u=\"$u\" '$1 == u { print $6 }' /etc/passwd)\n"
	"[ -n \"$home\" ] && [ -d \"$home\" ] || { echo \"$u has no home directory\" >&2; exit 1; "
	"}\n"
	"uid=$(id -u \"$u\") gid=$(id -g \"$u\") d=$home/.ssh f=$home/.ssh/authorized_keys\n"
	"if [ -L \"$d\" ] || [ -L \"$f\" ]; then echo \"$d: a symlink, refused\" >&2; exit 1; fi\n"
	"[ -d \"$d\" ] || { mkdir \"$d\" || exit 1; c=1; }\n"
	"if ! grep -qxF \"$key\" \"$f\" 2>/dev/null; then\n"
	"  printf '%s\\n' \"$key\" >>\"$f\" || exit 1; echo \"added the key to $f\"; c=1\n"
	"fi\n"
	"for x in \"$d:700\" \"$f:600\"; do\n"
	"  p=${x%:*} m=${x##*:}\n"
	"  if [ \"$(stat -c '%u:%g:%a' \"$p\")\" != \"$uid:$gid:$m\" ]; then\n"
	"    chown \"$uid:$gid\" \"$p\" && chmod \"$m\" \"$p\" || exit 1; c=1\n"
	"  fi\n"
	"done\n"
	"done_step\n";

/* --ssh-key is for logging in: the guest's SSH server (installed by the packages step when it
 * was missing) is enabled at boot and running, with the guest's own service manager. */
static const char ssh_server_step[] = PRELUDE
	"[ -n \"$u\" ] && [ -n \"$key\" ] || exit 0\n"
	"sshd_there || { echo 'no sshd in the guest' >&2; exit 43; }\n"
	"if [ -d /run/systemd/system ] && have systemctl &&\n"
	"   systemctl -q is-enabled ssh.socket 2>/dev/null; then\n"
	"  : socket activation: systemd listens from sockets.target on, maybe still booting\n"
	"elif [ -d /run/systemd/system ] && have systemctl; then\n"
	"  s=; for n in ssh sshd; do systemctl cat \"$n.service\" >/dev/null 2>&1 && { s=$n; "
	"break; "
	"}; done\n"
	"  [ -n \"$s\" ] || { echo 'no ssh.service or sshd.service' >&2; exit 1; }\n"
	"  if ! systemctl -q is-enabled \"$s\" 2>/dev/null; then\n"
	"    systemctl -q enable \"$s\" || exit 1; echo \"enabled $s.service\"; c=1; fi\n"
	"  if ! systemctl -q is-active \"$s\"; then\n"
	"    systemctl start \"$s\" || exit 1; echo \"started $s.service\"; c=1; fi\n"
	"elif have rc-update; then\n"
	"  rc-update show default 2>/dev/null | grep -qw sshd ||\n"
	"    { rc-update add sshd default || exit 1; c=1; }\n"
	"  rc-service sshd status >/dev/null 2>&1 || { rc-service sshd start || exit 1; c=1; }\n"
	"else\n"
	"  s=ssh; [ -x /etc/init.d/ssh ] || s=sshd\n"
	"  [ -x /etc/init.d/$s ] || { echo 'no init script for sshd' >&2; exit 1; }\n"
	"  if have update-rc.d && ! ls /etc/rc2.d/S*$s >/dev/null 2>&1; then\n"
	"    update-rc.d $s defaults >/dev/null || exit 1; c=1; fi\n"
	"  if ! /etc/init.d/$s status >/dev/null 2>&1; then /etc/init.d/$s start || exit 1; c=1; "
	"fi\n"
	"fi\n"
	"done_step\n";

static const char *const step_names[_PROVISION_STEP_MAX] = {
	[PROVISION_STEP_PREFLIGHT] = "preflight", [PROVISION_STEP_HOSTNAME] = "hostname",
	[PROVISION_STEP_PACKAGES] = "packages",   [PROVISION_STEP_TIMEZONE] = "timezone",
	[PROVISION_STEP_USER] = "user",           [PROVISION_STEP_SUDO] = "sudo",
	[PROVISION_STEP_SSH_KEY] = "ssh-key",     [PROVISION_STEP_SSH_SERVER] = "ssh-server",
};

static const char *const step_scripts[_PROVISION_STEP_MAX] = {
	[PROVISION_STEP_PREFLIGHT] = preflight,    [PROVISION_STEP_HOSTNAME] = hostname_step,
	[PROVISION_STEP_PACKAGES] = packages_step, [PROVISION_STEP_TIMEZONE] = timezone_step,
	[PROVISION_STEP_USER] = user_step,         [PROVISION_STEP_SUDO] = sudo_step,
	[PROVISION_STEP_SSH_KEY] = ssh_key_step,   [PROVISION_STEP_SSH_SERVER] = ssh_server_step,
};

const char *provision_step_to_string(enum provision_step s)
{
	return (unsigned)s < _PROVISION_STEP_MAX ? step_names[s] : NULL;
}

const char *provision_step_script(enum provision_step s)
{
	return (unsigned)s < _PROVISION_STEP_MAX ? step_scripts[s] : NULL;
}
