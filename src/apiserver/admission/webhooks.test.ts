import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../types.js';
import { StatusError } from '../errors.js';
import {
  runMutatingWebhooks,
  runValidatingWebhooks,
  type AdmissionAttributes,
  type AdmissionDeps,
  type WebhookSpec,
} from './index.js';
import { b64, makePki, reply, startHookServer, type HookServer, type TestPki } from './testpki.js';

let pki: TestPki;
let srv: HookServer;
let mtls: HookServer;

before(async () => {
  pki = makePki();
  srv = await startHookServer(pki);
  mtls = await startHookServer(pki, { requireClientCert: true });
});

after(async () => {
  await srv.close();
  await mtls.close();
  pki.cleanup();
});

const nsLabels: Record<string, Record<string, string>> = { default: {}, injected: { inject: 'on' } };
const deps = (extra: Partial<AdmissionDeps> = {}): AdmissionDeps => ({
  namespaceLabels: (ns) => nsLabels[ns],
  ...extra,
});

const pod = (labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', labels },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
});

function podCreate(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    kind: 'Pod',
    resource: 'pods',
    namespace: 'default',
    name: 'web',
    object: pod(),
    dryRun: false,
    options: { fieldManager: 'kubectl-create' },
    userInfo: { username: 'alice', uid: 'u-alice', groups: ['devs', 'system:authenticated'] },
    ...over,
  };
}

let pathSeq = 0;
/** A webhook pointing at a fresh path on the test server, served by `handler`. */
function urlHook(
  name: string,
  handler: (review: any) => unknown,
  over: Partial<WebhookSpec> = {},
): WebhookSpec {
  const path = `/hook-${++pathSeq}`;
  srv.route(path, handler);
  return {
    name,
    clientConfig: { url: `https://127.0.0.1:${srv.port}${path}`, caBundle: b64(pki.caPem) },
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...over,
  };
}

const mwc = (name: string, webhooks: WebhookSpec[]): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'MutatingWebhookConfiguration',
  metadata: { name },
  webhooks,
});
const vwc = (name: string, webhooks: WebhookSpec[]): KubeObject => ({
  apiVersion: 'admissionregistration.k8s.io/v1',
  kind: 'ValidatingWebhookConfiguration',
  metadata: { name },
  webhooks,
});

const addLabel = (key: string, value: string) => (review: any) => {
  const labels = review.request.object.metadata.labels;
  const patch = labels
    ? [{ op: 'add', path: `/metadata/labels/${key}`, value }]
    : [{ op: 'add', path: '/metadata/labels', value: { [key]: value } }];
  return reply(review, { allowed: true, patchType: 'JSONPatch', patch: b64(patch) });
};

