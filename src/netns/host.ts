// Facts about the host namespace: prerequisites, the forwarding switches that must never move,
// and the addresses and routes a new link must not collide with.
import { readFileSync, readdirSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { run } from './exec.js';

const FORWARDING = ['/proc/sys/net/ipv4/ip_forward', '/proc/sys/net/ipv6/conf/all/forwarding'];

export type ForwardingState = Record<string, string>;

/** The host's forwarding switches, read from this process (which must run in the host namespace). */
export function readForwarding(): ForwardingState {
  const state: ForwardingState = {};
  for (const path of FORWARDING) {
    try {
      state[path] = readFileSync(path, 'utf8').trim();
    } catch {
      // IPv6 may be disabled on the host.
    }
  }
  return state;
}

/**
 * Fails (after putting the old values back) if a forwarding switch moved: the cluster network must
 * never make the host route packets between its interfaces.
 */
export function assertForwardingUnchanged(before: ForwardingState, context: string): void {
  const after = readForwarding();
  const moved = Object.keys(before).filter((k) => after[k] !== before[k]);
  if (moved.length === 0) return;
  for (const path of moved) {
    try {
      // The file API, not sysctl, so that the value lands in this (the host's) namespace.
      writeFileSync(path, before[path]! + '\n');
    } catch {
      // reported below either way
    }
  }
  throw new Error(
    `host forwarding changed during ${context}: ${moved.map((k) => `${k} ${before[k]} -> ${after[k]}`).join(', ')} (restored)`,
  );
}

export async function checkPrerequisites(): Promise<string[]> {
  const problems: string[] = [];
  if (process.platform !== 'linux') problems.push('the embedded network needs Linux');
  const caps = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  const CAP_NET_ADMIN = 12n;
  const CAP_SYS_ADMIN = 21n;
  if (
    !caps ||
    !((BigInt('0x' + caps) >> CAP_NET_ADMIN) & 1n) ||
    !((BigInt('0x' + caps) >> CAP_SYS_ADMIN) & 1n)
  )
    problems.push('the embedded network needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN to create namespaces)');
  for (const [tool, args] of [
    ['ip', ['-V']],
    ['iptables-restore', ['--version']],
    ['iptables-save', ['--version']],
    ['sysctl', ['--version']],
  ] as const) {
    await run([tool, ...args]).catch((err: Error) => problems.push(`${tool}: ${err.message}`));
  }
  return problems;
}

export interface HostAddress {
  ifname: string;
  local: string;
  prefixlen: number;
}

export async function hostAddresses(): Promise<HostAddress[]> {
  const out = JSON.parse(await run(['ip', '-j', '-4', 'addr', 'show'])) as Array<{
    ifname: string;
    addr_info?: Array<{ family: string; local: string; prefixlen: number }>;
  }>;
  return out.flatMap((l) =>
    (l.addr_info ?? [])
      .filter((a) => a.family === 'inet')
      .map((a) => ({ ifname: l.ifname, local: a.local, prefixlen: a.prefixlen })),
  );
}

export interface HostRoute {
  dst: string;
  dev?: string;
  gateway?: string;
}

export async function hostRoutes(): Promise<HostRoute[]> {
  return JSON.parse(await run(['ip', '-j', '-4', 'route', 'show'])) as HostRoute[];
}

export async function linkNames(netns?: string): Promise<string[]> {
  const cmd = netns ? ['ip', '-n', netns, '-j', 'link', 'show'] : ['ip', '-j', 'link', 'show'];
  return (JSON.parse(await run(cmd)) as Array<{ ifname: string }>).map((l) => l.ifname);
}

export function netnsNames(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

export function netnsInode(name: string): number | undefined {
  try {
    return statSync(`/run/netns/${name}`).ino;
  } catch {
    return undefined;
  }
}

/** Processes whose network namespace is one of the given inodes. */
export function processesInNetns(inodes: Set<number>): Array<{ pid: number; inode: number; comm: string }> {
  const found: Array<{ pid: number; inode: number; comm: string }> = [];
  if (inodes.size === 0) return found;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let link: string;
    try {
      link = readlinkSync(`/proc/${entry}/ns/net`);
    } catch {
      continue; // exited, or a kernel thread
    }
    const inode = Number(/^net:\[(\d+)\]$/.exec(link)?.[1]);
    if (!inodes.has(inode)) continue;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      // gone meanwhile
    }
    found.push({ pid: Number(entry), inode, comm });
  }
  return found;
}
