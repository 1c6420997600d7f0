// Acceptance 9: every write the API server acknowledged survives `kill -9` of the daemon, the
// revision counter keeps growing after the restart, old resourceVersions stay watchable (or are
// refused with a proper 410), and the SQLite file passes its integrity check.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { startCluster, type TestCluster } from './harness.js';
import {
  daemonPid,
  kubeCreds,
  kubeRequest,
  processRunning,
  restartDaemon,
  stopDaemon,
  storePath,
  until,
  watchStream,
  type Creds,
} from './cluster-process.js';

const NS = 'durability';
const WRITERS = 8;
const UPDATES_PER_OBJECT = 2;
const ACKED_BEFORE_CRASH = 300;

interface Ack {
  name: string;
  seq: number;
  rv: number;
  kind: 'create' | 'update';
  writer: number;
}

let cluster: TestCluster;
let creds: Creds;

before(() => {
  cluster = startCluster('dur');
  creds = kubeCreds(cluster.kubeconfig);
});
after(() => cluster?.down());

const cmPath = (name?: string) => `/api/v1/namespaces/${NS}/configmaps${name ? `/${name}` : ''}`;

function integrityCheck(path: string): string {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

test('acknowledged writes survive kill -9 of the daemon', { timeout: 90_000 }, async (t) => {
  const ns = await kubeRequest(creds, 'POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: NS },
  });
  assert.equal(ns.status, 201, JSON.stringify(ns.body));

  const acks: Ack[] = [];
  /** The highest sequence number ever sent per object, acknowledged or not. */
  const attempted = new Map<string, number>();
  const unexpected: string[] = [];
  let crashing = false;

  const writer = async (w: number) => {
    for (let i = 0; !crashing; i++) {
      const name = `cm-w${w}-${i}`;
      let rv = 0;
      for (let seq = 0; seq <= UPDATES_PER_OBJECT && !crashing; seq++) {
        attempted.set(name, seq);
        const body = {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name,
            namespace: NS,
            labels: { writer: String(w) },
            ...(seq > 0 ? { resourceVersion: String(rv) } : {}),
          },
          data: { seq: String(seq), payload: `writer ${w} object ${i} version ${seq}`.padEnd(200, '.') },
        };
        let res;
        try {
          res =
            seq === 0
              ? await kubeRequest(creds, 'POST', cmPath(), body)
              : await kubeRequest(creds, 'PUT', cmPath(name), body);
        } catch (err) {
          if (!crashing) unexpected.push(`${name} seq ${seq}: ${(err as Error).message}`);
          return;
        }
        if (res.status < 200 || res.status >= 300) {
          if (!crashing)
            unexpected.push(`${name} seq ${seq}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
          return;
        }
        rv = Number(res.body.metadata.resourceVersion);
        acks.push({ name, seq, rv, kind: seq === 0 ? 'create' : 'update', writer: w });
      }
    }
  };

  const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
  await until(
    `${ACKED_BEFORE_CRASH} acknowledged writes`,
    () => acks.length >= ACKED_BEFORE_CRASH || unexpected.length > 0,
    30_000,
  );
  assert.deepEqual(unexpected, [], 'writes failed before the crash');

  // Writers are still running with requests in flight: crash the daemon now.
  const pid = daemonPid(cluster);
  assert.ok(processRunning(pid));
  crashing = true;
  await stopDaemon(cluster, 'SIGKILL');
  await Promise.all(writers);
  const ackedAtCrash = acks.length;
  t.diagnostic(`${ackedAtCrash} writes acknowledged before the crash; ${attempted.size} objects attempted`);
  assert.ok(ackedAtCrash >= ACKED_BEFORE_CRASH);

  // The file as the crash left it (WAL not checkpointed) must be sound.
  assert.equal(integrityCheck(storePath(cluster)), 'ok', 'integrity_check right after the crash');

  await restartDaemon(cluster);
  assert.notEqual(daemonPid(cluster), pid, 'a new daemon process serves the cluster');

  // Per writer, acknowledged revisions were strictly increasing (each writer is sequential).
  for (let w = 0; w < WRITERS; w++) {
    const rvs = acks.filter((a) => a.writer === w).map((a) => a.rv);
    for (let i = 1; i < rvs.length; i++)
      assert.ok(rvs[i] > rvs[i - 1], `writer ${w}: rv ${rvs[i]} after ${rvs[i - 1]}`);
  }
  assert.equal(new Set(acks.map((a) => a.rv)).size, acks.length, 'acknowledged resourceVersions are unique');

  // Every acknowledged write is there, with at least the acknowledged content.
  const lastAck = new Map<string, Ack>();
  for (const a of acks) if ((lastAck.get(a.name)?.seq ?? -1) < a.seq) lastAck.set(a.name, a);
  const list = await kubeRequest(creds, 'GET', cmPath());
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const live = new Map<string, any>(list.body.items.map((o: any) => [o.metadata.name, o]));
  const problems: string[] = [];
  for (const [name, a] of lastAck) {
    const obj = live.get(name);
    if (!obj) {
      problems.push(`${name}: acknowledged ${a.kind} (seq ${a.seq}, rv ${a.rv}) is missing`);
      continue;
    }
    const seq = Number(obj.data?.seq);
    const rv = Number(obj.metadata.resourceVersion);
    if (rv < a.rv) problems.push(`${name}: resourceVersion ${rv} is older than the acknowledged ${a.rv}`);
    if (!(seq >= a.seq))
      problems.push(`${name}: seq ${obj.data?.seq} is older than the acknowledged ${a.seq}`);
    if (rv === a.rv && seq !== a.seq)
      problems.push(`${name}: rv ${rv} holds seq ${seq}, acknowledged seq ${a.seq}`);
    if (seq > (attempted.get(name) ?? -1)) problems.push(`${name}: seq ${seq} was never written`);
    if (!String(obj.data?.payload).startsWith(`writer ${a.writer} object `))
      problems.push(`${name}: payload corrupted: ${obj.data?.payload}`);
  }
  // Objects that only an unacknowledged (in-flight) create produced may or may not exist; anything else is foreign.
  for (const name of live.keys()) {
    if (name.startsWith('cm-w') && !attempted.has(name))
      problems.push(`${name}: exists but was never written`);
  }
  assert.deepEqual(problems, [], `${ackedAtCrash} writes were acknowledged before the crash`);

  const maxAcked = Math.max(...acks.map((a) => a.rv));
  assert.ok(
    Number(list.body.metadata.resourceVersion) >= maxAcked,
    `list RV ${list.body.metadata.resourceVersion} >= ${maxAcked}`,
  );

  // Revisions continue after the restart.
  const fresh = await kubeRequest(creds, 'POST', cmPath(), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'after-restart' },
    data: { k: 'v' },
  });
  assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
  const freshRv = Number(fresh.body.metadata.resourceVersion);
  assert.ok(freshRv > maxAcked, `the first write after the restart got rv ${freshRv}, not above ${maxAcked}`);
  const updated = await kubeRequest(creds, 'PUT', cmPath('after-restart'), {
    ...fresh.body,
    data: { k: 'v2' },
  });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.ok(Number(updated.body.metadata.resourceVersion) > freshRv);

  // The store is still sound with the new daemon writing to it.
  assert.equal(integrityCheck(storePath(cluster)), 'ok', 'integrity_check after the restart');

  // A watch from a resourceVersion taken before the crash: either the full history after it, in
  // order, or a proper "Expired" refusal.
  const fromRv = acks[Math.floor(acks.length / 4)].rv;
  const watch = watchStream(creds, `${cmPath()}?watch=true&resourceVersion=${fromRv}`);
  try {
    const status = await watch.status;
    t.diagnostic(`watch from rv ${fromRv} answered HTTP ${status}`);
    if (status === 410) {
      await watch.ended;
      assert.equal(watch.events[0]?.object?.reason, 'Expired', JSON.stringify(watch.events));
      return;
    }
    assert.equal(status, 200);
    const first = await watch.waitFor('the first event', () => true);
    if (first.type === 'ERROR') {
      t.diagnostic(`watch from rv ${fromRv}: ${first.object.message}`);
      assert.equal(first.object.code, 410, JSON.stringify(first.object));
      assert.equal(first.object.reason, 'Expired');
      await watch.ended;
      return;
    }
    await watch.waitFor(
      'the post-restart update',
      (e) => e.object?.metadata?.resourceVersion === updated.body.metadata.resourceVersion,
      15_000,
    );
    const rvs = watch.events.map((e) => Number(e.object.metadata.resourceVersion));
    for (let i = 0; i < rvs.length; i++) {
      assert.ok(
        rvs[i] > (i === 0 ? fromRv : rvs[i - 1]),
        `watch event ${i} has rv ${rvs[i]} after ${i === 0 ? fromRv : rvs[i - 1]}`,
      );
    }
    const byRv = new Map(watch.events.map((e) => [Number(e.object.metadata.resourceVersion), e]));
    const missed: string[] = [];
    for (const a of acks) {
      if (a.rv <= fromRv) continue;
      const e = byRv.get(a.rv);
      if (!e) missed.push(`${a.name} seq ${a.seq} rv ${a.rv}`);
      else {
        assert.equal(e.type, a.kind === 'create' ? 'ADDED' : 'MODIFIED', `event for ${a.name} rv ${a.rv}`);
        assert.equal(e.object.metadata.name, a.name);
        assert.equal(e.object.data.seq, String(a.seq));
      }
    }
    assert.deepEqual(missed, [], 'acknowledged writes missing from the watch history');
    assert.equal(byRv.get(freshRv)?.type, 'ADDED');
    t.diagnostic(`watch from rv ${fromRv} replayed ${watch.events.length} events across the restart`);
  } finally {
    watch.close();
  }
});
