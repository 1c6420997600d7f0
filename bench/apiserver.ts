// API server benchmark: starts a private cluster through the `mizzen` CLI and measures, over HTTPS
// with the admin client certificate and keep-alive connections, what a controller-heavy workload
// needs: create and get throughput, the cost of large lists (JSON and Table), and how quickly
// watchers hear about writes. Run: `npm run build && npm run bench`.
//
// Options: --cpu-prof <dir>   run the daemon under `node --cpu-prof` and print its hottest functions
//          --objects <n>      objects to create and list (default 5000)
//          --writes <n>       writes observed by the watchers (default 1000)
//          --watchers <n>     concurrent watchers (default 100)
//          --phases <list>    which measurements to run: creates,gets,lists,watch (default all;
//                             gets and lists need creates)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { summarizeCpuProfile } from './cpuprofile.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const mizzenBin = join(repoRoot, 'bin', 'mizzen.js');

interface Options {
  objects: number;
  writes: number;
  watchers: number;
  concurrency: number;
  cpuProfDir?: string;
  phases: Set<string>;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    objects: 5000,
    writes: 1000,
    watchers: 100,
    concurrency: 32,
    phases: new Set(['creates', 'gets', 'lists', 'watch']),
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    switch (argv[i]) {
      case '--objects':
        o.objects = Number(v);
        i++;
        break;
      case '--writes':
        o.writes = Number(v);
        i++;
        break;
      case '--watchers':
        o.watchers = Number(v);
        i++;
        break;
      case '--phases':
        o.phases = new Set(v.split(','));
        i++;
        break;
      case '--cpu-prof':
        o.cpuProfDir = resolve(v);
        i++;
        break;
      default:
        throw new Error(`unknown option ${argv[i]}`);
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// The cluster under test

class BenchCluster {
  readonly home = mkdtempSync(join(os.tmpdir(), 'mizzen-bench-'));
  readonly name = `bench-${process.pid}`;
  readonly env: NodeJS.ProcessEnv = { ...process.env, MIZZEN_HOME: this.home };
  private profiled?: ChildProcess;
  private removed = false;

  get dir(): string {
    return join(this.home, 'clusters', this.name);
  }

  private cli(args: string[]): void {
    const r = spawnSync(process.execPath, [mizzenBin, ...args], {
      env: this.env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (r.status !== 0)
      throw new Error(`mizzen ${args.join(' ')} failed (${r.status}): ${r.stdout}${r.stderr}`);
  }

  up(): void {
    this.cli(['up', '--name', this.name]);
  }

  daemonPid(): number {
    return Number(readFileSync(join(this.dir, 'daemon.pid'), 'utf8').trim());
  }

  /** Replaces the daemon `up` started with one under `node --cpu-prof` (same state, same port). */
  async restartProfiled(profDir: string): Promise<void> {
    const pid = this.daemonPid();
    process.kill(pid, 'SIGTERM');
    // A daemon told to stop right after it started may never exit (see the report of this bench);
    // its state is durable, so fall back to SIGKILL as `mizzen down` does.
    await waitFor(`daemon ${pid} to exit`, () => !running(pid), 5_000).catch(() =>
      process.kill(pid, 'SIGKILL'),
    );
    await waitFor(`daemon ${pid} to exit after SIGKILL`, () => !running(pid), 10_000);
    rmSync(join(this.dir, 'daemon.pid'), { force: true });
    mkdirSync(profDir, { recursive: true });
    this.profiled = spawn(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${profDir}`, mizzenBin, 'daemon', '--name', this.name],
      {
        env: this.env,
        stdio: 'ignore',
      },
    );
    await waitFor(
      'the profiled daemon to be ready',
      () => existsSync(join(this.dir, 'daemon.pid')),
      60_000,
      50,
    );
  }

  /** Stops a profiled daemon with SIGTERM so that it writes its profile. */
  async stopProfiled(): Promise<void> {
    const child = this.profiled;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  down(): void {
    if (this.removed) return;
    this.removed = true;
    try {
      this.cli(['down', '--name', this.name]);
    } finally {
      rmSync(this.home, { recursive: true, force: true });
    }
  }
}

function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

async function waitFor(what: string, probe: () => boolean, timeoutMs: number, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// ---------------------------------------------------------------------------------------------
// HTTPS client with the kubeconfig's credentials

interface Target {
  host: string;
  port: number;
  tls: { ca: string; cert: string; key: string };
}

function loadTarget(kubeconfigPath: string): Target {
  const kc = parseYaml(readFileSync(kubeconfigPath, 'utf8'));
  const ctx = kc.contexts.find((c: any) => c.name === kc['current-context']).context;
  const cluster = kc.clusters.find((c: any) => c.name === ctx.cluster).cluster;
  const user = kc.users.find((u: any) => u.name === ctx.user).user;
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  const url = new URL(cluster.server);
  return {
    host: url.hostname,
    port: Number(url.port),
    tls: {
      ca: b64(cluster['certificate-authority-data']),
      cert: b64(user['client-certificate-data']),
      key: b64(user['client-key-data']),
    },
  };
}

const TABLE_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

class Client {
  readonly agent: https.Agent;

  constructor(
    private readonly t: Target,
    maxSockets: number,
  ) {
    this.agent = new https.Agent({ ...t.tls, keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** Resolves with the status and the raw body; the caller parses only what it needs. */
  request(
    method: string,
    path: string,
    body?: unknown,
    accept = 'application/json',
  ): Promise<{ status: number; text: string }> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: this.t.host,
          port: this.t.port,
          method,
          path,
          agent: this.agent,
          headers: {
            Accept: accept,
            ...(data
              ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  async ok(method: string, path: string, body?: unknown, accept?: string): Promise<string> {
    const r = await this.request(method, path, body, accept);
    if (r.status < 200 || r.status >= 300)
      throw new Error(`${method} ${path}: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    return r.text;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `total` jobs with `concurrency` workers; returns the elapsed seconds. */
async function closedLoop(
  total: number,
  concurrency: number,
  job: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < total; i = next++) await job(i);
    }),
  );
  return (performance.now() - start) / 1000;
}

const configMap = (ns: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels: { app: 'bench', shard: String(name.length % 7) } },
  data: { 'config.yaml': `name: ${name}\nreplicas: 3\nimage: registry.example/app:1.2.3\n`, owner: 'bench' },
});

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks are 1/100 s on Linux). */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const clientCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Runs a phase and reports the CPU both processes spent on it, per operation. */
async function phase<T>(
  serverPid: number,
  ops: number,
  run: () => Promise<T>,
): Promise<{ result: T; serverMsPerOp: number; clientMsPerOp: number }> {
  const s0 = processCpuSeconds(serverPid);
  const c0 = clientCpuSeconds();
  const result = await run();
  return {
    result,
    serverMsPerOp: ((processCpuSeconds(serverPid) - s0) * 1000) / ops,
    clientMsPerOp: ((clientCpuSeconds() - c0) * 1000) / ops,
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );

// ---------------------------------------------------------------------------------------------
// Watch latency

interface Watcher {
  /** resourceVersion -> performance.now() when the event's line was complete. */
  received: Map<number, number>;
  close(): void;
}

function openWatcher(t: Target, path: string): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const received = new Map<number, number>();
    const req = https.get(
      { host: t.host, port: t.port, path, agent: false, ...t.tls, headers: { Accept: 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.socket.setNoDelay(true);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            // Only the resourceVersion is needed; avoid a full parse so the client stays cheap.
            const m = /"resourceVersion":"(\d+)"/.exec(line);
            if (m && !received.has(Number(m[1]))) received.set(Number(m[1]), now);
          }
        });
        resolve({ received, close: () => req.destroy() });
      },
    );
    req.on('error', (e) => reject(e));
  });
}

interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

function percentiles(xs: number[]): Percentiles {
  const sorted = [...xs].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
  };
}

interface WatchResult {
  /** From the write's acknowledgement (response fully read) to the event at each watcher. */
  fromAck: Percentiles;
  /** From sending the write to the event at each watcher (includes the write itself). */
  fromSend: Percentiles;
  /** Events that arrived before the client had read the write's acknowledgement. */
  beforeAck: number;
  samples: number;
  missing: number;
}

async function measureWatch(t: Target, client: Client, opts: Options): Promise<WatchResult> {
  const ns = 'bench-watch';
  await client.ok('POST', '/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: ns },
  });
  const list = JSON.parse(await client.ok('GET', `/api/v1/namespaces/${ns}/configmaps`));
  const rv = list.metadata.resourceVersion;
  const watchers: Watcher[] = [];
  for (let i = 0; i < opts.watchers; i += 20) {
    const batch = Math.min(20, opts.watchers - i);
    watchers.push(
      ...(await Promise.all(
        Array.from({ length: batch }, () =>
          openWatcher(t, `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`),
        ),
      )),
    );
  }
  // One writer, each write sent once the previous one was acknowledged: latency is measured
  // from each acknowledgement, without a pile-up of writes in flight.
  const acked = new Map<number, { sent: number; acked: number }>();
  for (let i = 0; i < opts.writes; i++) {
    const sent = performance.now();
    const text = await client.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, `w-${i}`));
    acked.set(Number(/"resourceVersion":"(\d+)"/.exec(text)![1]), { sent, acked: performance.now() });
  }
  const lastRv = Math.max(...acked.keys());
  await waitFor(
    'all watchers to receive the last write',
    () => watchers.every((w) => w.received.has(lastRv)),
    30_000,
    5,
  ).catch(() => undefined);
  const fromAck: number[] = [];
  const fromSend: number[] = [];
  let missing = 0;
  let beforeAck = 0;
  for (const w of watchers) {
    for (const [rv, at] of acked) {
      const got = w.received.get(rv);
      if (got === undefined) {
        missing++;
        continue;
      }
      // The server may fan an event out before it writes the response: that counts as zero.
      if (got < at.acked) beforeAck++;
      fromAck.push(Math.max(0, got - at.acked));
      fromSend.push(got - at.sent);
    }
    w.close();
  }
  return {
    fromAck: percentiles(fromAck),
    fromSend: percentiles(fromSend),
    beforeAck,
    samples: fromAck.length,
    missing,
  };
}