async function rejection(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${e}`);
    return e;
  }
  assert.fail('expected the request to be rejected');
}

/** A port nothing listens on (a server that was started and stopped). */
async function deadPort(): Promise<number> {
  const s = https.createServer({ key: pki.serverKey, cert: pki.serverCert });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('a mutating webhook adds a label to a Pod via JSONPatch; the request is an AdmissionReview v1', async () => {
  let seen: any;
  const hook = urlHook('label.example.com', (review) => {
    seen = review;
    return addLabel('injected', 'yes')(review);
  });
  const attrs = podCreate({ object: pod({ app: 'web' }) });
  const res = await runMutatingWebhooks([mwc('cfg', [hook])], attrs, deps());
  assert.deepEqual(res.object.metadata.labels, { app: 'web', injected: 'yes' });
  assert.deepEqual(attrs.object!.metadata.labels, { app: 'web' }, 'the input object is not modified');

  const last = srv.seen[srv.seen.length - 1];
  assert.equal(last.method, 'POST');
  assert.match(last.url, /^\/hook-\d+\?timeout=10s$/);
  assert.equal(last.headers['content-type'], 'application/json');
  assert.equal(seen.apiVersion, 'admission.k8s.io/v1');
  assert.equal(seen.kind, 'AdmissionReview');
  const rq = seen.request;
  assert.match(rq.uid, /^[0-9a-f-]{36}$/);
  assert.deepEqual(rq.kind, { group: '', version: 'v1', kind: 'Pod' });
  assert.deepEqual(rq.resource, { group: '', version: 'v1', resource: 'pods' });
  assert.deepEqual(rq.requestKind, rq.kind);
  assert.deepEqual(rq.requestResource, rq.resource);
  assert.equal(rq.name, 'web');
  assert.equal(rq.namespace, 'default');
  assert.equal(rq.operation, 'CREATE');
  assert.deepEqual(rq.userInfo, {
    username: 'alice',
    uid: 'u-alice',
    groups: ['devs', 'system:authenticated'],
  });
  assert.deepEqual(rq.object, pod({ app: 'web' }));
  assert.equal(rq.oldObject, null);
  assert.equal(rq.dryRun, false);
  assert.deepEqual(rq.options, {
    kind: 'CreateOptions',
    apiVersion: 'meta.k8s.io/v1',
    fieldManager: 'kubectl-create',
  });
  assert.equal(
    res.annotations['mutation.webhook.admission.k8s.io/round_0_index_0'],
    JSON.stringify({ configuration: 'cfg', webhook: 'label.example.com', mutated: true }),
  );
});

test('two mutating webhooks run in configuration-name order, each seeing the previous patch', async () => {
  const order: string[] = [];
  const stamp = (who: string) => (review: any) => {
    const anns = review.request.object.metadata.annotations ?? {};
    order.push(`${who}:${anns.trail ?? ''}`);
    const value = anns.trail ? `${anns.trail},${who}` : who;
    const patch = review.request.object.metadata.annotations
      ? [{ op: 'add', path: '/metadata/annotations/trail', value }]
      : [{ op: 'add', path: '/metadata/annotations', value: { trail: value } }];
    return reply(review, {
      allowed: true,
      patchType: 'JSONPatch',
      patch: b64(patch),
      warnings: [`${who} was here`],
    });
  };
  const configs = [
    mwc('b-config', [urlHook('b.example.com', stamp('b'))]),
    mwc('a-config', [urlHook('a1.example.com', stamp('a1')), urlHook('a2.example.com', stamp('a2'))]),
  ];
  const res = await runMutatingWebhooks(configs, podCreate(), deps());
  assert.deepEqual(order, ['a1:', 'a2:a1', 'b:a1,a2']);
  assert.equal(res.object.metadata.annotations!.trail, 'a1,a2,b');
  assert.deepEqual(res.warnings, ['a1 was here', 'a2 was here', 'b was here']);
});

test('reinvocationPolicy IfNeeded calls an earlier webhook again after a later one changed the object', async () => {
  const run = async (policy: 'IfNeeded' | 'Never') => {
    let aCalls = 0;
    let bCalls = 0;
    // a reacts to b's label; it only sees it when called again.
    const a = urlHook(
      'a.example.com',
      (review) => {
        aCalls++;
        const labels = review.request.object.metadata.labels ?? {};
        if (labels.b === 'yes' && !labels['a-saw-b']) return addLabel('a-saw-b', 'yes')(review);
        return reply(review, { allowed: true });
      },
      { reinvocationPolicy: policy },
    );
    const b = urlHook('b.example.com', (review) => {
      bCalls++;
      return addLabel('b', 'yes')(review);
    });
    const res = await runMutatingWebhooks(
      [mwc('1-a', [a]), mwc('2-b', [b])],
      podCreate({ object: pod({ app: 'x' }) }),
      deps(),
    );
    return { res, aCalls, bCalls };
  };
  const ifNeeded = await run('IfNeeded');
  assert.equal(ifNeeded.aCalls, 2);
  assert.equal(ifNeeded.bCalls, 1, 'b is not IfNeeded, and b itself caused the change');
  assert.deepEqual(ifNeeded.res.object.metadata.labels, { app: 'x', b: 'yes', 'a-saw-b': 'yes' });
  assert.ok('mutation.webhook.admission.k8s.io/round_1_index_0' in ifNeeded.res.annotations);

  const never = await run('Never');
  assert.equal(never.aCalls, 1);
  assert.deepEqual(never.res.object.metadata.labels, { app: 'x', b: 'yes' });
});

test('no reinvocation when nothing changed the object after the IfNeeded webhook', async () => {
  let aCalls = 0;
  const a = urlHook(
    'a.example.com',
    (review) => {
      aCalls++;
      return addLabel('a', 'yes')(review);
    },
    { reinvocationPolicy: 'IfNeeded' },
  );
  const b = urlHook('b.example.com', (review) => reply(review, { allowed: true }));
  await runMutatingWebhooks([mwc('1', [a]), mwc('2', [b])], podCreate(), deps());
  assert.equal(aCalls, 1);
});

test('a validating webhook denial carries the message, code and reason', async () => {
  const deny = urlHook('deny.example.com', (review) =>
    reply(review, {
      allowed: false,
      status: { code: 403, reason: 'Forbidden', message: 'pods named web are not allowed' },
    }),
  );
  const allow = urlHook('allow.example.com', (review) =>
    reply(review, { allowed: true, warnings: ['looks odd'] }),
  );
  const err = await rejection(runValidatingWebhooks([vwc('v', [allow, deny])], podCreate(), deps()));
  assert.equal(err.code, 403);
  assert.equal(err.reason, 'Forbidden');
  assert.equal(
    err.message,
    'admission webhook "deny.example.com" denied the request: pods named web are not allowed',
  );

  const bare = urlHook('bare.example.com', (review) => reply(review, { allowed: false }));
  const err2 = await rejection(runValidatingWebhooks([vwc('v', [bare])], podCreate(), deps()));
  assert.equal(err2.code, 400);
  assert.equal(err2.message, 'admission webhook "bare.example.com" denied the request without explanation');

  const ok = await runValidatingWebhooks([vwc('v', [allow])], podCreate(), deps());
  assert.deepEqual(ok.warnings, ['looks odd']);
});

test('validating webhooks are called in parallel', async () => {
  const slow = (name: string) =>
    urlHook(name, async (review) => {
      await new Promise((r) => setTimeout(r, 300));
      return reply(review, { allowed: true });
    });
  const started = Date.now();
  await runValidatingWebhooks(
    [vwc('v', [slow('s1.example.com'), slow('s2.example.com'), slow('s3.example.com')])],
    podCreate(),
    deps(),
  );
  const took = Date.now() - started;
  assert.ok(took < 800, `three 300 ms webhooks took ${took} ms`);
});

test('a mutating webhook can deny too', async () => {
  const deny = urlHook('mdeny.example.com', (review) =>
    reply(review, { allowed: false, status: { code: 422, message: 'nope' } }),
  );
  const err = await rejection(runMutatingWebhooks([mwc('m', [deny])], podCreate(), deps()));
  assert.equal(err.code, 422);
  assert.equal(err.message, 'admission webhook "mdeny.example.com" denied the request: nope');
});

test('failurePolicy Fail with the server down is a 500; Ignore goes through', async () => {
  const port = await deadPort();
  const down = (name: string, failurePolicy?: 'Fail' | 'Ignore'): WebhookSpec => ({
    name,
    clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: b64(pki.caPem) },
    rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...(failurePolicy ? { failurePolicy } : {}),
  });
  const err = await rejection(
    runValidatingWebhooks([vwc('v', [down('down.example.com')])], podCreate(), deps()),
  );
  assert.equal(err.code, 500);
  assert.equal(err.reason, 'InternalError');
  assert.equal(
    err.message,
    `Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: ` +
      `Post "https://127.0.0.1:${port}/validate?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
  );
  const errM = await rejection(
    runMutatingWebhooks([mwc('m', [down('mdown.example.com', 'Fail')])], podCreate(), deps()),
  );
  assert.equal(errM.code, 500);
  assert.match(errM.message, /failed calling webhook "mdown\.example\.com": .*connection refused$/);

  await runValidatingWebhooks([vwc('v', [down('down.example.com', 'Ignore')])], podCreate(), deps());
  const later = urlHook('after.example.com', addLabel('after', 'yes'));
  const res = await runMutatingWebhooks(
    [mwc('m', [down('mdown.example.com', 'Ignore'), later])],
    podCreate(),
    deps(),
  );
  assert.deepEqual(res.object.metadata.labels, { after: 'yes' });
});

