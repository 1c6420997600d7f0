// Container probes as kubelet runs them. One attempt: tcpSocket succeeds on connect, httpGet on a
// status from 200 to 399 (over a connection opened from the cluster namespace), exec on exit 0 of the
// command run in the container's namespaces. A ProbeState applies the success/failure thresholds, and a
// ProbeWorker runs one probe of one container run on its period.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type net from 'node:net';
import tls from 'node:tls';
import type { Probe } from './pod-spec.js';

export interface ProbeTarget {
  host: string;
  port: number;
  /** Set for httpGet. */
  path?: string;
  scheme?: 'HTTP' | 'HTTPS';
  headers?: Array<{ name: string; value: string }>;
}

export type Connect = (host: string, port: number, timeoutMs: number) => Promise<net.Socket>;

const USER_AGENT = 'kube-probe/1.32';

export async function probeOnce(connect: Connect, target: ProbeTarget, timeoutMs = 1000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let socket: net.Socket;
  try {
    socket = await connect(target.host, target.port, timeoutMs);
  } catch {
    return false;
  }
  if (target.path === undefined) {
    socket.destroy();
    return true;
  }
  if (target.scheme === 'HTTPS') {
    // kubelet does not verify the serving certificate of an HTTPS probe.
    socket = tls.connect({ socket, rejectUnauthorized: false });
  }
  const s = socket;
  return await new Promise<boolean>((resolve) => {
    let head = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), Math.max(0, deadline - Date.now()));
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      head += d;
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (m) done(Number(m[1]) >= 200 && Number(m[1]) < 400);
      else if (head.includes('\r\n') || head.length > 64) done(false);
    });
    s.on('error', () => done(false));
    s.on('end', () => done(false));
    s.write(httpRequest(target));
    s.resume();
  });
}

/** The probe's request: its httpHeaders replace kubelet's defaults of the same name (Host included). */
export function httpRequest(target: ProbeTarget): string {
  const headers = new Map<string, [string, string]>();
  const set = (name: string, value: string) => headers.set(name.toLowerCase(), [name, value]);
  const host = target.host.includes(':') ? `[${target.host}]` : target.host;
  set('Host', `${host}:${target.port}`);
  set('User-Agent', USER_AGENT);
  set('Accept', '*/*');
  const custom = new Map<string, Array<[string, string]>>();
  for (const h of target.headers ?? []) {
    const k = h.name.toLowerCase();
    if (!custom.has(k)) custom.set(k, []);
    custom.get(k)!.push([h.name, h.value]);
  }
  const lines: string[] = [];
  for (const [k, [name, value]] of headers) if (!custom.has(k)) lines.push(`${name}: ${value}`);
  for (const values of custom.values()) for (const [name, value] of values) lines.push(`${name}: ${value}`);
  lines.push('Connection: close');
  let path = target.path || '/';
  if (!path.startsWith('/')) path = `/${path}`;
  return `GET ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * An exec probe: the command runs in the container's network, mount and PID namespaces with its
 * environment (as `kubectl exec` does); success is exit status 0 within the timeout.
 */
export function execProbe(pid: number, command: string[], timeoutMs: number): Promise<boolean> {
  if (command.length === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const child = spawn(
      'nsenter',
      ['--target', String(pid), '--net', '--mount', '--pid', '--root', '--wdns=/', '--', ...command],
      {
        env: processEnv(pid),
        stdio: 'ignore',
        detached: true,
      },
    );
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

function processEnv(pid: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  try {
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  } catch {
    /* the container is gone; nsenter fails and so does the probe */
  }
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

/** The probe's settings with upstream defaults (liveness and startup need one success). */
export function probeSettings(kind: ProbeKind, p: Probe) {
  return {
    initialDelayMs: Math.max(0, p.initialDelaySeconds ?? 0) * 1000,
    periodMs: Math.max(1, p.periodSeconds ?? 10) * 1000,
    timeoutMs: Math.max(1, p.timeoutSeconds ?? 1) * 1000,
    successThreshold: kind === 'readiness' ? Math.max(1, p.successThreshold ?? 1) : 1,
    failureThreshold: Math.max(1, p.failureThreshold ?? 3),
  };
}

/**
 * The result kubelet reports for a probe: readiness starts failed, liveness succeeded, startup unknown;
 * it changes only after `successThreshold` successes or `failureThreshold` failures in a row.
 */
export class ProbeState {
  result: boolean | undefined;
  private last: boolean | undefined;
  private run = 0;

  constructor(
    readonly kind: ProbeKind,
    private readonly successThreshold: number,
    private readonly failureThreshold: number,
  ) {
    this.result = kind === 'readiness' ? false : kind === 'liveness' ? true : undefined;
  }

  /** Records one attempt; true when the reported result changed. */
  record(ok: boolean): boolean {
    if (ok === this.last) this.run++;
    else {
      this.last = ok;
      this.run = 1;
    }
    if (this.run < (ok ? this.successThreshold : this.failureThreshold)) return false;
    const changed = this.result !== ok;
    this.result = ok;
    return changed;
  }
}

export interface ProbeWorkerOptions {
  kind: ProbeKind;
  probe: Probe;
  /** Runs one attempt with the given timeout. */
  attempt(timeoutMs: number): Promise<boolean>;
  /** When the container run started (ms since the epoch). */
  startedAt: number;
  /** False while another probe gates this one (liveness and readiness wait for startup). */
  gate?(): boolean;
  /** The reported result changed. */
  onResult(result: boolean): void;
}

/**
 * One probe of one container run. A failed liveness or startup probe stops probing: the run is
 * killed and the next run gets new workers. Readiness probes every second until its first success,
 * so a pod turns Ready soon after it serves.
 */
export class ProbeWorker {
  readonly state: ProbeState;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly settings: ReturnType<typeof probeSettings>;

  constructor(private readonly opts: ProbeWorkerOptions) {
    this.settings = probeSettings(opts.kind, opts.probe);
    this.state = new ProbeState(opts.kind, this.settings.successThreshold, this.settings.failureThreshold);
    const wait = Math.max(0, opts.startedAt + this.settings.initialDelayMs - Date.now());
    this.timer = setTimeout(() => void this.tick(), wait);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.opts.gate?.() !== false) {
      const ok = await this.opts.attempt(this.settings.timeoutMs).catch(() => false);
      if (this.stopped) return;
      if (this.state.record(ok)) this.opts.onResult(ok);
      if (this.opts.kind !== 'readiness' && this.state.result === false) return this.stop();
      if (this.opts.kind === 'startup' && this.state.result === true) return this.stop();
    }
    const fast = this.opts.kind === 'readiness' && this.state.result !== true;
    this.timer = setTimeout(
      () => void this.tick(),
      fast ? Math.min(this.settings.periodMs, 1000) : this.settings.periodMs,
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
