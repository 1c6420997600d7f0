import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextFromConfigMaps } from './config.js';

test('contextFromConfigMaps reads the injector config, values and mesh', () => {
  const ctx = contextFromConfigMaps(
    {
      config:
        'policy: disabled\nneverInjectSelector:\n- matchLabels: {a: b}\ntemplates:\n  sidecar: ignored\n',
      values: JSON.stringify({
        revision: 'my-mesh',
        global: { hub: 'h', tag: 't' },
        istio_cni: { enabled: true },
      }),
    },
    {
      mesh: 'trustDomain: td.local\ndefaultConfig:\n  discoveryAddress: istiod-my-mesh.istio-system.svc:15012\n',
    },
  );
  assert.equal(ctx.revision, 'my-mesh');
  assert.equal(ctx.config.policy, 'disabled');
  assert.deepEqual(ctx.config.neverInjectSelector, [{ matchLabels: { a: 'b' } }]);
  assert.equal(ctx.values.istio_cni?.enabled, true);
  assert.equal(ctx.mesh.trustDomain, 'td.local');
  assert.throws(() => contextFromConfigMaps({ values: '{' }, {}), /invalid injector values/);
});
