// Safety checks of the cluster network that need real namespaces: refused ranges, collisions with
// the host's routes, and teardown when the record of what was made is lost.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ClusterNetwork, leaks, recordPath, teardownClusterNetwork } from '../../src/netns/index.js';

const SKIP_UNLESS_ROOT = process.getuid?.() === 0 ? false : 'needs root';
const testClusterName = (tag: string) => `t${tag}-${randomBytes(3).toString('hex')}`;
const lbRange = () => `172.31.${Math.floor(Math.random() * 250)}.0/24`;

describe('ClusterNetwork safety checks', { skip: SKIP_UNLESS_ROOT }, () => {
  it('refuses a public or wide LoadBalancer range before creating anything', async () => {
    const cluster = testClusterName('bad');
    await assert.rejects(
      ClusterNetwork.create(cluster, { loadBalancerRanges: ['8.8.8.0/24'] }),
      /not inside a private block/,
    );
    await assert.rejects(
      ClusterNetwork.create(cluster, { loadBalancerRanges: ['10.0.0.0/8'] }),
      /wider than a \/16/,
    );
    assert.deepEqual(await leaks(cluster), []);
  });

  it('refuses a LoadBalancer range the host already routes, and removes what it made', async () => {
    const first = testClusterName('one');
    const second = testClusterName('two');
    const range = lbRange();
    try {
      await ClusterNetwork.create(first, { loadBalancerRanges: [range] });
      await assert.rejects(
        ClusterNetwork.create(second, { loadBalancerRanges: [range] }),
        /overlaps the host's route/,
      );
      assert.deepEqual(await leaks(second), []);
      await assert.rejects(ClusterNetwork.create(first), /already exists/);
    } finally {
      await teardownClusterNetwork(first);
      await teardownClusterNetwork(second);
    }
    assert.deepEqual(await leaks(first), []);
  });

  it('tears down by name when the record is lost, killing processes left in pods', async () => {
    const cluster = testClusterName('lost');
    try {
      const cn = await ClusterNetwork.create(cluster, { loadBalancerRanges: [lbRange()] });
      const pod = await cn.addPod({ pod: 'p', ip: '10.244.1.2', resolvConf: 'nameserver 10.96.0.10\n' });
      const sleeper = spawn('ip', ['netns', 'exec', pod.netns, 'sleep', '60'], { stdio: 'ignore' });
      const exited = new Promise((r) => sleeper.once('exit', r));
      await new Promise((r) => setTimeout(r, 100));
      rmSync(recordPath(cluster));
      const found = await leaks(cluster);
      assert.ok(
        found.some((l) => l.kind === 'process' && l.name === String(sleeper.pid)),
        JSON.stringify(found),
      );
      assert.ok(found.some((l) => l.kind === 'etc-netns'));
      await teardownClusterNetwork(cluster);
      await exited;
    } finally {
      await teardownClusterNetwork(cluster).catch(() => {});
    }
    assert.deepEqual(await leaks(cluster), []);
  });
});
