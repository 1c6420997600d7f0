// container-init in a real mount namespace (root only): volumes appear at their mountPaths inside it,
// mountPaths that do not exist are created in the container's own layer, and neither the host's
// filesystem nor its mount table changes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import type { MountPlan } from './mount-plan.js';

const SKIP = process.getuid?.() === 0 ? false : 'needs root (mount namespaces)';
const INIT = fileURLToPath(new URL('./container-init.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'mizzen-init-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tag = `mizzen-test-${process.pid}`;
const paths = {
  sa: `/var/run/${tag}/serviceaccount`,
  proxy: `/etc/${tag}/proxy`,
  top: `/${tag}`,
  file: `/etc/${tag}.conf`,
};

const PROGRAM = `
import fs from 'node:fs';
const out = { argv: process.argv.slice(2), pid: process.pid };
const tryRead = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch (e) { return e.code; } };
const tryWrite = (p) => { try { fs.writeFileSync(p, 'w'); return 'ok'; } catch (e) { return e.code; } };
out.token = tryRead(${JSON.stringify(paths.sa)} + '/token');
out.conf = tryRead(${JSON.stringify(paths.file)});
out.top = tryRead(${JSON.stringify(paths.top)} + '/token');
out.writeRo = tryWrite(${JSON.stringify(paths.sa)} + '/new');
out.writeRw = tryWrite(${JSON.stringify(paths.proxy)} + '/envoy.sock');
out.writeRoot = tryWrite('/${tag}-rootfile');
console.log(JSON.stringify(out));
`;

// Host mounts that involve this test's directory: other tests may mount elsewhere meanwhile.
const hostMounts = () =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir) || l.includes('mizzen-scratch'));

test('volumes at their mountPaths, nothing on the host', { skip: SKIP }, () => {
  const sa = join(dir, 'sa');
  const proxy = join(dir, 'proxy');
  const scratch = join(dir, 'scratch');
  for (const d of [sa, proxy, scratch]) mkdirSync(d);
  writeFileSync(join(sa, 'token'), 'jwt');
  writeFileSync(join(proxy, 'app.conf'), 'conf');
  const program = join(dir, 'program.mjs');
  writeFileSync(program, PROGRAM);
  const plan: MountPlan = {
    scratch,
    mounts: [
      { source: sa, target: paths.sa, readOnly: true },
      { source: proxy, target: paths.proxy, readOnly: false },
      { source: sa, target: paths.top, readOnly: false },
      { source: join(proxy, 'app.conf'), target: paths.file, readOnly: true },
    ],
  };
  writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  const before = hostMounts();
  const r = spawnSync(
    'unshare',
    [
      '--pid',
      '--mount',
      '--fork',
      '--mount-proc',
      '--',
      process.execPath,
      INIT,
      join(dir, 'plan.json'),
      program,
      'x',
      'y',
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual(out, {
    argv: ['x', 'y'],
    pid: 1,
    token: 'jwt',
    conf: 'conf',
    top: 'jwt',
    writeRo: 'EROFS',
    writeRw: 'ok',
    writeRoot: 'ok',
  });
  assert.deepEqual(hostMounts(), before);
  for (const p of [`/run/${tag}`, `/etc/${tag}`, paths.top, paths.file, `/${tag}-rootfile`])
    assert.equal(existsSync(p), false, `${p} appeared on the host`);
  // A write to a read-write volume lands in the volume; the scratch dir stays empty on the host.
  assert.equal(readFileSync(join(proxy, 'envoy.sock'), 'utf8'), 'w');
  assert.deepEqual(readdirSync(scratch), []);
});

test('a plan that cannot be carried out fails the container with the reason', { skip: SKIP }, () => {
  const scratch = join(dir, 'scratch2');
  mkdirSync(scratch);
  const plan: MountPlan = {
    scratch,
    mounts: [{ source: join(dir, 'missing'), target: `/${tag}-x`, readOnly: false }],
  };
  writeFileSync(join(dir, 'plan2.json'), JSON.stringify(plan));
  const r = spawnSync(
    'unshare',
    [
      '--pid',
      '--mount',
      '--fork',
      '--mount-proc',
      '--',
      process.execPath,
      INIT,
      join(dir, 'plan2.json'),
      '/nonexistent.js',
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(r.status, 128);
  assert.match(r.stderr, /^container-init: /);
  assert.equal(existsSync(`/${tag}-x`), false);
});
