#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: the lxmgr authors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: container
short_description: Manage lxmgr system containers
version_added: "0.1.0"
description:
  - Creates, clones, configures, starts, stops, restarts and destroys system containers of
    lxmgr on the target host.
  - "Calls the C(lxmgr) command line only (C(info --json), C(config), C(create), C(clone),
    C(start), C(stop), C(restart), C(destroy)); a failure carries lxmgr's own one-line error,
    C(lxmgr: VERB NAME: STEP: message), as its C(msg)."
  - Idempotent; supports check mode and diff mode (the state and the C(config) keys before
    and after).
author: lxmgr authors
options:
  name:
    description: The container's name.
    type: str
    required: true
  state:
    description:
      - C(present) makes it if it does not exist and leaves it as it runs or not.
      - C(started) and C(stopped) also start or stop it; C(restarted) always restarts it (or
        starts it if stopped); C(absent) destroys it, stopping it first.
    type: str
    choices: [present, started, stopped, restarted, absent]
    default: started
  template:
    description: Build the rootfs with this lxmgr template (C(lxmgr templates)).
    type: str
  release:
    description: The template's release.
    type: str
  rootfs:
    description: Copy this root filesystem tree (on the target host) into the store.
    type: path
  tarball:
    description: Import this tar archive of a rootfs (on the target host).
    type: path
  image:
    description: An OCI image reference (skopeo transport:reference), through the C(oci) template.
    type: str
  clone_from:
    description: Make it as a clone of this stopped container.
    type: str
  snapshot:
    description: With I(clone_from), an overlayfs snapshot instead of a full copy.
    type: bool
    default: false
  net:
    description: The network mode at create (C(bridge), C(routed), C(none), C(host)).
    type: str
  ids:
    description: The number of uids and gids it owns (a multiple of 65536).
    type: int
  nesting:
    description: Let containers run inside it.
    type: bool
  user:
    description: Provisioning, at create, a user with a home and shell.
    type: str
  ssh_key:
    description: Provisioning, at create, the public key file (on the target host) for I(user).
    type: path
  sudo:
    description: Provisioning, at create, I(user) may sudo without a password.
    type: bool
    default: false
  packages:
    description: Provisioning, at create, packages to install inside.
    type: list
    elements: str
  timezone:
    description: Provisioning, at create, the zoneinfo name of /etc/localtime.
    type: str
  config:
    description:
      - Keys of the container's configuration (C(lxmgr.conf(5))) and their values, set with
        C(lxmgr config NAME set KEY VALUE) when they differ. Booleans become C(yes)/C(no).
    type: dict
  wait:
    description: When starting, wait until systemd inside reports running (C(start --wait)).
    type: bool
    default: false
  binary:
    description: The lxmgr program; default C(lxmgr) found on the target's PATH.
    type: path
  root:
    description: The store (C(lxmgr --root)); default C(LXMGR_ROOT) or lxmgr's own default.
    type: path
notes:
  - The provisioning options and the source options apply when the container is made; on an
    existing container a different source fails with lxmgr's "exists already" line.
  - The lxmgr command line is described in lxmgr(1), every configuration key in lxmgr.conf(5).
'''

EXAMPLES = r'''
- name: A Debian 12 dev machine with a user, started
  lxmgr.lxmgr.container:
    name: dev1
    template: debian
    release: bookworm
    user: alice
    ssh_key: /home/alice/.ssh/id_ed25519.pub
    sudo: true
    packages: [git, build-essential]
    config:
      limits.memory: 2G
      container.autostart: true

- name: A snapshot clone of it, stopped
  lxmgr.lxmgr.container:
    name: dev2
    clone_from: dev1
    snapshot: true
    state: stopped

- name: Gone
  lxmgr.lxmgr.container:
    name: dev2
    state: absent
'''

RETURN = r'''
container:
  description: C(lxmgr info NAME --json) after the task (empty when absent).
  returned: success
  type: dict
actions:
  description: The lxmgr verbs run (or that would run in check mode).
  returned: always
  type: list
  elements: str
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule

NOT_FOUND = "no container named"
SOURCES = ('template', 'rootfs', 'tarball', 'image', 'clone_from')


