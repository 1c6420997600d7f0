// Finds whatever a cluster's network left on the host: by the record written at creation and by the
// naming rules, so that leftovers are found even when the record is gone.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { run } from './exec.js';
import { linkNames, netnsInode, netnsNames, processesInNetns } from './host.js';
import { clusterNetnsName, hostLinkNames, isClusterNetnsName, recordPath, shortHash } from './names.js';
import { allPodRecords, podRecordFiles, readRecord, type NetworkRecord } from './record.js';

export type LeakKind = 'netns' | 'link' | 'iptables-chain' | 'etc-netns' | 'mount' | 'process' | 'record';

export interface Leak {
  kind: LeakKind;
  name: string;
  detail?: string;
}

/** Host iptables chains of a cluster would be named so; the cluster network itself creates none. */
export function hostChainPrefix(cluster: string): string {
  return `MIZZEN-${shortHash(cluster, 6).toUpperCase()}`;
}

/** The cluster's record with the pods of every owner merged in. */
export function safeReadRecord(cluster: string): NetworkRecord | undefined {
  let rec: NetworkRecord | undefined;
  try {
    rec = readRecord(cluster);
  } catch {
    rec = undefined; // a damaged record: the naming rules still find everything
  }
  const pods = allPodRecords(cluster);
  if (!rec && Object.keys(pods).length === 0) return undefined;
  return rec
    ? { ...rec, pods: { ...rec.pods, ...pods } }
    : { version: 1, cluster, netns: '', inode: 0, loadBalancerRanges: [], serviceAddresses: [], pods };
}

/** Mounted namespaces of the cluster (the cluster's and its pods'), cluster namespace last. */
export function ownNetnsNames(cluster: string, rec = safeReadRecord(cluster)): string[] {
  const base = clusterNetnsName(cluster);
  const recorded = new Set(
    [rec?.netns, ...Object.values(rec?.pods ?? {}).map((p) => p.netns)].filter(Boolean),
  );
  const names = netnsNames().filter((n) => {
    if (recorded.has(n)) return true;
    if (!isClusterNetnsName(cluster, n)) return false;
    // "mizzen-a-0123456789" is the namespace of cluster "a-0123456789" if that cluster has a record.
    return n === base || !existsSync(recordPath(n.slice('mizzen-'.length)));
  });
  return names.sort((a, b) => (a === base ? 1 : b === base ? -1 : a.localeCompare(b)));
}

export function ownEtcNames(cluster: string, rec: NetworkRecord | undefined): string[] {
  let entries: string[];
  try {
    entries = readdirSync('/etc/netns');
  } catch {
    return [];
  }
  const recorded = new Set(Object.values(rec?.pods ?? {}).map((p) => p.netns));
  return entries.filter(
    (n) => recorded.has(n) || (isClusterNetnsName(cluster, n) && !existsSync(recordPath(n.slice(7)))),
  );
}

async function chains(netns?: string): Promise<string[]> {
  const cmd = netns ? ['ip', 'netns', 'exec', netns, 'iptables-save'] : ['iptables-save'];
  const out = await run(cmd).catch(() => '');
  return out
    .split('\n')
    .filter((l) => l.startsWith(':'))
    .map((l) => l.slice(1).split(' ')[0]!);
}

export interface LeakOptions {
  /** Leave out the record file (teardown checks everything else before removing it). */
  ignoreRecord?: boolean;
}

export async function leaks(cluster: string, opts: LeakOptions = {}): Promise<Leak[]> {
  const rec = safeReadRecord(cluster);
  const found: Leak[] = [];
  if (!opts.ignoreRecord && existsSync(recordPath(cluster)))
    found.push({ kind: 'record', name: recordPath(cluster) });
  if (!opts.ignoreRecord) for (const f of podRecordFiles(cluster)) found.push({ kind: 'record', name: f });

  const namespaces = ownNetnsNames(cluster, rec);
  for (const n of namespaces) found.push({ kind: 'netns', name: n, detail: `/run/netns/${n}` });

  const link = hostLinkNames(cluster);
  const hostLinks = new Set(
    [link.host, link.cluster, rec?.hostLink?.host, rec?.hostLink?.cluster].filter(Boolean),
  );
  for (const l of await linkNames())
    if (hostLinks.has(l)) found.push({ kind: 'link', name: l, detail: 'host namespace' });

  const prefix = hostChainPrefix(cluster);
  for (const c of await chains())
    if (c.startsWith(prefix)) found.push({ kind: 'iptables-chain', name: c, detail: 'host namespace' });
  const clusterNs = clusterNetnsName(cluster);
  if (namespaces.includes(clusterNs))
    for (const c of await chains(clusterNs))
      if (c.startsWith('MIZZEN-')) found.push({ kind: 'iptables-chain', name: c, detail: clusterNs });

  for (const n of ownEtcNames(cluster, rec)) found.push({ kind: 'etc-netns', name: `/etc/netns/${n}` });

  const ours = new Set([...namespaces, ...ownEtcNames(cluster, rec)]);
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountPoint = line.split(' ')[4];
    const m = mountPoint && /^\/(?:run|etc)\/netns\/([^/]+)/.exec(mountPoint);
    if (m && (ours.has(m[1]!) || isClusterNetnsName(cluster, m[1]!)))
      found.push({ kind: 'mount', name: mountPoint!, detail: line.split(' ')[3] });
  }

  // Processes are matched by namespace inode: mounted namespaces of ours, and those the record knows
  // (a namespace unmounted while a process still holds it lives on under its inode).
  const inodes = new Set<number>();
  for (const n of namespaces) {
    const ino = netnsInode(n);
    if (ino !== undefined) inodes.add(ino);
  }
  if (rec) {
    inodes.add(rec.inode);
    for (const p of Object.values(rec.pods)) inodes.add(p.inode);
  }
  inodes.delete(0);
  for (const p of processesInNetns(inodes))
    found.push({ kind: 'process', name: String(p.pid), detail: `${p.comm} in net:[${p.inode}]` });
  return found;
}

export function formatLeaks(list: Leak[]): string {
  return list.map((l) => `${l.kind} ${l.name}${l.detail ? ` (${l.detail})` : ''}`).join(', ');
}
