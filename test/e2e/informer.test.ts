// Acceptance 11: an informer from @kubernetes/client-node (makeInformer + list function) sees
// ConfigMap adds, updates and deletes in order, and carries on after the daemon is stopped with
// SIGTERM and started again on the same state.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, makeInformer, type V1ConfigMap } from '@kubernetes/client-node';
import { startCluster, type TestCluster } from './harness.js';
import { daemonPid, restartDaemon, stopDaemon, until } from './cluster-process.js';

const NS = 'informer';
// Only the test's objects: the cluster itself adds kube-root-ca.crt to every namespace.
const SELECTOR = 'e2e=informer';

let cluster: TestCluster;
let api: CoreV1Api;

before(async () => {
  cluster = startCluster('inf');
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  api = kc.makeApiClient(CoreV1Api);
  await api.createNamespace({ body: { metadata: { name: NS } } });
});
after(() => cluster?.down());

const cm = (name: string, v: string): V1ConfigMap => ({
  metadata: { name, namespace: NS, labels: { e2e: 'informer' } },
  data: { v },
});

test(
  'a client-node informer follows adds, updates and deletes across a daemon restart',
  { timeout: 60_000 },
  async (t) => {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    const informer = makeInformer<V1ConfigMap>(
      kc,
      `/api/v1/namespaces/${NS}/configmaps`,
      () => api.listNamespacedConfigMap({ namespace: NS, labelSelector: SELECTOR }),
      SELECTOR,
    );
    const events: string[] = [];
    const errors: unknown[] = [];
    let stopped = false;
    let connects = 0;
    const record = (type: string) => (o: V1ConfigMap) =>
      events.push(`${type} ${o.metadata?.name} ${o.data?.v ?? '-'}`);
    informer.on('add', record('add'));
    informer.on('update', record('update'));
    informer.on('delete', record('delete'));
    informer.on('connect', () => connects++);
    // client-node leaves restarting after an error to the caller (list or watch failed, e.g. while
    // the daemon is down): retry with a short backoff, as its documentation suggests.
    let retry: NodeJS.Timeout | undefined;
    informer.on('error', (err) => {
      errors.push(err);
      if (!stopped) retry = setTimeout(() => void informer.start().catch(() => undefined), 200);
    });
    const expect = async (what: string, wanted: string[]) => {
      await until(what, () => events.length >= wanted.length, 15_000);
      assert.deepEqual(events, wanted, what);
    };

    try {
      // start() returns once the list is done and the watch is open.
      await informer.start();
      assert.equal(connects, 1);

      await api.createNamespacedConfigMap({ namespace: NS, body: cm('a', '1') });
      await api.replaceNamespacedConfigMap({ name: 'a', namespace: NS, body: cm('a', '2') });
      await api.createNamespacedConfigMap({ namespace: NS, body: cm('b', '1') });
      await api.deleteNamespacedConfigMap({ name: 'a', namespace: NS });
      const firstRound = ['add a 1', 'update a 2', 'add b 1', 'delete a 2'];
      await expect('adds, updates and deletes in order', firstRound);
      assert.deepEqual(
        informer.list(NS).map((o) => o.metadata?.name),
        ['b'],
      );

      const errorsBefore = errors.length;
      const t0 = Date.now();
      const pid = await stopDaemon(cluster, 'SIGTERM');
      const t1 = Date.now();
      await restartDaemon(cluster);
      t.diagnostic(`daemon stopped in ${t1 - t0} ms, restarted in ${Date.now() - t1} ms`);
      assert.notEqual(daemonPid(cluster), pid);
      t.diagnostic(`informer errors while the daemon was away: ${errors.length - errorsBefore}`);

      await api.replaceNamespacedConfigMap({ name: 'b', namespace: NS, body: cm('b', '2') });
      await api.createNamespacedConfigMap({ namespace: NS, body: cm('c', '1') });
      await api.deleteNamespacedConfigMap({ name: 'b', namespace: NS });
      await api.replaceNamespacedConfigMap({ name: 'c', namespace: NS, body: cm('c', '2') });
      await expect('changes after the restart, in order', [
        ...firstRound,
        'update b 2',
        'add c 1',
        'delete b 2',
        'update c 2',
      ]);

      const cached = informer.list(NS);
      assert.deepEqual(
        cached.map((o) => `${o.metadata?.name} ${o.data?.v}`),
        ['c 2'],
      );
      const live = await api.readNamespacedConfigMap({ name: 'c', namespace: NS });
      assert.equal(
        cached[0].metadata?.resourceVersion,
        live.metadata?.resourceVersion,
        'the cache holds the live revision',
      );
    } finally {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
    }
  },
);
