# -*- coding: utf-8 -*-
# Copyright: the lxmgr authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests of the collection's argument and output handling (no lxmgr, no container):
python3 -m unittest discover -s ansible/tests/unit, or pytest, or ansible-test units."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import importlib.util
import os
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGINS = os.path.join(HERE, '..', '..', '..', 'plugins')


def load(kind, name):
    """The plugin file itself, whether or not the collection is on a collections path."""
    spec = importlib.util.spec_from_file_location('lxmgr_' + kind, os.path.join(PLUGINS, kind, name))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


container = load('modules', 'container.py')
connection = load('connection', 'lxmgr.py')
inventory = load('inventory', 'lxmgr.py')

ENTRY = {"name": "web", "state": "running", "init_pid": 42, "uid_base": 1048576,
         "gid_base": 1048576, "id_count": 65536, "uuid": "u-1", "init_kind": "systemd",
         "autostart": True, "net_mode": "bridge", "net_address": "10.0.3.7",
         "net_address6": ""}


class ModuleOutput(unittest.TestCase):
    def test_error_is_lxmgrs_last_line(self):
        err = ('lxmgr: create p1: rootfs: 33%\n'
               "lxmgr: create p1: create: a container named 'p1' exists already\n")
        self.assertEqual(container.lxmgr_error(1, '', err),
                         "lxmgr: create p1: create: a container named 'p1' exists already")

    def test_error_without_lxmgr_line(self):
        self.assertEqual(container.lxmgr_error(1, '', 'ssh: no route\n'), 'ssh: no route')
        self.assertEqual(container.lxmgr_error(3, 'x\n', ''), 'lxmgr exited with status 3: x')

    def test_parse_config(self):
        text = 'container.name = web\nrootfs.snapshot_of = \nlimits.memory = 1G\nnet.ip = 10.0.3.7\n'
        self.assertEqual(container.parse_config(text),
                         {'container.name': 'web', 'rootfs.snapshot_of': '',
                          'limits.memory': '1G', 'net.ip': '10.0.3.7'})

    def test_values(self):
        self.assertEqual([container.config_value(v) for v in (True, False, 500, None, '2G')],
                         ['yes', 'no', '500', '', '2G'])


class ModuleArguments(unittest.TestCase):
    def params(self, **kw):
        p = dict((k, None) for k in ('template', 'release', 'rootfs', 'tarball', 'image',
                                     'clone_from', 'net', 'ids', 'nesting', 'user', 'ssh_key',
                                     'packages', 'timezone'))
        p.update(name='dev1', snapshot=False, sudo=False)
        p.update(kw)
        return p

    def test_no_source(self):
        self.assertIsNone(container.source_args(self.params()))

    def test_template_and_provisioning(self):
        p = self.params(template='debian', release='bookworm', user='alice', ssh_key='/k.pub',
                        sudo=True, packages=['git', 'vim'], timezone='Europe/Berlin',
                        net='none', ids=196608, nesting=True)
        self.assertEqual(container.source_args(p),
                         ['create', 'dev1', '-t', 'debian', '-r', 'bookworm', '--net', 'none',
                          '--ids', '196608', '--nesting', '--user', 'alice', '--ssh-key', '/k.pub',
                          '--sudo', '--packages', 'git,vim', '--timezone', 'Europe/Berlin'])

    def test_ssh_key_and_sudo_need_user(self):
        self.assertEqual(container.source_args(self.params(rootfs='/r', ssh_key='/k', sudo=True)),
                         ['create', 'dev1', '--rootfs', '/r'])

    def test_image_and_clone(self):
        self.assertEqual(container.source_args(self.params(image='docker://debian:12')),
                         ['create', 'dev1', '-t', 'oci', '--image', 'docker://debian:12'])
        self.assertEqual(container.source_args(self.params(clone_from='base', snapshot=True)),
                         ['clone', 'base', 'dev1', '--snapshot'])

    def test_two_sources_refused(self):
        self.assertRaises(ValueError, container.source_args, self.params(rootfs='/r', tarball='/t'))

    def test_source_matches(self):
        m = container.source_matches
        self.assertTrue(m(self.params(rootfs='/r'), 'directory /r'))
        self.assertFalse(m(self.params(tarball='/r'), 'directory /r'))
        self.assertTrue(m(self.params(template='debian', release='bookworm'),
                          'template debian bookworm amd64'))
        self.assertFalse(m(self.params(template='debian', release='trixie'),
                           'template debian bookworm amd64'))
        self.assertTrue(m(self.params(clone_from='base'), 'clone of base'))
        self.assertFalse(m(self.params(clone_from='base', snapshot=True), 'clone of base'))
        self.assertTrue(m(self.params(), 'anything'))

    def test_config_changes_unknown_keys_first(self):
        current = {'limits.pids': '500', 'container.autostart': 'no', 'limits.memory': ''}
        wanted = {'limits.pids': 500, 'container.autostart': True, 'foo.bar': 1}
        self.assertEqual(container.config_changes(current, wanted),
                         [('foo.bar', '1'), ('container.autostart', 'yes')])
        self.assertEqual(container.config_changes(current, {'limits.pids': '500'}), [])
        self.assertEqual(container.config_changes(current, None), [])

    def test_state_actions(self):
        a = container.state_actions
        self.assertEqual(a('started', False, False), ['start'])
        self.assertEqual(a('started', True, False), [])
        self.assertEqual(a('stopped', True, False), ['stop'])
        self.assertEqual(a('stopped', False, True), [])
        self.assertEqual(a('present', False, True), [])
        self.assertEqual(a('restarted', True, False), ['restart'])
        self.assertEqual(a('restarted', False, False), ['start'])


