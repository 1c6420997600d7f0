// The guide's Bookinfo on two nodes under change and failure: every reviews version answers, a
// rollout restart of every deployment loses no request, a killed container restarts, and a killed
// node agent makes its node NotReady until `mizzen up` brings it back without leaking anything.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { leaks, podNetnsName } from '../../src/netns/index.js';
import { clusterDir, processRunning, restartDaemon, until } from './cluster-process.js';
import { sharedDir, startCluster, type TestCluster } from './harness.js';

const SKIP = process.getuid?.() === 0 ? false : 'needs root (network namespaces)';
const bookinfoFile = join(sharedDir, 'upstream/istio/samples/bookinfo/platform/kube/bookinfo.yaml');
const CURL = 'docker.io/curlimages/curl:8.16.0';

let c: TestCluster;
const pods = (ns: string): any[] => JSON.parse(c.kubectlOk(['get', 'pods', '-n', ns, '-o', 'json'])).items;
const allRunning = (ns: string, count: number) => () => {
  const ps = pods(ns);
  return (
    ps.length === count &&
    ps.every((p) => p.status?.containerStatuses?.every((s: any) => s.ready) && !p.metadata.deletionTimestamp)
  );
};

before(async () => {
  if (SKIP) return;
  c = startCluster('res', { nodes: 2 });
  c.kubectlOk(['create', 'namespace', 'bookinfo']);
  c.kubectlOk(['apply', '-n', 'bookinfo', '-f', bookinfoFile]);
  c.kubectlOk(['run', 'client', '--image', CURL, '--command', '--', 'sleep', '3600']);
  await until('Bookinfo and the client to be Ready', allRunning('bookinfo', 6), 60_000, 500);
  await until('the client to be Ready', allRunning('default', 1), 30_000, 500);
});
after(async () => {
  if (SKIP) return;
  const name = c.name;
  c.down();
  assert.deepEqual(await leaks(name), []);
});

const productpage = (extra: string[] = []) =>
  c.kubectl([
    'exec',
    'client',
    '--',
    'curl',
    '-sS',
    '-m',
    '10',
    ...extra,
    'productpage.bookinfo:9080/productpage',
  ]);

test('repeated productpage requests show reviews v1, v2 and v3', { skip: SKIP }, async () => {
  const seen = new Set<string>();
  await until(
    'all three reviews versions',
    () => {
      const page = productpage().stdout;
      if (!page.includes('<title>Simple Bookstore App</title>')) return false;
      if (page.includes('color="red"')) seen.add('v3');
      else if (page.includes('color="black"')) seen.add('v2');
      else if (page.includes('Reviewer1')) seen.add('v1');
      return seen.size === 3;
    },
    60_000,
    0,
  );
});

