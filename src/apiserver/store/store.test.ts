import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Store, StoreError, type StoreEvent } from './store.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempDb(): string {
  const d = mkdtempSync(join(tmpdir(), 'mizzen-store-'));
  dirs.push(d);
  return join(d, 'store.db');
}

const cm = (name: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns' },
  data,
});

test('writes get increasing revisions and are visible only once committed', async () => {
  const s = new Store(tempDb());
  const p1 = s.create('configmaps', 'ns', 'a', cm('a'));
  const p2 = s.create('configmaps', 'ns', 'b', cm('b'));
  assert.equal(s.get('configmaps', 'ns', 'a'), undefined, 'not committed yet');
  assert.ok(s.latest('configmaps', 'ns', 'a'), 'but visible to read-modify-write');
  const [a, b] = await Promise.all([p1, p2]);
  assert.equal(a.rev + 1, b.rev);
  assert.equal(a.obj.metadata.resourceVersion, String(a.rev));
  assert.equal(s.revision, b.rev);
  assert.deepEqual(
    s.list('configmaps').map((e) => e.name),
    ['a', 'b'],
  );
  await s.close();
});

test('create of an existing key and update with a stale revision fail', async () => {
  const s = new Store(tempDb());
  const a = await s.create('configmaps', 'ns', 'a', cm('a'));
  await assert.rejects(s.create('configmaps', 'ns', 'a', cm('a')), (e: StoreError) => e.kind === 'exists');
  const a2 = await s.update('configmaps', 'ns', 'a', cm('a', { x: '1' }), a.rev);
  await assert.rejects(
    s.update('configmaps', 'ns', 'a', cm('a', { x: '2' }), a.rev),
    (e: StoreError) => e.kind === 'conflict',
  );
  await assert.rejects(s.delete('configmaps', 'ns', 'missing'), (e: StoreError) => e.kind === 'not-found');
  assert.equal(s.get('configmaps', 'ns', 'a')!.rev, a2.rev);
  await s.close();
});

test('state, revisions and history survive a reopen', async () => {
  const path = tempDb();
  const s = new Store(path);
  await s.create('configmaps', 'ns', 'a', cm('a'));
  const b = await s.create('configmaps', 'ns', 'b', cm('b'));
  await s.update('configmaps', 'ns', 'b', cm('b', { k: 'v' }), b.rev);
  const gone = await s.delete('configmaps', 'ns', 'a');
  await s.close();
  const r = new Store(path, { windowSize: 1 });
  assert.equal(r.revision, gone.rev);
  assert.equal(r.get('configmaps', 'ns', 'a'), undefined);
  assert.deepEqual(r.get('configmaps', 'ns', 'b')!.obj.data, { k: 'v' });
  // History comes from the log now (the window is empty after a restart).
  const types = r.history('configmaps', 0).map((e) => `${e.type}:${e.entry.name}`);
  assert.deepEqual(types, ['ADDED:a', 'ADDED:b', 'MODIFIED:b', 'DELETED:a']);
  const next = await r.create('configmaps', 'ns', 'c', cm('c'));
  assert.ok(next.rev > gone.rev, 'revisions continue after a restart');
  await r.close();
});

test('subscribers see committed events in order, with the previous state', async () => {
  const s = new Store(tempDb());
  const seen: StoreEvent[] = [];
  s.subscribe('configmaps', (e) => seen.push(e));
  const a = await s.create('configmaps', 'ns', 'a', cm('a'));
  await s.update('configmaps', 'ns', 'a', cm('a', { v: '2' }), a.rev);
  await s.delete('configmaps', 'ns', 'a');
  assert.deepEqual(
    seen.map((e) => e.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
  );
  assert.deepEqual(seen[1].prev!.obj.data, {});
  assert.deepEqual(seen[2].entry.obj.data, { v: '2' }, 'DELETED carries the last state');
  assert.equal(seen[2].entry.obj.metadata.resourceVersion, String(seen[2].rev));
  await s.close();
});

test('compaction bounds the history and makes old revisions answer compacted', async () => {
  const s = new Store(tempDb(), { retainRevisions: 3, windowSize: 2 });
  let e = await s.create('configmaps', 'ns', 'a', cm('a'));
  for (let i = 0; i < 10; i++) e = await s.update('configmaps', 'ns', 'a', cm('a', { i: String(i) }), e.rev);
  await s.create('configmaps', 'ns', 'gone', cm('gone'));
  await s.delete('configmaps', 'ns', 'gone');
  assert.ok((await s.compact()) > 0);
  assert.throws(
    () => s.history('configmaps', 1),
    (err: StoreError) => err.kind === 'compacted',
  );
  assert.deepEqual(s.get('configmaps', 'ns', 'a')!.obj.data, { i: '9' }, 'current state survives compaction');
  assert.equal(s.history('configmaps', s.revision).length, 0);
  await s.close();
});

test('snapshot rebuilds a resource as it was at an earlier revision', async () => {
  const s = new Store(tempDb());
  const a = await s.create('configmaps', 'ns', 'a', cm('a', { v: '1' }));
  const b = await s.create('configmaps', 'ns', 'b', cm('b'));
  const at = s.revision;
  await s.update('configmaps', 'ns', 'a', cm('a', { v: '2' }), a.rev);
  await s.delete('configmaps', 'ns', 'b', b.rev);
  await s.create('configmaps', 'ns', 'c', cm('c'));
  const then = s.snapshot('configmaps', undefined, at);
  assert.deepEqual(
    then.map((e) => [e.name, e.obj.data]),
    [
      ['a', { v: '1' }],
      ['b', {}],
    ],
  );
  assert.deepEqual(
    s.snapshot('configmaps', 'ns', s.revision).map((e) => e.name),
    ['a', 'c'],
  );
  await s.close();
});