// ---------------------------------------------------------------------------------------------

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const cluster = new BenchCluster();
  let client: Client | undefined;
  const onSignal = () => {
    client?.close();
    cluster.down();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows: [string, string, string, string][] = [];
  try {
    const t0 = performance.now();
    cluster.up();
    rows.push(['cluster start (mizzen up)', `${fmt((performance.now() - t0) / 1000, 1)} s`, '', '']);
    if (opts.cpuProfDir) await cluster.restartProfiled(opts.cpuProfDir);
    const target = loadTarget(join(cluster.dir, 'kubeconfig'));
    client = new Client(target, opts.concurrency);
    const c = client;
    const ns = 'bench';
    await c.ok('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    await c.ok('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'bench-warmup' },
    });

    // Warm-up: open the keep-alive connections and let both sides' JIT settle.
    await closedLoop(500, opts.concurrency, (i) =>
      c.ok('POST', '/api/v1/namespaces/bench-warmup/configmaps', configMap('bench-warmup', `warm-${i}`)),
    );
    await closedLoop(500, opts.concurrency, (i) =>
      c.ok('GET', `/api/v1/namespaces/bench-warmup/configmaps/warm-${i}`),
    );

    const serverPid = cluster.daemonPid();
    const load = os.loadavg()[0];
    const perOp = (ms: number) => `${fmt(ms, 3)} ms`;

    const goals: [string, boolean][] = [];
    if (opts.phases.has('creates')) {
      const creates = await phase(serverPid, opts.objects, () =>
        closedLoop(opts.objects, opts.concurrency, (i) =>
          c.ok('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, `cm-${i}`)),
        ),
      );
      const createRate = opts.objects / creates.result;
      rows.push([
        `creates/s (ConfigMap, concurrency ${opts.concurrency}, ${fmt(opts.objects)})`,
        fmt(createRate),
        perOp(creates.serverMsPerOp),
        perOp(creates.clientMsPerOp),
      ]);
      goals.push([`creates/s >= 2,000`, createRate >= 2000]);
    }

    if (opts.phases.has('gets')) {
      const getCount = opts.objects * 2;
      const gets = await phase(serverPid, getCount, () =>
        closedLoop(getCount, opts.concurrency, (i) =>
          c.ok('GET', `/api/v1/namespaces/${ns}/configmaps/cm-${(i * 7919) % opts.objects}`),
        ),
      );
      rows.push([
        `gets/s (concurrency ${opts.concurrency}, ${fmt(getCount)})`,
        fmt(getCount / gets.result),
        perOp(gets.serverMsPerOp),
        perOp(gets.clientMsPerOp),
      ]);
    }

    for (const [label, accept] of opts.phases.has('lists')
      ? ([
          ['JSON', 'application/json'],
          ['Table', TABLE_ACCEPT],
        ] as const)
      : []) {
      const times: number[] = [];
      let bytes = 0;
      const lists = await phase(serverPid, 5, async () => {
        for (let i = 0; i < 5; i++) {
          const start = performance.now();
          const text = await c.ok('GET', `/api/v1/namespaces/${ns}/configmaps`, undefined, accept);
          times.push(performance.now() - start);
          bytes = text.length;
          if (i === 0) {
            const parsed = JSON.parse(text);
            const n = label === 'JSON' ? parsed.items.length : parsed.rows.length;
            if (n < opts.objects)
              throw new Error(`the ${label} list returned ${n} objects, expected at least ${opts.objects}`);
          }
        }
      });
      rows.push([
        `list ${fmt(opts.objects)} ConfigMaps, ${label} (median of 5, ${fmt(bytes / 1e6, 1)} MB)`,
        `${fmt(median(times), 1)} ms`,
        perOp(lists.serverMsPerOp),
        perOp(lists.clientMsPerOp),
      ]);
    }

    if (opts.phases.has('watch')) {
      const watch = await phase(serverPid, opts.writes, () => measureWatch(target, c, opts));
      const w = watch.result;
      const tag = `${opts.watchers} watchers, ${fmt(opts.writes)} sequential writes`;
      rows.push([
        `watch: ack -> event p50 / p99 (${tag})`,
        `${fmt(w.fromAck.p50, 2)} / ${fmt(w.fromAck.p99, 2)} ms`,
        perOp(watch.serverMsPerOp),
        perOp(watch.clientMsPerOp),
      ]);
      rows.push([
        `watch: events already there at ack / received / missing`,
        `${fmt(w.beforeAck)} / ${fmt(w.samples)} / ${fmt(w.missing)}`,
        '',
        '',
      ]);
      rows.push([
        `watch: write sent -> event p50 / p90`,
        `${fmt(w.fromSend.p50, 2)} / ${fmt(w.fromSend.p90, 2)} ms`,
        '',
        '',
      ]);
      rows.push([
        `watch: write sent -> event p99 / max`,
        `${fmt(w.fromSend.p99, 2)} / ${fmt(w.fromSend.max, 2)} ms`,
        '',
        '',
      ]);
      goals.push([`watch p99 (from ack) < 10 ms`, w.missing === 0 && w.fromAck.p99 < 10]);
      goals.push([`watch p99 (from send) < 10 ms`, w.missing === 0 && w.fromSend.p99 < 10]);
    }

    const cpus = os.cpus();
    console.log(`\nmizzen API server benchmark`);
    console.log(
      `machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB, ${os.type()} ${os.release()}, node ${process.version}`,
    );
    console.log(
      `load average before the run ${fmt(load, 2)}, after ${fmt(os.loadavg()[0], 2)}; client and server share the machine; HTTPS, client certificates, keep-alive`,
    );
    console.log(
      `CPU columns: user+system CPU per operation of the daemon and of this client (per write for the watch rows)\n`,
    );
    const header: [string, string, string, string] = ['metric', 'result', 'server CPU/op', 'client CPU/op'];
    const all = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    for (const r of all)
      console.log(
        r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('   '),
      );
    if (goals.length)
      console.log(`\ngoals: ${goals.map(([g, okay]) => `${g}: ${okay ? 'met' : 'MISSED'}`).join('; ')}`);
  } finally {
    client?.close();
    try {
      if (opts.cpuProfDir) {
        await cluster.stopProfiled();
        const profiles = existsSync(opts.cpuProfDir)
          ? readdirSync(opts.cpuProfDir).filter((f) => f.endsWith('.cpuprofile'))
          : [];
        const latest = profiles.sort().at(-1);
        if (latest) {
          console.log(`\ndaemon CPU profile: ${join(opts.cpuProfDir, latest)}`);
          console.log(summarizeCpuProfile(readFileSync(join(opts.cpuProfDir, latest), 'utf8'), 25));
        } else console.error(`no CPU profile was written to ${opts.cpuProfDir}`);
      }
    } finally {
      cluster.down();
    }
  }
}

await main();