test(
  'kubectl port-forward svc/productpage serves the page on the host; logs -f follows',
  { skip: SKIP },
  async () => {
    const local = await freePort();
    const pf = spawn('kubectl', ['port-forward', '-n', 'bookinfo', 'svc/productpage', `${local}:9080`], {
      env: c.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pfOut = '';
    pf.stdout!.on('data', (d: Buffer) => (pfOut += d.toString()));
    const follow = spawn('kubectl', ['logs', '-f', '-n', 'bookinfo', 'deploy/productpage-v1', '--tail=1'], {
      env: c.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let followed = '';
    follow.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
    try {
      await until(
        'port-forward to listen',
        () => pfOut.includes(`Forwarding from 127.0.0.1:${local}`),
        30_000,
        100,
      );
      for (let i = 0; i < 3; i++) {
        const r = spawnSync('curl', ['-sS', '-m', '10', `http://localhost:${local}/productpage`], {
          encoding: 'utf8',
        });
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /<title>Simple Bookstore App<\/title>/);
      }
      await until(
        'kubectl logs -f to show the forwarded requests',
        () => /GET \/productpage/.test(followed),
        20_000,
        100,
      );
    } finally {
      pf.kill('SIGINT');
      follow.kill('SIGINT');
    }
  },
);

test('rollout restart of every deployment loses no productpage request', { skip: SKIP }, async () => {
  const before = new Set(pods('bookinfo').map((p) => p.metadata.uid));
  // One long-lived loop in the client pod, through the productpage Service.
  const loop = spawn(
    'kubectl',
    [
      'exec',
      'client',
      '--',
      'sh',
      '-c',
      'while true; do curl -s -o /dev/null -m 10 -w "%{http_code}\\n" productpage.bookinfo:9080/productpage; sleep 0.05; done',
    ],
    { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const codes: string[] = [];
  let buf = '';
  loop.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    codes.push(...lines);
  });
  try {
    await until('the loop to get answers', () => codes.length >= 5, 30_000, 100);
    c.kubectlOk(['-n', 'bookinfo', 'rollout', 'restart', 'deployments']);
    for (const d of ['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'productpage-v1'])
      c.kubectlOk(['-n', 'bookinfo', 'rollout', 'status', `deployment/${d}`, '--timeout=120s'], {
        timeoutMs: 130_000,
      });
    await until(
      'every pod replaced',
      () => {
        const now = pods('bookinfo');
        return (
          now.length === 6 && now.every((p) => !before.has(p.metadata.uid)) && allRunning('bookinfo', 6)()
        );
      },
      60_000,
      500,
    );
    const n = codes.length;
    await until('a few more answers after the rollout', () => codes.length >= n + 5, 30_000, 100);
  } finally {
    loop.kill('SIGKILL');
  }
  const failed = codes.filter((x) => x !== '200');
  assert.ok(codes.length > 20, `only ${codes.length} requests were made`);
  assert.deepEqual(failed, [], `${failed.length} of ${codes.length} requests failed`);
});

test(
  'the upstream httpbin, curl and helloworld samples run and answer each other',
  { skip: SKIP },
  async () => {
    c.kubectlOk(['create', 'namespace', 'samples']);
    for (const f of ['httpbin/httpbin.yaml', 'curl/curl.yaml', 'helloworld/helloworld.yaml'])
      c.kubectlOk(['apply', '-n', 'samples', '-f', join(sharedDir, 'upstream/istio/samples', f)]);
    await until('the samples to be Ready', allRunning('samples', 4), 60_000, 500);
    const get = c.kubectlOk(['exec', '-n', 'samples', 'deploy/curl', '--', 'curl', '-s', 'httpbin:8000/get']);
    assert.equal(JSON.parse(get).url, 'http://httpbin:8000/get');
    const versions = new Set<string>();
    await until(
      'both helloworld versions',
      () => {
        const out = c.kubectlOk([
          'exec',
          '-n',
          'samples',
          'deploy/curl',
          '--',
          'curl',
          '-s',
          'helloworld:5000/hello',
        ]);
        const m = /^Hello version: (v[12]), instance: (helloworld-v[12]-\S+)$/.exec(out.trim());
        assert.ok(m, out);
        assert.ok(m[2]!.startsWith(`helloworld-${m[1]}-`), out);
        versions.add(m[1]!);
        return versions.size === 2;
      },
      60_000,
      0,
    );
  },
);

/** The host pid of a container's first process, from its node agent's pid file. */
function containerPid(p: any, container: string): number {
  const dir = join(
    clusterDir(c),
    'nodes',
    p.spec.nodeName,
    'pods',
    `${p.metadata.namespace}_${p.metadata.name}_${p.metadata.uid}`,
  );
  return Number(readFileSync(join(dir, `${container}.pid`), 'utf8'));
}

test('kill -9 of a container process: it restarts and its restart count grows', { skip: SKIP }, async () => {
  const p = pods('bookinfo').find((x) => x.metadata.name.startsWith('details-'))!;
  const pid = containerPid(p, 'details');
  process.kill(pid, 'SIGKILL');
  const st = await until(
    'the details container to run again',
    () => {
      const s = JSON.parse(c.kubectlOk(['get', 'pod', '-n', 'bookinfo', p.metadata.name, '-o', 'json']))
        .status.containerStatuses[0];
      return s.restartCount >= 1 && s.state.running ? s : undefined;
    },
    60_000,
    500,
  );
  assert.equal(st.lastState.terminated.exitCode, 137);
  assert.notEqual(containerPid(p, 'details'), pid);
  // The killed run's log is still there for --previous.
  const prev = c.kubectl(['logs', '-n', 'bookinfo', p.metadata.name, '--previous']);
  assert.equal(prev.code, 0, prev.stderr);
});

test(
  'kill -9 of a node agent: NotReady, then `mizzen up` reconciles without leaks',
  { skip: SKIP },
  async () => {
    const node = `${c.name}-worker`;
    const agentPidFile = join(clusterDir(c), 'nodes', node, 'agent.pid');
    const agent = Number(readFileSync(agentPidFile, 'utf8'));
    process.kill(agent, 'SIGKILL');
    await until('the agent to exit', () => !processRunning(agent), 10_000, 50);
    const ready = () =>
      JSON.parse(c.kubectlOk(['get', 'node', node, '-o', 'json'])).status.conditions.find(
        (x: any) => x.type === 'Ready',
      ).status;
    // The node controller's grace period is 40 s, as upstream.
    await until('the node to leave Ready', () => ready() !== 'True', 90_000, 1000);
    assert.match(c.kubectlOk(['get', 'node', node, '--no-headers']), /NotReady/);
    await restartDaemon(c);
    assert.notEqual(Number(readFileSync(agentPidFile, 'utf8')), agent);
    await until('the node to be Ready again', () => ready() === 'True', 60_000, 500);
    await until('Bookinfo to be Ready again', allRunning('bookinfo', 6), 60_000, 500);
    // Exactly one network namespace per pod, and none of a pod that no longer exists.
    const expected = new Set([
      `mizzen-${c.name}`,
      ...JSON.parse(c.kubectlOk(['get', 'pods', '-A', '-o', 'json'])).items.map((p: any) =>
        podNetnsName(c.name, p.metadata.uid),
      ),
    ]);
    const present = readdirSync('/run/netns').filter(
      (n) => n === `mizzen-${c.name}` || n.startsWith(`mizzen-${c.name}-`),
    );
    assert.deepEqual(new Set(present), expected);
    assert.match(productpage().stdout, /<title>Simple Bookstore App<\/title>/);
  },
);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
