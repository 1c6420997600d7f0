// A cluster's configuration (cluster.json), written once by the first `mizzen up`.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { ClusterPaths } from './paths.js';

export interface ClusterConfig {
  name: string;
  port: number;
  serviceCidr: string;
  createdAt: string;
  /** Node agents (with the cluster network); 0 or absent: none, pods stay Pending. */
  nodes?: number;
}

export function readConfig(paths: ClusterPaths): ClusterConfig | undefined {
  try {
    return JSON.parse(readFileSync(paths.config, 'utf8')) as ClusterConfig;
  } catch {
    return undefined;
  }
}

export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}
