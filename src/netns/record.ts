// What a cluster network created, kept under /run (gone at reboot, like the namespaces themselves)
// so that teardown and the leak check find everything even after the creating process died.
// One process (the cluster daemon) owns a cluster's network and writes its record; each node agent
// owns the pods it wired and writes their records to a file of its own, so no file has two writers.
import { readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { podRecordPath, podRecordPrefix, recordPath } from './names.js';

export interface PodRecord {
  pod: string;
  netns: string;
  inode: number;
  ip: string;
  veth: string;
}

export interface NetworkRecord {
  version: 1;
  cluster: string;
  netns: string;
  inode: number;
  hostLink?: {
    host: string;
    cluster: string;
    hostIp: string;
    clusterIp: string;
    prefix: number;
  };
  loadBalancerRanges: string[];
  serviceAddresses: string[];
  pods: Record<string, PodRecord>;
}

export function readRecord(cluster: string): NetworkRecord | undefined {
  let text: string;
  try {
    text = readFileSync(recordPath(cluster), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const rec = JSON.parse(text) as NetworkRecord;
  if (rec.version !== 1 || rec.cluster !== cluster)
    throw new Error(`${recordPath(cluster)} is not a network record of cluster ${cluster}`);
  return rec;
}

export function writeRecord(rec: NetworkRecord): void {
  const path = recordPath(rec.cluster);
  writeFileSync(path + '.tmp', JSON.stringify(rec, null, 2) + '\n', { mode: 0o600 });
  renameSync(path + '.tmp', path);
}

export function removeRecord(cluster: string): void {
  rmSync(recordPath(cluster), { force: true });
  rmSync(recordPath(cluster) + '.tmp', { force: true });
}

/** The pods a node agent (the owner) wired, from its own record file. */
export function readPodRecords(cluster: string, owner: string): Record<string, PodRecord> {
  try {
    return JSON.parse(readFileSync(podRecordPath(cluster, owner), 'utf8')) as Record<string, PodRecord>;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw err;
  }
}

export function writePodRecords(cluster: string, owner: string, pods: Record<string, PodRecord>): void {
  const path = podRecordPath(cluster, owner);
  writeFileSync(path + '.tmp', JSON.stringify(pods, null, 2) + '\n', { mode: 0o600 });
  renameSync(path + '.tmp', path);
}

/** Every pod record file of the cluster, whoever wrote it. */
export function podRecordFiles(cluster: string): string[] {
  const prefix = podRecordPrefix(cluster);
  const base = prefix.slice('/run/'.length);
  return readdirSync('/run')
    .filter((f) => f.startsWith(base) && (f.endsWith('.json') || f.endsWith('.json.tmp')))
    .map((f) => `/run/${f}`);
}

/** The pods of every owner (damaged files are skipped: the naming rules still find their namespaces). */
export function allPodRecords(cluster: string): Record<string, PodRecord> {
  const all: Record<string, PodRecord> = {};
  for (const f of podRecordFiles(cluster)) {
    if (!f.endsWith('.json')) continue;
    try {
      Object.assign(all, JSON.parse(readFileSync(f, 'utf8')) as Record<string, PodRecord>);
    } catch {
      /* damaged or just removed */
    }
  }
  return all;
}

export function removePodRecords(cluster: string): void {
  for (const f of podRecordFiles(cluster)) rmSync(f, { force: true });
}