test('timeoutSeconds is enforced and sent as ?timeout=', async () => {
  const slow = urlHook(
    'slow.example.com',
    async (review) => {
      await new Promise((r) => setTimeout(r, 1600));
      return reply(review, { allowed: true });
    },
    { timeoutSeconds: 1 },
  );
  const started = Date.now();
  // Fail and Ignore side by side, to keep the suite fast.
  const [failed, ignored] = await Promise.allSettled([
    runValidatingWebhooks([vwc('v', [slow])], podCreate(), deps()),
    runValidatingWebhooks([vwc('v', [{ ...slow, failurePolicy: 'Ignore' }])], podCreate(), deps()),
  ]);
  const took = Date.now() - started;
  assert.ok(took >= 950 && took < 5000, `took ${took} ms`);
  assert.equal(ignored.status, 'fulfilled', 'Ignore skips the webhook after its deadline');
  assert.equal(failed.status, 'rejected');
  const err = (failed as PromiseRejectedResult).reason;
  assert.ok(err instanceof StatusError);
  assert.equal(err.code, 500);
  assert.equal(
    err.message,
    `Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "${slow.clientConfig.url}?timeout=1s": context deadline exceeded`,
  );
  assert.match(srv.seen[srv.seen.length - 1].url, /\?timeout=1s$/);
});

