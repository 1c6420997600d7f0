// Writes the controllers make, with optimistic concurrency: status updates carry the cached
// resourceVersion and, on a 409, re-read the object and try again on the fresh copy.
import { KubeError, type KubeClient } from '../kube/index.js';

export async function updateStatus(
  client: KubeClient,
  path: string,
  obj: any,
  status: any,
  attempts = 4,
): Promise<any> {
  let cur = obj;
  for (let i = 0; ; i++) {
    try {
      return await client.request('PUT', `${path}/status`, { ...cur, status });
    } catch (err) {
      if (!(err instanceof KubeError && err.code === 409) || i + 1 >= attempts) throw err;
      cur = await client.get(path);
    }
  }
}

/** JSON patch guarded by the resourceVersion the decision was made on (409 when it moved). */
export function guardedPatch(client: KubeClient, path: string, obj: any, ops: any[]): Promise<any> {
  return client.request(
    'PATCH',
    path,
    [{ op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion }, ...ops],
    'application/json-patch+json',
  );
}

export function mergePatch(client: KubeClient, path: string, patch: unknown): Promise<any> {
  return client.request('PATCH', path, patch, 'application/merge-patch+json');
}

/** DELETE that answers false when the object was already gone (or replaced by another uid). */
export async function deleteIgnoringMissing(
  client: KubeClient,
  path: string,
  uid?: string,
): Promise<boolean> {
  try {
    await client.request('DELETE', path, {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      ...(uid ? { preconditions: { uid } } : {}),
    });
    return true;
  } catch (err) {
    if (!(err instanceof KubeError && (err.code === 404 || err.code === 409))) throw err;
    return false;
  }
}

export const jsonPointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

export const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