def lxmgr_error(rc, stdout, stderr):
    """The one line lxmgr reports a failure with (the last 'lxmgr:' line of stderr)."""
    lines = [line for line in (stderr or '').splitlines() if line.strip()]
    mine = [line for line in lines if line.startswith('lxmgr:')]
    if mine:
        return mine[-1]
    if lines:
        return lines[-1]
    return 'lxmgr exited with status %d%s' % (rc, (': ' + stdout.strip()) if stdout else '')


def config_value(value):
    """A config value as lxmgr writes it: booleans yes/no, everything else as text."""
    if isinstance(value, bool):
        return 'yes' if value else 'no'
    if value is None:
        return ''
    return str(value)


def parse_config(text):
    """`lxmgr config NAME` output ("key = value" lines) as a dict."""
    keys = {}
    for line in text.splitlines():
        key, sep, value = line.partition(' = ')
        if not sep:
            key, sep, value = line.partition(' =')
        if sep:
            keys[key.strip()] = value
    return keys


def config_changes(current, wanted):
    """The (key, value) pairs to set, unknown keys first so that lxmgr refuses one before
    any other is changed."""
    changes = [(k, config_value(v)) for k, v in sorted((wanted or {}).items())
               if current.get(k) != config_value(v)]
    return sorted(changes, key=lambda kv: kv[0] in current)


def source_args(p):
    """The create (or clone) arguments of the source options, or None when none is given."""
    given = [s for s in SOURCES if p.get(s)]
    if not given:
        return None
    if len(given) > 1 and not (given == ['template', 'image']):
        raise ValueError('only one of %s may be given, not %s' % (', '.join(SOURCES), ', '.join(given)))
    if p.get('clone_from'):
        return ['clone', p['clone_from'], p['name']] + (['--snapshot'] if p.get('snapshot') else [])
    args = ['create', p['name']]
    if p.get('image'):
        args += ['-t', p.get('template') or 'oci', '--image', p['image']]
    elif p.get('template'):
        args += ['-t', p['template']]
        if p.get('release'):
            args += ['-r', p['release']]
    elif p.get('rootfs'):
        args += ['--rootfs', p['rootfs']]
    else:
        args += ['--tarball', p['tarball']]
    if p.get('net'):
        args += ['--net', p['net']]
    if p.get('ids'):
        args += ['--ids', str(p['ids'])]
    if p.get('nesting'):
        args += ['--nesting']
    if p.get('user'):
        args += ['--user', p['user']]
        if p.get('ssh_key'):
            args += ['--ssh-key', p['ssh_key']]
        if p.get('sudo'):
            args += ['--sudo']
    if p.get('packages'):
        args += ['--packages', ','.join(p['packages'])]
    if p.get('timezone'):
        args += ['--timezone', p['timezone']]
    return args


def source_matches(p, recorded):
    """Whether an existing container's rootfs.source is what the options ask for."""
    recorded = recorded or ''
    kind, _, rest = recorded.partition(' ')
    if p.get('clone_from'):
        want = ('snapshot' if p.get('snapshot') else 'clone') + ' of ' + p['clone_from']
        return recorded == want
    if p.get('image'):
        return kind == 'template' and rest.endswith(' ' + p['image'])
    if p.get('template'):
        return kind == 'template' and rest.split(' ')[0] == p['template'] and (
            not p.get('release') or rest.split(' ')[1:2] == [p['release']])
    for opt, name in (('rootfs', 'directory'), ('tarball', 'tarball')):
        if p.get(opt):
            return kind == name and rest in (p[opt], os.path.realpath(p[opt]))
    return True


def state_actions(state, running, created):
    """The verbs that bring a container (running or not) to STATE."""
    if state == 'started' and not running:
        return ['start']
    if state == 'stopped' and running:
        return ['stop']
    if state == 'restarted':
        return ['restart'] if running and not created else ['start']
    return []


class Lxmgr(object):
    """The lxmgr command line of the target host."""

    def __init__(self, module):
        self.module = module
        p = module.params
        binary = p.get('binary') or module.get_bin_path('lxmgr')
        if not binary or not os.access(binary, os.X_OK):
            where = p.get('binary') or 'on PATH (%s)' % os.environ.get('PATH', '')
            module.fail_json(msg='lxmgr: not found on this host: %s; install lxmgr or set the '
                                 'binary option' % where, actions=[])
        self.cmd = [binary] + (['--root', p['root']] if p.get('root') else [])
        self.actions = []

    def run(self, args, check=True):
        rc, out, err = self.module.run_command(self.cmd + ['-q'] + args)
        if rc != 0 and check:
            self.fail(args, rc, out, err)
        return rc, out, err

    def fail(self, args, rc, out, err, **extra):
        self.module.fail_json(msg=lxmgr_error(rc, out, err), rc=rc, stdout=out, stderr=err,
                              cmd=self.cmd + ['-q'] + args, actions=self.actions, **extra)

    def info(self, name):
        rc, out, err = self.run(['info', name, '--json'], check=False)
        if rc != 0:
            if NOT_FOUND in err:
                return None
            self.fail(['info', name, '--json'], rc, out, err)
        return json.loads(out)

    def config(self, name):
        return parse_config(self.run(['config', name])[1])


