# -*- coding: utf-8 -*-
# Copyright: the lxmgr authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
author: lxmgr authors
name: lxmgr
short_description: Run tasks inside lxmgr containers
description:
  - Runs commands inside a running lxmgr container with C(lxmgr exec NAME -T -- ...), on this
    machine or, with I(lxmgr_ssh_host), on another host by running lxmgr there over SSH.
  - Files go in and out through C(lxmgr exec) with the file on stdin or stdout (C(put_file),
    C(fetch_file)); pipelining sends the module on stdin. C(raw) and C(script) need no Python
    inside. Become (sudo, su) works inside the container as with any shell connection.
version_added: "0.1.0"
options:
  remote_addr:
    description: The container's name.
    default: inventory_hostname
    type: str
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_lxmgr_container
  remote_user:
    description: The user inside the container the commands run as (C(exec --user)); default root.
    type: str
    vars:
      - name: ansible_user
      - name: ansible_lxmgr_user
  executable:
    description: The shell inside the container that runs each command.
    default: /bin/sh
    type: str
    vars:
      - name: ansible_executable
      - name: ansible_lxmgr_executable
  lxmgr_binary:
    description: The lxmgr program on the container's host.
    default: lxmgr
    type: str
    vars:
      - name: ansible_lxmgr_binary
    env:
      - name: LXMGR_BINARY
  lxmgr_root:
    description: The store on the container's host (C(lxmgr --root)); default lxmgr's own.
    type: str
    vars:
      - name: ansible_lxmgr_root
  lxmgr_ssh_host:
    description:
      - The address of the host the container runs on; unset or C(localhost) runs lxmgr on
        the controller.
    type: str
    vars:
      - name: ansible_lxmgr_ssh_host
  lxmgr_ssh_user:
    description: The user to log in to I(lxmgr_ssh_host) as.
    type: str
    vars:
      - name: ansible_lxmgr_ssh_user
  lxmgr_ssh_args:
    description: Further arguments of ssh to I(lxmgr_ssh_host) (a key, options).
    type: list
    elements: str
    default: []
    vars:
      - name: ansible_lxmgr_ssh_args
  pipelining:
    description: Send modules on stdin instead of copying them in first.
    type: bool
    default: true
    vars:
      - name: ansible_pipelining
      - name: ansible_lxmgr_pipelining
