import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { containingMount, mountOrder, parseMountinfo, resolveInRoot, topLevelUnder } from './mount-plan.js';

test('mountinfo: mount points unescaped, fs type after the separator', () => {
  const text = [
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '42 27 254:0 /run/netns /run/netns rw,relatime shared:1 - ext4 /dev/vda rw',
    '50 27 0:40 / /mnt/with\\040space rw master:3 - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(parseMountinfo(text), [
    { id: 27, parent: 1, mountPoint: '/', fsType: 'ext4' },
    { id: 42, parent: 27, mountPoint: '/run/netns', fsType: 'ext4' },
    { id: 50, parent: 27, mountPoint: '/mnt/with space', fsType: 'tmpfs' },
  ]);
});

test('topLevelUnder keeps the outermost mounts below a path, without duplicates or excluded trees', () => {
  const mps = [
    '/',
    '/proc',
    '/proc',
    '/proc/sys/fs/binfmt_misc',
    '/dev',
    '/dev/pts',
    '/run/netns',
    '/tmp/s',
    '/tmp/s/x',
    '/runner',
  ];
  assert.deepEqual(topLevelUnder(mps, '/', ['/tmp/s']), ['/dev', '/proc', '/runner', '/run/netns']);
  assert.deepEqual(topLevelUnder(mps, '/dev'), ['/dev/pts']);
  assert.deepEqual(topLevelUnder(mps, '/run'), ['/run/netns']);
});

test('containingMount is the longest mount point above a path, by whole components', () => {
  const mps = ['/', '/run', '/run/netns', '/runner'];
  assert.equal(containingMount('/run/secrets', mps), '/run');
  assert.equal(containingMount('/runner/x', mps), '/runner');
  assert.equal(containingMount('/etc', mps), '/');
  assert.equal(containingMount('/run/netns', mps), '/run/netns');
});

const root = mkdtempSync(join(tmpdir(), 'mizzen-root-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('resolveInRoot follows symlinks inside the root, never out of it', () => {
  mkdirSync(join(root, 'run/lock'), { recursive: true });
  mkdirSync(join(root, 'var'));
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/hosts'), '');
  symlinkSync('/run', join(root, 'var/run'));
  symlinkSync('../../../../..', join(root, 'etc/up'));
  assert.deepEqual(resolveInRoot(root, '/var/run/secrets/kubernetes.io/serviceaccount'), {
    existing: '/run',
    missing: ['secrets', 'kubernetes.io', 'serviceaccount'],
  });
  assert.deepEqual(resolveInRoot(root, '/var/run/lock'), { existing: '/run/lock', missing: [] });
  assert.deepEqual(resolveInRoot(root, '/etc/up/etc/istio'), { existing: '/etc', missing: ['istio'] });
  assert.deepEqual(resolveInRoot(root, '/etc/hosts'), { existing: '/etc/hosts', missing: [] });
  assert.throws(() => resolveInRoot(root, '/etc/hosts/x'), /not a directory/);
  symlinkSync('loop', join(root, 'loop'));
  assert.throws(() => resolveInRoot(root, '/loop/x'), /too many levels/);
});

test('mounts are made parents first, otherwise in the order given', () => {
  const m = (target: string) => ({ source: '/s', target, readOnly: false });
  assert.deepEqual(
    mountOrder([m('/etc/a/b'), m('/data'), m('/etc/a'), m('/x')]).map((x) => x.target),
    ['/data', '/x', '/etc/a', '/etc/a/b'],
  );
});
