// Every object the cluster network creates is named from the cluster's name, so teardown and the
// leak check can find it even when the record of what was made is lost.
import { createHash } from 'node:crypto';

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateClusterName(name: string): void {
  if (!CLUSTER_NAME.test(name) || name.length > 40)
    throw new Error(
      `invalid cluster name "${name}": use lower-case letters, digits and '-' (at most 40 characters)`,
    );
}

export function shortHash(text: string, hexChars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, hexChars);
}

export function clusterNetnsName(cluster: string): string {
  validateClusterName(cluster);
  return `mizzen-${cluster}`;
}

/** Ten hex characters naming one pod's namespace and its veth. */
export function podHash(cluster: string, pod: string): string {
  return shortHash(`${cluster}\0${pod}`, 10);
}

export function podNetnsName(cluster: string, pod: string): string {
  return `${clusterNetnsName(cluster)}-${podHash(cluster, pod)}`;
}

/** The pod veth's end in the cluster namespace (the pod's end is always `eth0`). 12 characters. */
export function podVethName(cluster: string, pod: string): string {
  return `mz${podHash(cluster, pod)}`;
}

/** The veth between the host and the cluster namespace; names fit the kernel's 15-character limit. */
export function hostLinkNames(cluster: string): { host: string; cluster: string } {
  validateClusterName(cluster);
  const h = shortHash(cluster, 6);
  return { host: `mz${h}h`, cluster: `mz${h}c` };
}

/** Holds the service addresses (DNS, API server) inside the cluster namespace. */
export const SERVICE_DUMMY = 'mz-svc';

/** The address every pod uses as its gateway; it lives on the cluster side of each pod's veth. */
export const POD_GATEWAY = '169.254.1.1';
/** The MAC of every pod veth's cluster end, so pods can hold a permanent neighbour entry for the gateway. */
export const GATEWAY_MAC = 'ee:ee:ee:ee:ee:ee';

export function etcNetnsDir(netns: string): string {
  return `/etc/netns/${netns}`;
}

export function recordPath(cluster: string): string {
  validateClusterName(cluster);
  return `/run/mizzen-${cluster}.network.json`;
}

const OWNER_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Where a node agent records the pods it wired: `/run/mizzen-<cluster>.pods.<owner>.json`. */
export function podRecordPath(cluster: string, owner: string): string {
  if (!OWNER_NAME.test(owner) || owner.length > 253) throw new Error(`invalid pod record owner "${owner}"`);
  return `${podRecordPrefix(cluster)}${owner}.json`;
}

export function podRecordPrefix(cluster: string): string {
  validateClusterName(cluster);
  return `/run/mizzen-${cluster}.pods.`;
}

/**
 * True for the cluster's own namespace and its pods' namespaces. A cluster named "<cluster>-<10 hex>"
 * would be mistaken for a pod namespace of "<cluster>": the record written at creation is what
 * disambiguates, this name test is the fallback when no record is left.
 */
export function isClusterNetnsName(cluster: string, name: string): boolean {
  const base = clusterNetnsName(cluster);
  return name === base || (name.startsWith(base + '-') && /^[0-9a-f]{10}$/.test(name.slice(base.length + 1)));
}
