// The node agents of a cluster run as detached processes of their own, one per node, each with a
// pid file, so that one can die (or be killed) and come back without the daemon: `mizzen up` starts
// whichever is not running, and the restarted agent reconciles its pods.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nodeNames } from '../node/index.js';
import { writeFileAtomic } from './config.js';
import { mizzenHome, type ClusterPaths } from './paths.js';

const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface NodeAgentPaths {
  node: string;
  dir: string;
  pid: string;
  log: string;
}

export function nodesDir(paths: ClusterPaths): string {
  return join(paths.dir, 'nodes');
}

export function nodeAgentPaths(paths: ClusterPaths, node: string): NodeAgentPaths {
  const dir = join(nodesDir(paths), node);
  return { node, dir, pid: join(dir, 'agent.pid'), log: join(dir, 'agent.log') };
}

/** The agent's pid if its pid file names a live process that is this node's agent. */
export function runningAgentPid(paths: ClusterPaths, node: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(nodeAgentPaths(paths, node).pid, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const flag = (f: string) => argv[argv.indexOf(f) + 1];
    if (argv.includes('node-agent') && flag('--name') === paths.name && flag('--node') === node) return pid;
  } catch {
    /* not running */
  }
  return undefined;
}

export interface AgentState {
  node: string;
  pid?: number;
}

export function agentStates(paths: ClusterPaths, count: number): AgentState[] {
  return nodeNames(paths.name, count).map((node) => ({ node, pid: runningAgentPid(paths, node) }));
}

/** Starts the agents that are not running and waits until each has registered its node. */
export async function ensureNodeAgents(
  paths: ClusterPaths,
  count: number,
  cliPath: string,
): Promise<string[]> {
  const started: string[] = [];
  const waits: Promise<void>[] = [];
  for (const node of nodeNames(paths.name, count)) {
    if (runningAgentPid(paths, node) !== undefined) continue;
    const p = nodeAgentPaths(paths, node);
    mkdirSync(p.dir, { recursive: true });
    rmSync(p.pid, { force: true });
    const log = openSync(p.log, 'a');
    const child = spawn(process.execPath, [cliPath, 'node-agent', '--name', paths.name, '--node', node], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, MIZZEN_HOME: mizzenHome() },
    });
    child.unref();
    started.push(node);
    waits.push(waitAgent(p, child.pid!));
  }
  await Promise.all(waits);
  return started;
}

async function waitAgent(p: NodeAgentPaths, pid: number): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(pid))
      throw new Error(
        `the node agent of ${p.node} exited while starting; its log (${p.log}) ends with:\n${tail(p.log)}`,
      );
    if (existsSync(p.pid)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(
    `the node agent of ${p.node} did not start within ${START_TIMEOUT_MS / 1000}s; see ${p.log}`,
  );
}

/** SIGTERM to every running agent (they stop their pods), SIGKILL to those still there after a while. */
export async function stopNodeAgents(paths: ClusterPaths, count: number): Promise<void> {
  const pids = agentStates(paths, count)
    .map((a) => a.pid)
    .filter((pid): pid is number => pid !== undefined);
  for (const pid of pids) signal(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const pid of pids.filter(alive)) signal(pid, 'SIGKILL');
  while (pids.some(alive)) await new Promise((r) => setTimeout(r, 20));
  for (const node of nodeNames(paths.name, count)) rmSync(nodeAgentPaths(paths, node).pid, { force: true });
}

/** Run inside the agent process once its node is registered: the pid file says "started". */
export function writeAgentPid(paths: ClusterPaths, node: string): void {
  writeFileAtomic(nodeAgentPaths(paths, node).pid, String(process.pid), 0o644);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* gone */
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
