import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Expectations } from './expectations.js';
import { selectorMatches } from './labels.js';
import { WorkQueue } from '../lib/index.js';

test('a key runs once at a time; adds during a run run again afterwards; duplicates collapse', async () => {
  const runs: string[] = [];
  let active = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue('t', async (k) => {
    active++;
    assert.equal(active, 1);
    runs.push(k);
    if (runs.length === 1) await gate;
    active--;
  });
  q.add('a');
  await new Promise((r) => setTimeout(r, 5));
  q.add('a');
  q.add('a');
  release();
  await new Promise((r) => setTimeout(r, 20));
  await q.idle();
  assert.deepEqual(runs, ['a', 'a']);
  q.stop();
});

test('failures retry with growing back-off; conflicts are retried quietly', async () => {
  const times: number[] = [];
  const logged: unknown[] = [];
  const q = new WorkQueue(
    't',
    async () => {
      times.push(Date.now());
      if (times.length === 1) throw Object.assign(new Error('conflict'), { code: 409 });
      if (times.length < 4) throw new Error('boom');
    },
    { baseDelayMs: 10, onError: (_k, e) => logged.push(e) },
  );
  q.add('k');
  const deadline = Date.now() + 2000;
  while (times.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  assert.equal(times.length, 4);
  assert.equal(logged.length, 2, 'the 409 is not logged');
  assert.ok(times[3] - times[2] >= times[2] - times[1] - 2, 'back-off grows');
  q.stop();
});

test('requeueAfter schedules another run', async () => {
  let n = 0;
  const q = new WorkQueue('t', async () => (++n === 1 ? { requeueAfterMs: 20 } : undefined));
  q.add('x');
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(n, 2);
  q.stop();
});

test('expectations hold a controller until the informer saw its writes', () => {
  const e = new Expectations(50);
  e.expectCreations('rs', 2);
  e.expectDeletions('rs', ['u1']);
  assert.equal(e.satisfied('rs'), false);
  e.creationObserved('rs');
  e.creationObserved('rs');
  assert.equal(e.satisfied('rs'), false);
  e.deletionObserved('rs', 'u1');
  assert.equal(e.satisfied('rs'), true);
});

test('label selectors', () => {
  const sel = {
    matchLabels: { app: 'x' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['a', 'b'] },
      { key: 'canary', operator: 'DoesNotExist' },
    ],
  };
  assert.equal(selectorMatches(sel, { app: 'x', tier: 'a' }), true);
  assert.equal(selectorMatches(sel, { app: 'x', tier: 'c' }), false);
  assert.equal(selectorMatches(sel, { app: 'x', tier: 'a', canary: '1' }), false);
  assert.equal(selectorMatches({}, { any: 'thing' }), true);
  assert.equal(selectorMatches(undefined, { any: 'thing' }), false);
});
