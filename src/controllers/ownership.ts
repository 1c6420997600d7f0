// Controller references between an owner and the objects it manages: adopting orphans its selector
// matches and releasing children it no longer selects, as upstream's ControllerRefManager does.
import type { KubeClient } from '../kube/index.js';
import { guardedPatch } from './api.js';

export interface OwnerRef {
  apiVersion: string;
  kind: string;
  metadata: { name: string; uid: string };
}

/** Adds `owner` as the controller of `child`; undefined when the child changed meanwhile (the next sync sees). */
export async function adopt(
  client: KubeClient,
  path: string,
  child: any,
  owner: OwnerRef,
): Promise<any | undefined> {
  const refs = [
    ...(child.metadata.ownerReferences ?? []),
    {
      apiVersion: owner.apiVersion,
      kind: owner.kind,
      name: owner.metadata.name,
      uid: owner.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ];
  try {
    return await guardedPatch(client, path, child, [
      {
        op: child.metadata.ownerReferences ? 'replace' : 'add',
        path: '/metadata/ownerReferences',
        value: refs,
      },
    ]);
  } catch {
    return undefined;
  }
}

/** Drops `ownerUid` from the child's owner references; a child that changed meanwhile is left to the next sync. */
export async function release(client: KubeClient, path: string, child: any, ownerUid: string): Promise<void> {
  const refs = child.metadata.ownerReferences.filter((r: any) => r.uid !== ownerUid);
  await guardedPatch(client, path, child, [
    { op: 'replace', path: '/metadata/ownerReferences', value: refs },
  ]).catch(() => undefined);
}
