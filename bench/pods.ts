// Node runtime benchmark: a private two-node cluster through the `mizzen` CLI, then
//  - `mizzen up` wall time;
//  - Bookinfo: `kubectl apply` to all six pods Ready (the guide's first wait);
//  - pod start latency: from the create request to the watch seeing Ready=True, for pods created one
//    after another (p50, p99) and for a burst created together;
//  - memory per idle pod: proportional set size (PSS) of the processes in each pod's network
//    namespace, and how much the node agents grow per pod.
// Run: `npm run build && node dist/bench/pods.js [--pods 40] [--burst 20]`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { KubeClient } from '../src/kube/index.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const mizzenBin = join(repoRoot, 'bin', 'mizzen.js');
const sharedDir = resolve(repoRoot, '..', 'shared');

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  const r = spawnSync(cmd, args, { env, input, encoding: 'utf8', timeout: 180_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** Resolves with the time each named pod was first seen Ready by a watch. */
function readyWatcher(client: KubeClient, namespace: string) {
  const seen = new Map<string, number>();
  const waiters: Array<{ names: Set<string>; resolve(): void }> = [];
  const check = () => {
    for (const w of [...waiters])
      if ([...w.names].every((n) => seen.has(n))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
  };
  const onPod = (p: any) => {
    const ready = (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    if (ready && !seen.has(p.metadata.name)) seen.set(p.metadata.name, performance.now());
    check();
  };
  const informer = client.informer(`/api/v1/namespaces/${namespace}/pods`, {
    onSync: (pods) => pods.forEach(onPod),
    onEvent: (type, p) => type !== 'DELETED' && onPod(p),
    onError: () => {},
  });
  return {
    seen,
    synced: informer.synced,
    all: (names: string[]) =>
      new Promise<void>((resolve) => {
        waiters.push({ names: new Set(names), resolve });
        check();
      }),
    stop: () => informer.stop(),
  };
}

function netnsInodes(prefix: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const n of readdirSync('/run/netns'))
    if (n.startsWith(prefix)) {
      out.set(statSync(`/run/netns/${n}`).ino, n);
    }
  return out;
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function rssKiB(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** PSS summed over the processes in each of the given namespaces. */
function podMemory(inodes: Map<number, string>): number[] {
  const perNs = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    let ino: number;
    try {
      ino = Number(/\[(\d+)\]/.exec(readlinkSync(`/proc/${e}/ns/net`))?.[1]);
    } catch {
      continue;
    }
    if (inodes.has(ino)) perNs.set(ino, (perNs.get(ino) ?? 0) + pssKiB(Number(e)));
  }
  return [...perNs.values()];
}

async function main(): Promise<void> {
  const podCount = arg('--pods', 40);
  const burst = arg('--burst', 20);
  const home = mkdtempSync(join(os.tmpdir(), 'mizzen-bench-'));
  const name = `bench-${process.pid}`;
  const env = { ...process.env, MIZZEN_HOME: home, HOME: home };
  const kubeconfig = join(home, 'clusters', name, 'kubeconfig');
  const kenv = { ...env, KUBECONFIG: kubeconfig };
  console.log(
    `machine: ${os.cpus()[0]?.model} x${os.cpus().length}, node ${process.version}, load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  try {
    let t = performance.now();
    run(process.execPath, [mizzenBin, 'up', '--name', name, '--nodes', '2'], env);
    console.log(`mizzen up (2 nodes):                 ${ms(performance.now() - t)}`);
    const client = KubeClient.fromFile(kubeconfig);
    const agents = readdirSync(join(home, 'clusters', name, 'nodes')).map((n) =>
      Number(readFileSync(join(home, 'clusters', name, 'nodes', n, 'agent.pid'), 'utf8')),
    );

    run('kubectl', ['create', 'namespace', 'bookinfo'], kenv);
    const bw = readyWatcher(client, 'bookinfo');
    await bw.synced;
    t = performance.now();
    run(
      'kubectl',
      [
        'apply',
        '-n',
        'bookinfo',
        '-f',
        join(sharedDir, 'upstream/istio/samples/bookinfo/platform/kube/bookinfo.yaml'),
      ],
      kenv,
    );
    await new Promise<void>((r) => {
      const tick = () => (bw.seen.size >= 6 ? r() : setTimeout(tick, 20));
      tick();
    });
    console.log(`Bookinfo apply -> 6 pods Ready:       ${ms(performance.now() - t)}`);
    bw.stop();

    run('kubectl', ['create', 'namespace', 'bench'], kenv);
    const w = readyWatcher(client, 'bench');
    await w.synced;
    const pod = (n: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: n, namespace: 'bench' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'c', image: 'curlimages/curl', command: ['sleep', '3600'] }],
      },
    });
    const serial: number[] = [];
    for (let i = 0; i < podCount; i++) {
      const n = `serial-${i}`;
      const start = performance.now();
      await client.request('POST', '/api/v1/namespaces/bench/pods', pod(n));
      await w.all([n]);
      serial.push(w.seen.get(n)! - start);
    }
    console.log(
      `pod start, one at a time (n=${podCount}):  p50 ${ms(pct(serial, 50))}, p99 ${ms(pct(serial, 99))}, max ${ms(Math.max(...serial))}`,
    );
    const names = Array.from({ length: burst }, (_, i) => `burst-${i}`);
    const start = performance.now();
    await Promise.all(names.map((n) => client.request('POST', '/api/v1/namespaces/bench/pods', pod(n))));
    await w.all(names);
    const lat = names.map((n) => w.seen.get(n)! - start);
    console.log(
      `pod start, burst of ${burst}:              p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}, all Ready ${ms(Math.max(...lat))}`,
    );
    w.stop();

    await new Promise((r) => setTimeout(r, 3000)); // let the pods settle to idle
    const inodes = netnsInodes(`mizzen-${name}-`);
    const mem = podMemory(inodes);
    const pods = mem.length;
    console.log(
      `memory per idle pod (PSS, n=${pods}):     p50 ${(pct(mem, 50) / 1024).toFixed(1)} MiB, mean ${(mem.reduce((a, b) => a + b, 0) / pods / 1024).toFixed(1)} MiB`,
    );
    console.log(
      `node agents RSS with ${pods} pods:         ${agents.map((p) => `${(rssKiB(p) / 1024).toFixed(0)} MiB`).join(', ')}`,
    );
  } finally {
    spawnSync(process.execPath, [mizzenBin, 'down', '--name', name], { env, stdio: 'inherit' });
    rmSync(home, { recursive: true, force: true });
  }
}

await main();