test('a server certificate from another CA fails TLS verification', async () => {
  const hook = urlHook('tls.example.com', (review) => reply(review, { allowed: true }));
  hook.clientConfig.caBundle = b64(pki.otherCaPem);
  const before = srv.seen.length;
  const err = await rejection(runValidatingWebhooks([vwc('v', [hook])], podCreate(), deps()));
  assert.equal(err.code, 500);
  assert.equal(
    err.message,
    `Internal error occurred: failed calling webhook "tls.example.com": failed to call webhook: Post "${hook.clientConfig.url}?timeout=10s": ` +
      'tls: failed to verify certificate: x509: certificate signed by unknown authority',
  );
  assert.equal(srv.seen.length, before, 'no request reached the server');
  // Without caBundle the system roots are used, which do not know the test CA either.
  delete hook.clientConfig.caBundle;
  const err2 = await rejection(runValidatingWebhooks([vwc('v', [hook])], podCreate(), deps()));
  assert.match(err2.message, /x509: certificate signed by unknown authority$/);
});

test('a service reference is dialled through resolveService and verified as <name>.<namespace>.svc', async () => {
  srv.route('/mutate', addLabel('via', 'service'));
  const resolved: string[] = [];
  const resolveService = async (namespace: string, name: string, port: number) => {
    resolved.push(`${namespace}/${name}:${port}`);
    return { host: '127.0.0.1', port: srv.port };
  };
  const svcHook = (name: string): WebhookSpec => ({
    name: 'svc.example.com',
    clientConfig: { service: { namespace: 'test-ns', name, path: '/mutate' }, caBundle: b64(pki.caPem) },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
  });
  const res = await runMutatingWebhooks([mwc('m', [svcHook('hook')])], podCreate(), deps({ resolveService }));
  assert.deepEqual(res.object.metadata.labels, { via: 'service' });
  assert.deepEqual(resolved, ['test-ns/hook:443']);
  const last = srv.seen[srv.seen.length - 1];
  assert.equal(last.servername, 'hook.test-ns.svc', 'SNI carries the service DNS name');
  assert.equal(last.headers.host, 'hook.test-ns.svc:443');
  assert.equal(last.url, '/mutate?timeout=10s');

  // Same server, but the certificate is not valid for other.test-ns.svc.
  const err = await rejection(
    runMutatingWebhooks([mwc('m', [svcHook('other')])], podCreate(), deps({ resolveService })),
  );
  assert.equal(
    err.message,
    'Internal error occurred: failed calling webhook "svc.example.com": failed to call webhook: ' +
      'Post "https://other.test-ns.svc:443/mutate?timeout=10s": tls: failed to verify certificate: x509: certificate is valid for hook.test-ns.svc, not other.test-ns.svc',
  );

  const failing = async () => {
    throw new Error('no endpoints available for service "hook"');
  };
  const err2 = await rejection(
    runMutatingWebhooks([mwc('m', [svcHook('hook')])], podCreate(), deps({ resolveService: failing })),
  );
  assert.equal(
    err2.message,
    'Internal error occurred: failed calling webhook "svc.example.com": failed to call webhook: ' +
      'Post "https://hook.test-ns.svc:443/mutate?timeout=10s": no endpoints available for service "hook"',
  );
});

