import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request, start, stopAll } from './testkit.js';

describe('helloworld', () => {
  it('answers /hello with its version and pod name', async () => {
    const v1 = await start('registry.istio.io/release/examples-helloworld-v1:1.0', {
      env: { HOSTNAME: 'helloworld-v1-abc' },
    });
    const v2 = await start('docker.io/istio/examples-helloworld-v2', {
      env: { HOSTNAME: 'helloworld-v2-xyz' },
    });
    try {
      const r1 = await request(`${v1.url}/hello`);
      assert.equal(r1.status, 200);
      assert.equal(r1.body, 'Hello version: v1, instance: helloworld-v1-abc\n');
      assert.equal(
        (await request(`${v2.url}/hello`)).body,
        'Hello version: v2, instance: helloworld-v2-xyz\n',
      );
      assert.equal((await request(`${v1.url}/health`)).body, 'Helloworld is healthy');
      assert.equal((await request(`${v1.url}/other`)).status, 404);
    } finally {
      await stopAll(v1, v2);
    }
  });

  it('SERVICE_VERSION from the pod spec overrides the image default', async () => {
    const hw = await start('examples-helloworld-v1', { env: { SERVICE_VERSION: 'canary', HOSTNAME: 'p' } });
    try {
      assert.equal((await request(`${hw.url}/hello`)).body, 'Hello version: canary, instance: p\n');
    } finally {
      await stopAll(hw);
    }
  });
});
