import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyQueue } from './queue.js';

const tick = (ms = 5) => new Promise((r) => setTimeout(r, ms));

test('a key added while it runs runs once more afterwards, never concurrently', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let release!: () => void;
  const q = new KeyQueue(
    async () => {
      runs++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      if (runs === 1) await new Promise<void>((r) => (release = r));
      running--;
    },
    () => {},
  );
  q.add('a');
  await tick();
  q.add('a');
  q.add('a');
  release();
  while (runs < 2) await tick();
  await tick(20);
  q.stop();
  assert.equal(runs, 2);
  assert.equal(maxRunning, 1);
});

test('failures are retried with back-off and reported; 404/409 are not reported', async () => {
  const errors: string[] = [];
  let calls = 0;
  const q = new KeyQueue(
    async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('conflict'), { code: 409 });
      if (calls === 2) throw new Error('boom');
    },
    (key, err) => errors.push(`${key}: ${(err as Error).message}`),
  );
  q.add('k');
  while (calls < 3) await tick(20);
  q.stop();
  assert.deepEqual(errors, ['k: boom']);
});

test('stop() cancels pending delayed keys', async () => {
  let calls = 0;
  const q = new KeyQueue(
    async () => {
      calls++;
    },
    () => {},
  );
  q.addAfter('k', 30);
  q.stop();
  await tick(60);
  assert.equal(calls, 0);
});
