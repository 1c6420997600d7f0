import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, afterEach, before, beforeEach, describe, mock, test } from 'node:test';
import { httpRequest, probeOnce, probeSettings, ProbeState, ProbeWorker, type Connect } from './probe.js';

let server: http.Server;
let port: number;
const connect: Connect = (host, p) =>
  new Promise((resolve, reject) => {
    const s = net.connect(p, host);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });

before(async () => {
  server = http.createServer((req, res) => {
    res.statusCode = req.url === '/ready' ? 200 : req.url === '/moved' ? 302 : 503;
    res.end('x');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as net.AddressInfo).port;
});
after(() => server.close());

test('httpGet succeeds on 2xx and 3xx, fails otherwise', async () => {
  assert.equal(await probeOnce(connect, { host: '127.0.0.1', port, path: '/ready' }), true);
  assert.equal(await probeOnce(connect, { host: '127.0.0.1', port, path: '/moved' }), true);
  assert.equal(await probeOnce(connect, { host: '127.0.0.1', port, path: '/other' }), false);
});

test('tcpSocket succeeds on connect; a closed port fails', async () => {
  assert.equal(await probeOnce(connect, { host: '127.0.0.1', port }), true);
  const closed = await new Promise<number>((r) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => r(p));
    });
  });
  assert.equal(await probeOnce(connect, { host: '127.0.0.1', port: closed }), false);
  assert.equal(await probeOnce(connect, { host: '127.0.0.1', port: closed, path: '/' }), false);
});

test('httpGet sends httpHeaders, which replace the defaults of the same name', () => {
  const req = httpRequest({
    host: '10.244.1.5',
    port: 8080,
    path: 'healthz',
    headers: [
      { name: 'Host', value: 'example.com' },
      { name: 'X-Probe', value: 'a' },
      { name: 'x-probe', value: 'b' },
    ],
  });
  assert.equal(
    req,
    'GET /healthz HTTP/1.1\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nHost: example.com\r\n' +
      'X-Probe: a\r\nx-probe: b\r\nConnection: close\r\n\r\n',
  );
});

test('httpGet headers reach the server', async () => {
  let seen: http.IncomingHttpHeaders = {};
  const s = http.createServer((req, res) => {
    seen = req.headers;
    res.end();
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const p = (s.address() as net.AddressInfo).port;
  try {
    const target = { host: '127.0.0.1', port: p, path: '/', headers: [{ name: 'X-Custom', value: 'yes' }] };
    assert.equal(await probeOnce(connect, target), true);
    assert.equal(seen['x-custom'], 'yes');
    assert.equal(seen['user-agent'], 'kube-probe/1.32');
  } finally {
    s.close();
  }
});

test('thresholds: readiness starts failed, liveness succeeded, startup unknown', () => {
  const r = new ProbeState('readiness', 2, 3);
  assert.equal(r.result, false);
  assert.equal(r.record(true), false);
  assert.equal(r.record(true), true);
  assert.equal(r.result, true);
  assert.equal(r.record(false), false);
  assert.equal(r.record(true), false, 'a success resets the run of failures');
  assert.equal(r.record(false), false);
  assert.equal(r.record(false), false);
  assert.equal(r.record(false), true);
  assert.equal(r.result, false);
  assert.equal(new ProbeState('liveness', 1, 3).result, true);
  const s = new ProbeState('startup', 1, 2);
  assert.equal(s.result, undefined);
  assert.equal(s.record(false), false);
  assert.equal(s.record(false), true);
  assert.equal(s.result, false);
});

test('probe settings default as upstream; liveness and startup need one success', () => {
  assert.deepEqual(probeSettings('readiness', {}), {
    initialDelayMs: 0,
    periodMs: 10_000,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(probeSettings('liveness', { successThreshold: 3 }).successThreshold, 1);
  assert.equal(probeSettings('readiness', { successThreshold: 3 }).successThreshold, 3);
});

describe('probe workers', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
  afterEach(() => mock.timers.reset());
  // Lets the awaited attempt and its continuation run between timer steps.
  const settle = () => new Promise((r) => setImmediate(r));
  const advance = async (ms: number) => {
    mock.timers.tick(ms);
    for (let i = 0; i < 5; i++) await settle();
  };

  test('a failed liveness probe reports once and stops probing', async () => {
    let attempts = 0;
    const results: boolean[] = [];
    const w = new ProbeWorker({
      kind: 'liveness',
      probe: { periodSeconds: 1, failureThreshold: 2, initialDelaySeconds: 3 },
      attempt: async () => (attempts++, false),
      startedAt: Date.now(),
      onResult: (ok) => results.push(ok),
    });
    await advance(2000);
    assert.equal(attempts, 0, 'initialDelaySeconds holds the first attempt');
    await advance(1000);
    assert.equal(attempts, 1);
    assert.deepEqual(results, []);
    await advance(1000);
    assert.equal(attempts, 2);
    assert.deepEqual(results, [false]);
    await advance(5000);
    assert.equal(attempts, 2);
    w.stop();
  });

  test('readiness waits for its gate, then probes each second until ready, then each period', async () => {
    let open = false;
    let attempts = 0;
    const results: boolean[] = [];
    const w = new ProbeWorker({
      kind: 'readiness',
      probe: { periodSeconds: 10 },
      attempt: async () => (attempts++, attempts >= 3),
      startedAt: Date.now(),
      gate: () => open,
      onResult: (ok) => results.push(ok),
    });
    await advance(0);
    await advance(1000);
    assert.equal(attempts, 0);
    open = true;
    await advance(1000);
    await advance(1000);
    await advance(1000);
    assert.equal(attempts, 3);
    assert.deepEqual(results, [true]);
    await advance(5000);
    assert.equal(attempts, 3);
    await advance(5000);
    assert.equal(attempts, 4);
    w.stop();
  });

  test('a startup probe stops once it succeeded', async () => {
    let attempts = 0;
    const w = new ProbeWorker({
      kind: 'startup',
      probe: { periodSeconds: 1 },
      attempt: async () => (attempts++, true),
      startedAt: Date.now(),
      onResult: () => {},
    });
    await advance(0);
    await advance(3000);
    assert.equal(attempts, 1);
    assert.equal(w.state.result, true);
    w.stop();
  });
});
