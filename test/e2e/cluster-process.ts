// Helpers for e2e tests that stop and restart a cluster's daemon without deleting its state, and
// talk HTTPS to it with the admin client certificate from its kubeconfig.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { mizzenBin, type TestCluster } from './harness.js';

export const clusterDir = (c: TestCluster): string => join(c.home, 'clusters', c.name);
export const storePath = (c: TestCluster): string => join(clusterDir(c), 'data', 'store.db');

/** The pid the cluster's daemon recorded; the test started that process through `mizzen up`. */
export function daemonPid(c: TestCluster): number {
  const pid = Number(readFileSync(join(clusterDir(c), 'daemon.pid'), 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 1) throw new Error(`bad daemon.pid for cluster ${c.name}`);
  return pid;
}

/** True while the process exists and is not a zombie (a killed daemon may linger unreaped). */
export function processRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

export async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
  everyMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Signals the daemon (only the recorded pid) and waits until it has exited. */
export async function stopDaemon(c: TestCluster, signal: 'SIGKILL' | 'SIGTERM'): Promise<number> {
  const pid = daemonPid(c);
  process.kill(pid, signal);
  await until(`daemon ${pid} to exit after ${signal}`, () => !processRunning(pid), 20_000);
  return pid;
}

/**
 * `mizzen up` on the existing state; throws with the CLI output on failure. Asynchronous, so that
 * clients in this process (informers, watches) keep running and retrying while the daemon starts.
 */
export async function restartDaemon(c: TestCluster): Promise<void> {
  const r = await run(process.execPath, [mizzenBin, 'up', '--name', c.name], c.env, undefined, 120_000);
  if (r.code !== 0) throw new Error(`mizzen up (restart) failed (${r.code}): ${r.stdout}\n${r.stderr}`);
}

export interface Creds {
  host: string;
  port: number;
  ca: string;
  cert: string;
  key: string;
}

/** The server address and admin credentials of the kubeconfig (inline data, as mizzen writes it). */
export function kubeCreds(kubeconfigPath: string): Creds {
  const kc = parseYaml(readFileSync(kubeconfigPath, 'utf8'));
  const ctxName = kc['current-context'];
  const ctx = kc.contexts.find((x: any) => x.name === ctxName).context;
  const cluster = kc.clusters.find((x: any) => x.name === ctx.cluster).cluster;
  const user = kc.users.find((x: any) => x.name === ctx.user).user;
  const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');
  const url = new URL(cluster.server);
  return {
    host: url.hostname,
    port: Number(url.port),
    ca: b64(cluster['certificate-authority-data']),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
  };
}

export interface HttpResult {
  status: number;
  body: any;
}

/** One request on a fresh connection (no keep-alive, so a dead daemon never leaves a stale socket). */
export function kubeRequest(creds: Creds, method: string, path: string, body?: unknown): Promise<HttpResult> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: creds.host,
        port: creds.port,
        ca: creds.ca,
        cert: creds.cert,
        key: creds.key,
        method,
        path,
        agent: false,
        headers: {
          Accept: 'application/json',
          ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            /* keep the text */
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path}: no answer within 15 s`)));
    if (data) req.write(data);
    req.end();
  });
}

export interface WatchEvent {
  type: string;
  object: any;
}

export interface WatchStream {
  /** HTTP status of the watch response. */
  status: Promise<number>;
  events: WatchEvent[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Waits until an event satisfies `pred`, or the stream ends (then it throws). */
  waitFor(what: string, pred: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>;
  close(): void;
}

/** A raw watch: one JSON event per line, collected in order. */
export function watchStream(creds: Creds, path: string): WatchStream {
  const events: WatchEvent[] = [];
  const waiters = new Set<() => void>();
  let isEnded = false;
  const wake = () => waiters.forEach((w) => w());
  let setStatus!: (s: number) => void;
  let failStatus!: (e: Error) => void;
  const status = new Promise<number>((res, rej) => ((setStatus = res), (failStatus = rej)));
  let markEnded!: () => void;
  const ended = new Promise<void>((r) => (markEnded = r));
  const finish = () => {
    if (isEnded) return;
    isEnded = true;
    markEnded();
    wake();
  };
  const req = https.request(
    {
      host: creds.host,
      port: creds.port,
      ca: creds.ca,
      cert: creds.cert,
      key: creds.key,
      path,
      agent: false,
      headers: { Accept: 'application/json' },
    },
    (res) => {
      setStatus(res.statusCode ?? 0);
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const parsed = JSON.parse(line);
          // A non-watch answer (for example a 410 Status body) is kept as a pseudo event.
          events.push(parsed.type ? parsed : { type: 'BODY', object: parsed });
        }
        wake();
      });
      res.on('end', () => {
        if (buf.trim()) {
          const parsed = JSON.parse(buf);
          events.push(parsed.type ? parsed : { type: 'BODY', object: parsed });
        }
        finish();
      });
      res.on('error', finish);
      res.on('close', finish);
    },
  );
  req.on('error', (e) => {
    failStatus(e);
    finish();
  });
  req.end();
  return {
    status,
    events,
    ended,
    async waitFor(what, pred, timeoutMs = 10_000) {
      return await new Promise<WatchEvent>((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (hit) done(() => resolve(hit));
          else if (isEnded)
            done(() =>
              reject(
                new Error(
                  `watch ${path} ended before ${what}; events: ${JSON.stringify(events.map(summarize))}`,
                ),
              ),
            );
        };
        const timer = setTimeout(
          () =>
            done(() =>
              reject(new Error(`timed out waiting for ${what} on watch ${path}; ${events.length} events`)),
            ),
          timeoutMs,
        );
        const done = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      req.destroy();
    },
  };
}

const summarize = (e: WatchEvent) =>
  `${e.type} ${e.object?.metadata?.name ?? e.object?.reason ?? ''} ${e.object?.metadata?.resourceVersion ?? e.object?.message ?? ''}`;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * kubectl without blocking this process's event loop (the harness's kubectl() uses spawnSync,
 * which would starve servers the test itself runs, such as admission webhooks).
 */
export function kubectlAsync(
  c: TestCluster,
  args: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  return run('kubectl', args, c.env, opts.input, opts.timeoutMs ?? 60_000);
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input: string | undefined,
  timeoutMs: number,
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

export async function kubectlAsyncOk(
  c: TestCluster,
  args: string[],
  opts: { input?: string } = {},
): Promise<string> {
  const r = await kubectlAsync(c, args, opts);
  if (r.code !== 0)
    throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
