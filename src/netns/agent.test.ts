import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { NetnsAgent, NetnsAgentError } from './agent.js';
import { run } from './exec.js';
import {
  SKIP_UNLESS_ROOT,
  addTestNetns,
  deleteNetns,
  nodeInNetns,
  stopChild,
  testClusterName,
} from './netns-fixtures.js';

const execFileP = promisify(execFile);

describe('NetnsAgent', { skip: SKIP_UNLESS_ROOT }, () => {
  const ns = `mizzen-${testClusterName('agent')}`;
  let agent: NetnsAgent | undefined;
  let hostServer: http.Server | undefined;
  const cleanups: Array<() => unknown> = [];

  before(async () => {
    await addTestNetns(ns);
    agent = await NetnsAgent.start(ns);
    hostServer = http.createServer((req, res) => res.end(`host answered ${req.url}`));
    await new Promise<void>((r) => hostServer!.listen(0, '127.0.0.1', r));
  });

  after(async () => {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
    hostServer?.close();
    await agent?.close();
    await deleteNetns(ns);
  });

  it('runs its helper inside the namespace', async () => {
    const { stdout } = await execFileP('readlink', [`/proc/${agent!.pid}/ns/net`]);
    const { stdout: ino } = await execFileP('stat', ['-L', '-c', '%i', `/run/netns/${ns}`]);
    assert.equal(stdout.trim(), `net:[${ino.trim()}]`);
  });

  it('listens inside the namespace and lets the host serve its connections', async () => {
    const hostPort = (hostServer!.address() as net.AddressInfo).port;
    // The same port as the host server: only possible because the listener is in another namespace.
    const server = await agent!.listen('127.0.0.1', hostPort);
    cleanups.push(() => server.close());
    assert.equal((server.address() as net.AddressInfo).port, hostPort);
    server.on('connection', (inbound) => {
      const upstream = net.connect(hostPort, '127.0.0.1');
      inbound.pipe(upstream).pipe(inbound);
      upstream.on('error', () => inbound.destroy());
      inbound.on('error', () => upstream.destroy());
    });
    const body = await run([
      'ip',
      'netns',
      'exec',
      ns,
      'curl',
      '-sS',
      '--noproxy',
      '*',
      '--max-time',
      '5',
      `http://127.0.0.1:${hostPort}/x`,
    ]);
    assert.equal(body, 'host answered /x');
  });

  it('connects from inside the namespace without losing a server greeting', async () => {
    const { child, firstLine } = await nodeInNetns(
      ns,
      `const s=require('net').createServer(c=>{c.write('hello\\n');c.on('data',d=>c.end('echo:'+d))});` +
        `s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`,
    );
    cleanups.push(() => stopChild(child));
    const port = Number(firstLine);
    // Nothing listens on that port in the host namespace.
    await assert.rejects(
      new Promise((res, rej) => net.connect(port, '127.0.0.1').on('connect', res).on('error', rej)),
      /ECONNREFUSED/,
    );
    const socket = await agent!.connect('127.0.0.1', port, 2000);
    await new Promise((r) => setTimeout(r, 50)); // the greeting arrives before anyone reads
    let got = '';
    socket.setEncoding('utf8').on('data', (d) => (got += d));
    socket.write('ping');
    await new Promise((r) => socket.on('end', r));
    assert.equal(got, 'hello\necho:ping');
  });

  it('reports connection refused with the namespace and address', async () => {
    const err = await agent!.connect('127.0.0.1', 1, 1000).catch((e) => e);
    assert.ok(err instanceof NetnsAgentError);
    assert.equal(err.code, 'ECONNREFUSED');
    assert.match(
      err.message,
      new RegExp(`connect to 127\\.0\\.0\\.1:1 in network namespace ${ns}: connection refused`),
    );
  });

  it('reports an address in use', async () => {
    const first = await agent!.listen('127.0.0.1', 0);
    cleanups.push(() => first.close());
    const port = (first.address() as net.AddressInfo).port;
    const err = await agent!.listen('127.0.0.1', port).catch((e) => e);
    assert.equal(err.code, 'EADDRINUSE');
    assert.match(err.message, /listen on 127\.0\.0\.1:\d+ in network namespace .*: address already in use/);
  });

  it('reports an address that is not in the namespace', async () => {
    const err = await agent!.listen('10.99.0.1', 0).catch((e) => e);
    assert.equal(err.code, 'EADDRNOTAVAIL');
  });

  it('times out a connection that is never answered', async () => {
    // Dropped inside the test namespace, so the SYN never leaves it.
    await run([
      'ip',
      'netns',
      'exec',
      ns,
      'iptables',
      '-A',
      'OUTPUT',
      '-p',
      'tcp',
      '-d',
      '127.0.0.1',
      '--dport',
      '9',
      '-j',
      'DROP',
    ]);
    const t0 = Date.now();
    const err = await agent!.connect('127.0.0.1', 9, 300).catch((e) => e);
    assert.equal(err.code, 'ETIMEDOUT');
    assert.match(err.message, /timed out/);
    assert.ok(Date.now() - t0 < 2000);
  });

  it('binds UDP sockets inside the namespace', async () => {
    const a = await agent!.bindUdp('127.0.0.1', 0);
    const b = await agent!.bindUdp('127.0.0.1', 0);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const got = new Promise<string>((r) => a.once('message', (m) => r(m.toString())));
    b.send('datagram', a.address().port, '127.0.0.1');
    assert.equal(await got, 'datagram');
  });

  it('refuses a namespace that does not exist', async () => {
    const err = await NetnsAgent.start('mizzen-no-such-ns').catch((e) => e);
    assert.equal(err.code, 'ENOENT');
    assert.match(err.message, /mizzen-no-such-ns does not exist/);
  });

  it('rejects requests once the helper is gone, while handed-over servers keep working', async () => {
    const other = await NetnsAgent.start(ns);
    const server = await other.listen('127.0.0.1', 0);
    cleanups.push(() => server.close());
    server.on('connection', (c) => c.end('still here'));
    await other.close();
    const err = await other.connect('127.0.0.1', 1).catch((e) => e);
    assert.equal(err.code, 'EAGENTEXIT');
    const port = (server.address() as net.AddressInfo).port;
    assert.equal(
      await run([
        'ip',
        'netns',
        'exec',
        ns,
        'curl',
        '-sS',
        '--noproxy',
        '*',
        '--max-time',
        '5',
        `telnet://127.0.0.1:${port}`,
      ]),
      'still here',
    );
  });
});
