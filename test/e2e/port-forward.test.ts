// kubectl port-forward against the API server started in this process, with a port-forward source
// that reaches a local HTTP server on 127.0.0.1 (standing in for the pod's port). The real kubectl
// and curl do all the talking; everything here is asynchronous because the server shares the event
// loop with the test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  renderKubeconfig,
  startApiServer,
  type PodPortForwardSource,
  type RunningApiServer,
} from '../../src/apiserver/index.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let api: RunningApiServer;
let backend: http.Server;
let backendPort: number;
let env: NodeJS.ProcessEnv;
const children = new Set<ChildProcess>();
const upstreams = new Set<net.Socket>();
const calls: { pod: string; port: number }[] = [];
let barrierWaiting: http.ServerResponse[] = [];

const source: PodPortForwardSource = async ({ pod, port }) => {
  calls.push({ pod: pod.metadata.name!, port });
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (err) => reject(new Error(`dial tcp 127.0.0.1:${port}: ${err.message}`)));
  });
  upstreams.add(socket);
  socket.on('close', () => upstreams.delete(socket));
  return socket;
};

function run(cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}, timeout = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { env: { ...env, ...extraEnv }, timeout, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

async function kubectlOk(args: string[], input?: string): Promise<string> {
  if (input !== undefined) {
    const file = join(dir, `manifest-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, input);
    args = [...args, '-f', file];
  }
  const r = await run('kubectl', args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface PortForward {
  proc: ChildProcess;
  localPort: number;
  output(): { stdout: string; stderr: string };
  /** Interrupts kubectl as Ctrl-C does and waits for it to exit. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function portForward(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<PortForward> {
  const proc = spawn('kubectl', ['port-forward', ...args], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    'kubectl port-forward to listen',
    () => gone || /Forwarding from 127\.0\.0\.1:\d+/.test(stdout),
    30_000,
  );
  if (gone) throw new Error(`kubectl port-forward exited early:\n${stdout}${stderr}`);
  const localPort = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
  return {
    proc,
    localPort,
    output: () => ({ stdout, stderr }),
    exited,
    async stop() {
      proc.kill('SIGINT');
      return withTimeout(exited, 30_000, 'kubectl port-forward to exit after SIGINT');
    },
  };
}

/**
 * An HTTP/1.0 exchange read to EOF: the backend closes after answering, so the local connection
 * only ends if the close travels back through the data stream and kubectl finishes the request.
 */
async function untilEof(port: number, path: string): Promise<string> {
  const socket = net.connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.end(`GET ${path} HTTP/1.0\r\nHost: pod\r\n\r\n`);
  await withTimeout(
    once(socket, 'close'),
    30_000,
    `EOF from the forwarded connection (got ${JSON.stringify(text)})`,
  );
  return text;
}

const curl = (url: string, ...args: string[]) => run('curl', ['-sS', '--max-time', '30', ...args, url]);

/** A raw upgrade request with the admin credentials: the status and body when it is refused. */
async function rawUpgrade(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const kubeconfig = {
    ca: api.pki.caCertPem,
    cert: api.pki.adminCertPem,
    key: api.pki.adminKeyPem,
  };
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: url.hostname,
      port: url.port,
      path,
      method: 'POST',
      headers: { Connection: 'Upgrade', ...headers },
      ...kubeconfig,
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve({ status: 101, body: undefined });
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mizzen-port-forward-'));
  backend = http.createServer((req, res) => {
    if (req.url === '/hello') {
      res.end(`hello from ${req.headers.host}\n`);
    } else if (req.url === '/echo') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      req.pipe(res);
    } else if (req.url === '/barrier') {
      // Answers only once two requests are waiting: proof that two connections are open at once.
      barrierWaiting.push(res);
      if (barrierWaiting.length === 2) {
        for (const r of barrierWaiting) r.end('together\n');
        barrierWaiting = [];
      }
    } else {
      res.writeHead(404).end();
    }
  });
  backend.listen(0, '127.0.0.1');
  await once(backend, 'listening');
  backendPort = (backend.address() as net.AddressInfo).port;

  api = await startApiServer({ dataDir: join(dir, 'data') });
  api.setPodPortForward(source);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    renderKubeconfig({
      clusterName: 'port-forward',
      server: api.url,
      caPem: api.pki.caCertPem,
      user: { certPem: api.pki.adminCertPem, keyPem: api.pki.adminKeyPem },
    }),
    { mode: 0o600 },
  );
  env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'kube-cache') };
  delete env.KUBECTL_PORT_FORWARD_WEBSOCKETS;

  await kubectlOk(
    ['apply'],
    `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: web
    image: example.com/web:1
    ports:
    - {name: http, containerPort: ${backendPort}}
---
apiVersion: v1
kind: Pod
metadata:
  name: idle
spec:
  containers:
  - name: idle
    image: example.com/idle:1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 9080, targetPort: http}
`,
  );
  await kubectlOk([
    'patch',
    'pod',
    'web',
    '--subresource=status',
    '--type=merge',
    '-p',
    '{"status":{"phase":"Running"}}',
  ]);
});

after(async () => {
  for (const child of children) child.kill('SIGKILL');
  for (const socket of upstreams) socket.destroy();
  for (const r of barrierWaiting) r.destroy();
  await api?.close();
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve(undefined)));
  backend?.closeAllConnections();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function forwardsPodTraffic(transportEnv: NodeJS.ProcessEnv, method: 'GET' | 'POST'): Promise<void> {
  const local = await freePort();
  calls.length = 0;
  // -v=6 makes client-go log each request with its status, which shows which upgrade was used.
  const pf = await portForward(['pod/web', `${local}:${backendPort}`, '-v=6'], transportEnv);
  try {
    assert.equal(pf.localPort, local);
    const base = `http://127.0.0.1:${local}`;
    for (let i = 0; i < 4; i++) {
      const r = await curl(`${base}/hello`);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `hello from 127.0.0.1:${local}\n`);
    }

    const raw = await untilEof(local, '/hello');
    assert.match(raw, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhello from pod\n$/);

    const [a, b] = await Promise.all([curl(`${base}/barrier`), curl(`${base}/barrier`)]);
    assert.equal(a.stdout, 'together\n', a.stderr);
    assert.equal(b.stdout, 'together\n', b.stderr);

    const body = randomBytes(1024 * 1024);
    const bodyFile = join(dir, 'body.bin');
    const outFile = join(dir, 'echoed.bin');
    writeFileSync(bodyFile, body);
    const echoed = await curl(
      `${base}/echo`,
      '--data-binary',
      `@${bodyFile}`,
      '-H',
      'Content-Type: application/octet-stream',
      '-o',
      outFile,
    );
    assert.equal(echoed.code, 0, echoed.stderr);
    const sha = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
    assert.equal(sha(readFileSync(outFile)), sha(body));

    assert.equal(calls.length, 8);
    assert.ok(calls.every((c) => c.pod === 'web' && c.port === backendPort));
  } finally {
    const exit = await pf.stop();
    const { stdout, stderr } = pf.output();
    assert.deepEqual(exit, { code: 0, signal: null }, `${stdout}${stderr}`);
    const upgrade = new RegExp(`${method} https://[^ ]+/api/v1/namespaces/default/pods/web/portforward 101`);
    assert.match(stderr, upgrade);
    // klog error lines start with E; at -v=6 kubectl also logs (as I lines) reading its own closed socket.
    assert.doesNotMatch(stderr, /^E\d{4}|lost connection|^error:/m);
    assert.equal(stdout.match(/Handling connection for/g)?.length, 8);
  }
  // The pod side of every forwarded connection is closed once kubectl has gone.
  await waitFor('the pod connections to close', () => upstreams.size === 0);
}