'''

EXAMPLES = r'''
# inventory: containers of this machine and of host2
# [dev]
# dev1 ansible_connection=lxmgr.lxmgr.lxmgr
# dev2 ansible_connection=lxmgr.lxmgr.lxmgr ansible_lxmgr_ssh_host=192.0.2.5 ansible_lxmgr_ssh_user=root
'''

import shlex
import subprocess

from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible.plugins.connection import ConnectionBase
from ansible.utils.display import Display

display = Display()

LOCAL_HOSTS = ('', 'localhost', '127.0.0.1', '::1')


def quote(args):
    return ' '.join(shlex.quote(a) for a in args)


def lxmgr_argv(binary, root, name, user, command):
    """lxmgr's own argument vector of `exec NAME` of COMMAND (a list)."""
    argv = [binary] + (['--root', root] if root else []) + ['exec', name, '-T']
    if user:
        argv += ['--user', user]
    return argv + ['--'] + list(command)


def host_argv(lxmgr, ssh_host=None, ssh_user=None, ssh_args=None):
    """The argument vector that runs LXMGR (a list) on the container's host: itself here, or
    one command line of ssh (quoted for the remote shell)."""
    if not ssh_host or ssh_host in LOCAL_HOSTS:
        return list(lxmgr)
    dest = '%s@%s' % (ssh_user, ssh_host) if ssh_user else ssh_host
    return ['ssh', '-T', '-o', 'BatchMode=yes'] + list(ssh_args or []) + [dest, '--', quote(lxmgr)]


def put_command(out_path):
    """The command inside that writes its stdin to OUT_PATH (until `lxmgr file push`)."""
    return ['/bin/sh', '-c', 'cat > "$1"', 'sh', out_path]


def fetch_command(in_path):
    """The command inside that writes IN_PATH to its stdout (until `lxmgr file pull`)."""
    return ['cat', '--', in_path]


def connection_error(name, rc, out, err, over_ssh=False):
    """lxmgr's own line when exec itself failed (the container is not running, no such
    container...) or ssh's when the host was not reached; None when the command ran (its exit
    status, whatever it is, is its own)."""
    lines = [line for line in to_text(err or b'').splitlines() if line.strip()]
    if over_ssh and rc == 255:
        return lines[-1] if lines else 'ssh exited with status 255'
    mine = 'lxmgr: exec %s: ' % name
    if rc == 1 and not out and lines and lines[-1].startswith(mine):
        return lines[-1]
    if rc == 127 and not out and lines and 'lxmgr' in lines[-1] and 'not found' in lines[-1]:
        return lines[-1]
    return None


class Connection(ConnectionBase):
    """lxmgr containers, local or on a host reached by SSH."""

    transport = 'lxmgr.lxmgr.lxmgr'
    has_pipelining = True
    default_user = 'root'

    def _connect(self):
        if not self._connected:
            display.vvv(u'ESTABLISH LXMGR CONNECTION TO %s' % self._name(), host=self._name())
            self._connected = True
        return self

    def _name(self):
        return self.get_option('remote_addr') or self._play_context.remote_addr

    def _argv(self, command):
        user = self.get_option('remote_user')
        lx = lxmgr_argv(self.get_option('lxmgr_binary'), self.get_option('lxmgr_root'),
                        self._name(), user if user and user != 'root' else None, command)
        return host_argv(lx, self.get_option('lxmgr_ssh_host'),
                         self.get_option('lxmgr_ssh_user'), self.get_option('lxmgr_ssh_args'))

    def _run(self, command, stdin=None, stdout=subprocess.PIPE):
        argv = self._argv(command)
        display.vvvv(u'EXEC %s' % to_text(quote(argv)), host=self._name())
        try:
            p = subprocess.Popen(argv, stdin=stdin if stdin is not None else subprocess.PIPE,
                                 stdout=stdout, stderr=subprocess.PIPE)
        except OSError as e:
            raise AnsibleConnectionFailure('lxmgr: cannot run %s: %s' % (argv[0], e))
        return p

    def exec_command(self, cmd, in_data=None, sudoable=True):
        super(Connection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        p = self._run([self.get_option('executable'), '-c', cmd])
        out, err = p.communicate(in_data)
        ssh_host = self.get_option('lxmgr_ssh_host')
        failure = connection_error(self._name(), p.returncode, out, err,
                                   bool(ssh_host) and ssh_host not in LOCAL_HOSTS)
        if failure:
            raise AnsibleConnectionFailure(failure)
        return p.returncode, out, err

    def _transfer(self, command, stdin=None, stdout=None, what=''):
        p = self._run(command, stdin=stdin, stdout=stdout)
        _, err = p.communicate()
        if p.returncode != 0:
            raise AnsibleError('%s: %s' % (what, to_text(err).strip() or 'status %d' % p.returncode))

    def put_file(self, in_path, out_path):
        super(Connection, self).put_file(in_path, out_path)
        display.vvv(u'PUT %s TO %s' % (in_path, out_path), host=self._name())
        try:
            with open(to_bytes(in_path, errors='surrogate_or_strict'), 'rb') as f:
                self._transfer(put_command(out_path), stdin=f, stdout=subprocess.DEVNULL,
                               what='put %s to %s' % (in_path, out_path))
        except IOError as e:
            raise AnsibleError('put %s: %s' % (in_path, e))

    def fetch_file(self, in_path, out_path):
        super(Connection, self).fetch_file(in_path, out_path)
        display.vvv(u'FETCH %s TO %s' % (in_path, out_path), host=self._name())
        with open(to_bytes(out_path, errors='surrogate_or_strict'), 'wb') as f:
            self._transfer(fetch_command(in_path), stdin=subprocess.DEVNULL, stdout=f,
                           what='fetch %s to %s' % (in_path, out_path))

    def close(self):
        super(Connection, self).close()
        self._connected = False
