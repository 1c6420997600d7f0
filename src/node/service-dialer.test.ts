import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import type { KubeClient } from '../kube/index.js';
import { serviceDialer } from './service-dialer.js';

test('a Service is reached through one loopback relay per cluster IP and port', async () => {
  const upstream = net.createServer((s) => s.end('hello from the service\n'));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  const upstreamPort = (upstream.address() as net.AddressInfo).port;
  const dialled: string[] = [];
  const client = {
    request: async (_m: string, path: string) =>
      path.endsWith('/services/istiod')
        ? { spec: { clusterIP: '10.96.0.42' } }
        : { spec: { clusterIP: 'None' } },
  } as unknown as KubeClient;
  const dialer = serviceDialer(client, async (host, port) => {
    dialled.push(`${host}:${port}`);
    return net.connect(upstreamPort, '127.0.0.1');
  });
  try {
    const a = await dialer.resolve('istio-system', 'istiod', 443);
    const b = await dialer.resolve('istio-system', 'istiod', 443);
    assert.equal(a.host, '127.0.0.1');
    assert.deepEqual(a, b);
    const text = await new Promise<string>((resolve, reject) => {
      let out = '';
      net
        .connect(a.port, a.host)
        .on('data', (d) => (out += d.toString()))
        .on('end', () => resolve(out))
        .on('error', reject);
    });
    assert.equal(text, 'hello from the service\n');
    assert.deepEqual(dialled, ['10.96.0.42:443']);
    await assert.rejects(dialer.resolve('ns', 'headless', 443), /has no cluster IP/);
  } finally {
    await dialer.close();
    upstream.close();
  }
});
