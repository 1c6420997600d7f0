// `kubectl exec`: runs a host binary inside a running container's network, mount and PID
// namespaces (so `curl productpage:9080` resolves through the pod's resolv.conf and cannot see or
// signal host processes), with the container's environment.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { NodeAgent } from './node-agent.js';

export interface ExecRequest {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  pod: { metadata: any; spec?: any };
  container: string;
  command: string[];
}

/** Starts the command, or answers undefined when the container is not running on these nodes. */
export function execInContainer(nodes: readonly NodeAgent[], req: ExecRequest): ChildProcess | undefined {
  const node = nodes.find((n) => n.name === req.pod.spec?.nodeName);
  const pid = node?.containerPid(req.pod.metadata.uid, req.container);
  if (!pid) return undefined;
  return spawn(
    'nsenter',
    ['--target', String(pid), '--net', '--mount', '--pid', '--wd=/', '--', ...req.command],
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
