// NetnsAgent: sockets inside another network namespace for a process that stays in its own.
// Node cannot setns(2), so a small helper runs in the namespace (`ip netns exec`) and passes each
// listening server, connected socket or UDP socket back over the child-process IPC channel.
import { spawn, type ChildProcess } from 'node:child_process';
import type dgram from 'node:dgram';
import { statSync } from 'node:fs';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AgentReply, AgentRequest } from './agent-protocol.js';

const ENTRY = fileURLToPath(new URL('./agent-entry.js', import.meta.url));

const EXPLAIN: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available in this namespace',
  ETIMEDOUT: 'timed out',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'no route to host',
  EACCES: 'permission denied',
};

export class NetnsAgentError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'NetnsAgentError';
  }
}

export interface NetnsAgentOptions {
  /** How long the helper may take to report it is running inside the namespace. Default 10 s. */
  startTimeoutMs?: number;
}

type Pending = {
  what: string;
  resolve(handle: unknown): void;
  reject(err: Error): void;
};

export class NetnsAgent {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private exitError: NetnsAgentError | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    readonly netns: string,
    private readonly child: ChildProcess,
    private readonly stderr: () => string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (msg: AgentReply, handle: unknown) => this.onMessage(msg, handle));
    child.once('exit', (code, signal) => {
      const err = new NetnsAgentError(
        'EAGENTEXIT',
        `netns agent for ${netns} exited (${signal ?? `code ${code}`})${this.stderrTail()}`,
      );
      this.exitError = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  /** The helper's pid (the node process itself: `ip netns exec` replaces itself with it). */
  get pid(): number {
    return this.child.pid!;
  }

  static async start(netns: string, opts: NetnsAgentOptions = {}): Promise<NetnsAgent> {
    if (!/^[A-Za-z0-9_.-]+$/.test(netns)) throw new Error(`invalid network namespace name "${netns}"`);
    let expected: number;
    try {
      expected = statSync(`/run/netns/${netns}`).ino;
    } catch {
      throw new NetnsAgentError(
        'ENOENT',
        `network namespace ${netns} does not exist (no /run/netns/${netns})`,
      );
    }
    const env = { ...process.env };
    delete env.NODE_TEST_CONTEXT; // the helper is not a test file, even when a test starts it
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, ENTRY], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4096);
    });
    const agent = new NetnsAgent(netns, child, () => stderr);
    const timeoutMs = opts.startTimeoutMs ?? 10_000;
    try {
      const ready = await new Promise<Extract<AgentReply, { type: 'ready' }>>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new NetnsAgentError('ETIMEDOUT', `netns agent for ${netns} did not start in ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
        child.once('error', (err) => {
          clearTimeout(timer);
          reject(new NetnsAgentError('ESPAWN', `cannot start netns agent for ${netns}: ${err.message}`));
        });
        child.once('exit', () => {
          clearTimeout(timer);
          reject(agent.exitError!);
        });
        child.on('message', (msg: AgentReply) => {
          if (msg.type !== 'ready') return;
          clearTimeout(timer);
          resolve(msg);
        });
      });
      // Guards against `ip netns exec` ever running the helper somewhere else.
      if (ready.netns !== `net:[${expected}]`)
        throw new NetnsAgentError(
          'EWRONGNS',
          `netns agent for ${netns} runs in ${ready.netns}, expected net:[${expected}]`,
        );
    } catch (err) {
      await agent.close();
      throw err;
    }
    return agent;
  }

  /** A server whose listening socket lives in the namespace; connections are accepted here. */
  listen(host: string, port: number, opts: { backlog?: number } = {}): Promise<net.Server> {
    return this.request<net.Server>(
      { op: 'listen', host, port, ...(opts.backlog ? { backlog: opts.backlog } : {}) },
      `listen on ${hostPort(host, port)}`,
    );
  }

  /** A socket connected from inside the namespace; it is paused until read, so no byte is lost. */
  async connect(host: string, port: number, timeoutMs = 5000): Promise<net.Socket> {
    // The helper enforces the timeout; ours is only a backstop should the helper stall.
    return this.request<net.Socket>(
      { op: 'connect', host, port, timeoutMs },
      `connect to ${hostPort(host, port)}`,
      timeoutMs + 2000,
    );
  }

  /** A UDP socket bound inside the namespace. */
  bindUdp(host: string, port: number, type: 'udp4' | 'udp6' = 'udp4'): Promise<dgram.Socket> {
    return this.request<dgram.Socket>({ op: 'udp', host, port, type }, `bind udp ${hostPort(host, port)}`);
  }

  /** Stops the helper. Servers and sockets already handed over keep working. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      if (this.child.connected) this.child.disconnect(); // the helper exits on disconnect
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(timer);
    }
  }

  /** Lets the caller's process exit while the helper is still running. */
  unref(): void {
    this.child.unref();
    (this.child as unknown as { channel?: { unref(): void } }).channel?.unref();
  }

  private request<T>(
    req: DistributiveOmit<AgentRequest, 'id'>,
    what: string,
    timeoutMs = 10_000,
  ): Promise<T> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new NetnsAgentError(
            'ETIMEDOUT',
            `${what} in network namespace ${this.netns}: no answer from the agent in ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, {
        what,
        resolve: (h) => {
          clearTimeout(timer);
          resolve(h as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ ...req, id } as AgentRequest, (err) => {
        if (err) this.settle(id, undefined, new NetnsAgentError('EAGENTEXIT', `${what}: ${err.message}`));
      });
    });
  }

  private onMessage(msg: AgentReply, handle: unknown): void {
    if (msg.type !== 'result') return;
    const p = this.pending.get(msg.id);
    if (!p) return discard(handle); // its caller gave up waiting
    if (msg.ok) {
      if (!handle)
        return this.settle(
          msg.id,
          undefined,
          new NetnsAgentError('ENOHANDLE', `${p.what}: no handle received`),
        );
      return this.settle(msg.id, handle);
    }
    const why = EXPLAIN[msg.code] ?? msg.message;
    this.settle(
      msg.id,
      undefined,
      new NetnsAgentError(msg.code, `${p.what} in network namespace ${this.netns}: ${why} (${msg.code})`),
    );
  }

  private settle(id: number, handle: unknown, err?: Error): void {
    const p = this.pending.get(id);
    if (!p) return discard(handle);
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve(handle);
  }

  private stderrTail(): string {
    const text = this.stderr().trim();
    return text ? `: ${text}` : '';
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function discard(handle: unknown): void {
  const h = handle as { destroy?(): void; close?(): void } | undefined;
  if (!h) return;
  if (typeof h.destroy === 'function') h.destroy();
  else h.close?.();
}