test('kubectl port-forward pod/NAME over the WebSocket tunnel (kubectl 1.32 default)', async () => {
  await forwardsPodTraffic({}, 'GET');
});

test('kubectl port-forward pod/NAME over a plain SPDY upgrade (KUBECTL_PORT_FORWARD_WEBSOCKETS=false)', async () => {
  await forwardsPodTraffic({ KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }, 'POST');
});

test('kubectl port-forward svc/NAME resolves a pod by selector and the named targetPort', async () => {
  const local = await freePort();
  calls.length = 0;
  const pf = await portForward(['svc/web', `${local}:9080`]);
  try {
    const r = await curl(`http://127.0.0.1:${local}/hello`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `hello from 127.0.0.1:${local}\n`);
    assert.deepEqual(calls, [{ pod: 'web', port: backendPort }]);
    assert.match(
      pf.output().stdout,
      new RegExp(`Forwarding from 127\\.0\\.0\\.1:${local} -> ${backendPort}`),
    );
  } finally {
    assert.deepEqual(await pf.stop(), { code: 0, signal: null });
  }
});

test('a pod that does not exist: kubectl reports NotFound and exits non-zero', async () => {
  const r = await run('kubectl', ['port-forward', 'pod/nope', `${await freePort()}:80`]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(NotFound\): pods "nope" not found/);
});