test('dryRun: sideEffects Some refuses the request, NoneOnDryRun is called with dryRun true', async () => {
  let calls = 0;
  const some = urlHook(
    'some.example.com',
    (review) => {
      calls++;
      return reply(review, { allowed: true });
    },
    { sideEffects: 'Some' },
  );
  const err = await rejection(runMutatingWebhooks([mwc('m', [some])], podCreate({ dryRun: true }), deps()));
  assert.equal(err.code, 400);
  assert.equal(err.reason, 'BadRequest');
  assert.equal(err.message, 'admission webhook "some.example.com" does not support dry run');
  const errV = await rejection(
    runValidatingWebhooks(
      [vwc('v', [{ ...some, failurePolicy: 'Ignore' }])],
      podCreate({ dryRun: true }),
      deps(),
    ),
  );
  assert.equal(errV.code, 400, 'failurePolicy Ignore does not cover dry-run refusal');
  assert.equal(calls, 0);

  let sawDryRun: unknown;
  const safe = urlHook(
    'safe.example.com',
    (review) => {
      sawDryRun = review.request.dryRun;
      return reply(review, { allowed: true });
    },
    { sideEffects: 'NoneOnDryRun' },
  );
  await runValidatingWebhooks([vwc('v', [safe])], podCreate({ dryRun: true }), deps());
  assert.equal(sawDryRun, true);
  // Without dryRun, sideEffects Some is fine.
  await runMutatingWebhooks([mwc('m', [some])], podCreate(), deps());
  assert.equal(calls, 1);
});

test('selectors and rules decide which webhooks are called', async () => {
  const called: string[] = [];
  const rec = (name: string, over: Partial<WebhookSpec>) =>
    urlHook(
      name,
      (review) => {
        called.push(name);
        return reply(review, { allowed: true });
      },
      over,
    );
  const configs = [
    vwc('v', [
      rec('ns.example.com', { namespaceSelector: { matchLabels: { inject: 'on' } } }),
      rec('obj.example.com', {
        objectSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['db'] }] },
      }),
      rec('status.example.com', {
        rules: [{ operations: ['UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/status'] }],
      }),
      rec('star.example.com', {
        rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }],
      }),
    ]),
  ];
  await runValidatingWebhooks(configs, podCreate(), deps());
  assert.deepEqual(called.sort(), ['star.example.com']);
  called.length = 0;
  await runValidatingWebhooks(
    configs,
    podCreate({ namespace: 'injected', object: pod({ tier: 'db' }) }),
    deps(),
  );
  assert.deepEqual(called.sort(), ['ns.example.com', 'obj.example.com', 'star.example.com']);
  called.length = 0;
  await runValidatingWebhooks(
    configs,
    podCreate({ operation: 'UPDATE', subresource: 'status', oldObject: pod() }),
    deps(),
  );
  assert.deepEqual(called.sort(), ['status.example.com'], '"*" does not reach subresources');
});

test('a response whose uid does not echo the request is a call failure', async () => {
  const liar = urlHook('liar.example.com', (review) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: 'not-' + review.request.uid, allowed: true },
  }));
  let uid = '';
  const err = await rejection(
    runValidatingWebhooks([vwc('v', [liar])], podCreate(), deps({ newUid: () => (uid = 'fixed-uid') })),
  );
  assert.equal(uid, 'fixed-uid');
  assert.equal(
    err.message,
    'Internal error occurred: failed calling webhook "liar.example.com": received invalid webhook response: expected response.uid="fixed-uid", got "not-fixed-uid"',
  );
  await runValidatingWebhooks([vwc('v', [{ ...liar, failurePolicy: 'Ignore' }])], podCreate(), deps());
});

