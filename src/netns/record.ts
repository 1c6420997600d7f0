// What a cluster network created, kept under /run (gone at reboot, like the namespaces themselves)
// so that teardown and the leak check find everything even after the creating process died.
// One process (the cluster daemon) owns a cluster's network and writes its record.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { recordPath } from './names.js';

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
