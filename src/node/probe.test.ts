import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { probeOnce, type Connect } from './probe.js';

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
