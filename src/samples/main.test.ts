import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sampleNodeArgs } from './run.js';
import { Capture, closedPort, request, spy } from './testkit.js';
import { startImage } from './run.js';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

/**
 * Test-only preload: writes "ready" on fd 3 once the program has registered its SIGTERM handler, so a test
 * signals a started process rather than one still loading (node's default disposition would kill it).
 */
const REPORT_SIGTERM_HANDLER =
  'data:text/javascript,' +
  encodeURIComponent(`import fs from 'node:fs';
const on = process.on.bind(process);
process.on = (event, fn) => {
  const r = on(event, fn);
  if (event === 'SIGTERM') fs.writeSync(3, 'ready\\n');
  return r;
};`);

interface Proc {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  ready: Promise<unknown>;
  code: Promise<number | null>;
}

const spawned: ChildProcess[] = [];
// A failed assertion must not leave a sleeping child holding the test run open.
after(() => spawned.forEach((c) => c.exitCode === null && c.signalCode === null && c.kill('SIGKILL')));

function run(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', REPORT_SIGTERM_HANDLER, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', MIZZEN_SAMPLES_BIND: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  spawned.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const ready = once(child.stdio[3] as NodeJS.ReadableStream, 'data');
  const code = once(child, 'close').then(([c]) => c as number | null);
  return { child, out: () => out, err: () => err, ready, code };
}

async function waitFor<T>(fn: () => T | undefined, ms = 5000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>(
    (_, rej) => (timer = setTimeout(() => rej(new Error(`no exit within ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('main.js', () => {
  it('refuses an image outside the catalogue, naming it and the catalogue', async () => {
    const p = run(['--image', 'registry.access.redhat.com/ubi8/ubi:latest', '--', 'sleep', '1']);
    const usage = run([]);
    assert.equal(await p.code, 1);
    assert.match(
      p.err(),
      /image "registry\.access\.redhat\.com\/ubi8\/ubi:latest" is not in the catalogue; available: .*docker\.io\/curlimages\/curl/,
    );
    assert.equal(await usage.code, 2);
    assert.match(usage.err(), /usage:/);
  });

  it('curl image with command sleep just sleeps, and stops on SIGTERM with 0', async () => {
    const p = run(sampleNodeArgs('docker.io/curlimages/curl:8.16.0', ['/bin/sleep', 'infinity']).slice(1));
    await p.ready;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(p.child.exitCode, null, 'sleep exited on its own');
    p.child.kill('SIGTERM');
    assert.equal(await withTimeout(p.code, 2000), 0);
  });

  describe('curl image given curl arguments', () => {
    let target: Awaited<ReturnType<typeof spy>>;
    before(async () => {
      target = await spy((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('hello from the target\n');
      });
    });
    after(() => target.close());

    it('runs the host curl when args start with an option or are not a command', async () => {
      const url = `http://127.0.0.1:${target.port}/x`;
      const a = run(
        sampleNodeArgs('curlimages/curl', undefined, ['-sS', '-H', 'x-request-id: q1', url]).slice(1),
      );
      const b = run(['--image', 'curlimages/curl', '--', '/entrypoint.sh', url]);
      const c = run(['--image', 'curlimages/curl', '--', '-sS', url]); // args without the entrypoint
      assert.equal(await a.code, 0);
      assert.equal(a.out(), 'hello from the target\n');
      const fromA = target.requests.find((r) => r.headers['x-request-id'] === 'q1');
      assert.match(String(fromA?.headers['user-agent']), /^curl\//);
      assert.equal(await b.code, 0);
      assert.equal(await c.code, 0);
      assert.equal(c.out(), 'hello from the target\n');
      assert.equal(b.out(), 'hello from the target\n');
    });

    it('reports curl failures through the exit code', async () => {
      const dead = await closedPort();
      const p = run(['--image', 'curlimages/curl', '--', 'curl', '-sS', `http://127.0.0.1:${dead}/`]);
      assert.equal(await p.code, 7); // curl: couldn't connect
    });
  });

  it('drains a server on SIGTERM: it serves through the lame-duck period, then refuses, exit 0', async () => {
    const p = run(['--image', 'mccutchen/go-httpbin:v2.15.0', '--', '/bin/go-httpbin', '-port', '0']);
    const port = await waitFor(() => /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(p.out())?.[1]);
    const url = `http://127.0.0.1:${port}`;
    const slow = request(`${url}/delay/0.6`);
    await new Promise((r) => setTimeout(r, 150));
    p.child.kill('SIGTERM');
    await waitFor(() => (p.out().includes('shutting down') ? true : undefined));
    // Still accepting while the pod's endpoint leaves the Service rules, but closing each connection.
    const during = await request(`${url}/get`);
    assert.equal(during.status, 200);
    assert.equal(during.headers.connection, 'close');
    const done = await slow;
    assert.equal(done.status, 200);
    assert.equal(JSON.parse(done.body).method, 'GET');
    assert.equal(await withTimeout(p.code, 8000), 0);
    await assert.rejects(request(`${url}/get`), /ECONNREFUSED/);
  });

  it('does not wait for idle keep-alive connections when stopping', async () => {
    const p = run(['--image', 'examples-bookinfo-details-v1', '--', 'ruby', 'details.rb', '0']);
    const port = await waitFor(() => /port=(\d+)/.exec(p.out())?.[1]);
    const agent = new http.Agent({ keepAlive: true });
    try {
      const body = await new Promise<string>((resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: Number(port), path: '/details/0', agent }, (res) => {
            let b = '';
            res.on('data', (c: Buffer) => (b += c.toString()));
            res.on('end', () => resolve(b));
          })
          .on('error', reject);
      });
      assert.equal(JSON.parse(body).author, 'William Shakespeare');
      p.child.kill('SIGTERM');
      // The lame-duck period (2 s) then exit; the idle connection does not hold it up.
      assert.equal(await withTimeout(p.code, 8000), 0);
      assert.match(p.out(), /"GET \/details\/0 HTTP\/1\.1" 200 \d+/);
    } finally {
      agent.destroy();
    }
  });
});

describe('generic commands in an image', () => {
  it('runs host programs with the container env and reports their exit code', async () => {
    const out = new Capture();
    const prog = await startImage('curlimages/curl', {
      command: ['/bin/sh', '-c', 'echo "hi $GREETING"; exit 3'],
      env: { GREETING: 'there' },
      stdout: out,
      stderr: out,
    });
    assert.equal(await prog.exited, 3);
    assert.equal(out.text, 'hi there\n');
  });

  it('fails like a runtime when the command does not exist', async () => {
    const out = new Capture();
    const prog = await startImage('examples-bookinfo-ratings-v1', {
      command: ['/no/such-binary'],
      stdout: out,
      stderr: out,
    });
    assert.equal(await prog.exited, 127);
    assert.match(out.text, /no\/such-binary.*not found/);
  });
});