def ensure_present(lx, p, info):
    """Makes the container when absent; a different source on an existing one is lxmgr's to
    refuse (its 'exists already' line)."""
    try:
        args = source_args(p)
    except ValueError as e:
        lx.module.fail_json(msg=str(e), actions=[])
    if info is not None:
        if args and not source_matches(p, lx.config(p['name']).get('rootfs.source')):
            lx.run(args)
        return False
    if not args:
        lx.module.fail_json(msg='%s does not exist: to make it, give one of %s'
                                % (p['name'], ', '.join(SOURCES)), actions=[])
    lx.actions.append(args[0])
    if not lx.module.check_mode:
        lx.run(args)
    return True


def apply_config(lx, p, current, created):
    """Sets the keys that differ; a refused key on a container just made destroys it again, so
    that a failed task leaves the host as it was."""
    changes = config_changes(current, p.get('config'))
    for key, value in changes:
        lx.actions.append('config set ' + key)
        if lx.module.check_mode:
            continue
        args = ['config', p['name'], 'set', key, value]
        rc, out, err = lx.run(args, check=False)
        if rc != 0:
            if created:
                lx.run(['destroy', p['name'], '--force'], check=False)
            lx.fail(args, rc, out, err)
    return changes


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='str', required=True),
            state=dict(type='str', default='started',
                       choices=['present', 'started', 'stopped', 'restarted', 'absent']),
            template=dict(type='str'), release=dict(type='str'), rootfs=dict(type='path'),
            tarball=dict(type='path'), image=dict(type='str'), clone_from=dict(type='str'),
            snapshot=dict(type='bool', default=False), net=dict(type='str'),
            ids=dict(type='int'), nesting=dict(type='bool'), user=dict(type='str'),
            ssh_key=dict(type='path', no_log=False), sudo=dict(type='bool', default=False),
            packages=dict(type='list', elements='str'), timezone=dict(type='str'),
            config=dict(type='dict'), wait=dict(type='bool', default=False),
            binary=dict(type='path'), root=dict(type='path'),
        ),
        mutually_exclusive=[('rootfs', 'tarball', 'clone_from', 'template'),
                            ('rootfs', 'tarball', 'clone_from', 'image')],
        supports_check_mode=True,
    )
    p = module.params
    lx = Lxmgr(module)
    name = p['name']
    info = lx.info(name)
    before = {'state': info['state'] if info else 'absent'}
    current = lx.config(name) if info else {}
    before['config'] = dict((k, current.get(k)) for k in (p.get('config') or {}))

    if p['state'] == 'absent':
        if info:
            lx.actions.append('destroy')
            if not module.check_mode:
                lx.run(['destroy', name, '--force'])
        module.exit_json(changed=bool(info), actions=lx.actions, container={},
                         diff=dict(before=before, after={'state': 'absent'}))

    created = ensure_present(lx, p, info)
    if created and not module.check_mode:
        info = lx.info(name)
        current = lx.config(name)
    changes = apply_config(lx, p, current, created)
    running = bool(info) and info.get('state') in ('running', 'frozen')
    for verb in state_actions(p['state'], running, created):
        lx.actions.append(verb)
        if not module.check_mode:
            lx.run([verb, name] + (['--wait'] if verb in ('start',) and p['wait'] else []))

    after_state = {'started': 'running', 'restarted': 'running', 'stopped': 'stopped'}.get(
        p['state'], info['state'] if info else 'stopped')
    after = {'state': after_state, 'config': dict(before['config'])}
    after['config'].update(dict(changes))
    final = lx.info(name) if not module.check_mode else (info or {})
    module.exit_json(changed=bool(lx.actions), actions=lx.actions, container=final or {},
                     diff=dict(before=before, after=after))


if __name__ == '__main__':
    main()