test('nothing listening on the pod port: kubectl prints the error stream and stops', async () => {
  const closedPort = await freePort();
  const local = await freePort();
  const pf = await portForward(['pod/web', `${local}:${closedPort}`]);
  try {
    const r = await curl(`http://127.0.0.1:${local}/hello`);
    assert.notEqual(r.code, 0);
    // kubectl 1.32 gives up the whole session when the error stream carries a message.
    const exit = await withTimeout(pf.exited, 30_000, 'kubectl to exit');
    const { stderr } = pf.output();
    assert.deepEqual(exit, { code: 1, signal: null }, stderr);
    assert.match(
      stderr,
      new RegExp(
        `an error occurred forwarding ${local} -> ${closedPort}: error forwarding port ${closedPort} to pod web_default, uid [0-9a-f-]+: dial tcp 127\\.0\\.0\\.1:${closedPort}: connect ECONNREFUSED`,
      ),
    );
    assert.match(stderr, /error: lost connection to pod/);
  } finally {
    pf.proc.kill('SIGKILL');
  }
});

test('the server refuses bad port-forward requests with Kubernetes statuses', async () => {
  const spdy = { Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'portforward.k8s.io' };
  const base = '/api/v1/namespaces/default/pods';

  const missing = await rawUpgrade(`${base}/nope/portforward`, spdy);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.message, 'pods "nope" not found');

  const pending = await rawUpgrade(`${base}/idle/portforward`, spdy);
  assert.equal(pending.status, 400);
  assert.equal(
    pending.body.message,
    'unable to forward port because pod is not running. Current status=Pending',
  );

  for (const bad of ['0', '65536', 'http']) {
    const r = await rawUpgrade(`${base}/web/portforward?ports=${bad}`, spdy);
    assert.equal(r.status, 400, bad);
    assert.match(r.body.message, /port/);
  }
  assert.equal((await rawUpgrade(`${base}/web/portforward?ports=80`, spdy)).status, 101);

  const otherProtocol = await rawUpgrade(`${base}/web/portforward`, {
    ...spdy,
    'X-Stream-Protocol-Version': 'v4.channel.k8s.io',
  });
  assert.equal(otherProtocol.status, 403);

  api.setPodPortForward(undefined);
  try {
    const unsupported = await rawUpgrade(`${base}/web/portforward`, spdy);
    assert.equal(unsupported.status, 503);
    assert.match(unsupported.body.message, /pod web/);
  } finally {
    api.setPodPortForward(source);
  }

  const plain = await run('kubectl', ['get', '--raw', `${base}/web/portforward`]);
  assert.notEqual(plain.code, 0);
  assert.match(plain.stderr, /Upgrade request required/);
});
