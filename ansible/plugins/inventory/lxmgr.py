# -*- coding: utf-8 -*-
# Copyright: the lxmgr authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: lxmgr
short_description: The containers of lxmgr hosts
version_added: "0.1.0"
author: lxmgr authors
description:
  - Lists the containers of each configured host with C(lxmgr list --json), run on this
    machine or over SSH, and adds each as an inventory host reached through the
    C(lxmgr.lxmgr.lxmgr) connection.
  - Groups C(lxmgr), C(lxmgr_host_HOST), C(lxmgr_state_STATE) (running, stopped, frozen),
    C(lxmgr_init_KIND) (systemd, sysvinit, openrc...), C(lxmgr_net_MODE) and
    C(lxmgr_autostart); C(keyed_groups), C(groups) and C(compose) work on the host vars.
  - Host vars C(lxmgr_host), C(lxmgr_state), C(lxmgr_address), C(lxmgr_address6),
    C(lxmgr_uid_base), C(lxmgr_gid_base), C(lxmgr_id_count), C(lxmgr_init_kind),
    C(lxmgr_net_mode), C(lxmgr_uuid) and the whole list entry as C(lxmgr).
  - The configuration file's name ends in C(lxmgr.yml) or C(lxmgr.yaml).
extends_documentation_fragment:
  - constructed
options:
  plugin:
    description: The name of this plugin.
    required: true
    choices: [lxmgr.lxmgr.lxmgr]
    type: str
  hosts:
    description:
      - The lxmgr hosts. Each is a dict with C(name) (its name in the groups), and optionally
        C(address) (ssh to it; unset or C(localhost) runs lxmgr here), C(user), C(ssh_args) (a
        list), C(root) (the store) and C(binary) (default C(lxmgr)).
    type: list
    elements: dict
    default: [{name: localhost}]
  name_format:
    description: The inventory name of a container; C({name}) and C({host}) are replaced.
    type: str
    default: "{name}"
  states:
    description: Only the containers in these states; empty for all.
    type: list
    elements: str
    default: []
  config_groups:
    description:
      - Configuration keys (lxmgr has no labels; e.g. C(container.nesting), C(net.bridge),
        C(limits.memory)) to group by, as C(lxmgr_KEY_VALUE) with dots as underscores. When
        given, each container's whole configuration is read (C(lxmgr config NAME), one call
        per container) and kept as the host var C(lxmgr_config).
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
# dev.lxmgr.yml
plugin: lxmgr.lxmgr.lxmgr
hosts:
  - name: here
  - name: host2
    address: 192.0.2.5
    user: root
    # one SSH connection for the list and every config call
    ssh_args: [-i, ~/.ssh/fleet, -o, ControlMaster=auto, -o, ControlPath=~/.ssh/cm-%C, -o, ControlPersist=60]
name_format: "{name}"
config_groups: [container.nesting, container.autostart]
keyed_groups:
  - key: lxmgr_net_mode
    prefix: net
