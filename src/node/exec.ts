// `kubectl exec`: runs a host binary inside a running container's network, mount and PID
// namespaces (so `curl productpage:9080` resolves through the pod's resolv.conf and cannot see or
// signal host processes), with the container's environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readlinkSync, statSync } from 'node:fs';
import { podNetnsName } from '../netns/index.js';
import { containerPidPath, podStateDir } from './state-paths.js';

export interface ExecRequest {
  pod: { metadata: any; spec?: any };
  container: string;
  command: string[];
}

/**
 * The host pid of the container's first process, from the pid file its node agent keeps, if that
 * process still lives in the pod's network namespace (a stale file may name a reused pid).
 */
export function containerPid(cluster: string, nodesDir: string, req: ExecRequest): number | undefined {
  const m = req.pod.metadata;
  const node = req.pod.spec?.nodeName;
  if (!node) return undefined;
  let pid: number;
  try {
    pid = Number(readFileSync(containerPidPath(podStateDir(nodesDir, node, m), req.container), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    const expected = `net:[${statSync(`/run/netns/${podNetnsName(cluster, m.uid)}`).ino}]`;
    return readlinkSync(`/proc/${pid}/ns/net`) === expected ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the command, or answers undefined when the container is not running. */
export function execInContainer(
  cluster: string,
  nodesDir: string,
  req: ExecRequest,
): ChildProcess | undefined {
  const pid = containerPid(cluster, nodesDir, req);
  if (!pid) return undefined;
  return spawn(
    'nsenter',
    ['--target', String(pid), '--net', '--mount', '--pid', '--root', '--wdns=/', '--', ...req.command],
    {
      env: containerEnv(pid),
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
}

function containerEnv(pid: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  try {
    for (const kv of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = kv.indexOf('=');
      if (eq > 0) env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
  } catch {
    /* the container is gone; nsenter will fail with a clear message */
  }
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return env;
}
