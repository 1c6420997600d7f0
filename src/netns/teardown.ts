// Removes everything of a cluster's network, whether or not its record survived.
import { rmSync } from 'node:fs';
import { run } from './exec.js';
import { linkNames, netnsInode, processesInNetns } from './host.js';
import { formatLeaks, leaks, ownEtcNames, ownNetnsNames, safeReadRecord } from './leaks.js';
import { etcNetnsDir, hostLinkNames } from './names.js';
import { removePodRecords, removeRecord } from './record.js';

/**
 * Kills processes in the cluster's namespaces, deletes the host link (its routes go with it), the
 * namespaces (their veths go with them) and /etc/netns entries, then checks that nothing is left.
 */
export async function teardownClusterNetwork(cluster: string): Promise<void> {
  const rec = safeReadRecord(cluster);
  const namespaces = ownNetnsNames(cluster, rec);
  // Only namespaces mounted under our names now: a recorded inode of a namespace that is gone may
  // since have been given to somebody else's namespace.
  const inodes = new Set(namespaces.map(netnsInode).filter((i): i is number => i !== undefined));
  await killProcesses(inodes);

  const link = hostLinkNames(cluster);
  const hostLinks = new Set([link.host, rec?.hostLink?.host].filter(Boolean));
  for (const l of await linkNames())
    if (hostLinks.has(l)) await run(['ip', 'link', 'del', l]).catch(() => {});

  const errors: string[] = [];
  for (const n of namespaces)
    await run(['ip', 'netns', 'del', n]).catch((e: Error) => errors.push(e.message));
  for (const n of new Set([...namespaces, ...ownEtcNames(cluster, rec)]))
    rmSync(etcNetnsDir(n), { recursive: true, force: true });

  const left = await leaks(cluster, { ignoreRecord: true });
  if (left.length)
    throw new Error(
      `teardown of cluster network ${cluster} left ${formatLeaks(left)}${errors.length ? `; ${errors.join('; ')}` : ''}`,
    );
  removePodRecords(cluster);
  removeRecord(cluster);
}

/** SIGKILLs every process in the given namespaces and waits (up to 2 s) until they are gone. */
export async function killProcesses(inodes: Set<number>): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const procs = processesInNetns(inodes).filter((p) => p.pid !== process.pid);
    if (procs.length === 0) return;
    for (const p of procs) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
