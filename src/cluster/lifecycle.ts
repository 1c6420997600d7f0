// `mizzen up|down|status`: starting the cluster daemon detached, waiting for it to serve, and
// stopping it (only the process recorded in its pid file, and only if it is really our daemon).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { teardownClusterNetwork } from '../netns/index.js';
import { readConfig, writeFileAtomic, type ClusterConfig } from './config.js';
import {
  agentStates,
  alive,
  ensureNodeAgents,
  stopNodeAgents,
  tail,
  type AgentState,
} from './node-agents.js';
import { clusterPaths, mizzenHome, type ClusterPaths } from './paths.js';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface UpResult {
  paths: ClusterPaths;
  url: string;
  alreadyRunning: boolean;
  /** Node agents this call (re)started. */
  startedAgents: string[];
}

/** Entry script of the CLI, used to start the daemon with the same code. */
export interface UpOptions {
  name: string;
  cliPath: string;
  port?: number;
  /** Node agents to run (first start only); default 2. */
  nodes?: number;
}

export async function up(opts: UpOptions): Promise<UpResult> {
  if (process.platform !== 'linux')
    throw new Error(`mizzen runs its embedded cluster on Linux only (this is ${process.platform})`);
  const paths = clusterPaths(opts.name);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  let config = readConfig(paths);
  if (!config) {
    config = {
      name: opts.name,
      port: opts.port ?? (await pickPort(opts.name)),
      serviceCidr: '10.96.0.0/16',
      nodes: opts.nodes ?? 2,
      createdAt: new Date().toISOString(),
    };
    writeFileAtomic(paths.config, JSON.stringify(config, null, 2) + '\n', 0o644);
  }
  const url = `https://127.0.0.1:${config.port}`;
  const pid = runningPid(paths);
  const nodes = config.nodes ?? 0;
  if (pid !== undefined) {
    await waitReady(paths, config, pid);
    const startedAgents = await ensureNodeAgents(paths, nodes, opts.cliPath);
    return { paths, url, alreadyRunning: true, startedAgents };
  }
  // Agents of a daemon that died: the new daemon makes a new network, so they start afresh too.
  await stopNodeAgents(paths, nodes);
  rmSync(paths.pid, { force: true });
  rmSync(paths.ready, { force: true });
  const log = openSync(paths.log, 'a');
  const child = spawn(process.execPath, [opts.cliPath, 'daemon', '--name', opts.name], {
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, MIZZEN_HOME: mizzenHome() },
  });
  child.unref();
  await waitReady(paths, config, child.pid!);
  const startedAgents = await ensureNodeAgents(paths, nodes, opts.cliPath);
  return { paths, url, alreadyRunning: false, startedAgents };
}

async function pickPort(name: string): Promise<number> {
  if (name === 'mizzen' && (await portFree(6443))) return 6443;
  return await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** The daemon's pid if the pid file names a live process that is this cluster's daemon. */
export function runningPid(paths: ClusterPaths): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(paths.pid, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const i = cmdline.indexOf('--name');
    if (cmdline.includes('daemon') && i >= 0 && cmdline[i + 1] === paths.name) return pid;
  } catch {
    /* not running */
  }
  return undefined;
}

async function waitReady(paths: ClusterPaths, config: ClusterConfig, pid: number): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(pid))
      throw new Error(
        `the cluster daemon exited while starting; its log (${paths.log}) ends with:\n${tail(paths.log)}`,
      );
    if (existsSync(paths.ready) && (await ready(paths, config))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the cluster did not become ready within ${READY_TIMEOUT_MS / 1000}s; see ${paths.log}`);
}

function ready(paths: ClusterPaths, config: ClusterConfig): Promise<boolean> {
  let ca: string;
  try {
    ca = readFileSync(join(paths.data, 'pki', 'ca.crt'), 'utf8');
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const req = https.get(
      { host: '127.0.0.1', port: config.port, path: '/readyz', ca, timeout: 2000 },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export interface DownResult {
  existed: boolean;
  stopped: boolean;
}

export async function down(name: string): Promise<DownResult> {
  const paths = clusterPaths(name);
  if (!existsSync(paths.dir)) return { existed: false, stopped: false };
  const pid = runningPid(paths);
  let stopped = false;
  if (pid !== undefined) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) process.kill(pid, 'SIGKILL');
    while (alive(pid)) await new Promise((r) => setTimeout(r, 50));
    stopped = true;
  }
  // A daemon that was killed could not stop the agents nor remove its cluster network.
  const nodes = readConfig(paths)?.nodes ?? 0;
  if (nodes) {
    await stopNodeAgents(paths, nodes);
    await teardownClusterNetwork(name);
  }
  rmSync(paths.dir, { recursive: true, force: true });
  return { existed: true, stopped };
}

export interface ClusterStatus {
  name: string;
  running: boolean;
  url?: string;
  kubeconfig: string;
  pid?: number;
  nodes: AgentState[];
}

export function status(): ClusterStatus[] {
  const root = join(mizzenHome(), 'clusters');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((name) => {
      const paths = clusterPaths(name);
      const config = readConfig(paths);
      const pid = runningPid(paths);
      return {
        name,
        running: pid !== undefined,
        pid,
        url: config ? `https://127.0.0.1:${config.port}` : undefined,
        kubeconfig: paths.kubeconfig,
        nodes: agentStates(paths, config?.nodes ?? 0),
      };
    });
}