class ConnectionArguments(unittest.TestCase):
    def test_local_exec(self):
        self.assertEqual(connection.host_argv(connection.lxmgr_argv(
            'lxmgr', None, 'web', None, ['/bin/sh', '-c', 'echo hi'])),
            ['lxmgr', 'exec', 'web', '-T', '--', '/bin/sh', '-c', 'echo hi'])

    def test_store_and_user(self):
        self.assertEqual(connection.lxmgr_argv('/usr/bin/lxmgr', '/srv/store', 'web', 'alice', ['id']),
                         ['/usr/bin/lxmgr', '--root', '/srv/store', 'exec', 'web', '-T', '--user',
                          'alice', '--', 'id'])

    def test_over_ssh_is_one_quoted_command(self):
        argv = connection.host_argv(
            connection.lxmgr_argv('lxmgr', None, 'web', None, ['/bin/sh', '-c', "echo 'a b' $HOME"]),
            '192.0.2.5', 'root', ['-i', '/k'])
        self.assertEqual(argv[:8], ['ssh', '-T', '-o', 'BatchMode=yes', '-i', '/k', 'root@192.0.2.5', '--'])
        self.assertEqual(argv[8], "lxmgr exec web -T -- /bin/sh -c 'echo '\"'\"'a b'\"'\"' $HOME'")
        self.assertEqual(len(argv), 9)

    def test_localhost_is_local(self):
        self.assertEqual(connection.host_argv(['lxmgr', 'list'], 'localhost', 'root'), ['lxmgr', 'list'])

    def test_connection_errors(self):
        e = connection.connection_error
        line = 'lxmgr: exec web: exec: container is not running'
        self.assertEqual(e('web', 1, b'', (line + '\n').encode()), line)
        self.assertIsNone(e('web', 1, b'', b'cat: x: No such file\n'), 'the command\'s own failure')
        self.assertIsNone(e('web', 1, b'{"failed": true}', (line + '\n').encode()))
        self.assertIsNone(e('web', 255, b'', b'oops\n'), '255 is the command\'s own here')
        self.assertEqual(e('web', 255, b'', b'ssh: connect to host h port 22: No route to host\n', True),
                         'ssh: connect to host h port 22: No route to host')
        self.assertEqual(e('web', 127, b'', b'bash: line 1: lxmgr: command not found\n', True),
                         'bash: line 1: lxmgr: command not found')

    def test_file_commands(self):
        self.assertEqual(connection.put_command('/a b'), ['/bin/sh', '-c', 'cat > "$1"', 'sh', '/a b'])
        self.assertEqual(connection.fetch_command('-x'), ['cat', '--', '-x'])


class InventoryOutput(unittest.TestCase):
    def test_list_argv(self):
        self.assertEqual(inventory.list_argv({'name': 'here'}), ['lxmgr', 'list', '--json'])
        self.assertEqual(inventory.list_argv({'name': 'h2', 'address': '192.0.2.5', 'user': 'root',
                                              'root': '/s', 'ssh_args': ['-p', '2222']}),
                         ['ssh', '-T', '-o', 'BatchMode=yes', '-p', '2222', 'root@192.0.2.5', '--',
                          'lxmgr --root /s list --json'])

    def test_groups(self):
        self.assertEqual(inventory.host_groups({'name': 'host-2.lan'}, ENTRY),
                         ['lxmgr', 'lxmgr_host_host_2_lan', 'lxmgr_state_running',
                          'lxmgr_init_systemd', 'lxmgr_net_bridge', 'lxmgr_autostart'])

    def test_host_vars(self):
        hv = inventory.host_vars({'name': 'h2', 'address': '192.0.2.5', 'user': 'root',
                                  'ssh_args': ['-i', '/k'], 'root': '/s'}, ENTRY)
        self.assertEqual(hv['lxmgr_address'], '10.0.3.7')
        self.assertEqual((hv['lxmgr_uid_base'], hv['lxmgr_id_count']), (1048576, 65536))
        self.assertEqual(hv['lxmgr_state'], 'running')
        self.assertEqual(hv['ansible_connection'], 'lxmgr.lxmgr.lxmgr')
        self.assertEqual(hv['ansible_lxmgr_container'], 'web')
        self.assertEqual((hv['ansible_lxmgr_ssh_host'], hv['ansible_lxmgr_ssh_user'],
                          hv['ansible_lxmgr_ssh_args'], hv['ansible_lxmgr_root']),
                         ('192.0.2.5', 'root', ['-i', '/k'], '/s'))
        local = inventory.host_vars({'name': 'here'}, ENTRY)
        self.assertNotIn('ansible_lxmgr_ssh_host', local)

    def test_config_argv_and_groups(self):
        self.assertEqual(inventory.list_argv({'name': 'h', 'root': '/s'}, ('config', 'web')),
                         ['lxmgr', '--root', '/s', 'config', 'web'])
        config = inventory.parse_config('container.nesting = yes\nnet.bridge = \nlimits.memory = 2G\n')
        self.assertEqual(config, {'container.nesting': 'yes', 'net.bridge': '', 'limits.memory': '2G'})
        self.assertEqual(inventory.config_groups(config, ['container.nesting', 'net.bridge',
                                                          'limits.memory', 'no.such']),
                         ['lxmgr_container_nesting_yes', 'lxmgr_limits_memory_2G'])

    def test_parse_list(self):
        self.assertEqual(inventory.parse_list('[]', 'h'), [])
        from ansible.errors import AnsibleParserError
        self.assertRaises(AnsibleParserError, inventory.parse_list, 'lxmgr: oops', 'h')
        self.assertRaises(AnsibleParserError, inventory.parse_list, '{}', 'h')


if __name__ == '__main__':
    unittest.main()