test('non-200 answers, bad bodies and patches that do not apply', async () => {
  const status500 = urlHook('e500.example.com', () => ({ $status: 500, $type: 'text/plain', $body: 'boom' }));
  const err = await rejection(runValidatingWebhooks([vwc('v', [status500])], podCreate(), deps()));
  assert.equal(
    err.message,
    'Internal error occurred: failed calling webhook "e500.example.com": failed to call webhook: an error on the server ("boom") has prevented the request from succeeding',
  );
  const notJson = urlHook('html.example.com', () => ({ $status: 200, $type: 'text/html', $body: '<html>' }));
  const err2 = await rejection(runValidatingWebhooks([vwc('v', [notJson])], podCreate(), deps()));
  assert.match(
    err2.message,
    /failed calling webhook "html\.example\.com": failed to call webhook: couldn't get version\/kind; json parse error/,
  );

  const badPatch = urlHook('badpatch.example.com', (review) =>
    reply(review, {
      allowed: true,
      patchType: 'JSONPatch',
      patch: b64([{ op: 'replace', path: '/spec/nothing/here', value: 1 }]),
    }),
  );
  const err3 = await rejection(runMutatingWebhooks([mwc('m', [badPatch])], podCreate(), deps()));
  assert.equal(err3.code, 500);
  assert.equal(
    err3.message,
    'Internal error occurred: replace operation does not apply: doc is missing path: "/spec/nothing/here": missing value',
  );

  const patchOnDelete = urlHook(
    'delpatch.example.com',
    (review) =>
      reply(review, {
        allowed: true,
        patchType: 'JSONPatch',
        patch: b64([{ op: 'add', path: '/x', value: 1 }]),
      }),
    { rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] },
  );
  const err4 = await rejection(
    runMutatingWebhooks(
      [mwc('m', [patchOnDelete])],
      podCreate({ operation: 'DELETE', object: undefined, oldObject: pod() }),
      deps(),
    ),
  );
  assert.equal(
    err4.message,
    'Internal error occurred: admission webhook "delpatch.example.com" attempted to modify the object, which is not supported for this operation',
  );

  const validatingPatch = urlHook('vpatch.example.com', (review) =>
    reply(review, { allowed: true, patchType: 'JSONPatch', patch: b64([]) }),
  );
  const err5 = await rejection(runValidatingWebhooks([vwc('v', [validatingPatch])], podCreate(), deps()));
  assert.match(
    err5.message,
    /received invalid webhook response: validating webhook may not return response.patch$/,
  );
});

test('audit annotations are prefixed with the webhook name', async () => {
  const hook = urlHook('audit.example.com', (review) =>
    reply(review, { allowed: true, auditAnnotations: { decision: 'ok' } }),
  );
  const res = await runValidatingWebhooks([vwc('v', [hook])], podCreate(), deps());
  assert.deepEqual(res.annotations, { 'audit.example.com/decision': 'ok' });
});

test('a client certificate is presented when deps provide one', async () => {
  mtls.route('/m', (review) => reply(review, { allowed: true }));
  const hook: WebhookSpec = {
    name: 'mtls.example.com',
    clientConfig: { url: `https://127.0.0.1:${mtls.port}/m`, caBundle: b64(pki.caPem) },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
  };
  await runValidatingWebhooks(
    [vwc('v', [hook])],
    podCreate(),
    deps({ clientCert: { cert: pki.clientCert, key: pki.clientKey } }),
  );
  assert.equal(mtls.seen[mtls.seen.length - 1].clientCertCN, 'client');
  const err = await rejection(runValidatingWebhooks([vwc('v', [hook])], podCreate(), deps()));
  assert.equal(err.code, 500);
  assert.match(
    err.message,
    /failed calling webhook "mtls\.example\.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/m\?timeout=10s": /,
  );
});