'''

import json
import re
import shlex
import subprocess

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_text
from ansible.plugins.inventory import BaseInventoryPlugin, Constructable

LOCAL_HOSTS = ('', 'localhost', '127.0.0.1', '::1')


def safe_group(text):
    """A group name Ansible accepts: letters, digits and underscores."""
    return re.sub(r'[^A-Za-z0-9_]', '_', text)


def list_argv(host, verb=('list', '--json')):
    """The argument vector of `lxmgr list --json` (or VERB) on HOST (a dict of the hosts
    option)."""
    lx = [host.get('binary') or 'lxmgr'] + (['--root', host['root']] if host.get('root') else [])
    lx += list(verb)
    address = host.get('address')
    if not address or address in LOCAL_HOSTS:
        return lx
    dest = '%s@%s' % (host['user'], address) if host.get('user') else address
    return ['ssh', '-T', '-o', 'BatchMode=yes'] + list(host.get('ssh_args') or []) + [
        dest, '--', ' '.join(shlex.quote(a) for a in lx)]


def host_vars(host, entry):
    """The host vars of container ENTRY (one object of `list --json`) of HOST."""
    hv = {
        'lxmgr': entry,
        'lxmgr_host': host['name'],
        'lxmgr_state': entry.get('state'),
        'lxmgr_address': entry.get('net_address') or '',
        'lxmgr_address6': entry.get('net_address6') or '',
        'lxmgr_uid_base': entry.get('uid_base'),
        'lxmgr_gid_base': entry.get('gid_base'),
        'lxmgr_id_count': entry.get('id_count'),
        'lxmgr_init_kind': entry.get('init_kind') or 'unknown',
        'lxmgr_net_mode': entry.get('net_mode') or '',
        'lxmgr_uuid': entry.get('uuid'),
        'ansible_connection': 'lxmgr.lxmgr.lxmgr',
        'ansible_lxmgr_container': entry['name'],
    }
    if host.get('binary'):
        hv['ansible_lxmgr_binary'] = host['binary']
    if host.get('root'):
        hv['ansible_lxmgr_root'] = host['root']
    if host.get('address') and host['address'] not in LOCAL_HOSTS:
        hv['ansible_lxmgr_ssh_host'] = host['address']
        if host.get('user'):
            hv['ansible_lxmgr_ssh_user'] = host['user']
        if host.get('ssh_args'):
            hv['ansible_lxmgr_ssh_args'] = list(host['ssh_args'])
    return hv


def host_groups(host, entry):
    """The groups container ENTRY of HOST belongs to."""
    groups = ['lxmgr', 'lxmgr_host_' + safe_group(host['name']),
              'lxmgr_state_' + safe_group(entry.get('state') or 'unknown'),
              'lxmgr_init_' + safe_group(entry.get('init_kind') or 'unknown')]
    if entry.get('net_mode'):
        groups.append('lxmgr_net_' + safe_group(entry['net_mode']))
    if entry.get('autostart'):
        groups.append('lxmgr_autostart')
    return groups


def parse_config(text):
    """`lxmgr config NAME` output ("key = value" lines) as a dict."""
    keys = {}
    for line in text.splitlines():
        key, sep, value = line.partition(' =')
        if sep:
            keys[key.strip()] = value[1:] if value.startswith(' ') else value
    return keys


def config_groups(config, keys):
    """The groups of KEYS of a container's CONFIG (a dict): lxmgr_KEY_VALUE."""
    return ['lxmgr_%s_%s' % (safe_group(k), safe_group(config[k]))
            for k in keys if config.get(k) not in (None, '')]


def parse_list(text, where):
    try:
        entries = json.loads(text)
    except ValueError as e:
        raise AnsibleParserError('lxmgr list --json on %s: not JSON: %s' % (where, e))
    if not isinstance(entries, list):
        raise AnsibleParserError('lxmgr list --json on %s: not a list' % where)
    return entries


class InventoryModule(BaseInventoryPlugin, Constructable):

    NAME = 'lxmgr.lxmgr.lxmgr'

    def verify_file(self, path):
        return super(InventoryModule, self).verify_file(path) and path.endswith(
            ('lxmgr.yml', 'lxmgr.yaml'))

    def _list(self, host, verb=('list', '--json')):
        argv = list_argv(host, verb)
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise AnsibleParserError('lxmgr list on %s: %s' % (host['name'], e))
        if p.returncode != 0:
            line = to_text(p.stderr).strip().splitlines()
            raise AnsibleParserError('%s (host %s)' % (line[-1] if line else 'status %d' % p.returncode,
                                                       host['name']))
        return to_text(p.stdout)

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        strict = self.get_option('strict')
        states = self.get_option('states')
        for host in self.get_option('hosts'):
            if not host.get('name'):
                raise AnsibleParserError('lxmgr inventory: every entry of hosts needs a name')
            for entry in parse_list(self._list(host), host['name']):
                if states and entry.get('state') not in states:
                    continue
                groups = host_groups(host, entry)
                hv = host_vars(host, entry)
                if self.get_option('config_groups'):
                    hv['lxmgr_config'] = parse_config(self._list(host, ('config', entry['name'])))
                    groups += config_groups(hv['lxmgr_config'], self.get_option('config_groups'))
                name = self.get_option('name_format').format(name=entry['name'], host=host['name'])
                self.inventory.add_host(name)
                for group in groups:
                    self.inventory.add_group(group)
                    self.inventory.add_child(group, name)
                for k, v in hv.items():
                    self.inventory.set_variable(name, k, v)
                self._set_composite_vars(self.get_option('compose'), hv, name, strict=strict)
                self._add_host_to_composed_groups(self.get_option('groups'), hv, name, strict=strict)
                self._add_host_to_keyed_groups(self.get_option('keyed_groups'), hv, name, strict=strict)
